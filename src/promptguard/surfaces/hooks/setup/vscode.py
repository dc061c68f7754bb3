"""Install, remove and check promptguard's VS Code agent hooks (Preview).

promptguard owns one file: `~/.copilot/hooks/promptguard-vscode.json` (user)
or `.github/hooks/promptguard-vscode.json` (workspace): `{"hooks": {Event:
[{"type": "command", "command", "timeout" (seconds)}]}}`, handlers directly
in the event's list. VS Code also runs Claude Code's settings files, so a
`promptguard install claude-code` already runs there, but with
`--agent claude-code` and VS Code's payload: doctor says so.
"""
from __future__ import annotations

import shlex
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from promptguard.surfaces.hooks.setup import Change
from promptguard.surfaces.hooks.setup import Check
from promptguard.surfaces.hooks.setup import Options
from promptguard.surfaces.hooks.setup import by_severity
from promptguard.surfaces.hooks.setup import canary
from promptguard.surfaces.hooks.setup import hookfiles

name = "vscode"
scopes = hookfiles.SCOPES
TIMEOUT = 10
FILE = "promptguard-vscode.json"
KNOWN = frozenset({"SessionStart", "UserPromptSubmit", "PreToolUse", "PostToolUse",
                   "PreCompact", "SubagentStart", "SubagentStop", "Stop"})


def _handler(command: Sequence[str]) -> dict[str, Any]:
    return {"type": "command", "command": shlex.join(command), "timeout": TIMEOUT}


LAYOUT = hookfiles.Layout(
    host="vscode", events=("UserPromptSubmit", "PreToolUse", "PostToolUse"), known=KNOWN,
    handler=_handler, prompt_event="UserPromptSubmit",
    user_file=(".copilot", "hooks", FILE), project_file=(".github", "hooks", FILE),
)


def hooks_path(scope: str, options: Options) -> Path:
    return hookfiles.hooks_path(LAYOUT, scope, options)


def install(scope: str, command: Sequence[str], options: Options) -> Change:
    return hookfiles.install(hooks_path(scope, options), command, LAYOUT)


def uninstall(scope: str, options: Options) -> Change:
    return hookfiles.uninstall(hooks_path(scope, options), LAYOUT, remove_empty_file=True)


def _canary(handler: Mapping[str, Any], where: str, project: Path) -> list[Check]:
    payload = {"timestamp": "2026-01-01T00:00:00.000Z", "cwd": str(project),
               "sessionId": "promptguard-doctor", "hookEventName": "UserPromptSubmit",
               "transcript_path": "",
               "prompt": canary.prompt()}
    limit = hookfiles.timeout_of(handler, LAYOUT)
    done = canary.run(["/bin/sh", "-c", str(handler.get("command"))], payload, limit, project,
                       where)
    if isinstance(done, list):
        return done
    answer = done.answer()
    if done.returncode != 2 and not (isinstance(answer, dict)
                                     and answer.get("continue") is False):
        return [Check("fail", where, f"{canary.NOT_BLOCKED} (it exits {done.returncode})")]
    return canary.blocked(where, done, limit)


def doctor(options: Options) -> list[Check]:
    checks = hookfiles.doctor(LAYOUT, options, _canary)
    claude = options.home / ".claude" / "settings.json"
    if claude.is_file() and "--agent claude-code" in claude.read_text(errors="replace"):
        checks.append(Check("warn", str(claude), "VS Code also runs Claude Code's hooks, here "
                                                 "with --agent claude-code and VS Code's payload"
                                                 "; set chat.hookFilesLocations "
                                                 "\"~/.claude/settings.json\": false if both "
                                                 "are installed"))
    return by_severity(checks)
