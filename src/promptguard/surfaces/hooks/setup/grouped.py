"""Hosts whose hooks sit in matcher groups (Claude Code, Codex, Gemini CLI):
`{"hooks": {event: [{"matcher": ..., "hooks": [handler, ...]}, ...]}}`.

Merging and removing promptguard's groups, the doctor's walk, its
wrong-nesting diagnoses and the canary run are the same for the three; what
each host accepts in a handler (types, timeouts, trust, disabled lists) is
its own `Problems` callback. Codex keeps its own merge (it keys trust by a
group's position, so ours are replaced in place). Hosts with a flat list of
handlers per event are in `hookfiles`.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from collections.abc import Mapping
from pathlib import Path
from typing import Any
from typing import NamedTuple

from promptguard.surfaces.hooks.setup import Change
from promptguard.surfaces.hooks.setup import Check
from promptguard.surfaces.hooks.setup import jsonfile

# problems(event, group index, handler index, group, handler) -> why the host
# would not run promptguard's handler there (empty: it would).
Problems = Callable[[str, int, int, Mapping[str, Any], Mapping[str, Any]], list[str]]
# canary(handler, where) -> what running the handler on a planted key showed.
Canary = Callable[[Mapping[str, Any], str], list[Check]]


class Layout(NamedTuple):
    host: str  # as messages name it: "Claude Code"
    prompt_event: str  # the event whose first sound handler the canary runs
    # Keys of the "hooks" object that are settings, not events (Gemini CLI's
    # "enabled", "disabled", "notifications").
    settings: frozenset[str] = frozenset()


def without_ours(hooks: Mapping[str, Any]) -> dict[str, Any]:
    """The hooks table minus promptguard's handlers, the groups they leave
    empty, and our handlers misplaced directly in an event's list."""
    out: dict[str, Any] = {}
    for event, groups in hooks.items():
        if not isinstance(groups, list):
            out[event] = groups  # malformed, but not ours to fix: doctor reports it
            continue
        kept = []
        for g in groups:
            if isinstance(g, Mapping) and isinstance(g.get("hooks"), list):
                handlers = [h for h in g["hooks"] if not jsonfile.is_promptguard(h)]
                if not handlers and len(handlers) != len(g["hooks"]):
                    continue
                kept.append({**g, "hooks": handlers})
            elif not jsonfile.is_promptguard(g):
                kept.append(g)
        if kept:
            out[event] = kept
    return out


def install(path: Path, doc: Mapping[str, Any] | None,
            groups: Mapping[str, list[Any]]) -> Change:
    """`doc` (the file as read) with our groups appended after everyone else's."""
    doc = {} if doc is None else doc
    hooks = without_ours(jsonfile.hooks_table(doc, path))
    for event, ours in groups.items():
        hooks[event] = [*hooks.get(event, []), *ours]
    new = {**doc, "hooks": hooks}
    if new == doc:
        return Change(path, False, None, "already installed")
    return Change(path, True, jsonfile.write(path, new), "installed")


def uninstall(path: Path, doc: Mapping[str, Any] | None, missing: str) -> Change:
    """`doc` without our handlers; `missing` is the message when there is no file."""
    if doc is None:
        return Change(path, False, None, missing)
    hooks = without_ours(jsonfile.hooks_table(doc, path))
    new = dict(doc)
    if hooks:
        new["hooks"] = hooks
    else:
        new.pop("hooks", None)
    if new == doc:
        return Change(path, False, None, "not installed")
    return Change(path, True, jsonfile.write(path, new), "removed")


def mentions_us(value: Any) -> bool:
    return "promptguard" in json.dumps(value)


def check_hooks(
    hooks: Mapping[str, Any], where: str, layout: Layout, problems: Problems, canary: Canary,
) -> tuple[list[Check], set[str]]:
    """Problems with promptguard's handlers in a file's "hooks" object, and
    the events they work for (the canary runs once, on the prompt event)."""
    checks: list[Check] = []
    events: set[str] = set()
    canaried = False
    for event, groups in hooks.items():
        if event in layout.settings:
            continue
        at = f"{where} hooks.{event}"
        if not isinstance(groups, list):
            if mentions_us(groups):
                checks.append(Check("fail", at, "must be a list of matcher groups "
                                                "([{\"hooks\": [...]}]): wrong nesting, "
                                                f"{layout.host} ignores it"))
            continue
        for gi, g in enumerate(groups):
            gat = f"{at}[{gi}]"
            if jsonfile.is_promptguard(g):
                checks.append(Check("fail", gat, "a handler placed directly in the event list: "
                                                 f"wrong nesting, {layout.host} ignores it (it "
                                                 "belongs inside a group's \"hooks\" list)"))
                continue
            if not isinstance(g, Mapping):
                continue
            handlers = g.get("hooks")
            if not isinstance(handlers, list):
                if mentions_us(g):
                    checks.append(Check("fail", gat, "'hooks' must be a list of handlers: "
                                                     "wrong nesting"))
                continue
            for hi, h in enumerate(handlers):
                if not jsonfile.is_promptguard(h):
                    continue
                hat = f"{gat}.hooks[{hi}]"
                found = problems(event, gi, hi, g, h)
                checks += [Check("fail", hat, p) for p in found]
                if found:
                    continue
                events.add(event)
                if event == layout.prompt_event and not canaried:
                    canaried = True
                    checks += canary(h, hat)
    return checks, events
