"""Redact one API request body with the guard (runs on the guard's thread).

All text parts of a request are joined and redacted in one guard call: one
scan, one vault transaction, one audit record per request, whatever the
number of blocks. If a replacement swallowed a separator (a finding that
spans two parts), the parts are redacted one by one instead.
"""
from __future__ import annotations

import bisect
import json
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


def _where(walk: Walk, offsets: list[int], start: int) -> str:
    i = max(0, bisect.bisect_right(offsets, start) - 1)
    return walk.slots[i].where if i < len(walk.slots) else "request"


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
            ". Remove the value from the conversation, or allow it with a "
            "`promptguard: allow[RULE-ID]` pragma or the config allowlist.")


def redact(guard: Guard, vault: Vault, walker: Walker, doc: dict[str, Any],
           source: str) -> Outcome:
    walk = walker(doc)
    texts = [s.text for s in walk.slots]
    if not texts:
        return Outcome(None, None, EMPTY)
    joined = SEP.join(texts)
    offsets: list[int] = []
    pos = 0
    for t in texts:
        offsets.append(pos)
        pos += len(t) + len(SEP)
    verdicts: list[Verdict] = []
    new: list[str] | None = None
    if not any(SEP in t for t in texts):
        v = guard.redact(joined, source=source, vault=vault, audit=False)
        if v.action == "block":
            guard.audit([v])
            return _blocked(v, lambda start: _where(walk, offsets, start))
        assert v.text is not None
        split = v.text.split(SEP)
        if len(split) == len(texts):
            new, verdicts = split, [v]
    if new is None:
        # One call per part: a finding spanned two parts, or a part held SEP.
        new = []
        for slot, text in zip(walk.slots, texts, strict=True):
            v = guard.redact(text, source=f"{source} {slot.where}", vault=vault, audit=False)
            if v.action == "block":
                guard.audit([v])
                return _blocked(v, _fixed(slot.where))
            verdicts.append(v)
            new.append(v.text if v.text is not None else text)
    # Audited once, whichever way it was redacted.
    guard.audit(verdicts)
    changed = False
    for slot, before, after in zip(walk.slots, texts, new, strict=True):
        if after != before:
            slot.set(after)
            changed = True
    replacements = [r for v in verdicts for r in v.replacements]
    scope = Scope.of(vault, {r.placeholder for r in replacements if r.restorable})
    ids = tuple(sorted({r.finding.rule_id for r in replacements}))
    if not changed:
        return Outcome(None, None, scope, 0, ids, any(v.failed for v in verdicts))
    walk.reserialize()
    body = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
    return Outcome(body, None, scope, len(replacements), ids, any(v.failed for v in verdicts))


def _fixed(where: str) -> Callable[[int], str]:
    return lambda _start: where


def _blocked(v: Verdict, locate: Callable[[int], str]) -> Outcome:
    message = _block_message(v, locate)
    ids = tuple(sorted({d.finding.rule_id for d in v.decisions if d.action == "block"}))
    return Outcome(None, message, EMPTY, 0, ids, v.failed)
