"""GitHub Copilot CLI (`.github/hooks/*.json`, `~/.copilot/hooks/*.json`; agent-hooks.md 3.3).

Golden-tested against the documented schema (docs.github.com cli-hooks-reference)
and ggshield's observations of Copilot CLI 1.0.61; no Copilot CLI runs here
(it needs a GitHub Copilot login), so this is UNVERIFIED against the binary.

- Payloads: documented camelCase (`timestamp` in ms, `cwd`, `prompt`;
  preToolUse `toolName`, `toolArgs` as a JSON *string*; postToolUse
  `toolResult`); newer builds send snake_case (`hook_event_name`,
  `session_id`, `tool_name`, `tool_input`, `tool_result`). Both are read.
  With no event name, the event is inferred from the fields.
- userPromptSubmitted: the docs say its output is ignored, but 1.0.61
  honours `{"decision": "block", "reason"}` (and ignores `continue:false`).
- preToolUse: `{"permissionDecision": "deny", "permissionDecisionReason"}`
  (only `deny` is processed).
- postToolUse: no documented way to change or hide the output; nothing is
  written (the output already reached the model's context).
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from promptguard.errors import InputError
from promptguard.surfaces.hooks import messages
from promptguard.surfaces.hooks.event import Answer
from promptguard.surfaces.hooks.event import Event
from promptguard.surfaces.hooks.event import Outcome
from promptguard.surfaces.hooks.event import Text
from promptguard.surfaces.hooks.event import label_path
from promptguard.surfaces.hooks.event import reply
from promptguard.surfaces.hooks.event import string_leaves

name = "copilot"
surface = "copilot"

KINDS = {"userPromptSubmitted": "prompt", "preToolUse": "pre-tool", "postToolUse": "post-tool"}
IGNORED = frozenset({"sessionStart", "sessionEnd", "errorOccurred", "agentStop", "notification",
                     "permissionRequest", "subagentStop"})
MIN_LEAF = 8
# Copilot CLI's own tool names (ggshield `copilot.py`): `bash`/`shell` run
# commands, `view` reads files.
SHELL_TOOLS = frozenset({"bash", "shell", "powershell", "run_in_terminal"})
READ_TOOLS = frozenset({"view", "read_file"})


def _event_name(payload: Mapping[str, Any]) -> str:
    named = payload.get("hook_event_name", payload.get("hookEventName"))
    if isinstance(named, str):
        return named
    if "toolResult" in payload or "tool_result" in payload:
        return "postToolUse"
    if "toolName" in payload or "tool_name" in payload:
        return "preToolUse"
    if "prompt" in payload:
        return "userPromptSubmitted"
    return ""


def detect(payload: Mapping[str, Any]) -> bool:
    # camelCase fields with a numeric timestamp, or Copilot's own event names;
    # Cursor shares `preToolUse` but always sends its conversation ids.
    if "cursor_version" in payload or "conversation_id" in payload:
        return False
    event = payload.get("hook_event_name")
    return "toolArgs" in payload or event in KINDS or event in IGNORED or (
        isinstance(payload.get("timestamp"), (int, float)) and "prompt" in payload
        and "hookEventName" not in payload)


def _args(payload: Mapping[str, Any]) -> Any:
    value = payload.get("toolArgs", payload.get("tool_input"))
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def parse(payload: Mapping[str, Any]) -> Event:
    from promptguard.surfaces.hooks.hosts import claude_code

    event = _event_name(payload)
    cwd: str = payload["cwd"] if isinstance(payload.get("cwd"), str) else ""
    session = payload.get("session_id", payload.get("sessionId", ""))
    common: dict[str, Any] = {"host": name, "name": event, "cwd": cwd,
                              "session": session if isinstance(session, str) else "",
                              "payload": payload}
    if event in IGNORED:
        return Event(kind="other", **common)
    if event not in KINDS:
        raise InputError(f"hook payload: unknown Copilot CLI event {event[:40]!r}")
    notes: list[str] = []
    if event == "userPromptSubmitted":
        prompt = payload.get("prompt")
        if not isinstance(prompt, str):
            raise InputError("hook payload: userPromptSubmitted without a 'prompt' string")
        return Event(kind="prompt", texts=(Text("prompt", prompt),), **common)
    tool = payload.get("toolName", payload.get("tool_name"))
    if not isinstance(tool, str):
        raise InputError(f"hook payload: {event} without a tool name")
    if event == "preToolUse":
        args = _args(payload)
        command = args.get("command") if isinstance(args, Mapping) else None
        path = args.get("path", args.get("file_path")) if isinstance(args, Mapping) else None
        if tool in SHELL_TOOLS and isinstance(command, str):
            texts = claude_code._tool_texts("Bash", {"command": command}, cwd, notes)
        elif tool in READ_TOOLS and isinstance(path, str):
            texts = claude_code._tool_texts("Read", {"file_path": path}, cwd, notes)
        else:
            texts = [Text(f"{tool} {label_path(p) or 'input'}", v, p)
                     for p, v in string_leaves(args)]
        return Event(kind="pre-tool", tool=tool, texts=tuple(texts), notes=tuple(notes),
                     **common)
    result = payload.get("toolResult", payload.get("tool_result"))
    texts = [Text(f"{tool} output ({label_path(p) or 'text'})", v, p)
             for p, v in string_leaves(result, min_len=MIN_LEAF)]
    return Event(kind="post-tool", tool=tool, texts=tuple(texts), **common)


def render(event: Event, outcome: Outcome) -> Answer:
    if event.kind == "prompt" and outcome.action in ("block", "redact"):
        return reply({"decision": "block", "reason": messages.prompt_blocked(outcome)})
    if event.kind == "pre-tool":
        outbound = "-" in event.tool or event.tool in ("web_fetch", "fetch")  # MCP: server-tool
        if outcome.action == "block" or (outcome.action == "redact" and outbound):
            actions = ("block", "redact") if outcome.action == "redact" else ("block",)
            return reply({"permissionDecision": "deny",
                          "permissionDecisionReason": messages.tool_denied(
                              event.tool, outcome, actions)})
    return Answer()


def render_error(event: Event | None, message: str, on_error: str) -> Answer:
    if on_error != "block":
        return Answer()
    what = "event" if event is None else {"prompt": "prompt", "pre-tool": f"{event.tool} call"}\
        .get(event.kind, "event")
    text = messages.unscanned(what, message, on_error)
    if event is None or event.kind == "prompt":
        # Unknown event: the block shape every Copilot event accepts, and
        # the deny for preToolUse; Copilot ignores the fields it does not use.
        return reply({"decision": "block", "reason": text, "permissionDecision": "deny",
                      "permissionDecisionReason": text}) if event is None else \
            reply({"decision": "block", "reason": text})
    if event.kind == "pre-tool":
        return reply({"permissionDecision": "deny", "permissionDecisionReason": text})
    return Answer()
