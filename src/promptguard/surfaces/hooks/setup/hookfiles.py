"""Shared pieces for hosts whose hook files list handlers per event without
matcher groups (Cursor, Copilot CLI, VS Code, Windsurf): merge, remove and
check them (the canary itself is `canary.py`); `resolves` serves every host.
"""
from __future__ import annotations

import json
import os
import shlex
import shutil
from collections.abc import Callable
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from typing import NamedTuple

from promptguard.errors import ConfigError
from promptguard.surfaces.hooks.setup import Change
from promptguard.surfaces.hooks.setup import Check
from promptguard.surfaces.hooks.setup import Options
from promptguard.surfaces.hooks.setup import jsonfile

# Every flat host has a user file and a project file.
SCOPES = ("user", "project")


class Layout(NamedTuple):
    """Where one host's file is and how it looks."""

    host: str
    events: Sequence[str]  # the events promptguard registers
    known: frozenset[str]  # every event name the host has (case-sensitive)
    handler: Callable[[Sequence[str]], dict[str, Any]]  # promptguard's handler
    prompt_event: str  # the event the canary is sent through
    user_file: tuple[str, ...]  # the file's path below the home folder
    project_file: tuple[str, ...]  # ... and below the project folder
    command_key: str = "command"  # where the shell command sits ("bash" for Copilot)
    top: Mapping[str, Any] = {}  # fields the file needs at the top ({"version": 1})
    timeout_key: str = "timeout"
    timeout_scale: float = 1.0  # host unit -> seconds
    default_timeout: float = 30.0  # seconds, when the handler sets none
    min_timeout: float = 5.0  # seconds


def hooks_path(layout: Layout, scope: str, options: Options) -> Path:
    if scope == "user":
        return options.home.joinpath(*layout.user_file)
    if scope == "project":
        return options.project.joinpath(*layout.project_file)
    raise ConfigError(f"{layout.host}: unknown scope {scope!r} (use {', '.join(SCOPES)})")


def is_ours(handler: Any, layout: Layout) -> bool:
    if not isinstance(handler, Mapping):
        return False
    if layout.command_key != "command" and isinstance(handler.get(layout.command_key), str):
        return jsonfile.is_promptguard({"command": handler[layout.command_key]})
    return jsonfile.is_promptguard(handler)


def _hooks(doc: Mapping[str, Any], path: Path) -> dict[str, Any]:
    hooks = jsonfile.hooks_table(doc, path)
    for event, handlers in hooks.items():
        if not isinstance(handlers, list):
            raise ConfigError(f"{path}: hooks.{event} is not a list; nothing was changed")
    return hooks


def install(path: Path, command: Sequence[str], layout: Layout) -> Change:
    doc = jsonfile.read(path)
    doc = {} if doc is None else doc
    hooks = _hooks(doc, path)
    mine = layout.handler(command)
    for event in layout.events:
        kept = [h for h in hooks.get(event, []) if not is_ours(h, layout)]
        hooks[event] = [*kept, mine]
    new = {**layout.top, **doc, "hooks": hooks}
    if new == doc:
        return Change(path, False, None, "already installed")
    return Change(path, True, jsonfile.write(path, new), "installed")


def uninstall(path: Path, layout: Layout, remove_empty_file: bool = False) -> Change:
    doc = jsonfile.read(path)
    if doc is None:
        return Change(path, False, None, "no hooks file")
    hooks = _hooks(doc, path)
    kept = {e: [h for h in hs if not is_ours(h, layout)] for e, hs in hooks.items()}
    kept = {e: hs for e, hs in kept.items() if hs}
    new = {**doc, "hooks": kept} if kept else {k: v for k, v in doc.items() if k != "hooks"}
    if new == doc:
        return Change(path, False, None, "not installed")
    if remove_empty_file and set(new) <= set(layout.top) | {"hooks"} and not kept:
        backup = path.with_name(path.name + jsonfile.BACKUP_SUFFIX)
        shutil.copy2(path, backup)
        path.unlink()
        return Change(path, True, backup, "removed (the file held only promptguard's hooks)")
    return Change(path, True, jsonfile.write(path, new), "removed")


def executable(program: str) -> bool:
    """An absolute path to an executable file, or a name found on PATH."""
    if os.path.isabs(program):
        return os.path.isfile(program) and os.access(program, os.X_OK)
    return bool(program) and shutil.which(program) is not None


def resolves(command: str) -> bool:
    """A shell command line whose first word is `executable`."""
    try:
        words = shlex.split(command)
    except ValueError:
        return False
    return bool(words) and executable(words[0])


# canary(handler, where) -> checks; set per host
Canary = Callable[[Mapping[str, Any], str], list[Check]]


def doctor(layout: Layout, options: Options,
           canary: Callable[[Mapping[str, Any], str, Path], list[Check]]) -> list[Check]:
    """Both scopes' files checked, the canary sent through the prompt hook,
    and a failure when no file has a working one (unsorted: hosts add theirs)."""
    checks: list[Check] = []
    registered: set[str] = set()
    for scope in SCOPES:
        found, events = check_file(hooks_path(layout, scope, options), f"{scope} hooks", layout,
                                   lambda h, w: canary(h, w, options.project),
                                   layout.prompt_event)
        checks += found
        registered |= events
    if layout.prompt_event not in registered:
        checks.append(Check("fail", layout.host, f"no working promptguard {layout.prompt_event} "
                                                 f"hook: run `promptguard install "
                                                 f"{layout.host}`"))
    return checks


def check_file(path: Path, label: str, layout: Layout, canary: Canary,
               prompt_event: str) -> tuple[list[Check], set[str]]:
    """Problems in one hooks file, and the events promptguard works for there."""
    where = f"{label} {path}"
    try:
        doc = jsonfile.read(path)
    except ConfigError as e:
        return [Check("fail", where, str(e).split(": ", 1)[-1])], set()
    if doc is None:
        return [], set()
    checks: list[Check] = []
    for key, value in layout.top.items():
        if doc.get(key) != value:
            checks.append(Check("fail", where, f"{key!r} must be {value!r} (found "
                                               f"{doc.get(key)!r}): {layout.host} ignores the "
                                               "file"))
    hooks = doc.get("hooks")
    if not isinstance(hooks, Mapping):
        if hooks is not None:
            checks.append(Check("fail", where, "'hooks' is not an object"))
        return checks, set()
    events: set[str] = set()
    canaried = False
    for event, handlers in hooks.items():
        at = f"{where} hooks.{event}"
        if not isinstance(handlers, list):
            if "promptguard" in json.dumps(handlers):
                checks.append(Check("fail", at, "must be a list of handlers: wrong nesting"))
            continue
        for i, h in enumerate(handlers):
            hat = f"{at}[{i}]"
            if isinstance(h, Mapping) and isinstance(h.get("hooks"), list) and \
                    "promptguard" in json.dumps(h):
                checks.append(Check("fail", hat, f"a Claude Code style matcher group: "
                                                 f"{layout.host} expects the handlers directly "
                                                 "in the event's list (wrong nesting)"))
                continue
            if not is_ours(h, layout):
                continue
            problems = []
            if event not in layout.known:
                problems.append(f"{layout.host} has no {event!r} event (names are "
                                "case-sensitive): the handler never runs")
            command = str(h.get(layout.command_key, ""))
            if not resolves(command):
                problems.append(f"the command does not resolve to an executable: wrong path "
                                f"(rerun `promptguard install {layout.host}`)")
            timeout = h.get(layout.timeout_key)
            if timeout is not None and (not isinstance(timeout, (int, float)) or
                                        timeout * layout.timeout_scale < layout.min_timeout):
                problems.append(f"{layout.timeout_key} {timeout!r} is too short (at least "
                                f"{layout.min_timeout / layout.timeout_scale:g})")
            checks += [Check("fail", hat, p) for p in problems]
            if problems:
                continue
            events.add(event)
            if event == prompt_event and not canaried:
                canaried = True
                checks += canary(h, hat)
    return checks, events


def timeout_of(handler: Mapping[str, Any], layout: Layout) -> float:
    value = handler.get(layout.timeout_key)
    return float(value) * layout.timeout_scale if isinstance(value, (int, float)) \
        else layout.default_timeout

