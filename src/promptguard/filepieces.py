"""Scanning a large UTF-8 file as byte ranges that each worker reads itself.

The parent only plans: it reads each ~1 MB block once to cut it after its
last newline and count its lines, and sends (path, byte range, first line)
to a worker. The worker reads its range with 64 KiB of context either side,
decodes and scans it, and returns the findings that start in its range, in
characters relative to the range. The parent adds the character offsets
(known only once the ranges before are decoded) in range order.

Before this the parent decoded the whole file, linted it and pickled every
buffer to the workers: about a third of a one-file scan's CPU, all of it in
the one process that also merges and reports. Files this cannot read as
byte ranges (UTF-16/32 with a BOM) keep the decode-and-stream path
(`stream.stream_buffers`).
"""
# ruff: noqa: I002
# No postponed annotations: NamedTuple (see stream.py).
import codecs
import os
from collections.abc import Iterator
from typing import TYPE_CHECKING
from typing import NamedTuple

from promptguard.models import Diagnostic
from promptguard.models import Finding
from promptguard.models import ScanResult
from promptguard.sources import BINARY_SNIFF
from promptguard.sources import CHUNK_BYTES
from promptguard.sources import UNDECODABLE_NOTE
from promptguard.sources import Note
from promptguard.sources import sniff_encoding

if TYPE_CHECKING:
    from promptguard.engine import Scanner
    from promptguard.stream import Lint

# Bytes of context read before and after each range: at least 16,384
# characters (65,536 for ASCII), far more than any rule's window or
# lookbehind, so a match is never cut and a context rule still sees its
# keyword.
CONTEXT_BYTES = 65536


class Piece(NamedTuple):
    """One byte range of a file: what a worker reads and scans."""

    path: str
    start: int  # first byte of the range
    end: int  # one past its last byte
    first_line: int  # line number at `start`
    # Whether `start` is a line start (else a very long line was cut).
    at_line_start: bool
    # Where the file's text begins (after a UTF-8 BOM): context starts there
    # at the earliest.
    text_start: int = 0


class PieceResult(NamedTuple):
    """A range's findings, offsets relative to the range's first character.

    A finding on the range's first line has its column relative to the
    range's start too; the parent adds the characters before it on that line.
    """

    findings: list[Finding]
    diagnostics: list[Diagnostic]
    notes: list[Note]
    chars: int  # characters in the range
    # Characters after the range's last newline, or -1 if it has none.
    tail: int
    invalid: bool  # some bytes were not UTF-8
    # Why the range could not be read ("cannot read (No such file or
    # directory)": the file went away between planning and reading).
    error: str | None = None


def _char_start(fd: int, pos: int) -> int:
    """`pos`, or the start of the UTF-8 character whose bytes it cuts.

    Any cut among invalid bytes is safe: surrogateescape decodes each of them
    to one character whichever side of a cut it lands on.
    """
    if pos <= 0:
        return 0
    k = min(3, pos)
    win = os.pread(fd, k + 1, pos - k)  # the byte at pos and up to 3 before
    if len(win) <= k:
        return pos  # the end of the file
    i = k
    while i > 0 and win[i] & 0xC0 == 0x80:  # continuation bytes: 10xxxxxx
        i -= 1
    lead = win[i]
    if lead & 0xC0 == 0x80 or lead < 0x80:
        return pos
    length = 2 if lead >> 5 == 0b110 else 3 if lead >> 4 == 0b1110 else 4
    return pos - (k - i) if k - i < length else pos


def byte_ranges(path: str, fd: int, size: int) -> Iterator[Piece] | None:
    """The ranges to scan `fd` (of `size` bytes) in, or None when the file
    cannot be read as byte ranges (a UTF-16/32 BOM, or binary: callers take
    the streaming path, which notes binary files). A UTF-8 BOM is skipped,
    as decoding with utf-8-sig does. Also None where there is no os.pread
    (Windows): the streaming path works everywhere."""
    if not hasattr(os, "pread"):
        return None
    head = os.pread(fd, BINARY_SNIFF, 0)
    encoding = sniff_encoding(head)
    if encoding not in ("utf-8", "utf-8-sig"):
        return None
    first = len(codecs.BOM_UTF8) if encoding == "utf-8-sig" else 0

    def gen() -> Iterator[Piece]:
        pos, line, at_start = first, 1, True
        while pos < size:
            block = os.pread(fd, CHUNK_BYTES, pos)
            if not block:
                return  # shrank since it was sized
            end = pos + len(block)
            if end < size:
                cut = block.rfind(b"\n")
                if cut >= 0:
                    end = pos + cut + 1
                else:  # a line longer than a block: cut at a character
                    end = _char_start(fd, end)
                    if end <= pos:
                        end = pos + len(block)
            # The block bytes up to `end` (a cut never lies past the block).
            newlines = block.count(b"\n", 0, end - pos)
            yield Piece(path, pos, end, line, at_start, first)
            line += newlines
            at_start = block[end - pos - 1:end - pos] == b"\n"
            pos = end

    return gen()


def _decode(data: bytes) -> tuple[str, bool]:
    try:
        return data.decode("utf-8"), False
    except UnicodeDecodeError:
        # The same text as decoding the whole file with surrogateescape:
        # every range starts and ends at a character (see _char_start).
        return data.decode("utf-8", "surrogateescape"), True


def _read(piece: Piece, fd: int | None) -> tuple[bytes, int]:
    """The range's bytes with their context, and the offset they start at."""
    own = fd is None
    if fd is None:
        fd = os.open(piece.path, os.O_RDONLY)
    try:
        lo = _char_start(fd, max(piece.text_start, piece.start - CONTEXT_BYTES))
        size = os.fstat(fd).st_size
        hi = max(piece.end, _char_start(fd, min(size, piece.end + CONTEXT_BYTES)))
        return os.pread(fd, hi - lo, lo), lo
    finally:
        if own:
            os.close(fd)


def scan_piece(scanner: "Scanner", piece: Piece, backend: str | None, lint: "Lint | None",
               label: str, fd: int | None = None) -> PieceResult:
    """Read, decode and scan one range with its context (worker side)."""
    try:
        data, lo = _read(piece, fd)
    except OSError as e:
        return PieceResult([], [], [], 0, -1, False, f"cannot read ({e.strerror})")
    # One decode of the whole buffer (the same text as decoding its parts:
    # every cut is at a character), and only the small context parts again
    # to find where the range starts and ends: each MB-sized copy is ~250
    # page faults per range.
    text, invalid = _decode(data)
    before, _ = _decode(data[:piece.start - lo])
    after, _ = _decode(data[piece.end - lo:])
    result = scanner.run(text, backend=backend)
    a, b = len(before), len(text) - len(after)
    skip_lines = before.count("\n")
    findings = []
    for f in result.findings:
        if not a <= f.start < b:
            continue
        line = f.line - skip_lines
        findings.append(f._replace(
            start=f.start - a,
            end=f.end - a,
            line=line,
            column=f.start - a + 1 if line == 1 else f.column,
        ))
    notes = lint(text[a:b], label, piece.first_line) if lint is not None else []
    last_nl = text.rfind("\n", a, b)
    return PieceResult(findings, result.diagnostics, notes, b - a,
                       b - last_nl - 1 if last_nl >= 0 else -1, invalid)


class PieceMerge:
    """Range results, added in range order, made into one file's result."""

    def __init__(self, label: str, notes: list[Note]) -> None:
        self.label = label
        self.notes = notes
        self.findings: list[Finding] = []
        self.diagnostics: list[Diagnostic] = []
        self._chars = 0  # characters before the next range
        self._column = 0  # characters between its line's start and it
        self._invalid = False
        self.error: str | None = None  # the first range that could not be read

    def add(self, piece: Piece, result: PieceResult) -> None:
        if result.error is not None and self.error is None:
            self.error = result.error
        if result.invalid and not self._invalid:
            self._invalid = True
            self.notes.append(Note(self.label, UNDECODABLE_NOTE))
        self.notes.extend(result.notes)
        self.diagnostics.extend(d for d in result.diagnostics if d not in self.diagnostics)
        base, column = self._chars, self._column if not piece.at_line_start else 0
        for f in result.findings:
            self.findings.append(f._replace(
                start=f.start + base,
                end=f.end + base,
                line=f.line + piece.first_line - 1,
                column=f.column + column if f.line == 1 else f.column,
            ))
        self._chars += result.chars
        self._column = result.tail if result.tail >= 0 else column + result.chars

    def result(self) -> ScanResult:
        return ScanResult(self.findings, self.diagnostics)
