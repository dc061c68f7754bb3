"""Install, remove and check promptguard's Codex CLI hooks, including hook trust.

Codex (0.169.0) reads `hooks.json` next to each config layer
(`~/.codex/hooks.json`, `<project>/.codex/hooks.json`) and runs a hook only
once it is *trusted*: the user's `config.toml` must hold

    [hooks.state."<absolute hooks.json path>:<event_label>:<group>:<handler>"]
    trusted_hash = "sha256:<hex>"

where the hash is codex-rs `command_hook_hash` (hooks/src/engine/discovery.rs)
over the normalized handler: the JSON object {event_name, matcher?, hooks:
[{type, command, timeout, async}]} with `timeout` filled in (default 600,
at least 1), `statusMessage` only when set, keys sorted, no whitespace,
sha256. An untrusted or modified hook is skipped without any message. The
hash was checked against the real binary: a hook trusted this way runs
without `--dangerously-bypass-hook-trust` (tests/surfaces/hooks/codex_e2e_test.py).

Trust is keyed by position, so install keeps promptguard's groups where
they are (appending only new ones) and never trusts anybody else's hooks.
"""
from __future__ import annotations

import hashlib
import json
import os
import re
import shlex
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

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: <3.11 cover
    import tomli as tomllib

name = "codex"
scopes = ("user", "project")

TIMEOUT = 10
MIN_TIMEOUT = 5
EVENTS = ("UserPromptSubmit", "PreToolUse", "PostToolUse")
# codex-rs/hooks/src/lib.rs hook_event_key_label
LABELS = {
    "PreToolUse": "pre_tool_use", "PermissionRequest": "permission_request",
    "PostToolUse": "post_tool_use", "PreCompact": "pre_compact",
    "PostCompact": "post_compact", "SessionStart": "session_start",
    "UserPromptSubmit": "user_prompt_submit", "SubagentStart": "subagent_start",
    "SubagentStop": "subagent_stop", "Stop": "stop",
}
# Events whose matcher Codex ignores (and leaves out of the hash).
NO_MATCHER = frozenset({"UserPromptSubmit", "Stop"})
MARK = "# promptguard: trust for its own Codex hooks (promptguard install codex)"
# The fields Codex accepts in a UserPromptSubmit answer (deny_unknown_fields).
PROMPT_ANSWER_KEYS = frozenset({"continue", "stopReason", "suppressOutput", "systemMessage",
                                "decision", "reason", "hookSpecificOutput"})


def codex_home(options: Options) -> Path:
    # As Codex finds it (codex-rs utils/home-dir): $CODEX_HOME canonicalized,
    # else $HOME/.codex as is. Trust keys hold this exact spelling.
    env = os.environ.get("CODEX_HOME")
    return Path(env).resolve() if env else Path(os.path.abspath(options.home / ".codex"))


def hooks_path(scope: str, options: Options) -> Path:
    if scope == "user":
        return codex_home(options) / "hooks.json"
    if scope == "project":
        return options.project.resolve() / ".codex" / "hooks.json"
    raise ConfigError(f"codex: unknown scope {scope!r} (use {', '.join(scopes)})")


def config_path(options: Options) -> Path:
    return codex_home(options) / "config.toml"


def _handler(command: Sequence[str]) -> dict[str, Any]:
    # Codex runs `command` through a shell: one quoted string.
    return {"type": "command", "command": shlex.join(command), "timeout": TIMEOUT}


def hook_groups(command: Sequence[str]) -> dict[str, list[Any]]:
    h = _handler(command)
    # No matcher on the tool events: every tool (Bash, apply_patch, MCP) is checked.
    return {event: [{"hooks": [h]}] for event in EVENTS}


# -- the trust hash ---------------------------------------------------------------

def trust_hash(event: str, matcher: Any, handler: Mapping[str, Any]) -> str | None:
    """Codex's `current_hash` for one command handler; None if Codex would skip it."""
    command = handler.get("command")
    if handler.get("type") != "command" or not isinstance(command, str) or not command.strip():
        return None
    timeout = handler.get("timeout")
    normalized: dict[str, Any] = {
        "type": "command",
        "command": command,
        "timeout": max(timeout if isinstance(timeout, int) and not isinstance(timeout, bool)
                       else 600, 1),
        "async": handler.get("async") is True,
    }
    if isinstance(handler.get("statusMessage"), str):
        normalized["statusMessage"] = handler["statusMessage"]
    identity: dict[str, Any] = {"event_name": LABELS[event], "hooks": [normalized]}
    if event not in NO_MATCHER and isinstance(matcher, str):
        identity["matcher"] = matcher
    data = json.dumps(identity, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return "sha256:" + hashlib.sha256(data.encode()).hexdigest()


def trust_key(path: Path, event: str, group: int, handler: int) -> str:
    return f"{path}:{LABELS[event]}:{group}:{handler}"


def _ours(doc: Mapping[str, Any], path: Path) -> dict[str, str]:
    """trust key -> hash for every promptguard handler in a hooks.json document."""
    out: dict[str, str] = {}
    hooks = doc.get("hooks")
    if not isinstance(hooks, Mapping):
        return out
    for event, groups in hooks.items():
        if event not in LABELS or not isinstance(groups, list):
            continue
        for gi, g in enumerate(groups):
            if not isinstance(g, Mapping) or not isinstance(g.get("hooks"), list):
                continue
            for hi, h in enumerate(g["hooks"]):
                if jsonfile.is_promptguard(h):
                    digest = trust_hash(event, g.get("matcher"), h)
                    if digest is not None:
                        out[trust_key(path, event, gi, hi)] = digest
    return out


# -- config.toml (edited as text: comments and order of the user's file survive) ---

def _read_toml(path: Path) -> tuple[str, dict[str, Any]]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return "", {}
    except (OSError, UnicodeDecodeError) as e:
        raise ConfigError(f"{path}: cannot read ({e})") from None
    try:
        return text, tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: not valid TOML ({e}); fix it by hand, nothing was "
                          "changed") from None


def hook_states(options: Options) -> dict[str, Mapping[str, Any]]:
    _, doc = _read_toml(config_path(options))
    hooks = doc.get("hooks")
    state = hooks.get("state") if isinstance(hooks, Mapping) else None
    return {k.strip(): v for k, v in state.items() if isinstance(v, Mapping)} \
        if isinstance(state, Mapping) else {}


def _header(key: str) -> str:
    return f"[hooks.state.{json.dumps(key, ensure_ascii=False)}]"


_TABLE = re.compile(r"^\s*\[")


def _drop_tables(text: str, keys: set[str]) -> str:
    """The text without the `[hooks.state."<key>"]` tables (and our marker) for `keys`."""
    headers = {_header(k) for k in keys}
    out: list[str] = []
    skipping = False
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if _TABLE.match(line):
            skipping = stripped in headers
        if stripped == MARK:
            continue
        if not skipping:
            out.append(line)
    return "".join(out)


def _write_toml(path: Path, text: str) -> Path | None:
    try:
        tomllib.loads(text)
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{path}: the trust entries could not be merged ({e}); the file "
                          "defines hook state in a form promptguard does not edit, nothing was "
                          "changed") from None
    path.parent.mkdir(parents=True, exist_ok=True)
    backup = None
    if path.exists():
        backup = path.with_name(path.name + jsonfile.BACKUP_SUFFIX)
        backup.write_bytes(path.read_bytes())
    from promptguard import atomic

    atomic.write_text(path, text, mode=(path.stat().st_mode & 0o7777) if path.exists() else None)
    return backup


def _set_trust(options: Options, drop: set[str], add: Mapping[str, str]) -> bool:
    """Replace promptguard's trust entries: remove `drop`, write `add`. True if changed."""
    path = config_path(options)
    text, _ = _read_toml(path)
    current = hook_states(options)
    if all(current.get(k, {}).get("trusted_hash") == v for k, v in add.items()) and not any(
            k in current for k in drop - set(add)):
        return False
    body = _drop_tables(text, drop | set(add)).rstrip("\n")
    if add:
        block = [MARK] + [f"{_header(k)}\ntrusted_hash = {json.dumps(v)}\n"
                          for k, v in sorted(add.items())]
        body = (body + "\n\n" if body else "") + "\n".join(block)
    _write_toml(path, body + "\n")
    return True


# -- install / uninstall ----------------------------------------------------------

def _merge(hooks: dict[str, Any], command: Sequence[str], path: Path) -> dict[str, Any]:
    """Our groups replaced in place (positions keep other hooks' trust), new ones appended."""
    out = dict(hooks)
    for event, groups in hook_groups(command).items():
        existing = out.get(event, [])
        if not isinstance(existing, list):
            raise ConfigError(f"{path}: hooks.{event} is not a list; nothing was changed")
        placed = False
        merged = []
        for g in existing:
            handlers = g.get("hooks") if isinstance(g, Mapping) else None
            if isinstance(handlers, list) and any(jsonfile.is_promptguard(h) for h in handlers):
                if not placed:
                    merged.append(groups[0])
                    placed = True
                continue  # a second copy of ours: dropped
            merged.append(g)
        if not placed:
            merged.append(groups[0])
        out[event] = merged
    return out


def install(scope: str, command: Sequence[str], options: Options) -> Change:
    path = hooks_path(scope, options)
    doc = jsonfile.read(path)
    doc = {} if doc is None else doc
    before = _ours(doc, path)
    new = {**doc, "hooks": _merge(jsonfile.hooks_table(doc, path), command, path)}
    backup = None
    changed = new != doc
    if changed:
        backup = jsonfile.write(path, new)
    after = _ours(new, path)
    trusted = _set_trust(options, set(before), after)
    message = "installed" if changed else ("trusted" if trusted else "already installed")
    if scope == "project" and not project_trusted(options, _read_toml(config_path(options))[1]):
        message += ("; note: Codex reads a project's .codex/ only once the project is trusted "
                    "(trust it in Codex, or use --scope user)")
    return Change(path, changed or trusted, backup, message)


def uninstall(scope: str, options: Options) -> Change:
    path = hooks_path(scope, options)
    doc = jsonfile.read(path)
    if doc is None:
        return Change(path, False, None, "no hooks.json")
    ours = _ours(doc, path)
    hooks = jsonfile.hooks_table(doc, path)
    kept: dict[str, Any] = {}
    shifted = 0
    for event, groups in hooks.items():
        if not isinstance(groups, list):
            kept[event] = groups
            continue
        rest = []
        seen_ours = False
        for g in groups:
            handlers = g.get("hooks") if isinstance(g, Mapping) else None
            if isinstance(handlers, list) and any(jsonfile.is_promptguard(h) for h in handlers):
                others = [h for h in handlers if not jsonfile.is_promptguard(h)]
                seen_ours = True
                if others:
                    rest.append({**g, "hooks": others})
                continue
            shifted += seen_ours
            rest.append(g)
        if rest:
            kept[event] = rest
    new = dict(doc)
    if kept:
        new["hooks"] = kept
    else:
        new.pop("hooks", None)
    untrusted = _set_trust(options, set(ours), {})
    if new == doc:
        return Change(path, untrusted, None, "not installed")
    backup = jsonfile.write(path, new)
    message = "removed"
    if shifted:
        message += (f"; {shifted} other hook group(s) moved up a place, and Codex keys trust "
                    "by position: re-trust them in Codex (/hooks)")
    return Change(path, True, backup, message)


# -- doctor -----------------------------------------------------------------------

def _canary(handler: Mapping[str, Any], where: str, project: Path) -> list[Check]:
    """Run the command as Codex does (through a shell, JSON on stdin, its timeout)."""
    command = handler.get("command")
    if not isinstance(command, str):
        return [Check("fail", where, "no 'command' string")]
    timeout = handler.get("timeout")
    limit = float(timeout) if isinstance(timeout, (int, float)) else 600.0
    payload = {
        "session_id": "promptguard-doctor", "turn_id": "promptguard-doctor",
        "transcript_path": None, "cwd": str(project), "hook_event_name": "UserPromptSubmit",
        "model": "promptguard-doctor", "permission_mode": "default",
        "prompt": canary.prompt(),
    }
    done = canary.run([os.environ.get("SHELL") or "/bin/sh", "-c", command], payload, limit,
                      project, where, on_timeout="Codex then lets the prompt through")
    if isinstance(done, list):
        return done
    if done.returncode == 2:
        return canary.blocked(where, done, limit, " (exit 2)")
    if done.returncode != 0:
        return [Check("fail", where, f"the command exits {done.returncode}: Codex treats that "
                                     "as a failed hook and lets the prompt through")]
    answer = done.answer()
    if answer is None:
        return [Check("fail", where, "the command printed something that is not JSON: Codex "
                                     "ignores it and lets the prompt through")]
    if not isinstance(answer, dict) or answer.get("decision") != "block":
        return [Check("fail", where, canary.NOT_BLOCKED)]
    unknown = sorted(set(answer) - PROMPT_ANSWER_KEYS)
    spec = answer.get("hookSpecificOutput")
    if isinstance(spec, Mapping):
        unknown += sorted(f"hookSpecificOutput.{k}" for k in
                          set(spec) - {"hookEventName", "additionalContext"})
    if unknown:
        return [Check("fail", where, f"the answer carries field(s) Codex does not know "
                                     f"({', '.join(unknown)}): Codex 0.169 drops such an "
                                     "answer and sends the prompt anyway")]
    return canary.blocked(where, done, limit)


def _check_file(path: Path, label: str, options: Options,
                states: Mapping[str, Mapping[str, Any]]) -> tuple[list[Check], set[str]]:
    where = f"{label} {path}"
    try:
        doc = jsonfile.read(path)
    except ConfigError as e:
        return [Check("fail", where, str(e).split(": ", 1)[-1])], set()
    if doc is None:
        return [], set()
    hooks = doc.get("hooks")
    if not isinstance(hooks, Mapping):
        if hooks is not None:
            return [Check("fail", where, "'hooks' is not an object: Codex ignores the file")], \
                set()
        return [], set()
    def problems(event: str, gi: int, hi: int, g: Mapping[str, Any],
                 h: Mapping[str, Any]) -> list[str]:
        if event not in LABELS:
            return [f"Codex has no {event!r} event"]
        out = []
        if not hookfiles.resolves(str(h.get("command", ""))):
            out.append("the command does not resolve to an executable: wrong path "
                       "(rerun `promptguard install codex`)")
        timeout = h.get("timeout")
        if timeout is not None and (not isinstance(timeout, int) or timeout < MIN_TIMEOUT):
            out.append(f"timeout {timeout!r}s is too short (at least {MIN_TIMEOUT}s)")
        state = states.get(trust_key(path, event, gi, hi), {})
        if state.get("enabled") is False:
            out.append("disabled in config.toml (hooks.state enabled = false)")
        if state.get("trusted_hash") is None:
            out.append("untrusted: Codex skips it without a word (run `promptguard "
                       "install codex`, or trust it in Codex's /hooks)")
        elif state.get("trusted_hash") != trust_hash(event, g.get("matcher"), h):
            out.append("modified since it was trusted: Codex skips it (run "
                       "`promptguard install codex` again)")
        return out

    return grouped.check_hooks(hooks, where, _LAYOUT, problems,
                              lambda h, hat: _canary(h, hat, options.project))


_LAYOUT = grouped.Layout("Codex", "UserPromptSubmit")


def project_trusted(options: Options, config: Mapping[str, Any]) -> bool:
    """Codex loads a project's .codex/ only for a trusted project (checked with 0.169.0)."""
    projects = config.get("projects")
    if not isinstance(projects, Mapping):
        return False
    here = options.project.resolve()
    candidates = [here, *here.parents]
    root = next((p for p in candidates if (p / ".git").exists()), here)
    for p in {here, root}:
        entry = projects.get(str(p))
        if isinstance(entry, Mapping) and entry.get("trust_level") == "trusted":
            return True
    return False


def doctor(options: Options) -> list[Check]:
    checks: list[Check] = []
    try:
        states = hook_states(options)
        _, config = _read_toml(config_path(options))
    except ConfigError as e:
        return [Check("fail", str(config_path(options)), str(e).split(": ", 1)[-1])]
    features = config.get("features")
    if isinstance(features, Mapping) and features.get("hooks") is False:
        checks.append(Check("fail", f"{config_path(options)} features.hooks",
                            "false: Codex runs no hooks at all"))
    registered: set[str] = set()
    for scope in scopes:
        found, events = _check_file(hooks_path(scope, options), f"{scope} hooks",
                                    options, states)
        if scope == "project" and events and not project_trusted(options, config):
            checks.append(Check("fail", f"project hooks {hooks_path(scope, options)}",
                                f"the project {options.project} is not trusted in "
                                f"{config_path(options)} ([projects.\"<path>\"] trust_level = "
                                "\"trusted\"): Codex ignores its .codex/ folder, hooks "
                                "included"))
            events = set()
        checks += found
        registered |= events
    if "UserPromptSubmit" not in registered:
        checks.append(Check("fail", "codex", "no working, trusted promptguard UserPromptSubmit "
                                             "hook: run `promptguard install codex`"))
    for event in ("PreToolUse", "PostToolUse"):
        if registered and event not in registered:
            checks.append(Check("warn", "codex", f"no working promptguard {event} hook"))
    return by_severity(checks)
