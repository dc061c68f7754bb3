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

from promptguard.errors import ConfigError
from promptguard.surfaces.hooks.setup import Change
from promptguard.surfaces.hooks.setup import Check
from promptguard.surfaces.hooks.setup import Options
from promptguard.surfaces.hooks.setup import by_severity
from promptguard.surfaces.hooks.setup import canary
from promptguard.surfaces.hooks.setup import hookfiles

name = "copilot"
scopes = ("user", "project")
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
    handler=_handler, command_key="bash", top={"version": 1}, timeout_key="timeoutSec",
)


def hooks_path(scope: str, options: Options) -> Path:
    if scope == "user":
        return options.home / ".copilot" / "hooks" / FILE
    if scope == "project":
        return options.project / ".github" / "hooks" / FILE
    raise ConfigError(f"copilot: unknown scope {scope!r} (use {', '.join(scopes)})")


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
    checks: list[Check] = []
    registered: set[str] = set()
    for scope in scopes:
        found, events = hookfiles.check_file(
            hooks_path(scope, options), f"{scope} hooks", LAYOUT,
            lambda h, w: _canary(h, w, options.project), "userPromptSubmitted")
        checks += found
        registered |= events
    if "userPromptSubmitted" not in registered:
        checks.append(Check("fail", "copilot", "no working promptguard userPromptSubmitted "
                                               "hook: run `promptguard install copilot`"))
    return by_severity(checks)
