"""Install, remove and check promptguard's GitHub Copilot CLI hooks.

promptguard owns one file: `~/.copilot/hooks/promptguard.json` (user) or
`.github/hooks/promptguard.json` (project, also what the cloud agent reads
from the default branch): `{"version": 1, "hooks": {event: [{"type":
"command", "bash", "powershell", "timeoutSec"}]}}` (no `command` key).
"""
from __future__ import annotations

import shlex
import time
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

name = "copilot"
scopes = hookfiles.SCOPES
TIMEOUT = 10
FILE = "promptguard.json"
KNOWN = frozenset({"sessionStart", "sessionEnd", "userPromptSubmitted", "preToolUse",
                   "postToolUse", "errorOccurred", "agentStop", "notification",
                   "permissionRequest", "subagentStop"})


def _handler(command: Sequence[str]) -> dict[str, Any]:
    import subprocess as sp

    return {"type": "command", "bash": shlex.join(command),
            "powershell": sp.list2cmdline(list(command)), "timeoutSec": TIMEOUT}


LAYOUT = hookfiles.Layout(
    host="copilot", events=("userPromptSubmitted", "preToolUse"), known=KNOWN,
    handler=_handler, prompt_event="userPromptSubmitted",
    user_file=(".copilot", "hooks", FILE), project_file=(".github", "hooks", FILE),
    command_key="bash", top={"version": 1}, timeout_key="timeoutSec",
)


def hooks_path(scope: str, options: Options) -> Path:
    return hookfiles.hooks_path(LAYOUT, scope, options)


def install(scope: str, command: Sequence[str], options: Options) -> Change:
    return hookfiles.install(hooks_path(scope, options), command, LAYOUT)


def uninstall(scope: str, options: Options) -> Change:
    return hookfiles.uninstall(hooks_path(scope, options), LAYOUT, remove_empty_file=True)


def _canary(handler: Mapping[str, Any], where: str, project: Path) -> list[Check]:
    payload = {"timestamp": int(time.time() * 1000), "cwd": str(project),
               "prompt": canary.prompt()}
    limit = hookfiles.timeout_of(handler, LAYOUT)
    done = canary.run(["bash", "-c", str(handler.get("bash"))], payload, limit, project, where)
    if isinstance(done, list):
        return done
    answer = done.answer()
    if not isinstance(answer, dict) or answer.get("decision") != "block":
        return [Check("fail", where, f"{canary.NOT_BLOCKED} (it exits {done.returncode})")]
    return [*canary.blocked(where, done, limit),
            Check("warn", where, "Copilot CLI's docs say userPromptSubmitted output is "
                                 "ignored; ggshield saw 1.0.61 honour decision:block. Not "
                                 "verified here: check with your Copilot CLI version")]


def doctor(options: Options) -> list[Check]:
    return by_severity(hookfiles.doctor(LAYOUT, options, _canary))
