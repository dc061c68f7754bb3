"""Install, remove and check promptguard's Claude Code hooks.

Settings files (agent-hooks.md 1.1): user `~/.claude/settings.json`,
project `.claude/settings.json`, local `.claude/settings.local.json`, and
the organisation's managed settings (read by `doctor`, written by admins:
see the README). Hook entries merge across files; ours are recognised by
their command (`promptguard ... hook`), so install replaces them in place
and uninstall removes exactly them.
"""
from __future__ import annotations

import json
import os
import sys
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

name = "claude-code"
scopes = ("user", "project", "local")

TIMEOUT = 10  # seconds; a cold hook takes well under one
# Below this a loaded machine can time out, and a timed-out hook lets the
# prompt through (agent-hooks.md 1.7).
MIN_TIMEOUT = 5
PRE_TOOLS = ("^(Bash|PowerShell|Read|Grep|Write|Edit|MultiEdit|NotebookEdit|WebFetch|WebSearch"
             "|mcp__.*)$")
POST_TOOLS = "^(Bash|PowerShell|Read|Grep|WebFetch|WebSearch|mcp__.*)$"
CONFIG_SOURCES = "user_settings|project_settings|local_settings"
MANAGED = {
    "linux": Path("/etc/claude-code/managed-settings.json"),
    "darwin": Path("/Library/Application Support/ClaudeCode/managed-settings.json"),
    "win32": Path("C:/Program Files/ClaudeCode/managed-settings.json"),
}


def settings_path(scope: str, options: Options) -> Path:
    if scope == "user":
        return options.home / ".claude" / "settings.json"
    if scope == "project":
        return options.project / ".claude" / "settings.json"
    if scope == "local":
        return options.project / ".claude" / "settings.local.json"
    raise ConfigError(f"claude-code: unknown scope {scope!r} (use {', '.join(scopes)})")


def managed_path() -> Path:
    override = os.environ.get("PROMPTGUARD_CLAUDE_MANAGED_SETTINGS")
    if override:
        return Path(override)
    return MANAGED.get(sys.platform, MANAGED["linux"])


def _handler(command: Sequence[str]) -> dict[str, Any]:
    # Exec form (command + args, no shell): a path with spaces needs no quoting.
    return {"type": "command", "command": command[0], "args": list(command[1:]),
            "timeout": TIMEOUT}


def hook_groups(command: Sequence[str], tamper_guard: bool = False) -> dict[str, list[Any]]:
    """promptguard's entries, event -> matcher groups (also the plugin's hooks.json)."""
    h = _handler(command)
    groups: dict[str, list[Any]] = {
        # UserPromptSubmit takes no matcher (one would be ignored).
        "UserPromptSubmit": [{"hooks": [h]}],
        "PreToolUse": [{"matcher": PRE_TOOLS, "hooks": [h]}],
        "PostToolUse": [{"matcher": POST_TOOLS, "hooks": [h]}],
    }
    if tamper_guard:
        groups["ConfigChange"] = [{"matcher": CONFIG_SOURCES, "hooks": [h]}]
    return groups


def install(scope: str, command: Sequence[str], options: Options) -> Change:
    path = settings_path(scope, options)
    change = grouped.install(path, jsonfile.read(path), hook_groups(command, options.tamper_guard))
    # Only once the hooks are in: a guarded file without them would have
    # every edit refused, the one that fixes it included.
    _remember(path, options, installed=True)
    return change


def uninstall(scope: str, options: Options) -> Change:
    path = settings_path(scope, options)
    doc = jsonfile.read(path)
    # Forget it first: removing our hooks is the one change the tamper guard allows.
    _remember(path, options, installed=False)
    return grouped.uninstall(path, doc, "no settings file")


# -- routing through the gateway --------------------------------------------------

# The env entries `install --via-gateway` writes; uninstall removes exactly these.
GATEWAY_ENV_KEYS = ("ANTHROPIC_BASE_URL", "ANTHROPIC_CUSTOM_HEADERS", "PROMPTGUARD_VIA_GATEWAY")
# Base URLs of a gateway on this machine: uninstall removes the routing only
# for these, never someone else's (remote) base URL.
LOCAL_GATEWAYS = ("http://127.0.0.1:", "https://127.0.0.1:", "http://localhost:",
                  "https://localhost:", "http://[::1]:", "https://[::1]:")


def set_env(scope: str, env: Mapping[str, str], options: Options) -> Change:
    """Merge `env` into the settings file's `env` table (other entries kept)."""
    path = settings_path(scope, options)
    doc = jsonfile.read(path)
    doc = {} if doc is None else doc
    current = doc.get("env", {})
    if not isinstance(current, Mapping):
        raise ConfigError(f"{path}: 'env' is {type(current).__name__}, expected an object; "
                          "nothing was changed")
    new = {**doc, "env": {**current, **env}}
    if new == doc:
        return Change(path, False, None, "already routed through the gateway")
    backup = jsonfile.write(path, new)
    url = env.get(GATEWAY_ENV_KEYS[0])
    return Change(path, True, backup, f"routed through the gateway ({url})")


def unset_env(scope: str, options: Options) -> Change:
    """Remove the gateway entries when ANTHROPIC_BASE_URL points at a gateway
    on this machine (`LOCAL_GATEWAYS`); someone else's base URL is left alone."""
    path = settings_path(scope, options)
    doc = jsonfile.read(path)
    env = doc.get("env") if doc is not None else None
    if doc is None or not isinstance(env, Mapping) or not str(
            env.get(GATEWAY_ENV_KEYS[0], "")).startswith(LOCAL_GATEWAYS):
        return Change(path, False, None, "not routed through the gateway")
    kept = {k: v for k, v in env.items() if k not in GATEWAY_ENV_KEYS}
    new = {k: v for k, v in doc.items() if k != "env"}
    if kept:
        new["env"] = kept
    backup = jsonfile.write(path, new)
    return Change(path, True, backup, "no longer routed through the gateway")


# -- tamper guard ---------------------------------------------------------------

def _state_file() -> Path:
    from promptguard.dirs import data_dir

    return data_dir() / "hooks" / "claude-code-installed.json"


def _installed() -> list[str]:
    try:
        doc = json.loads(_state_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return []
    return [p for p in doc.get("settings", []) if isinstance(p, str)] \
        if isinstance(doc, dict) else []


def _remember(path: Path, options: Options, installed: bool) -> None:
    key = str(path.resolve())
    paths = [p for p in _installed() if p != key]
    if installed and options.tamper_guard:
        paths.append(key)
    state = _state_file()
    state.parent.mkdir(parents=True, exist_ok=True)
    jsonfile.write(state, {"settings": paths}, backup=False)


def _registers_prompt_hook(doc: Mapping[str, Any]) -> bool:
    hooks = doc.get("hooks")
    groups = hooks.get("UserPromptSubmit") if isinstance(hooks, Mapping) else None
    return isinstance(groups, list) and any(
        isinstance(g, Mapping) and isinstance(g.get("hooks"), list)
        and any(jsonfile.is_promptguard(h) for h in g["hooks"])
        for g in groups)


def tamper_problem(file_path: str, new_text: str | None = None) -> str:
    """Why a settings change must be refused: it drops promptguard from a guarded file.

    `new_text` is the content a tool is about to write (PreToolUse);
    without it the file as it is now (ConfigChange, after the edit).
    """
    try:
        key = str(Path(file_path).resolve())
    except OSError:
        return ""
    if key not in _installed():
        return ""
    doc: Any
    if new_text is None:
        try:
            doc = jsonfile.read(Path(file_path))
        except ConfigError:
            doc = {}  # a file broken by the edit disables every hook in it
    else:
        try:
            doc = json.loads(new_text) if new_text.strip() else {}
        except ValueError:
            doc = {}
    if isinstance(doc, Mapping) and _registers_prompt_hook(doc) \
            and not doc.get("disableAllHooks"):
        return ""
    return (f"promptguard: this change to {file_path} removes or disables promptguard's "
            "hooks, which your setup protects; it was not applied. To remove them on "
            "purpose, run `promptguard uninstall claude-code`.")


def edited_text(tool: str, tool_input: Mapping[str, Any]) -> str | None:
    """The file's content after a Write/Edit/MultiEdit, or None if it cannot be known."""
    path = tool_input.get("file_path")
    if not isinstance(path, str):
        return None
    if tool == "Write":
        content = tool_input.get("content")
        return content if isinstance(content, str) else None
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    edits = tool_input.get("edits") if tool == "MultiEdit" else [tool_input]
    if not isinstance(edits, list):
        return None
    for e in edits:
        if not isinstance(e, Mapping):
            return None
        old, new = e.get("old_string"), e.get("new_string")
        if not isinstance(old, str) or not isinstance(new, str):
            return None
        text = text.replace(old, new) if e.get("replace_all") else text.replace(old, new, 1)
    return text


# -- doctor ---------------------------------------------------------------------

def _argv(handler: Mapping[str, Any]) -> list[str] | None:
    command = handler.get("command")
    args = handler.get("args")
    if not isinstance(command, str):
        return None
    if isinstance(args, list):
        return [command, *map(str, args)]
    return ["/bin/sh", "-c", command]  # how the host runs a shell-form command


def _canary(handler: Mapping[str, Any], where: str, project: Path) -> list[Check]:
    argv = _argv(handler)
    if argv is None:
        return [Check("fail", where, "no 'command' string")]
    timeout = handler.get("timeout", 600 if "args" in handler else 30)
    limit = float(timeout) if isinstance(timeout, (int, float)) else 30.0
    payload = {
        "session_id": "promptguard-doctor", "transcript_path": "",
        "cwd": str(project), "permission_mode": "default",
        "hook_event_name": "UserPromptSubmit",
        "prompt": canary.prompt(),
    }
    done = canary.run(argv, payload, limit, project, where,
                      on_timeout="Claude Code then lets the prompt through")
    if isinstance(done, list):
        return done
    if done.returncode not in (0, 2):
        return [Check("fail", where, f"the command exits {done.returncode} (Claude Code "
                                     "treats that as a non-blocking error: nothing is blocked)")]
    answer = done.answer()
    if not (done.returncode == 2 or (isinstance(answer, dict)
                                     and answer.get("decision") == "block")):
        return [Check("fail", where, canary.NOT_BLOCKED)]
    out = canary.blocked(where, done, limit)
    spec = answer.get("hookSpecificOutput") if isinstance(answer, dict) else None
    if not (isinstance(spec, dict) and spec.get("suppressOriginalPrompt")):
        out.append(Check("warn", where, "the block does not suppress the original prompt: "
                                        "Claude Code will echo the key back"))
    return out


def _check_file(path: Path, label: str, options: Options) -> tuple[list[Check], set[str]]:
    """Problems in one settings file, and the events promptguard is registered for."""
    where = f"{label} {path}"
    try:
        doc = jsonfile.read(path)
    except ConfigError as e:
        return [Check("fail", where, str(e).split(": ", 1)[-1])], set()
    if doc is None:
        return [], set()
    checks: list[Check] = []
    if doc.get("disableAllHooks") is True:
        checks.append(Check("fail", where, "disableAllHooks is true: no hook runs"))
    hooks = doc.get("hooks")
    if hooks is None:
        return checks, set()
    if not isinstance(hooks, Mapping):
        return [*checks, Check("fail", f"{where} hooks", "'hooks' is not an object")], set()
    found, events = grouped.check_hooks(
        hooks, where, _LAYOUT, lambda event, _gi, _hi, g, h: _handler_problems(h, event, g),
        lambda h, hat: _canary(h, hat, options.project),
    )
    return [*checks, *found], events


_LAYOUT = grouped.Layout("Claude Code", "UserPromptSubmit")


def _handler_problems(h: Mapping[str, Any], event: str, group: Mapping[str, Any]) -> list[str]:
    problems = []
    if h.get("type") != "command":
        problems.append(f"type is {h.get('type')!r}, expected 'command'")
    argv = _argv(h)
    if argv is not None:
        exe = argv[0] if "args" in h else (h["command"].split() or [""])[0]
        if not hookfiles.executable(exe):
            problems.append(f"the command {exe!r} does not resolve to an executable: wrong "
                            "path (rerun `promptguard install claude-code`)")
        scripts = [a for a in argv[1:] if a.endswith(".py")] if "args" in h else []
        problems += [f"the script {a!r} does not exist: wrong path (rerun `promptguard "
                     "install claude-code`)" for a in scripts if not os.path.isfile(a)]
    timeout = h.get("timeout")
    if timeout is not None and (not isinstance(timeout, (int, float)) or timeout < MIN_TIMEOUT):
        problems.append(f"timeout {timeout!r}s is too short (at least {MIN_TIMEOUT}s; a "
                        "timed-out hook lets the prompt or tool call through)")
    if event == "UserPromptSubmit" and group.get("matcher") not in (None, "", "*"):
        problems.append("UserPromptSubmit takes no matcher; Claude Code ignores it")
    return problems


def doctor(options: Options) -> list[Check]:
    checks: list[Check] = []
    registered: set[str] = set()
    files = [(f"{s} settings", settings_path(s, options)) for s in scopes]
    files.append(("managed settings", managed_path()))
    for label, path in files:
        found, events = _check_file(path, label, options)
        checks += found
        registered |= events
    for var in ("CLAUDE_CODE_SIMPLE", "IS_DEMO", "CLAUDE_CODE_SAFE_MODE"):
        if os.environ.get(var):
            checks.append(Check("warn", f"environment {var}",
                                "set: Claude Code skips hooks (or never shows the trust "
                                "prompt) while it is"))
    if "UserPromptSubmit" not in registered:
        checks.append(Check("fail", "claude-code", "no working promptguard UserPromptSubmit "
                                                   "hook in any settings file: run "
                                                   "`promptguard install claude-code`"))
    for event in ("PreToolUse", "PostToolUse"):
        if registered and event not in registered:
            checks.append(Check("warn", "claude-code", f"no promptguard {event} hook: tool "
                                                       "calls and outputs are not checked"))
    return by_severity(checks)
