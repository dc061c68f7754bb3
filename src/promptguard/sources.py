"""Turning paths and streams into text for the engine (the I/O side).

Nothing is silently lost: binary files are skipped *with a note*, bytes that
are not UTF-8 are kept (surrogate-escaped) and noted, and files larger than
one chunk are scanned in overlapping chunks so memory stays flat.
"""
# No `from __future__ import annotations` here: typing.NamedTuple would
# compile every postponed field annotation at import (~17 ms per process).

import codecs
import os
from collections.abc import Iterable
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO
from typing import NamedTuple

# git's own heuristic: a NUL byte in the first 8000 bytes means binary.
BINARY_SNIFF = 8000
# Small enough that a chunk of wide (UCS-4) characters and its copies stay
# well under the 100 MB peak-memory budget, large enough to amortise calls.
CHUNK_BYTES = 1024 * 1024
_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
_SKIP_DIRS = frozenset({".git", ".hg", ".svn"})
# The note for an input with bytes that are not UTF-8 (kept surrogate-escaped).
UNDECODABLE_NOTE = "not valid UTF-8; undecodable bytes kept as-is"


class Note(NamedTuple):
    """Something the user should know about an input (skipped, re-decoded)."""

    source: str
    message: str


def sniff_encoding(head: bytes) -> str | None:
    """The encoding to read with, or None for binary content."""
    for bom, encoding in _BOMS:
        if head.startswith(bom):
            return encoding
    if b"\0" in head[:BINARY_SNIFF]:
        return None
    return "utf-8"


def decode(data: bytes, source: str, notes: list[Note]) -> str | None:
    """Decode a whole input; None (with a note) when it is binary."""
    encoding = sniff_encoding(data[:BINARY_SNIFF])
    if encoding is None:
        notes.append(Note(source, "skipped: binary content"))
        return None
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        # Keep every byte: surrogateescape round-trips, so redaction can
        # write the file back unchanged apart from what it replaces.
        notes.append(Note(source, UNDECODABLE_NOTE))
        return data.decode(encoding if encoding == "utf-8" else "utf-8", "surrogateescape")


def fix_mmap_threshold() -> None:
    """Fixed allocator thresholds while scanning large inputs (glibc only).

    glibc raises its mmap threshold after each freed large block, so later
    MB-sized buffers come from the heap, which fragments: a 60 MB
    read-and-decode loop peaked at 47 MB RSS, a 1 GB scan at 112 MB. Fixed
    thresholds stop that. Blocks up to 4 MiB (a range's bytes, its decoded
    text when ASCII or Latin-1, the view Hyperscan reads) come from the heap
    and are reused range after range; larger ones (a range decoded to UCS-2
    or UCS-4) are mmapped and returned on free, and the heap is trimmed only
    past 16 MiB free. With 256 KiB, every buffer was a fresh mmap: 54,000
    page faults and a quarter of a 31 MB scan's CPU in the kernel; now
    14,000, at the same 53 MB peak RSS on a 1 GiB file (8 MiB: 121 MB).

    It changes the allocator for the whole process, so only a process of our
    own asks for it (the CLI, the scan workers), never the library by itself:
    a gateway or daemon embedding promptguard keeps its own malloc tuning.
    """
    import sys

    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL("libc.so.6")
        libc.mallopt(-3, 4 << 20)  # M_MMAP_THRESHOLD
        libc.mallopt(-1, 16 << 20)  # M_TRIM_THRESHOLD
    except (OSError, AttributeError):
        pass  # not glibc (musl, ...): nothing to tune


def iter_chunks(
    f: BinaryIO, source: str, notes: list[Note], *, tune_malloc: bool = False,
) -> Iterator[str] | None:
    """Decoded chunks of a large stream, or None (with a note) if binary.

    `tune_malloc`: call `fix_mmap_threshold()` first (for the CLI's own process).
    """
    if tune_malloc:
        fix_mmap_threshold()
    head = f.read(CHUNK_BYTES)
    encoding = sniff_encoding(head[:BINARY_SNIFF])
    if encoding is None:
        notes.append(Note(source, "skipped: binary content"))
        return None

    def gen() -> Iterator[str]:
        decoder = codecs.getincrementaldecoder(encoding)("strict")
        fallback = codecs.getincrementaldecoder("utf-8")("surrogateescape")
        noted = False
        block = head
        while block:
            try:
                text = decoder.decode(block) if not noted else fallback.decode(block)
            except UnicodeDecodeError:
                noted = True
                notes.append(Note(source, UNDECODABLE_NOTE))
                text = fallback.decode(block)
            if text:
                yield text
            block = f.read(CHUNK_BYTES)
        tail = (fallback if noted else decoder).decode(b"", final=True)
        if tail:
            yield tail

    return gen()


def _git_files(directory: Path) -> list[Path] | None:
    """Files git would consider (tracked + untracked, minus ignored).

    None when git cannot say, or when the directory itself is ignored: a
    path the user names is always scanned (as ripgrep does), and only what
    .gitignore excludes *inside* it is skipped.
    """
    import subprocess

    try:
        ignored = subprocess.run(
            ["git", "check-ignore", "-q", "--no-index", "."],
            cwd=directory, capture_output=True,
        ).returncode == 0
        if ignored:
            return None
        out = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=directory, capture_output=True, check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        return None  # not a git repository, or no git: walk instead
    files = [directory / os.fsdecode(p) for p in out.split(b"\0") if p]
    return sorted({f for f in files if f.is_file() and not f.is_symlink()})


def _walk(directory: Path) -> Iterator[Path]:
    """Regular files under `directory` (no symlinks, not into .git), each
    directory's files sorted before its sorted subdirectories.

    The directory entries' types say what is a regular file: no stat per
    file (two each, with os.walk and Path.is_file/is_symlink).
    """
    pending = [directory]
    while pending:
        top = pending.pop()
        try:
            with os.scandir(top) as it:
                entries = list(it)
        except OSError:
            continue  # unreadable or vanished: as os.walk does
        files = sorted(e.name for e in entries if e.is_file(follow_symlinks=False))
        dirs = sorted((e.name for e in entries
                       if e.is_dir(follow_symlinks=False) and e.name not in _SKIP_DIRS),
                      reverse=True)
        for name in files:
            yield top / name
        pending.extend(top / name for name in dirs)


def iter_paths(paths: Iterable[Path], notes: list[Note]) -> Iterator[Path]:
    """Expand directories (honouring .gitignore inside git repositories)."""
    for path in paths:
        if path.is_dir():
            files = _git_files(path)
            yield from (files if files is not None else _walk(path))
        elif path.exists():
            yield path
        else:
            notes.append(Note(str(path), "skipped: no such file or directory"))
