"""Install, remove and check promptguard's Cursor hooks.

Files (agent-hooks.md section 2): user `~/.cursor/hooks.json`, project
`.cursor/hooks.json`: `{"version": 1, "hooks": {event: [handler, ...]}}`,
handlers `{"command", "timeout" (seconds), "failClosed"}` directly in the
event's list. Doctor also looks where people put them by mistake
(`.cursor/settings.json`, `.cursor/hooks/hooks.json`, the Claude-style
nesting) since Cursor silently ignores those.
"""
from __future__ import annotations

import json
import shlex
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from promptguard.errors import ConfigError
from promptguard.surfaces.hooks.setup import Change
from promptguard.surfaces.hooks.setup import Check
from promptguard.surfaces.hooks.setup import Options
from promptguard.surfaces.hooks.setup import by_severity
from promptguard.surfaces.hooks.setup import canary
from promptguard.surfaces.hooks.setup import hookfiles
from promptguard.surfaces.hooks.setup import jsonfile

name = "cursor"
scopes = hookfiles.SCOPES
TIMEOUT = 10
KNOWN = frozenset({
    "sessionStart", "sessionEnd", "beforeSubmitPrompt", "preToolUse", "postToolUse",
    "postToolUseFailure", "beforeShellExecution", "afterShellExecution", "beforeMCPExecution",
    "afterMCPExecution", "beforeReadFile", "afterFileEdit", "subagentStart", "subagentStop",
    "preCompact", "stop", "afterAgentResponse", "afterAgentThought", "beforeTabFileRead",
    "afterTabFileEdit", "workspaceOpen",
})


def _handler(command: Sequence[str]) -> dict[str, Any]:
    # failClosed: a crash, a timeout or invalid JSON blocks instead of allowing.
    return {"command": shlex.join(command), "timeout": TIMEOUT, "failClosed": True}


LAYOUT = hookfiles.Layout(
    host="cursor",
    events=("beforeSubmitPrompt", "beforeReadFile", "preToolUse", "beforeShellExecution",
            "beforeMCPExecution", "postToolUse"),
    known=KNOWN, handler=_handler, prompt_event="beforeSubmitPrompt",
    user_file=(".cursor", "hooks.json"), project_file=(".cursor", "hooks.json"),
    top={"version": 1},
)


def hooks_path(scope: str, options: Options) -> Path:
    return hookfiles.hooks_path(LAYOUT, scope, options)


def install(scope: str, command: Sequence[str], options: Options) -> Change:
    return hookfiles.install(hooks_path(scope, options), command, LAYOUT)


def uninstall(scope: str, options: Options) -> Change:
    return hookfiles.uninstall(hooks_path(scope, options), LAYOUT)


def _canary(handler: Mapping[str, Any], where: str, project: Path) -> list[Check]:
    payload = {
        "hook_event_name": "beforeSubmitPrompt", "conversation_id": "promptguard-doctor",
        "generation_id": "promptguard-doctor", "workspace_roots": [str(project)],
        "cursor_version": "doctor", "prompt": canary.prompt(), "attachments": [],
    }
    limit = hookfiles.timeout_of(handler, LAYOUT)
    done = canary.run(["/bin/sh", "-c", str(handler.get("command"))], payload, limit, project,
                       where, on_timeout="Cursor then blocks only if failClosed is true")
    if isinstance(done, list):
        return done
    answer = done.answer()
    if not isinstance(answer, dict) or answer.get("continue") is not False:
        return [Check("fail", where, f"{canary.NOT_BLOCKED} (it exits {done.returncode}, "
                                     "no continue:false)")]
    out = canary.blocked(where, done, limit)
    if handler.get("failClosed") is not True:
        out.append(Check("warn", where, "failClosed is not true: a crash or timeout lets the "
                                        "prompt through"))
    return out


# Files Cursor does not read hooks from, where they end up by mistake.
def _wrong_files(options: Options) -> list[Path]:
    return [options.project / ".cursor" / "settings.json",
            options.home / ".cursor" / "settings.json",
            options.project / ".cursor" / "hooks" / "hooks.json",
            options.home / ".cursor" / "hooks" / "hooks.json",
            options.project / "hooks.json",
            options.project / ".cursor" / "hooks.jsonc"]


def doctor(options: Options) -> list[Check]:
    checks = hookfiles.doctor(LAYOUT, options, _canary)
    for path in _wrong_files(options):
        try:
            doc = jsonfile.read(path)
        except ConfigError:
            continue
        if doc is not None and "promptguard" in json.dumps(doc.get("hooks", "")):
            checks.append(Check("fail", str(path), "promptguard hooks in a file Cursor does not "
                                                   "read hooks from: Cursor wants "
                                                   ".cursor/hooks.json (project) or "
                                                   "~/.cursor/hooks.json (user)"))
    return by_severity(checks)
