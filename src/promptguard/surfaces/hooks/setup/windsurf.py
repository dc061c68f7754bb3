"""Install, remove and check promptguard's Windsurf (Cascade) hooks.

Files: user `~/.codeium/windsurf/hooks.json`, workspace `.windsurf/hooks.json`
(system files are the admin's): `{"hooks": {event: [{"command",
"show_output": true}]}}`. Pre-hooks block by exit code 2; `show_output`
shows promptguard's reason to the user.
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

name = "windsurf"
scopes = hookfiles.SCOPES
KNOWN = frozenset({
    "pre_user_prompt", "pre_read_code", "post_read_code", "pre_write_code", "post_write_code",
    "pre_run_command", "post_run_command", "pre_mcp_tool_use", "post_mcp_tool_use",
    "post_cascade_response", "post_cascade_response_with_transcript", "post_setup_worktree",
})


def _handler(command: Sequence[str]) -> dict[str, Any]:
    return {"command": shlex.join(command), "show_output": True}


LAYOUT = hookfiles.Layout(
    host="windsurf",
    events=("pre_user_prompt", "pre_read_code", "pre_write_code", "pre_run_command",
            "pre_mcp_tool_use"),
    known=KNOWN, handler=_handler, prompt_event="pre_user_prompt",
    user_file=(".codeium", "windsurf", "hooks.json"), project_file=(".windsurf", "hooks.json"),
)


def hooks_path(scope: str, options: Options) -> Path:
    return hookfiles.hooks_path(LAYOUT, scope, options)


def install(scope: str, command: Sequence[str], options: Options) -> Change:
    return hookfiles.install(hooks_path(scope, options), command, LAYOUT)


def uninstall(scope: str, options: Options) -> Change:
    return hookfiles.uninstall(hooks_path(scope, options), LAYOUT)


def _canary(handler: Mapping[str, Any], where: str, project: Path) -> list[Check]:
    payload = {"agent_action_name": "pre_user_prompt", "trajectory_id": "promptguard-doctor",
               "execution_id": "promptguard-doctor", "timestamp": "2026-01-01T00:00:00Z",
               "tool_info": {"user_prompt": canary.prompt()}}
    limit = hookfiles.timeout_of(handler, LAYOUT)
    done = canary.run(["/bin/sh", "-c", str(handler.get("command"))], payload, limit, project,
                       where)
    if isinstance(done, list):
        return done
    if done.returncode != 2:
        return [Check("fail", where, f"{canary.NOT_BLOCKED}: it exits {done.returncode}, "
                                     "Windsurf blocks only on exit 2")]
    out = canary.blocked(where, done, limit)
    if handler.get("show_output") is not True:
        out.append(Check("warn", where, "show_output is not true: the user does not see why"))
    return out


def doctor(options: Options) -> list[Check]:
    return by_severity(hookfiles.doctor(LAYOUT, options, _canary))
