"""OpenAI Codex CLI (`~/.codex/hooks.json`; ../shared/reference/agent-hooks.md 0.2, 3.1).

Every answer below was checked against the real Codex CLI 0.169.0
(tests/surfaces/hooks/codex_e2e_test.py):

- Codex parses hook output with `deny_unknown_fields`: a field it does not
  know makes it drop the whole answer and go on as if the hook allowed.
  So each answer carries exactly the fields listed here, nothing else.
- UserPromptSubmit: `{"decision": "block", "reason": ...}`; no request
  reaches the model and the prompt is not recorded in context. No
  `additionalContext` with a block (Codex would record that).
- PreToolUse: `hookSpecificOutput.permissionDecision: "deny"` + reason.
- PostToolUse: 0.169.0 has no `updatedToolOutput` and rejects
  `updatedMCPToolOutput`; but `{"decision": "block", "reason": R}` makes
  the model receive R *instead of* the tool output. promptguard puts the
  redacted output (plus a note) in R, which is the redaction.
- A failure with no parsed event: exit 2 with the reason on stderr, which
  Codex treats as a block for the blockable events.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from promptguard.errors import InputError
from promptguard.surfaces.hooks import messages
from promptguard.surfaces.hooks.event import WITHHELD
from promptguard.surfaces.hooks.event import Answer
from promptguard.surfaces.hooks.event import Event
from promptguard.surfaces.hooks.event import JsonPath
from promptguard.surfaces.hooks.event import Outcome
from promptguard.surfaces.hooks.event import Text
from promptguard.surfaces.hooks.event import label_path
from promptguard.surfaces.hooks.event import payload_str
from promptguard.surfaces.hooks.event import replace_leaves
from promptguard.surfaces.hooks.event import reply
from promptguard.surfaces.hooks.event import string_leaves

name = "codex"
surface = "codex"

KINDS = {
    "UserPromptSubmit": "prompt",
    "PreToolUse": "pre-tool",
    "PostToolUse": "post-tool",
}
# codex-rs/hooks/src/lib.rs HOOK_EVENT_NAMES (0.169.0) besides the above.
IGNORED = frozenset({
    "PermissionRequest", "PreCompact", "PostCompact", "SessionStart", "SubagentStart",
    "SubagentStop", "Stop",
})
MIN_LEAF = 8


def detect(payload: Mapping[str, Any]) -> bool:
    # `turn_id` is a Codex extension no other host sends; the transcript
    # lives under ~/.codex/sessions.
    transcript = payload.get("transcript_path")
    return "turn_id" in payload or (
        isinstance(transcript, str) and "/.codex/" in transcript.replace("\\", "/"))


def parse(payload: Mapping[str, Any]) -> Event:
    # The shell-read and @file helpers are Claude Code's: Codex sends the
    # same `Bash` tool shape (`tool_input.command`).
    from promptguard.surfaces.hooks.hosts import claude_code

    event = payload_str(payload, "hook_event_name")
    common: dict[str, Any] = {"host": name, "name": event,
              "session": payload_str(payload, "session_id"),
              "cwd": payload_str(payload, "cwd"), "payload": payload}
    if event in IGNORED:
        return Event(kind="other", **common)
    kind = KINDS.get(event)
    if kind is None:
        raise InputError(f"hook payload: unknown Codex event {event[:40]!r}")
    notes: list[str] = []
    if kind == "prompt":
        prompt = payload.get("prompt")
        if not isinstance(prompt, str):
            raise InputError("hook payload: UserPromptSubmit without a 'prompt' string")
        texts = [Text("prompt", prompt),
                 *claude_code._mentioned_files(prompt, common["cwd"], notes)]
        return Event(kind="prompt", texts=tuple(texts), notes=tuple(notes), **common)
    tool = payload_str(payload, "tool_name")
    if kind == "pre-tool":
        tool_input = payload.get("tool_input")
        if not isinstance(tool_input, Mapping):
            raise InputError("hook payload: PreToolUse without a 'tool_input' object")
        texts = claude_code._tool_texts(tool, tool_input, common["cwd"], notes)
        return Event(kind="pre-tool", tool=tool, texts=tuple(texts), notes=tuple(notes),
                     **common)
    if "tool_response" not in payload:
        raise InputError("hook payload: PostToolUse without 'tool_response'")
    response = payload["tool_response"]  # a string for Bash, JSON for MCP tools
    texts = [Text(f"{tool} output ({label_path(p) or 'text'})", v, p)
             for p, v in string_leaves(response, min_len=MIN_LEAF)]
    return Event(kind="post-tool", tool=tool, texts=tuple(texts), **common)


def _deny(reason: str) -> Answer:
    return reply({"hookSpecificOutput": {
        "hookEventName": "PreToolUse",
        "permissionDecision": "deny",
        "permissionDecisionReason": reason,
    }})


def render(event: Event, outcome: Outcome) -> Answer:
    if event.kind == "prompt":
        if outcome.action in ("block", "redact"):
            return reply({"decision": "block", "reason": messages.prompt_blocked(outcome)})
        if outcome.action == "warn":
            return reply({"systemMessage": messages.warned("this prompt", outcome)})
        return Answer()
    if event.kind == "pre-tool":
        # MCP arguments leave the machine: a `redact` verdict denies them,
        # as there is no later step at which to redact what they send.
        outbound = event.tool.startswith("mcp__")
        if outcome.action == "block" or (outcome.action == "redact" and outbound):
            actions = ("block", "redact") if outcome.action == "redact" else ("block",)
            return _deny(messages.tool_denied(event.tool, outcome, actions))
        if outcome.has("warn"):
            return reply({"systemMessage": messages.warned(f"this {event.tool} call", outcome)})
        return Answer()
    if event.kind == "post-tool":
        return _render_output(event, outcome)
    return Answer()


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, indent=1)


def _replacement(event: Event, new: Mapping[JsonPath, str], notes: list[str]) -> Answer:
    """The block whose reason Codex hands the model in place of the output."""
    response = replace_leaves(event.payload.get("tool_response"), new)
    reason = _as_text(response).rstrip("\n") + "\n\n[" + " ".join(notes) + "]"
    return reply({"decision": "block", "reason": reason})


def _render_output(event: Event, outcome: Outcome) -> Answer:
    new, withheld = outcome.rewrites()
    if not new:
        return Answer()
    notes = []
    if outcome.replaced:
        notes.append(messages.output_redacted(event.tool, outcome))
    if withheld:
        notes.append(messages.output_withheld(event.tool, withheld))
    return _replacement(event, new, notes)


def render_error(event: Event | None, message: str, on_error: str) -> Answer:
    if event is None:
        text = messages.unscanned("event", message, on_error)
        if on_error == "block":
            return Answer("", text + "\n", 2)
        return reply({"systemMessage": text})
    what = {"prompt": "prompt", "pre-tool": f"{event.tool} call",
            "post-tool": f"{event.tool} output"}.get(event.kind, "event")
    text = messages.unscanned(what, message, on_error)
    if on_error != "block" or event.kind == "other":
        return reply({"systemMessage": text})
    if event.kind == "prompt":
        return reply({"decision": "block", "reason": text})
    if event.kind == "pre-tool":
        return _deny(text)
    response = event.payload.get("tool_response")
    new = {p: WITHHELD for p, _ in string_leaves(response, min_len=1)}
    return _replacement(event, new, [messages.output_withheld(event.tool, ["all of it"])])
