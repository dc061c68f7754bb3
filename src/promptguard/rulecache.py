"""The rules cache file's layout: an index read at once, blobs read as they are used.

A hook process needs the index (keywords, which rules each one triggers)
and the dozen rules a prompt hits, out of ~1,300 rules and their regex
programs (2 MB). So the file is a length, a marshalled header (the index,
and the offsets of every blob), then the blobs back to back; it is mapped,
not read, and a blob is copied out only when asked for. Reading and
unmarshalling the whole file was ~3 ms of every hook.

Writers replace the file atomically (atomic.write_cache), never in place,
so a mapping always sees one whole file. Windows cannot replace a mapped
file, so there it is read instead.
"""
from __future__ import annotations

import marshal
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

_LENGTH = 8  # bytes holding the header's length, little-endian


class Blobs(Sequence[bytes]):
    """Blob i is buffer[base + offsets[i]:base + offsets[i + 1]]."""

    __slots__ = ("_base", "_buffer", "_offsets")

    def __init__(self, buffer: Any, base: int, offsets: Sequence[int]) -> None:
        self._buffer = buffer
        self._base = base
        self._offsets = offsets

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, index: Any) -> Any:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(len(self)))]
        i = range(len(self))[index]  # negative indices, IndexError
        return bytes(self._buffer[self._base + self._offsets[i]:self._base + self._offsets[i + 1]])


def dumps(header: tuple[Any, ...], sections: Sequence[Sequence[bytes]]) -> bytes:
    """The file for `header` plus sections of blobs (each read back as Blobs)."""
    offsets: list[tuple[int, ...]] = []
    at = 0
    for blobs in sections:
        starts = [at]
        for b in blobs:
            at += len(b)
            starts.append(at)
        offsets.append(tuple(starts))
    # Offsets are relative to the end of the header, whose length they
    # would otherwise change.
    head = marshal.dumps((header, tuple(offsets)))
    return b"".join([len(head).to_bytes(_LENGTH, "little"), head,
                     *(b for blobs in sections for b in blobs)])


def _open(path: Path) -> Any:
    if os.name == "nt":  # pragma: win32 cover
        return path.read_bytes()
    import mmap

    with path.open("rb") as f:
        # The mapping outlives the descriptor, and an atomic replace leaves
        # the old file (and so the mapping) intact.
        return mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ)


def loads(path: Path) -> tuple[tuple[Any, ...], list[Blobs]]:
    """The header and sections `dumps` wrote. Raises OSError, or ValueError
    (or EOFError, TypeError) for a file that is not one whole cache."""
    buffer = _open(path)
    n = int.from_bytes(buffer[:_LENGTH], "little")
    base = _LENGTH + n
    header, offsets = marshal.loads(buffer[_LENGTH:base])
    if not offsets or offsets[-1][-1] + base != len(buffer):
        raise ValueError(f"{path}: truncated rules cache")
    return header, [Blobs(buffer, base, section) for section in offsets]
