"""The process-pool scan: the same results, in the same order, for any number
of workers and either prefilter backend; mallopt only when asked for."""
from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from testing import fakes

from promptguard import parallel
from promptguard import sources
from promptguard.engine import Scanner
from promptguard.engine import ScanSettings
from promptguard.guard import Guard
from promptguard.prefilter import HYPERSCAN_MIN_CHARS
from promptguard.prefilter import hyperscan_available
from promptguard.ruleset import load_ruleset
from promptguard.sources import CHUNK_BYTES

RULESET = load_ruleset(cache_dir=None)
EXAMPLES = [e for r in RULESET.rules for e in r.examples]
BACKENDS = ["aho", "hyperscan"] if hyperscan_available() else ["aho"]
RNG = random.Random(4242)
AWS_KEY = fakes.aws_key_id(RNG)

pieces = st.one_of(
    st.text(max_size=30),
    st.sampled_from(EXAMPLES),
    st.sampled_from(["\n", " ", "=", "é", "\u212a", "\udcff", "promptguard: allow"]),
)
texts = st.lists(pieces, max_size=10).map("".join)


def _scans(scanner: Scanner, files: list[Path], workers: int) -> list[parallel.FileScan]:
    # min_parallel_bytes=0: use the pool even for these small inputs.
    return list(parallel.scan_files(scanner, files, workers=workers, min_parallel_bytes=0))


def _write(tmp: Path, contents: list[str | bytes]) -> list[Path]:
    files = []
    for i, content in enumerate(contents):
        path = tmp / f"f{i:03d}.txt"
        if isinstance(content, str):
            path.write_text(content, encoding="utf-8", errors="surrogateescape")
        else:
            path.write_bytes(content)
        files.append(path)
    return files


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(contents=st.lists(st.one_of(texts, st.binary(max_size=40)), min_size=1, max_size=8),
       backend=st.sampled_from(BACKENDS))
def test_same_results_for_any_worker_count_and_backend(
    tmp_path_factory: pytest.TempPathFactory, contents: list[str | bytes], backend: str,
) -> None:
    tmp = tmp_path_factory.mktemp("p")
    files = _write(tmp, contents)
    one = _scans(Scanner(RULESET, ScanSettings(backend="aho")), files, 1)
    # Every file once, in input order.
    assert [s.path for s in one] == files
    for workers in (2, 3):
        scanner = Scanner(RULESET, ScanSettings(backend=backend))  # type: ignore[arg-type]
        assert _scans(scanner, files, workers) == one


def test_large_file_buffers_merge_like_run_stream(tmp_path: Path) -> None:
    # Over CHUNK_BYTES: the parent streams the file's buffers to the workers.
    line = f"aws_access_key_id = {AWS_KEY}\n" + "x = 1  # filler line\n" * 40
    big = tmp_path / "big.txt"
    big.write_text(line * (CHUNK_BYTES * 3 // len(line)))
    small = tmp_path / "small.txt"
    small.write_text(f"key {AWS_KEY}\n")
    files = [small, big, small]
    scanner = Scanner(RULESET, ScanSettings())
    one = _scans(scanner, files, 1)
    two = _scans(scanner, files, 2)
    assert two == one
    assert [s.path for s in two] == files
    found = two[1].result
    assert found is not None and len(found.findings) == CHUNK_BYTES * 3 // len(line)
    with big.open("rb") as f:
        chunks = sources.iter_chunks(f, str(big), [])
        assert chunks is not None
        assert found.findings == scanner.run_stream(chunks).findings


def test_unreadable_and_binary_files(tmp_path: Path) -> None:
    files = [*_write(tmp_path, [b"\0binary", f"key {AWS_KEY}\n"]), tmp_path / "gone.txt"]
    scans = _scans(Scanner(RULESET, ScanSettings()), files, 2)
    assert scans[0].result is None and "binary" in scans[0].notes[0].message
    assert scans[1].result is not None and scans[1].excerpts is not None
    assert scans[2].result is None and scans[2].error is not None
    assert AWS_KEY not in repr(scans[1].result) and AWS_KEY not in repr(scans[1])


def test_a_lazy_walk_is_scanned_as_it_is_read_with_the_same_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # One file per batch, so the pool has work before the walk ends.
    monkeypatch.setattr(parallel, "BATCH_BYTES", 1)
    pad = "x = 1\n" * 2000
    contents: list[str | bytes] = [f"key {AWS_KEY}\n{pad}", b"\0binary", *[pad] * 30,
                                   f"# promptguard: allow\nk = {AWS_KEY}\n{pad}"]
    files = [*_write(tmp_path, contents), tmp_path / "gone.txt"]
    # Past the backend's threshold well before the walk's end.
    assert sum(p.stat().st_size for p in files[:-1]) > 1.3 * HYPERSCAN_MIN_CHARS
    read: list[Path] = []

    def walk() -> Iterator[Path]:
        for path in files:
            read.append(path)
            yield path

    listed = list(parallel.scan_files(Scanner(RULESET, ScanSettings()), files, workers=1))
    scanner = Scanner(RULESET, ScanSettings())
    lazily = parallel.scan_files(scanner, walk(), workers=2, min_parallel_bytes=1)
    first = next(lazily)
    assert len(read) < len(files)  # the rest is walked while the workers scan
    assert [first, *lazily] == listed
    assert read == files
    # The backend the whole input would choose, from the part read first.
    assert scanner.backend_for(0) == scanner.backend_for(HYPERSCAN_MIN_CHARS)


def test_guard_check_files_equals_check_file(tmp_path: Path) -> None:
    files = _write(tmp_path, [f"key {AWS_KEY}\n", "nothing\n", "# promptguard: allow\n"])
    guard = Guard.load("cli", start=tmp_path)
    serial = [guard.check_file(p, audit=False) for p in files]
    assert list(guard.check_files(files, audit=False, workers=2)) == serial


def test_config_allowlists_screen_files_scanned_in_workers(tmp_path: Path) -> None:
    # Workers send back excerpts (each finding's value and line), not the
    # text: the secret- and line-based allowlists must still apply to them.
    rng = random.Random(5)
    tokens = [fakes.github_token(rng) for _ in range(3)]
    (tmp_path / ".promptguard.toml").write_text(
        f'[allowlist]\nregexes = ["^{tokens[0][:12]}"]\nline_regexes = ["^ALLOWED_TOKEN="]\n')
    pad = "x = 1\n" * (parallel.PARALLEL_MIN_BYTES // 6 + 1)  # enough input for the pool
    files = _write(tmp_path, [f"a = '{tokens[0]}'\n", f"ALLOWED_TOKEN={tokens[1]}\n",
                              f"GITHUB_TOKEN={tokens[2]}\n", pad])
    guard = Guard.load("cli", start=tmp_path)
    serial = [guard.check_file(p, audit=False) for p in files]
    pooled = list(guard.check_files(files, audit=False, workers=2))
    assert pooled == serial
    assert [v.action for v in pooled[:3]] == ["allow", "allow", "block"]
    assert {d.reason for v in pooled[:2] for d in v.decisions} == {
        "allowlist.regexes", "allowlist.line_regexes"}


def test_library_never_calls_mallopt_unless_asked(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[int] = []
    monkeypatch.setattr(sources, "fix_mmap_threshold", lambda: calls.append(1))
    big = tmp_path / "big.txt"
    big.write_text("a = 1\n" * (CHUNK_BYTES // 3))
    guard = Guard.load("cli", start=tmp_path)
    guard.check_file(big, audit=False)
    list(guard.check_files([big], audit=False, workers=1))
    assert calls == []
    list(guard.check_files([big], audit=False, workers=1, tune_malloc=True))
    assert calls == [1]
