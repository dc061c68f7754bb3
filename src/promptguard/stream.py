"""Streaming a long text through the scanner in overlapping buffers.

`Scanner.run_stream` scans these buffers one after another; the process pool
(`promptguard.parallel`) scans them on several cores. Both merge the
per-buffer results with `StreamMerge`, so they return the same findings.
"""
# ruff: noqa: I002
# No postponed annotations: NamedTuple would compile each string annotation
# at import, and this module is imported for every large input.
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Iterator
from typing import NamedTuple

from promptguard.models import Diagnostic
from promptguard.models import Finding
from promptguard.models import ScanResult
from promptguard.sources import Note

# Notes for a text: (text, label, number of its first line) -> notes. The
# blanket-pragma lint (guard.lint_notes) has this shape.
Lint = Callable[[str, str, int], list[Note]]

# Consecutive buffers overlap by this many characters: far longer than any
# match, so a finding cut by one buffer's end is whole in the next.
OVERLAP = 65536


class Buffer(NamedTuple):
    """One buffer of a streamed text and where it sits in the whole."""

    text: str
    base: int  # absolute offset of text[0]
    base_line: int  # line number at `base`
    base_col: int  # characters between that line's start and `base`
    cutoff: int  # findings starting at or after this are left to the next buffer
    emitted_upto: int  # findings starting before this came from the previous one


def stream_buffers(chunks: Iterable[str], overlap: int = OVERLAP) -> Iterator[Buffer]:
    """The overlapping buffers `Scanner.run_stream` scans, in order.

    Separate from the scanning so a process pool can scan the buffers in
    parallel and `StreamMerge` them into exactly what `run_stream` returns.
    """
    carry = ""
    base = 0
    base_line = 1
    base_col = 0
    emitted_upto = 0
    it = iter(chunks)
    pending = next(it, None)
    while pending is not None:
        nxt = next(it, None)
        buf = carry + pending
        last = nxt is None
        # A buffer reports the findings that start in its middle part: at
        # least `overlap` characters follow them in the buffer and (except at
        # the very start of the text) `overlap` characters of context precede
        # them, so a match is never cut at either end and a context rule
        # still sees its keyword.
        cutoff = base + (len(buf) if last else max(0, len(buf) - overlap))
        yield Buffer(buf, base, base_line, base_col, cutoff if not last else -1, emitted_upto)
        emitted_upto = max(emitted_upto, cutoff)
        # The next buffer starts `overlap` before the cutoff: what it reports
        # (from the cutoff on) has that much context before it.
        keep_from = max(0, cutoff - base - overlap)
        newlines = buf.count("\n", 0, keep_from)
        if newlines:
            base_line += newlines
            base_col = keep_from - (buf.rfind("\n", 0, keep_from) + 1)
        else:
            base_col += keep_from
        carry = buf[keep_from:]
        base += keep_from
        pending = nxt


def linted(chunks: Iterable[str], label: str, notes: list[Note], lint: Lint | None,
           ) -> Iterator[str]:
    """`chunks` unchanged, with `lint`'s notes for each (line numbers absolute)."""
    line = 1
    for chunk in chunks:
        if lint is not None:
            notes.extend(lint(chunk, label, line))
        line += chunk.count("\n")
        yield chunk


class StreamMerge:
    """Per-buffer results, added in buffer order, made into one result."""

    def __init__(self) -> None:
        self.findings: list[Finding] = []
        self.diagnostics: list[Diagnostic] = []

    def add(self, buf: Buffer, result: ScanResult) -> None:
        self.diagnostics.extend(d for d in result.diagnostics if d not in self.diagnostics)
        base = buf.base
        for f in result.findings:
            start = base + f.start
            # cutoff -1: the last buffer keeps everything after the overlap.
            if start < buf.emitted_upto or (buf.cutoff >= 0 and start >= buf.cutoff):
                continue
            self.findings.append(f._replace(
                start=start,
                end=base + f.end,
                line=f.line + buf.base_line - 1,
                column=f.column + (buf.base_col if f.line == 1 else 0),
            ))

    def result(self) -> ScanResult:
        return ScanResult(self.findings, self.diagnostics)
