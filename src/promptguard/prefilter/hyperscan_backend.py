"""Hyperscan backend: GB/s literal matching for large inputs.

The compiled database is cached on disk keyed by a hash of the keyword list,
so a cold process loads it in about a millisecond instead of compiling.
"""
from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import hyperscan

from promptguard.prefilter import Hit

_DB_FORMAT = "1"


def _escape(keyword: str) -> bytes:
    # Hyperscan takes regex syntax; escape every non-alphanumeric byte.
    return b"".join(
        bytes([b]) if chr(b).isalnum() else b"\\x%02x" % b for b in keyword.encode("ascii")
    )


def _compile(keywords: Sequence[str]) -> hyperscan.Database:
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(
        expressions=[_escape(k) for k in keywords],
        ids=list(range(len(keywords))),
        elements=len(keywords),
        flags=hyperscan.HS_FLAG_CASELESS,
    )
    return db


def _load_or_compile(keywords: Sequence[str], cache_dir: Path | None) -> hyperscan.Database:
    if cache_dir is None:
        return _compile(keywords)
    digest = hashlib.blake2b(
        "\0".join([_DB_FORMAT, getattr(hyperscan, "__version__", ""), *keywords]).encode(),
        digest_size=16,
    ).hexdigest()
    path = cache_dir / f"hyperscan-{digest}.db"
    try:
        db = hyperscan.loadb(path.read_bytes(), hyperscan.HS_MODE_BLOCK)
    except (OSError, hyperscan.HyperscanError):
        db = _compile(keywords)
        try:
            cache_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".hs-")
            with os.fdopen(fd, "wb") as f:
                f.write(hyperscan.dumpb(db))
            os.replace(tmp, path)
        except OSError:
            pass  # an unwritable cache only costs the next process a compile
    return db


class HyperscanPrefilter:
    name = "hyperscan"

    def __init__(self, keywords: Sequence[str], *, cache_dir: Path | None) -> None:
        self._lengths = [len(k) for k in keywords]
        self._db = _load_or_compile(keywords, cache_dir) if keywords else None
        if self._db is not None:
            self._scratch = hyperscan.Scratch(self._db)

    def find(self, text: str) -> list[Hit]:
        if self._db is None or not text:
            return []
        # One byte per character (non-ASCII becomes "?"), so offsets are
        # character offsets; keywords are ASCII, so no hit is lost.
        data = text.encode("ascii", "replace")
        lengths = self._lengths
        hits: list[Hit] = []
        append = hits.append

        def on_match(index: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
            append((index, to - lengths[index], to))

        self._db.scan(data, match_event_handler=on_match, scratch=self._scratch)
        return hits
