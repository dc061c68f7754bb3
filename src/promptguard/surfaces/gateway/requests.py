"""Redact one API request body with the guard (runs on the guard's thread).

All text parts of a request that were not seen on an earlier turn are
joined and redacted in one guard call: one scan, one vault transaction,
one audit record per request, whatever the number of blocks. If a
replacement swallowed a separator (a finding that spans two parts), the
parts are redacted one by one instead. Parts seen before come from the
PartCache: the same text gives the same redaction (the vault is
deterministic), so only new content is scanned and audited.
"""
from __future__ import annotations

import bisect
import hashlib
import json
import os
from collections import OrderedDict
from collections.abc import Callable
from typing import TYPE_CHECKING
from typing import Any
from typing import NamedTuple

from promptguard.surfaces.gateway.restore import EMPTY
from promptguard.surfaces.gateway.restore import Scope

if TYPE_CHECKING:
    from promptguard.guard import Guard
    from promptguard.guard import Verdict
    from promptguard.surfaces.gateway.walkers import Walk
    from promptguard.surfaces.gateway.walkers import Walker
    from promptguard.vault import Vault

# Between parts: control characters no rule's keyword or value contains.
SEP = "\n\x1e\x1f\x1e\n"


class Outcome(NamedTuple):
    body: bytes | None  # the redacted body; None: forward the original bytes
    blocked: str | None  # why the policy refused it (rule ids and locations)
    scope: Scope  # what the response may restore
    replaced: int = 0
    rule_ids: tuple[str, ...] = ()
    failed: bool = False  # a detector did not finish
    cached: int = 0  # parts taken from the cache (seen on an earlier turn)


def _block_message(verdict: Verdict, locate: Callable[[int], str]) -> str:
    parts: list[str] = []
    for d in verdict.decisions:
        if d.action == "block":
            item = f"{d.finding.rule_id} in {locate(d.finding.start)}"
            if item not in parts:
                parts.append(item)
    if verdict.failed and not parts:
        ids = sorted({getattr(x, "rule_id", "?") for x in verdict.diagnostics})
        return ("promptguard gateway: the scan of this request did not finish "
                f"({', '.join(ids)}); policy on_error=block, nothing was sent")
    return ("promptguard gateway blocked this request: " + "; ".join(parts) +
            ". Remove the value from the conversation, or allow it with an allow "
            "pragma naming the rule id, or the config allowlist.")


class Known(NamedTuple):
    """One part as redacted, with what a response may restore from it."""

    text: str
    restorable: frozenset[str]  # placeholders in `text` the vault can restore
    rule_ids: frozenset[str]


class PartCache:
    """Parts already redacted, so each turn scans only what is new.

    Every turn resends the whole conversation; without this a long Claude
    Code session would rescan (and re-audit) hundreds of KB per request.
    Keyed by a keyed hash of the part's text (the key is random per
    process); holds the redacted text in memory only, bounded in size, and
    is dropped when the vault is replaced (cleared or expired), since its
    placeholders would no longer restore.
    """

    def __init__(self, max_chars: int = 16_000_000) -> None:
        self._key = os.urandom(16)
        self._items: OrderedDict[bytes, Known] = OrderedDict()
        self._chars = 0
        self._max = max_chars
        self._vault: tuple[str, float] | None = None

    def __repr__(self) -> str:
        return f"PartCache(parts={len(self._items)}, chars={self._chars})"

    def __len__(self) -> int:
        return len(self._items)

    def digest(self, text: str) -> bytes:
        data = text.encode("utf-8", "surrogatepass")
        return hashlib.blake2b(data, key=self._key, digest_size=16).digest()

    def sync(self, vault: Vault) -> None:
        """Forget everything if the vault was replaced since the last call."""
        vault.refresh()
        if self.replaced(vault):
            self._items.clear()
            self._chars = 0
            self._vault = (vault.session, vault.created)

    def replaced(self, vault: Vault) -> bool:
        return (vault.session, vault.created) != self._vault

    def get(self, digest: bytes) -> Known | None:
        known = self._items.get(digest)
        if known is not None:
            self._items.move_to_end(digest)
        return known

    def put(self, digest: bytes, known: Known) -> None:
        if digest in self._items or len(known.text) > self._max:
            return
        self._items[digest] = known
        self._chars += len(known.text)
        while self._chars > self._max:
            _, old = self._items.popitem(last=False)
            self._chars -= len(old.text)


def redact(guard: Guard, vault: Vault, walker: Walker, doc: dict[str, Any],
           source: str, cache: PartCache | None = None) -> Outcome:
    walk = walker(doc)
    texts = [s.text for s in walk.slots]
    if not texts:
        return Outcome(None, None, EMPTY)
    if cache is not None:
        cache.sync(vault)
        digests = [cache.digest(t) for t in texts]
        results: list[Known | None] = [cache.get(d) for d in digests]
    else:
        results = [None] * len(texts)
    misses = [i for i, known in enumerate(results) if known is None]
    replaced = 0
    failed = False
    if misses:
        fresh = _redact_parts(guard, vault, walk, misses, texts, source)
        if isinstance(fresh, Outcome):
            return fresh  # blocked
        parts, replaced, failed = fresh
        if cache is not None and cache.replaced(vault):
            # The vault was created or replaced while redacting: parts taken
            # from the cache may hold placeholders it no longer knows.
            cache.sync(vault)
            if len(misses) < len(texts):
                return redact(guard, vault, walker, doc, source, cache)
        for i, known in zip(misses, parts, strict=True):
            results[i] = known
            if cache is not None and not failed:
                cache.put(digests[i], known)
    changed: set[int] = set()
    restorable: set[str] = set()
    ids: set[str] = set()
    for i, (slot, before, result) in enumerate(zip(walk.slots, texts, results, strict=True)):
        assert result is not None
        restorable |= result.restorable
        ids |= result.rule_ids
        if result.text != before:
            slot.set(result.text)
            changed.add(i)
    scope = Scope.of(vault, restorable)
    cached = len(texts) - len(misses)
    if not changed:
        return Outcome(None, None, scope, replaced, tuple(sorted(ids)), failed, cached)
    walk.reserialize(changed)
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    return Outcome(body, None, scope, replaced, tuple(sorted(ids)), failed, cached)


def _redact_parts(guard: Guard, vault: Vault, walk: Walk, which: list[int], texts: list[str],
                  source: str) -> Outcome | tuple[list[Known], int, bool]:
    """Redact the parts `which`: joined in one guard call, else one by one."""
    todo = [texts[i] for i in which]
    offsets: list[int] = []
    pos = 0
    for t in todo:
        offsets.append(pos)
        pos += len(t) + len(SEP)

    def locate(start: int) -> str:
        i = max(0, bisect.bisect_right(offsets, start) - 1)
        return walk.slots[which[i]].where

    verdicts: list[Verdict] = []
    new: list[str] | None = None
    if not any(SEP in t for t in todo):
        v = guard.redact(SEP.join(todo), source=source, vault=vault, audit=False)
        if v.action == "block":
            guard.audit([v])
            return _blocked(v, locate)
        assert v.text is not None
        split = v.text.split(SEP)
        if len(split) == len(todo):
            new, verdicts = split, [v]
    if new is None:
        # One call per part: a finding spanned two parts, or a part held SEP.
        new = []
        for i, text in zip(which, todo, strict=True):
            where = walk.slots[i].where
            v = guard.redact(text, source=f"{source} {where}", vault=vault, audit=False)
            if v.action == "block":
                guard.audit([v])
                return _blocked(v, _fixed(where))
            verdicts.append(v)
            new.append(v.text if v.text is not None else text)
    # Audited once per request, whichever way it was redacted.
    guard.audit(verdicts)
    replacements = [r for v in verdicts for r in v.replacements]
    rules = {r.placeholder: r.finding.rule_id for r in replacements}
    restorable = {r.placeholder for r in replacements if r.restorable}
    parts = [Known(text, frozenset(p for p in restorable if p in text),
                   frozenset(rule for p, rule in rules.items() if p in text)) for text in new]
    return parts, len(replacements), any(v.failed for v in verdicts)


def _fixed(where: str) -> Callable[[int], str]:
    return lambda _start: where


def _blocked(v: Verdict, locate: Callable[[int], str]) -> Outcome:
    message = _block_message(v, locate)
    ids = tuple(sorted({d.finding.rule_id for d in v.decisions if d.action == "block"}))
    return Outcome(None, message, EMPTY, 0, ids, v.failed)
