"""Install, remove and check promptguard's Gemini CLI hooks.

Settings: user `~/.gemini/settings.json`, project `<project>/.gemini/settings.json`
(`hooks` -> event -> matcher groups -> `{"type": "command", "command", "name",
"timeout" (milliseconds)}`). Read from the 0.61.0 bundle: Gemini runs *no*
configured hooks (user or project) in a folder it does not trust
(`processHooksFromConfig`), so doctor checks the folder's trust
(`GEMINI_CLI_TRUST_WORKSPACE`, `security.folderTrust.enabled`,
`~/.gemini/trustedFolders.json`), and `hooksConfig.enabled` / `.disabled`.
"""
from __future__ import annotations

import json
import os
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
from promptguard.surfaces.hooks.setup import grouped
from promptguard.surfaces.hooks.setup import hookfiles
from promptguard.surfaces.hooks.setup import jsonfile

name = "gemini"
scopes = ("user", "project")

TIMEOUT_MS = 10_000
MIN_TIMEOUT_MS = 5_000
HOOK_NAME = "promptguard"
EVENTS = ("BeforeAgent", "BeforeModel", "BeforeTool", "AfterTool")
KNOWN_EVENTS = frozenset({
    "BeforeTool", "AfterTool", "BeforeAgent", "Notification", "AfterAgent", "SessionStart",
    "SessionEnd", "PreCompress", "BeforeModel", "AfterModel", "BeforeToolSelection",
})


def settings_path(scope: str, options: Options) -> Path:
    if scope == "user":
        return options.home / ".gemini" / "settings.json"
    if scope == "project":
        return options.project / ".gemini" / "settings.json"
    raise ConfigError(f"gemini: unknown scope {scope!r} (use {', '.join(scopes)})")


def _handler(command: Sequence[str]) -> dict[str, Any]:
    import shlex

    # Gemini runs `command` through the shell (bash -c on Unix).
    return {"type": "command", "command": shlex.join(command), "name": HOOK_NAME,
            "timeout": TIMEOUT_MS}


def hook_groups(command: Sequence[str]) -> dict[str, list[Any]]:
    # --no-clipboard: with a pinned model a redacted prompt goes through (BeforeModel
    # redacts it), and the user's clipboard must not be overwritten behind their back.
    h = _handler([*command, "--no-clipboard"])
    groups: dict[str, list[Any]] = {}
    for event in EVENTS:
        group: dict[str, Any] = {"hooks": [h]}
        if event in ("BeforeTool", "AfterTool"):
            group = {"matcher": ".*", **group}
        groups[event] = [group]
    return groups


def install(scope: str, command: Sequence[str], options: Options) -> Change:
    path = settings_path(scope, options)
    return grouped.install(path, jsonfile.read(path), hook_groups(command))


def uninstall(scope: str, options: Options) -> Change:
    path = settings_path(scope, options)
    return grouped.uninstall(path, jsonfile.read(path), "no settings file")


# -- doctor -----------------------------------------------------------------------

def folder_trust(project: Path, home: Path, settings: Mapping[str, Any]) -> str:
    """"" when Gemini trusts `project`, else why it does not (then it runs no hooks)."""
    if os.environ.get("GEMINI_RESTRICTED_MODE") == "true" or \
            os.environ.get("GEMINI_CLI_TRUST_WORKSPACE") == "false":
        return "the environment marks the workspace untrusted"
    if os.environ.get("GEMINI_CLI_TRUST_WORKSPACE") == "true":
        return ""
    security = settings.get("security")
    trust = security.get("folderTrust") if isinstance(security, Mapping) else None
    if isinstance(trust, Mapping) and trust.get("enabled") is False:
        return ""
    path = home / ".gemini" / "trustedFolders.json"
    try:
        rules = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        rules = {}
    except (OSError, ValueError):
        return f"{path} is unreadable or not JSON"
    if not isinstance(rules, Mapping):
        return f"{path} is not a JSON object"
    target = os.path.realpath(project)
    best, level = -1, None
    for rule, value in rules.items():
        if not isinstance(rule, str):
            continue
        base = os.path.dirname(rule) if value == "TRUST_PARENT" else rule
        base = os.path.realpath(base)
        if (target == base or target.startswith(base.rstrip(os.sep) + os.sep)) \
                and len(rule) > best:
            best, level = len(rule), value
    if level in ("TRUST_FOLDER", "TRUST_PARENT"):
        return ""
    if level == "DO_NOT_TRUST":
        return f"{project} is marked DO_NOT_TRUST in {path}"
    return f"{project} is not a trusted folder (not in {path})"


def _canary(handler: Mapping[str, Any], where: str, project: Path) -> list[Check]:
    """Run the command as Gemini does: `bash -c`, the JSON on stdin, its timeout."""
    command = handler.get("command")
    if not isinstance(command, str):
        return [Check("fail", where, "no 'command' string")]
    timeout = handler.get("timeout")
    limit = (timeout if isinstance(timeout, (int, float)) else 60_000) / 1000
    payload = {
        "session_id": "promptguard-doctor", "transcript_path": "", "cwd": str(project),
        "hook_event_name": "BeforeAgent", "timestamp": "2026-01-01T00:00:00.000Z",
        "prompt": canary.prompt(),
    }
    env = {**os.environ, "GEMINI_PROJECT_DIR": str(project)}
    done = canary.run(["bash", "-c", command], payload, limit, project, where, env=env,
                      on_timeout="Gemini then goes on without it")
    if isinstance(done, list):
        return done
    if done.returncode == 2:
        return canary.blocked(where, done, limit, " (exit 2)")
    if done.returncode != 0:
        return [Check("fail", where, f"the command exits {done.returncode}: Gemini treats that "
                                     "as a warning and lets the prompt through")]
    answer = done.answer()
    if answer is None:
        return [Check("fail", where, "stdout is not only JSON: Gemini reads it as text and "
                                     "lets the prompt through")]
    if not isinstance(answer, dict) or answer.get("decision") not in ("deny", "block"):
        return [Check("fail", where, canary.NOT_BLOCKED)]
    return canary.blocked(where, done, limit)


def _check_file(path: Path, label: str, options: Options,
                disabled: set[str]) -> tuple[list[Check], set[str]]:
    where = f"{label} {path}"
    try:
        doc = jsonfile.read(path)
    except ConfigError as e:
        return [Check("fail", where, str(e).split(": ", 1)[-1])], set()
    if doc is None:
        return [], set()
    hooks = doc.get("hooks")
    if not isinstance(hooks, Mapping):
        return ([Check("fail", where, "'hooks' is not an object")] if hooks is not None
                else []), set()
    def problems(event: str, _gi: int, _hi: int, _g: Mapping[str, Any],
                 h: Mapping[str, Any]) -> list[str]:
        out = []
        if event not in KNOWN_EVENTS:
            out.append(f"Gemini CLI has no {event!r} event")
        if h.get("type") != "command":
            out.append(f"type is {h.get('type')!r}, expected 'command'")
        if not hookfiles.resolves(str(h.get("command", ""))):
            out.append("the command does not resolve to an executable: wrong "
                       "path (rerun `promptguard install gemini`)")
        timeout = h.get("timeout")
        if timeout is not None and (not isinstance(timeout, (int, float))
                                    or timeout < MIN_TIMEOUT_MS):
            out.append(f"timeout {timeout!r} is too short (milliseconds; at "
                       f"least {MIN_TIMEOUT_MS})")
        if {h.get("name"), h.get("command")} & disabled:
            out.append("listed in hooksConfig.disabled: Gemini skips it")
        return out

    return grouped.check_hooks(hooks, where, _LAYOUT, problems,
                              lambda h, hat: _canary(h, hat, options.project))


# "enabled", "disabled" and "notifications" under "hooks" are settings, not events.
_LAYOUT = grouped.Layout("Gemini CLI", "BeforeAgent",
                        frozenset({"enabled", "disabled", "notifications"}))


def doctor(options: Options) -> list[Check]:
    checks: list[Check] = []
    merged: dict[str, Any] = {}
    disabled: set[str] = set()
    for scope in scopes:
        try:
            doc = jsonfile.read(settings_path(scope, options)) or {}
        except ConfigError:
            continue  # reported by _check_file below
        merged.update(doc)
        hc = doc.get("hooksConfig")
        if isinstance(hc, Mapping):
            if hc.get("enabled") is False:
                checks.append(Check("fail", f"{scope} settings hooksConfig.enabled",
                                    "false: Gemini runs no hooks at all"))
            if isinstance(hc.get("disabled"), list):
                disabled |= {d for d in hc["disabled"] if isinstance(d, str)}
    registered: set[str] = set()
    for scope in scopes:
        found, events = _check_file(settings_path(scope, options), f"{scope} settings",
                                    options, disabled)
        checks += found
        registered |= events
    if "BeforeAgent" not in registered:
        checks.append(Check("fail", "gemini", "no working promptguard BeforeAgent hook: run "
                                              "`promptguard install gemini`"))
    else:
        why = folder_trust(options.project, options.home, merged)
        if why:
            checks.append(Check("fail", f"gemini workspace {options.project}",
                                f"{why}: Gemini CLI runs no hooks there, not even user "
                                "hooks (trust the folder, or set GEMINI_CLI_TRUST_WORKSPACE)"))
    for event in ("BeforeModel", "BeforeTool", "AfterTool"):
        if registered and event not in registered:
            checks.append(Check("warn", "gemini", f"no working promptguard {event} hook" + (
                ": a prompt the policy redacts goes out unredacted" if event == "BeforeModel"
                else "")))
    return by_severity(checks)
