"""Character offsets in a document to LSP positions, in the negotiated encoding.

Findings carry code-point offsets; LSP counts columns in UTF-16 code units
unless the client agreed to UTF-8 or UTF-32. pygls' own helpers split the
whole document into lines on every call, which is too slow for a 5 MB file
with many findings, so this walks the text once for all offsets.
"""
from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple


class Position(NamedTuple):
    line: int
    character: int


def units(text: str, encoding: str) -> int:
    """Length of `text` in the encoding's code units."""
    if encoding == "utf-32" or text.isascii():
        return len(text)
    if encoding == "utf-8":
        return len(text.encode("utf-8", "surrogatepass"))
    return len(text.encode("utf-16-le", "surrogatepass")) // 2


def positions(text: str, offsets: Iterable[int], encoding: str = "utf-16") -> dict[int, Position]:
    """The position of every offset, counting newlines between them only once."""
    out: dict[int, Position] = {}
    line = 0
    pos = 0
    for off in sorted(set(offsets)):
        off = max(0, min(off, len(text)))
        line += text.count("\n", pos, off)
        line_start = text.rfind("\n", 0, off) + 1
        out[off] = Position(line, units(text[line_start:off], encoding))
        pos = off
    return out


