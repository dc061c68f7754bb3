"""Large UTF-8 files scanned as byte ranges: the same findings (offsets, lines,
columns) as scanning the whole decoded text at once, and the same in the pool
as in this process, whatever characters the range cuts fall between."""
from __future__ import annotations

import codecs
import itertools
import os
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from testing import fakes

from promptguard import filepieces
from promptguard import parallel
from promptguard.engine import Scanner
from promptguard.engine import ScanSettings
from promptguard.ruleset import load_ruleset

RULESET = load_ruleset(cache_dir=None)
EXAMPLES = [e for r in RULESET.rules for e in r.examples]
RNG = random.Random(777)
AWS_KEY = fakes.aws_key_id(RNG)
# Small ranges, so a few KB of text is cut many times (the context stays at
# 64 KiB: every range sees the whole test file around it).
CHUNK = 1500

parts = st.one_of(
    st.sampled_from(EXAMPLES).map(lambda e: e.encode("utf-8", "surrogateescape")),
    st.sampled_from([
        b"\n", b" ", b"\xc3\xa9", b"\xe4\xb8\xad", b"\xf0\x9f\x99\x82",  # 2-4 byte characters
        b"\xff", b"\xe2\x82", b"\x80\x80\x80\x80",  # invalid UTF-8
        b"x" * 2000,  # a line longer than a range
        f"aws_access_key_id = {AWS_KEY}\n".encode(),
        b"# promptguard: allow\n",
    ]),
    st.text(max_size=20).map(lambda t: t.encode("utf-8", "surrogateescape")),
)


@pytest.fixture
def small_ranges(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(filepieces, "CHUNK_BYTES", CHUNK)
    monkeypatch.setattr(parallel, "CHUNK_BYTES", CHUNK)


def _reference(scanner: Scanner, data: bytes) -> tuple[list[object], bool]:
    """Findings of the whole file's text in one run, and whether it was UTF-8."""
    if data.startswith(codecs.BOM_UTF8):
        data = data[len(codecs.BOM_UTF8):]
    try:
        text = data.decode("utf-8")
        invalid = False
    except UnicodeDecodeError:
        text = data.decode("utf-8", "surrogateescape")
        invalid = True
    return list(scanner.run(text).findings), invalid


@settings(max_examples=30, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(body=st.lists(parts, min_size=1, max_size=40).map(b"".join),
       repeat=st.integers(1, 4), bom=st.booleans())
def test_ranges_give_the_whole_texts_findings(
    tmp_path_factory: pytest.TempPathFactory, small_ranges: None,
    body: bytes, repeat: int, bom: bool,
) -> None:
    data = (codecs.BOM_UTF8 if bom else b"") + body * repeat + b"tail line\n" * 200
    path = tmp_path_factory.mktemp("r") / "big.txt"
    path.write_bytes(data)
    scanner = Scanner(RULESET, ScanSettings(backend="aho"))
    expected, invalid = _reference(scanner, data)
    if b"\0" in data[:8000]:
        return  # binary: skipped with a note (tested elsewhere)
    one = parallel.scan_path(scanner, path)
    assert one.result is not None
    assert one.result.findings == expected
    assert any("not valid UTF-8" in n.message for n in one.notes) == invalid
    two = list(parallel.scan_files(scanner, [path, path], workers=2, min_parallel_bytes=0))
    assert [s.result for s in two] == [one.result, one.result]
    assert [s.notes for s in two] == [one.notes, one.notes]


def test_cuts_never_split_a_character(tmp_path: Path, small_ranges: None) -> None:
    data = ("é中🙂" * 3000).encode()  # no newline: every cut is mid-line
    path = tmp_path / "wide.txt"
    path.write_bytes(data)
    fd = os.open(path, os.O_RDONLY)
    try:
        ranges = filepieces.byte_ranges(str(path), fd, len(data))
        assert ranges is not None
        pieces = list(ranges)
    finally:
        os.close(fd)
    assert len(pieces) > 10
    assert pieces[0].start == 0 and pieces[-1].end == len(data)
    for a, b in itertools.pairwise(pieces):
        assert a.end == b.start
        assert data[b.start] & 0xC0 != 0x80
        assert not b.at_line_start


def test_utf16_files_keep_the_streaming_path(tmp_path: Path, small_ranges: None) -> None:
    text = f"aws_access_key_id = {AWS_KEY}\n" + "filler line\n" * 500
    path = tmp_path / "utf16.txt"
    path.write_bytes(text.encode("utf-16"))
    fd = os.open(path, os.O_RDONLY)
    try:
        assert filepieces.byte_ranges(str(path), fd, path.stat().st_size) is None
    finally:
        os.close(fd)
    scan = parallel.scan_path(Scanner(RULESET, ScanSettings()), path)
    assert scan.result is not None
    assert [f.line for f in scan.result.findings] == [1]


def test_a_finding_at_a_cut_is_reported_once(tmp_path: Path, small_ranges: None) -> None:
    # Every line starts with a key, so ranges (cut after a newline) start
    # on findings.
    data = "".join(f"{fakes.aws_key_id(RNG)}\n" for _ in range(400)).encode()
    path = tmp_path / "keys.txt"
    path.write_bytes(data)
    scanner = Scanner(RULESET, ScanSettings())
    scan = parallel.scan_path(scanner, path)
    expected, _ = _reference(scanner, data)
    assert scan.result is not None and len(expected) == 400
    assert scan.result.findings == expected


def test_without_pread_the_streaming_path_gives_the_same_findings(
    tmp_path: Path, small_ranges: None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Windows has no os.pread: large files are decoded and streamed instead.
    data = "".join(f"key {fakes.aws_key_id(RNG)} é\n" for _ in range(300)).encode()
    path = tmp_path / "keys.txt"
    path.write_bytes(data)
    scanner = Scanner(RULESET, ScanSettings())
    with_ranges = parallel.scan_path(scanner, path)
    monkeypatch.delattr(os, "pread")
    streamed = parallel.scan_path(scanner, path)
    assert with_ranges.result is not None and streamed.result is not None
    assert len(streamed.result.findings) == 300
    assert streamed.result.findings == with_ranges.result.findings


def test_a_file_gone_before_its_ranges_are_read_is_a_clear_error(
    tmp_path: Path, small_ranges: None, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The workers open the file by its path: deleted after the parent planned
    # its first range, it is "cannot read", as an unreadable file is (the CLI
    # exits 2 naming it), not a crash in the pool.
    path = tmp_path / "gone.txt"
    path.write_bytes(b"filler line\n" * 2000)
    planned = filepieces.byte_ranges

    def plan_then_delete(label: str, fd: int, size: int) -> object:
        ranges = planned(label, fd, size)
        assert ranges is not None
        for i, piece in enumerate(ranges):
            if i == 1:
                path.unlink()
            yield piece

    monkeypatch.setattr(filepieces, "byte_ranges", plan_then_delete)
    scanner = Scanner(RULESET, ScanSettings())
    [scan] = parallel.scan_files(scanner, [path], workers=2, min_parallel_bytes=0)
    assert scan.result is None
    assert scan.error is not None and "cannot read" in scan.error
