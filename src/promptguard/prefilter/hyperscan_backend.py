"""Hyperscan backend: GB/s literal matching for large inputs.

The compiled database is cached on disk keyed by a hash of the keyword list,
so a cold process loads it in about a millisecond instead of compiling.
"""
from __future__ import annotations

import marshal
from collections.abc import Sequence
from pathlib import Path

import hyperscan

from promptguard.prefilter import LONG_LINE
from promptguard.prefilter import LONG_LINE_CHARS
from promptguard.prefilter import Grouped

_DB_FORMAT = "4"
# Always-run triggers: a superset of the regex's match ends. Gates also
# read ^ and $ at every line (a window ends at a line end, where the
# regex's own $ holds).
_TRIGGER = hyperscan.HS_FLAG_PREFILTER
_GATE = hyperscan.HS_FLAG_PREFILTER | hyperscan.HS_FLAG_MULTILINE
# Databases compiled in this process, by digest: tests and long-lived hosts
# build many scanners over one rule set, and the gates take seconds.
_COMPILED: dict[str, tuple[list[int], bytes]] = {}


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


def _compiles(pattern: str, flags: int = _TRIGGER) -> bool:
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    try:
        db.compile(expressions=[_hs_pattern(pattern)], ids=[0], elements=1, flags=flags)
    except hyperscan.HyperscanError:
        return False
    return True


def _compile(
    keywords: Sequence[str],
    triggers: Sequence[tuple[int, str]],
    gates: Sequence[tuple[int, str]] = (),
) -> hyperscan.Database:
    # Keywords are literals; trigger and gate patterns compile in prefilter
    # mode, which reports a superset of the regex's match ends.
    expressions = [_escape(k) for k in keywords] + [_hs_pattern(p) for _, p in triggers]
    expressions += [_hs_pattern(p) for _, p in gates]
    flags = [hyperscan.HS_FLAG_CASELESS] * len(keywords)
    flags += [_TRIGGER] * len(triggers) + [_GATE] * len(gates)
    if gates:  # the long-line marker, last
        expressions.append(b"[^\\n]{%d}" % LONG_LINE_CHARS)
        flags.append(hyperscan.HS_FLAG_SINGLEMATCH)
    db = hyperscan.Database(mode=hyperscan.HS_MODE_BLOCK)
    db.compile(
        expressions=expressions,
        ids=list(range(len(expressions))),
        elements=len(expressions),
        flags=flags,
    )
    return db


def _usable(
    keywords: Sequence[str],
    triggers: Sequence[tuple[int, str]],
    gates: Sequence[tuple[int, str]],
) -> tuple[hyperscan.Database, list[tuple[int, str]], list[tuple[int, str]]]:
    """The database of everything Hyperscan compiles: all at once when it
    can (one compile), else each pattern tried on its own first."""
    try:
        return _compile(keywords, triggers, gates), list(triggers), list(gates)
    except hyperscan.HyperscanError:
        pass
    usable = [(i, p) for i, p in triggers if _compiles(p)]
    gated = [(i, p) for i, p in gates if _compiles(p, _GATE)]
    return _compile(keywords, usable, gated), usable, gated


def _load_or_compile(
    keywords: Sequence[str],
    triggers: Sequence[tuple[int, str]],
    gates: Sequence[tuple[int, str]],
    cache_dir: Path | None,
) -> tuple[hyperscan.Database, list[tuple[int, str]], list[tuple[int, str]]]:
    """The database and the triggers and gates it holds (those Hyperscan can
    compile)."""
    # The shared helpers, not hashlib and tempfile: those two imports were
    # ~12 ms of every large scan's start (OpenSSL, and random for mkstemp).
    from promptguard.cachekey import key

    digest = key(
        _DB_FORMAT, getattr(hyperscan, "__version__", ""), *keywords,
        *(f"{i}:{p}" for i, p in triggers), "gates",
        *(f"{i}:{p}" for i, p in gates),
    )

    def held(ids: list[int]) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
        # Trigger and gate rule indices are disjoint (always-run or not).
        have = set(ids)
        return [t for t in triggers if t[0] in have], [g for g in gates if g[0] in have]

    memo = _COMPILED.get(digest)
    if memo is not None:
        return (hyperscan.loadb(memo[1], hyperscan.HS_MODE_BLOCK), *held(memo[0]))
    path = None if cache_dir is None else cache_dir / f"hyperscan-{digest}.db"
    if path is not None:
        try:
            ids, blob = marshal.loads(path.read_bytes())
            db = hyperscan.loadb(blob, hyperscan.HS_MODE_BLOCK)
            _COMPILED[digest] = (ids, blob)
            return (db, *held(ids))
        except (OSError, EOFError, ValueError, TypeError, hyperscan.HyperscanError):
            pass  # missing or stale: compile below
    db, usable, gated = _usable(keywords, triggers, gates)
    ids = [i for i, _ in usable] + [i for i, _ in gated]
    blob = hyperscan.dumpb(db)
    _COMPILED[digest] = (ids, blob)
    if path is not None:
        from promptguard.atomic import write_cache

        # An unwritable cache only costs the next process a compile.
        write_cache(path, marshal.dumps((ids, blob)))
    return db, usable, gated


class HyperscanPrefilter:
    name = "hyperscan"

    def __init__(
        self,
        keywords: Sequence[str],
        *,
        triggers: Sequence[tuple[int, str]] = (),
        gates: Sequence[tuple[int, str]] = (),
        cache_dir: Path | None,
    ) -> None:
        # A trigger or gate Hyperscan cannot compile just leaves its rule on
        # the plain path; it must not cost the other rules their database.
        self._db = None
        self.accelerated: frozenset[int] = frozenset()
        self.gated: frozenset[int] = frozenset()
        if not keywords and not triggers:
            return
        if not keywords and not any(_compiles(p) for _, p in triggers):
            return  # nothing Hyperscan can hold: an empty database is an error
        self._db, usable, gated = _load_or_compile(keywords, triggers, gates, cache_dir)
        self.accelerated = frozenset(i for i, _ in usable)
        self.gated = frozenset(i for i, _ in gated)
        k = self._keywords = len(keywords)
        # Trigger and gate hits report (rule index + k, end, end): no start.
        extra = [i + k for i, _ in usable] + [i + k for i, _ in gated]
        if gated:
            extra.append(LONG_LINE + k)
        self._lengths = [len(w) for w in keywords] + [0] * len(extra)
        self._ids = list(range(k)) + extra
        self._scratch = hyperscan.Scratch(self._db)

    def find_grouped(self, text: str) -> Grouped:
        hits: dict[int, list[tuple[int, int]]] = {}
        ends: dict[int, list[int]] = {}
        if self._db is None or not text:
            return hits, ends
        # One byte per character (non-ASCII becomes "?"), so offsets are
        # character offsets; keywords are ASCII, so no hit is lost.
        data = text.encode("ascii", "replace")
        lengths = self._lengths
        k = self._keywords
        rule_of = self._ids
        get = hits.get

        # Grouped here, in the one Python call per hit, instead of as hit
        # tuples the engine loops over again.
        def on_match(index: int, _from: int, to: int, _flags: int, _ctx: object) -> None:
            if index < k:
                found = get(index)
                if found is None:
                    hits[index] = [(to - lengths[index], to)]
                else:
                    found.append((to - lengths[index], to))
            else:
                rule = rule_of[index] - k
                at = ends.get(rule)
                if at is None:
                    ends[rule] = [to]
                else:
                    at.append(to)

        self._db.scan(data, match_event_handler=on_match, scratch=self._scratch)
        return hits, ends
