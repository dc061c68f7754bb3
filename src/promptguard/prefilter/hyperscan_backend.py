"""Hyperscan backend: GB/s literal matching for large inputs.

The compiled database is cached on disk keyed by a hash of the keyword list,
so a cold process loads it in about a millisecond instead of compiling.
"""
from __future__ import annotations

import hashlib
import marshal
import os
import tempfile
from collections.abc import Sequence
from pathlib import Path

import hyperscan

from promptguard.prefilter import Hit

_DB_FORMAT = "2"


def _escape(keyword: str) -> bytes:
    # Hyperscan takes regex syntax; escape every non-alphanumeric byte.
    return b"".join(
        bytes([b]) if chr(b).isalnum() else b"\\x%02x" % b for b in keyword.encode("ascii")
    )


def _hs_pattern(pattern: str) -> bytes:
    # Hyperscan is ASCII-only already and rejects the `a` inline flag.
    if pattern.startswith("(?a)"):
        pattern = pattern[4:]
    elif pattern.startswith("(?a"):
        pattern = "(?" + pattern[3:]
    return pattern.encode()


def _compiles(pattern: str) -> bool:
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        db.compile(expressions=[_hs_pattern(pattern)], ids=[0], elements=1,
                   flags=hyperscan.HS_FLAG_PREFILTER)
    except hyperscan.HyperscanError:
        return False
    return True


def _compile(keywords: Sequence[str], triggers: Sequence[tuple[int, str]]) -> hyperscan.Database:
    # Keywords are literals; trigger patterns compile in prefilter mode,
    # which reports a superset of the regex's match ends.
    expressions = [_escape(k) for k in keywords] + [_hs_pattern(p) for _, p in triggers]
    flags = [hyperscan.HS_FLAG_CASELESS] * len(keywords)
    flags += [hyperscan.HS_FLAG_PREFILTER] * len(triggers)
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(
        expressions=expressions,
        ids=list(range(len(expressions))),
        elements=len(expressions),
        flags=flags,
    )
    return db


def _load_or_compile(
    keywords: Sequence[str],
    triggers: Sequence[tuple[int, str]],
    cache_dir: Path | None,
) -> tuple[hyperscan.Database, list[tuple[int, str]]]:
    """The database and the triggers it holds (those Hyperscan can compile)."""
    if cache_dir is None:
        usable = [(i, p) for i, p in triggers if _compiles(p)]
        return _compile(keywords, usable), usable
    digest = hashlib.blake2b(
        "\0".join([
            _DB_FORMAT, getattr(hyperscan, "__version__", ""), *keywords,
            *(f"{i}:{p}" for i, p in triggers),
        ]).encode(),
        digest_size=16,
    ).hexdigest()
    path = cache_dir / f"hyperscan-{digest}.db"
    try:
        held, blob = marshal.loads(path.read_bytes())
        usable = [(i, p) for i, p in triggers if i in set(held)]
        return hyperscan.loadb(blob, hyperscan.HS_MODE_BLOCK), usable
    except (OSError, EOFError, ValueError, TypeError, hyperscan.HyperscanError):
        pass  # missing or stale: compile below
    usable = [(i, p) for i, p in triggers if _compiles(p)]
    db = _compile(keywords, usable)
    try:
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache_dir, prefix=".hs-")
        with os.fdopen(fd, "wb") as f:
            f.write(marshal.dumps(([i for i, _ in usable], hyperscan.dumpb(db))))
        os.replace(tmp, path)
    except OSError:
        pass  # an unwritable cache only costs the next process a compile
    return db, usable


class HyperscanPrefilter:
    name = "hyperscan"

    def __init__(
        self,
        keywords: Sequence[str],
        *,
        triggers: Sequence[tuple[int, str]] = (),
        cache_dir: Path | None,
    ) -> None:
        # A trigger Hyperscan cannot compile just leaves its rule on the
        # whole-text path; it must not cost the other rules their database.
        self._db = None
        self.accelerated: frozenset[int] = frozenset()
        if not keywords and not triggers:
            return
        if not keywords and not any(_compiles(p) for _, p in triggers):
            return  # nothing Hyperscan can hold: an empty database is an error
        self._db, usable = _load_or_compile(keywords, triggers, cache_dir)
        self.accelerated = frozenset(i for i, _ in usable)
        k = len(keywords)
        # Trigger hits report (rule index + k, end, end): no start offset.
        self._lengths = [len(w) for w in keywords] + [0] * len(usable)
        self._ids = list(range(k)) + [i + k for i, _ in usable]
        self._scratch = hyperscan.Scratch(self._db)

    def find(self, text: str) -> list[Hit]:
        if self._db is None or not text:
            return []
        # One byte per character (non-ASCII becomes "?"), so offsets are
        # character offsets; keywords are ASCII, so no hit is lost.
        data = text.encode("ascii", "replace")
        lengths = self._lengths
        ids = self._ids
        hits: list[Hit] = []
        append = hits.append

        def on_match(index: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
            append((ids[index], to - lengths[index], to))

        self._db.scan(data, match_event_handler=on_match, scratch=self._scratch)
        return hits
