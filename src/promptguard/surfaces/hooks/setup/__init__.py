"""`promptguard install / uninstall / doctor`: one Installer per agent, registered explicitly.

An installer is a module with the members of `Installer` (see
`claude_code.py`). `jsonfile` holds the helpers every JSON settings file
needs: refuse malformed files (exit 2 naming the file), back up, write
atomically, recognise promptguard's own handlers.
"""
from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Callable
from collections.abc import Sequence
from pathlib import Path
from typing import Literal
from typing import NamedTuple
from typing import Protocol

Status = Literal["ok", "warn", "fail"]


class Options(NamedTuple):
    home: Path  # the user's home (tests point it at a scratch folder)
    project: Path  # the project folder for project/local scopes
    tamper_guard: bool = False  # install: also block edits that remove our hooks


class Change(NamedTuple):
    path: Path
    changed: bool
    backup: Path | None = None
    message: str = ""


class Check(NamedTuple):
    status: Status
    where: str  # the file (and key) the check is about
    message: str


def by_severity(checks: Sequence[Check]) -> list[Check]:
    """Failures first, then warnings, then what passed (stable within each)."""
    order = {"fail": 0, "warn": 1, "ok": 2}
    return sorted(checks, key=lambda c: order[c.status])


class Installer(Protocol):
    # same as the Host name
    @property
    def name(self) -> str: ...

    # the scopes `--scope` accepts, the first is the default
    @property
    def scopes(self) -> Sequence[str]: ...

    # merge promptguard's hooks into the scope's settings (idempotent)
    def install(self, scope: str, command: Sequence[str], options: Options) -> Change: ...

    # remove promptguard's hooks, keep everything else
    def uninstall(self, scope: str, options: Options) -> Change: ...

    # every problem with every install of this agent, most severe first;
    # fire a canary through each configured command
    def doctor(self, options: Options) -> list[Check]: ...


# Agents whose install writes `python .../promptguard_hook.py --agent NAME`
# (hook_command with fast=True): the same hook with a standard-library-only
# start-up that uses the resident hook server when one runs
# (src/promptguard_hook.py). A host joins once its tests expect that command.
FAST_HOOK: frozenset[str] = frozenset({"claude-code"})


def hook_command(agent: str, *, fast: bool = False) -> list[str]:
    """An absolute command that runs this promptguard's hook for `agent`."""
    exe = Path(sys.executable)
    suffix = ".exe" if os.name == "nt" else ""
    # The console scripts next to the interpreter (a venv or pipx install);
    # else the interpreter itself, which always resolves.
    if fast:
        import promptguard_hook

        return [str(exe), str(Path(promptguard_hook.__file__).resolve()), "--agent", agent]
    script = exe.parent / f"promptguard{suffix}"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script), "hook", "--agent", agent]
    found = shutil.which("promptguard")
    if found:
        return [str(Path(found).resolve()), "hook", "--agent", agent]
    return [str(exe), "-m", "promptguard", "hook", "--agent", agent]


def _claude_code() -> Installer:
    from promptguard.surfaces.hooks.setup import claude_code

    return claude_code


def _codex() -> Installer:
    from promptguard.surfaces.hooks.setup import codex

    return codex


def _gemini() -> Installer:
    from promptguard.surfaces.hooks.setup import gemini

    return gemini


def _cursor() -> Installer:
    from promptguard.surfaces.hooks.setup import cursor

    return cursor


def _copilot() -> Installer:
    from promptguard.surfaces.hooks.setup import copilot

    return copilot


def _vscode() -> Installer:
    from promptguard.surfaces.hooks.setup import vscode

    return vscode


def _windsurf() -> Installer:
    from promptguard.surfaces.hooks.setup import windsurf

    return windsurf


# name -> loader: `doctor` loads them all, `install X` only X.
INSTALLERS: dict[str, Callable[[], Installer]] = {
    "claude-code": _claude_code,
    "codex": _codex,
    "gemini": _gemini,
    "cursor": _cursor,
    "copilot": _copilot,
    "vscode": _vscode,
    "windsurf": _windsurf,
}
ALIASES: dict[str, str] = {"claude": "claude-code"}


def get(name: str) -> Installer | None:
    loader = INSTALLERS.get(ALIASES.get(name, name))
    return loader() if loader is not None else None
