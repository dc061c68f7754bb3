"""Cursor (`.cursor/hooks.json`, `~/.cursor/hooks.json`; agent-hooks.md section 2).

Golden-tested against the documented schemas (cursor/cookbook hooks, the
cursor.com hooks reference as quoted by cupcake and hookshot); no Cursor
binary runs here, so none of this is verified against the real editor.

- beforeSubmitPrompt: `{"continue": false, "user_message": ...}` blocks; no
  rewrite or context injection exists. `attachments` (files) are scanned.
- beforeReadFile: `{"permission": "deny" | "allow"}` only; Cursor sends the
  file's `content`, which is what is scanned.
- preToolUse / beforeShellExecution / beforeMCPExecution:
  `{"permission", "user_message", "agent_message"}`.
- postToolUse: `additional_context`; for MCP tools `updated_mcp_tool_output`
  replaces the output (third-party reports; UNVERIFIED). Built-in tools'
  output cannot be replaced.
- install sets `failClosed: true`: a crash, a timeout or invalid JSON then
  blocks. With failClosed a permission hook that prints nothing is refused,
  so every answer is explicit (`"permission": "allow"`, `"continue": true`).
"""
from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from promptguard.errors import InputError
from promptguard.surfaces.hooks import messages
from promptguard.surfaces.hooks.event import Answer
from promptguard.surfaces.hooks.event import Event
from promptguard.surfaces.hooks.event import Outcome
from promptguard.surfaces.hooks.event import Text
from promptguard.surfaces.hooks.event import label_path
from promptguard.surfaces.hooks.event import payload_str
from promptguard.surfaces.hooks.event import replace_leaves
from promptguard.surfaces.hooks.event import reply
from promptguard.surfaces.hooks.event import string_leaves

name = "cursor"
surface = "cursor"

KINDS = {
    "beforeSubmitPrompt": "prompt",
    "beforeReadFile": "pre-tool",
    "preToolUse": "pre-tool",
    "beforeShellExecution": "pre-tool",
    "beforeMCPExecution": "pre-tool",
    "postToolUse": "post-tool",
}
PERMISSION_EVENTS = frozenset({"beforeReadFile", "preToolUse", "beforeShellExecution",
                               "beforeMCPExecution"})
IGNORED = frozenset({
    "sessionStart", "sessionEnd", "postToolUseFailure", "afterShellExecution",
    "afterMCPExecution", "afterFileEdit", "subagentStart", "subagentStop", "preCompact", "stop",
    "afterAgentResponse", "afterAgentThought", "beforeTabFileRead", "afterTabFileEdit",
    "workspaceOpen",
})
MIN_LEAF = 8


def detect(payload: Mapping[str, Any]) -> bool:
    return "cursor_version" in payload or (
        "conversation_id" in payload and "generation_id" in payload)


def _cwd(payload: Mapping[str, Any]) -> str:
    if isinstance(payload.get("cwd"), str) and payload["cwd"]:
        return str(payload["cwd"])
    roots = payload.get("workspace_roots")
    if isinstance(roots, list) and roots and isinstance(roots[0], str):
        return roots[0]
    return ""


def _attachments(payload: Mapping[str, Any], cwd: str, notes: list[str]) -> list[Text]:
    from promptguard.surfaces.hooks.hosts import claude_code

    texts = []
    items = payload.get("attachments")
    for a in items if isinstance(items, list) else []:
        if not isinstance(a, Mapping) or a.get("type") not in (None, "file"):
            continue
        path = a.get("file_path", a.get("filePath"))
        if not isinstance(path, str):
            continue
        full = claude_code._resolve(path, cwd)
        if os.path.isfile(full):
            text = claude_code._read_text(full, notes, f"attachment {path}")
            if text is not None:
                texts.append(Text(f"attachment {path}", text))
    return texts


def _tool_input(payload: Mapping[str, Any]) -> Any:
    value = payload.get("tool_input")
    if isinstance(value, str):  # beforeMCPExecution sends a JSON string in some builds
        try:
            return json.loads(value)
        except ValueError:
            return value
    return value


def parse(payload: Mapping[str, Any]) -> Event:
    from promptguard.surfaces.hooks.hosts import claude_code

    event = payload_str(payload, "hook_event_name")
    cwd = _cwd(payload)
    common: dict[str, Any] = {"host": name, "name": event,
                              "session": payload_str(payload, "conversation_id"), "cwd": cwd,
                              "payload": payload}
    if event in IGNORED:
        return Event(kind="other", **common)
    if event not in KINDS:
        raise InputError(f"hook payload: unknown Cursor event {event[:40]!r}")
    notes: list[str] = []
    if event == "beforeSubmitPrompt":
        prompt = payload.get("prompt")
        if not isinstance(prompt, str):
            raise InputError("hook payload: beforeSubmitPrompt without a 'prompt' string")
        texts = [Text("prompt", prompt), *_attachments(payload, cwd, notes)]
        return Event(kind="prompt", texts=tuple(texts), notes=tuple(notes), **common)
    if event == "beforeReadFile":
        path = payload_str(payload, "file_path")
        content = payload.get("content")
        texts = [Text(path, content)] if isinstance(content, str) else \
            claude_code._tool_texts("Read", {"file_path": path, "limit": 10**9}, cwd, notes)
        return Event(kind="pre-tool", tool="Read", texts=tuple(texts), notes=tuple(notes),
                     **common)
    if event == "beforeShellExecution":
        command = payload_str(payload, "command")
        texts = claude_code._tool_texts("Bash", {"command": command}, cwd, notes)
        return Event(kind="pre-tool", tool="Shell", texts=tuple(texts), notes=tuple(notes),
                     **common)
    tool = payload_str(payload, "tool_name")
    if event == "beforeMCPExecution":
        tool = tool if tool.startswith("MCP:") else f"MCP:{tool}"
    tool_input = _tool_input(payload)
    if event in ("preToolUse", "beforeMCPExecution"):
        if tool == "Shell" and isinstance(tool_input, Mapping) and isinstance(
                tool_input.get("command"), str):
            texts = claude_code._tool_texts("Bash", {"command": tool_input["command"]}, cwd,
                                            notes)
        elif tool == "Read" and isinstance(tool_input, Mapping) and isinstance(
                tool_input.get("file_path", tool_input.get("path")), str):
            path = tool_input.get("file_path", tool_input.get("path"))
            texts = claude_code._tool_texts("Read", {"file_path": path}, cwd, notes)
        else:
            texts = [Text(f"{tool} {label_path(p) or 'input'}", v, p)
                     for p, v in string_leaves(tool_input)]
        return Event(kind="pre-tool", tool=tool, texts=tuple(texts), notes=tuple(notes),
                     **common)
    output = payload.get("tool_output")
    parsed: Any = output
    if isinstance(output, str):
        try:
            parsed = json.loads(output)
        except ValueError:
            parsed = output
    texts = [Text(f"{tool} output ({label_path(p) or 'text'})", v, p)
             for p, v in string_leaves(parsed, min_len=MIN_LEAF)]
    return Event(kind="post-tool", tool=tool, texts=tuple(texts),
                 payload={**payload, "tool_output": parsed},
                 **{k: v for k, v in common.items() if k != "payload"})


def _permission(decision: str, user: str = "", agent: str = "") -> Answer:
    doc: dict[str, Any] = {"permission": decision}
    if user:
        doc["user_message"] = user
    if agent:
        doc["agent_message"] = agent
    return reply(doc)


def render(event: Event, outcome: Outcome) -> Answer:
    if event.kind == "prompt":
        if outcome.action in ("block", "redact"):
            return reply({"continue": False, "user_message": messages.prompt_blocked(outcome)})
        return reply({"continue": True})
    if event.kind == "pre-tool":
        outbound = event.tool.startswith("MCP:")
        if outcome.action == "block" or (outcome.action == "redact" and outbound):
            actions = ("block", "redact") if outcome.action == "redact" else ("block",)
            reason = messages.tool_denied(event.tool, outcome, actions)
            if event.name == "beforeReadFile":
                return _permission("deny")  # the only field beforeReadFile takes
            return _permission("deny", reason, reason)
        return _permission("allow")
    if event.kind == "post-tool":
        return _render_output(event, outcome)
    return Answer()


def _render_output(event: Event, outcome: Outcome) -> Answer:
    new, _ = outcome.rewrites()
    if not new:
        return Answer()
    ids = ", ".join(messages.rule_ids(outcome))
    if event.tool.startswith("MCP:"):
        return reply({
            "updated_mcp_tool_output": replace_leaves(event.payload.get("tool_output"), new),
            "additional_context": messages.output_redacted(event.tool, outcome),
        })
    # Cursor cannot replace a built-in tool's output: say so to the model.
    return reply({"additional_context": (
        f"promptguard: the {event.tool} output above holds sensitive values ({ids}). They "
        "must not be repeated, summarised or used in any reply or tool call.")})


def render_error(event: Event | None, message: str, on_error: str) -> Answer:
    what = "event" if event is None else {
        "prompt": "prompt", "pre-tool": f"{event.tool} call",
        "post-tool": f"{event.tool} output"}.get(event.kind, "event")
    text = messages.unscanned(what, message, on_error)
    block = on_error == "block"
    if event is None:
        # Without the event we cannot pick its fields; exit 2 with failClosed blocks.
        return Answer("", text + "\n", 2) if block else Answer()
    if event.kind == "prompt":
        return reply({"continue": not block, "user_message": text})
    if event.kind == "pre-tool":
        if event.name == "beforeReadFile":
            return _permission("deny" if block else "allow")
        return _permission("deny" if block else "allow", text, text if block else "")
    return Answer()
