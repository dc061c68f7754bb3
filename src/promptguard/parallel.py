"""Scanning many files, or one large one, on every core.

`scan_files` yields one `FileScan` per path, in input order, whatever the
number of workers: the same findings, notes and diagnostics as scanning the
files one by one in this process (a property test checks it). Small files
travel to the workers in batches; a large file is read and decoded here and
its overlapping buffers (`promptguard.stream`) are scanned by the workers and
merged in order. At most a few batches are in flight, so memory stays
bounded by the batch size, not the input.

Workers are forked from this process, so they share the loaded rules and
Hyperscan database instead of loading their own. Where `fork` does not exist
(Windows, and macOS where it is unsafe) the scan runs in this process.
"""
# ruff: noqa: I002
# No postponed annotations: FileScan is a NamedTuple (see stream.py).
import itertools
import os
import sys
from collections import deque
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from typing import NamedTuple

# At run time, not only for type checking: a string annotation in _Job
# would be compiled at every import (the engine is loaded by then anyway).
from promptguard.engine import Scanner
from promptguard.models import ScanResult
from promptguard.prefilter import HYPERSCAN_MIN_CHARS
from promptguard.sources import CHUNK_BYTES
from promptguard.sources import Note
from promptguard.stream import Lint
from promptguard.stream import linted

if TYPE_CHECKING:
    from promptguard.filepieces import Piece
    from promptguard.filepieces import PieceResult

# A batch of small files holds about this many bytes: big enough that the
# inter-process round trip (~0.1 ms) is noise, small enough to share work.
BATCH_BYTES = 1 << 20
# Below this much input in all, starting workers costs more than it saves.
PARALLEL_MIN_BYTES = 4 << 20
# Batches or buffers in flight per worker: keeps both cores busy while the
# parent merges, and bounds memory.
_IN_FLIGHT = 3


# (start, end) of a finding -> (its text, the line holding its start): all
# the screen reads of a file. A worker sends these back, not the decoded text
# (pickling each text with findings cost the parent and the workers ~0.15 s
# of CPU on a 79 MB tree).
Excerpts = dict[tuple[int, int], tuple[str, str]]


class FileScan(NamedTuple):
    """What scanning one file gave."""

    path: Path
    # None when the file was skipped (a note says why).
    result: ScanResult | None
    notes: tuple[Note, ...]
    # What the allowlists and baselines read of a file read whole (up to
    # CHUNK_BYTES) that has findings: see `Excerpts`. None for a streamed file.
    excerpts: Excerpts | None
    # Why the file could not be read ("cannot read (Permission denied)").
    error: str | None = None

    def __repr__(self) -> str:
        # The excerpts hold the secrets themselves: never in a repr.
        held = "None" if self.excerpts is None else f"<{len(self.excerpts)} excerpts>"
        return (f"FileScan(path={self.path!r}, result={self.result!r}, notes={self.notes!r}, "
                f"excerpts={held}, error={self.error!r})")


def excerpts_of(text: str, result: ScanResult) -> Excerpts | None:
    """The excerpts of `text` its findings need, or None without findings."""
    if not result.findings:
        return None
    from promptguard.allowlist import line_at

    return {(f.start, f.end): (text[f.start:f.end], line_at(text, f.start))
            for f in result.findings}


class _Job(NamedTuple):
    scanner: Scanner
    backend: str | None
    lint: Lint | None
    tune_malloc: bool


def default_workers() -> int:
    """The cores this process may run on."""
    if hasattr(os, "sched_getaffinity"):
        return max(1, len(os.sched_getaffinity(0)))
    return max(1, os.cpu_count() or 1)


def _can_fork() -> bool:
    # macOS system libraries are not fork-safe; Windows has no fork.
    return sys.platform.startswith("linux") or sys.platform.startswith("freebsd")


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def scan_path(scanner: Scanner, path: Path, *, lint: Lint | None = None,
              label: str | None = None) -> FileScan:
    """One file in this process (its backend chosen by its own size)."""
    return scan_file(_Job(scanner, None, lint, False), path, label)


def scan_file(job: _Job, path: Path, label: str | None = None) -> FileScan:
    """One file, as the scan command reads it: whole when small, else streamed."""
    return FileScan(path, *_scan(job, path, str(path) if label is None else label))


# A FileScan without its path: (result, notes, excerpts, error). Workers
# send these back; the parent already holds the paths it sent.
Scanned = tuple[ScanResult | None, tuple[Note, ...], Excerpts | None, str | None]


def _scan(job: _Job, path: Path | str, label: str) -> Scanned:
    from promptguard.sources import decode

    notes: list[Note] = []
    # os.open and os.read, not a file object: a scan of many small files
    # spent 6 us of each on building one (44 ms over a 7,412-file tree).
    try:
        fd = os.open(path, _READ_FLAGS)
    except OSError as e:
        return None, (), None, f"cannot read ({e.strerror})"
    try:
        # The size of the file opened, not of whatever the path names now.
        try:
            size = os.fstat(fd).st_size
        except OSError:
            size = 0
        if size > CHUNK_BYTES:
            return _scan_large(job, label, fd, size, notes)
        try:
            data = _read_all(fd, size)
        except OSError as e:
            return None, (), None, f"cannot read ({e.strerror})"
    finally:
        os.close(fd)
    text = decode(data, label, notes)
    if text is None:
        return None, tuple(notes), None, None
    if job.lint is not None:
        notes.extend(job.lint(text, label, 1))
    result = job.scanner.run(text, backend=job.backend)
    return result, tuple(notes), excerpts_of(text, result), None


# Binary on Windows (os.open is text mode there by default).
_READ_FLAGS = os.O_RDONLY | getattr(os, "O_BINARY", 0) | getattr(os, "O_CLOEXEC", 0)


def _read_all(fd: int, size: int) -> bytes:
    """Everything up to the end of the file, which may have grown since
    `size` was read (as a file object's read() would)."""
    parts = []
    while chunk := os.read(fd, max(size + 1, 1 << 16)):
        parts.append(chunk)
    return parts[0] if len(parts) == 1 else b"".join(parts)


def _scan_large(job: _Job, label: str, fd: int, size: int, notes: list[Note]) -> Scanned:
    """A file over CHUNK_BYTES: byte ranges when UTF-8, else streamed."""
    # Imported here: a hook's prompt never needs them.
    from promptguard.filepieces import PieceMerge
    from promptguard.filepieces import byte_ranges
    from promptguard.filepieces import scan_piece
    from promptguard.sources import iter_chunks

    pieces = byte_ranges(label, fd, size)
    if pieces is not None:
        # UTF-8: the ranges the pool would scan, one after another here.
        if job.tune_malloc:
            from promptguard.sources import fix_mmap_threshold

            fix_mmap_threshold()
        merge = PieceMerge(label, notes)
        for piece in pieces:
            merge.add(piece, scan_piece(job.scanner, piece, job.backend, job.lint, label, fd))
        if merge.error is not None:
            return None, tuple(notes), None, merge.error
        return merge.result(), tuple(notes), None, None
    # The caller closes fd.
    with open(fd, "rb", closefd=False) as f:
        chunks = iter_chunks(f, label, notes, tune_malloc=job.tune_malloc)
        if chunks is None:
            return None, tuple(notes), None, None
        result = job.scanner.run_stream(linted(chunks, label, notes, job.lint),
                                        backend=job.backend)
    return result, tuple(notes), None, None


# -- worker side -----------------------------------------------------------
# Each worker process holds the job it was forked with. A module global is
# the only way a multiprocessing initializer can hand state to the tasks;
# it is set only inside worker processes.
_WORKER_JOB: list[_Job] = []


def _init_worker(job: _Job) -> None:
    _WORKER_JOB.append(job)
    if job.tune_malloc:
        from promptguard.sources import fix_mmap_threshold

        fix_mmap_threshold()


def _scan_batch(paths: list[str]) -> list[Scanned | None]:
    """Each file's scan, None for the common one with nothing to report.

    Paths travel as strings and results without them, and an empty result
    as None: pickling Path objects and empty results both ways was ~0.15 s
    of CPU on a 7,412-file tree, a third of it in the parent.
    """
    job = _WORKER_JOB[0]
    out: list[Scanned | None] = []
    for path in paths:
        scanned = _scan(job, path, path)
        result, notes, excerpts, error = scanned
        empty = (result is not None and not result.findings and not result.diagnostics
                 and not notes and excerpts is None and error is None)
        out.append(None if empty else scanned)
    return out


def _scan_buffer(text: str) -> ScanResult:
    job = _WORKER_JOB[0]
    return job.scanner.run(text, backend=job.backend)


def _scan_piece(piece: "Piece") -> "PieceResult":
    from promptguard.filepieces import scan_piece

    job = _WORKER_JOB[0]
    return scan_piece(job.scanner, piece, job.backend, job.lint, piece.path)


# -- parent side -----------------------------------------------------------
class _LargeFile:
    """A file streamed through the pool: its parts go out, results merge."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.notes: list[Note] = []
        # A PieceMerge (byte ranges) or a StreamMerge (decoded buffers).
        self.merge: Any = None

    def scan(self) -> FileScan:
        error = getattr(self.merge, "error", None)
        if error is not None:
            return FileScan(self.path, None, tuple(self.notes), None, error)
        return FileScan(self.path, self.merge.result(), tuple(self.notes), None)


def _plan(sized: Iterable[tuple[Path, int]]) -> Iterator[tuple[list[Path], Path | None]]:
    """Batches of small files, each followed by at most one large file."""
    batch: list[Path] = []
    size = 0
    for path, n in sized:
        if n > CHUNK_BYTES:
            yield batch, path
            batch, size = [], 0
            continue
        batch.append(path)
        size += n
        if size >= BATCH_BYTES:
            yield batch, None
            batch, size = [], 0
    if batch:
        yield batch, None


def scan_files(
    scanner: Scanner,
    paths: Iterable[Path],
    *,
    workers: int | None = None,
    lint: Lint | None = None,
    tune_malloc: bool = False,
    min_parallel_bytes: int = PARALLEL_MIN_BYTES,
) -> Iterator[FileScan]:
    """Scan `paths` (files, not directories), yielding results in input order.

    `workers`: processes to use (default: one per core); the scan stays in
    this process when that is 1, when the input is under
    `min_parallel_bytes` (4 MB) in all, or where fork is unavailable.
    `lint` adds notes per text (run in the workers). `tune_malloc` fixes
    glibc's mmap threshold in this process and the workers while large
    files stream: meant for the CLI, not for a long-lived host process.

    `paths` may be a lazy walk: only enough of it is read up front to make
    both decisions (backend and pool) as the whole input would; the rest is
    walked while the workers scan (the walk of a 7,412-file tree used to
    keep the pool waiting ~0.1 s).
    """
    it = iter(paths)
    head: list[tuple[Path, int]] = []
    total = 0
    # At or past both thresholds, the rest of the input cannot change either
    # decision; short of them the whole input has been read.
    enough = max(min_parallel_bytes, HYPERSCAN_MIN_CHARS)
    for path in it:
        size = _size(path)  # one stat per file, for the plan too
        head.append((path, size))
        total += size
        if total >= enough:
            break
    # One backend for the whole scan, decided from its total size.
    backend = scanner.backend_for(total)
    scanner.prefilter(backend)  # load it once, before any fork
    job = _Job(scanner, backend, lint, tune_malloc)
    n = default_workers() if workers is None else max(1, workers)
    if n == 1 or total < min_parallel_bytes or not _can_fork():
        for path, _ in head:
            yield scan_file(job, path)
        for path in it:
            yield scan_file(job, path)
        return
    yield from _pooled(job, itertools.chain(head, ((p, _size(p)) for p in it)), n)


def _pooled(job: _Job, files: Iterable[tuple[Path, int]], workers: int,
            ) -> Iterator[FileScan]:
    import multiprocessing

    ctx = multiprocessing.get_context("fork")
    pool = ctx.Pool(workers, initializer=_init_worker, initargs=(job,))
    try:
        yield from _drive(pool, job, files, workers * _IN_FLIGHT)
        pool.close()
    finally:
        pool.terminate()
        pool.join()


def _drive(pool: Any, job: _Job, files: Iterable[tuple[Path, int]], window: int,
           ) -> Iterator[FileScan]:
    from promptguard.filepieces import PieceMerge
    from promptguard.filepieces import byte_ranges
    from promptguard.sources import iter_chunks
    from promptguard.stream import StreamMerge
    from promptguard.stream import stream_buffers

    # Entries, in output order: ("batch", AsyncResult, its paths), or
    # ("buffer" | "piece", AsyncResult, Buffer | Piece, _LargeFile, is_last).
    pending: deque[tuple[Any, ...]] = deque()

    def drain(limit: int) -> Iterator[FileScan]:
        while len(pending) > limit:
            entry = pending.popleft()
            if entry[0] == "batch":
                for path, scanned in zip(entry[2], entry[1].get(), strict=True):
                    if scanned is None:
                        yield FileScan(path, ScanResult([], []), (), None)
                    else:
                        yield FileScan(path, *scanned)
                continue
            _, async_result, part, large, last = entry
            large.merge.add(part, async_result.get())
            if last:
                yield large.scan()

    for batch, big in _plan(files):
        if batch:
            paths = [str(p) for p in batch]
            pending.append(("batch", pool.apply_async(_scan_batch, (paths,)), batch))
            yield from drain(window)
        if big is None:
            continue
        large = _LargeFile(big)
        label = str(big)
        try:
            f = big.open("rb")
        except OSError as e:
            yield from drain(0)
            yield FileScan(big, None, (), None, f"cannot read ({e.strerror})")
            continue
        with f:
            parts: Iterator[Any] | None = byte_ranges(label, f.fileno(), _size(big))
            task: Callable[[Any], Any]
            if parts is not None:
                # UTF-8: the workers read and decode their own byte ranges.
                kind, task = "piece", _scan_piece
                large.merge = PieceMerge(label, large.notes)
            else:
                chunks = iter_chunks(f, label, large.notes, tune_malloc=job.tune_malloc)
                if chunks is None:
                    yield from drain(0)
                    yield FileScan(big, None, tuple(large.notes), None)
                    continue
                parts = stream_buffers(linted(chunks, label, large.notes, job.lint))
                kind, task = "buffer", _scan_buffer
                large.merge = StreamMerge()
            part = next(parts, None)
            if part is None:  # it shrank to nothing since it was sized
                yield from drain(0)
                yield FileScan(big, ScanResult([], []), tuple(large.notes), None)
                continue
            while part is not None:
                after = next(parts, None)
                arg = part if kind == "piece" else part.text
                pending.append((kind, pool.apply_async(task, (arg,)), part, large,
                                after is None))
                yield from drain(window)
                part = after
    yield from drain(0)
