"""VS Code agent hooks (Preview; `.github/hooks/*.json`, `~/.copilot/hooks`; agent-hooks.md 3.4).

Golden-tested against microsoft/vscode-docs `docs/agent-customization/hooks.md`;
no VS Code runs here, so this is UNVERIFIED against the editor.

- Payload: Claude-like but camelCase common fields (`sessionId`,
  `hookEventName`, `timestamp` ISO), `tool_name` / `tool_input` /
  `tool_response` (a string); VS Code's own tool names (`run_in_terminal`,
  `read_file` with `filePath`/`startLine`/`endLine`, `editFiles`, ...).
- UserPromptSubmit: the common output only: `{"continue": false,
  "stopReason"}` stops it (whether the prompt is then dropped from the
  session is UNVERIFIED).
- PreToolUse: `hookSpecificOutput.permissionDecision: "deny"` + reason.
- PostToolUse: no output rewrite; `decision: "block"` + `reason` (shown to
  the model) stops further processing; the output itself is not replaced.
"""
from __future__ import annotations

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

name = "vscode"
surface = "vscode"

KINDS = {"UserPromptSubmit": "prompt", "PreToolUse": "pre-tool", "PostToolUse": "post-tool"}
IGNORED = frozenset({"SessionStart", "PreCompact", "SubagentStart", "SubagentStop", "Stop"})
OUTBOUND = ("fetch_webpage", "fetch", "vscode_websearchforcopilot_webSearch")
MIN_LEAF = 8


def detect(payload: Mapping[str, Any]) -> bool:
    transcript = payload.get("transcript_path")
    return ("hookEventName" in payload and "sessionId" in payload) or (
        isinstance(transcript, str) and "github.copilot-chat" in transcript)


def parse(payload: Mapping[str, Any]) -> Event:
    from promptguard.surfaces.hooks.hosts import claude_code

    event = payload.get("hookEventName", payload.get("hook_event_name"))
    if not isinstance(event, str):
        raise InputError("hook payload: no 'hookEventName' string")
    cwd: str = payload["cwd"] if isinstance(payload.get("cwd"), str) else ""
    session = payload.get("sessionId", payload.get("session_id", ""))
    common: dict[str, Any] = {"host": name, "name": event, "cwd": cwd,
                              "session": session if isinstance(session, str) else "",
                              "payload": payload}
    if event in IGNORED:
        return Event(kind="other", **common)
    if event not in KINDS:
        raise InputError(f"hook payload: unknown VS Code event {event[:40]!r}")
    if event == "UserPromptSubmit":
        prompt = payload.get("prompt")
        if not isinstance(prompt, str):
            raise InputError("hook payload: UserPromptSubmit without a 'prompt' string")
        return Event(kind="prompt", texts=(Text("prompt", prompt),), **common)
    tool = payload.get("tool_name")
    if not isinstance(tool, str):
        raise InputError(f"hook payload: {event} without a 'tool_name' string")
    notes: list[str] = []
    if event == "PreToolUse":
        args = payload.get("tool_input")
        args = args if isinstance(args, Mapping) else {}
        if tool == "run_in_terminal" and isinstance(args.get("command"), str):
            texts = claude_code._tool_texts("Bash", {"command": args["command"]}, cwd, notes)
        elif tool == "read_file" and isinstance(args.get("filePath"), str):
            read: dict[str, Any] = {"file_path": args["filePath"]}
            start, end = args.get("startLine"), args.get("endLine")
            if isinstance(start, int):
                read["offset"] = start
                if isinstance(end, int) and end >= start:
                    read["limit"] = end - start + 1
            texts = claude_code._tool_texts("Read", read, cwd, notes)
        else:
            texts = [Text(f"{tool} {label_path(p) or 'input'}", v, p)
                     for p, v in string_leaves(args)]
        return Event(kind="pre-tool", tool=tool, texts=tuple(texts), notes=tuple(notes),
                     **common)
    texts = [Text(f"{tool} output ({label_path(p) or 'text'})", v, p)
             for p, v in string_leaves(payload.get("tool_response"), min_len=MIN_LEAF)]
    return Event(kind="post-tool", tool=tool, texts=tuple(texts), **common)


def _deny(reason: str) -> Answer:
    return reply({"hookSpecificOutput": {"hookEventName": "PreToolUse",
                                         "permissionDecision": "deny",
                                         "permissionDecisionReason": reason}})


def render(event: Event, outcome: Outcome) -> Answer:
    if event.kind == "prompt":
        if outcome.action in ("block", "redact"):
            return reply({"continue": False, "stopReason": messages.prompt_blocked(outcome)})
        if outcome.action == "warn":
            return reply({"systemMessage": messages.warned("this prompt", outcome)})
        return Answer()
    if event.kind == "pre-tool":
        outbound = event.tool in OUTBOUND or event.tool.startswith("mcp_")
        if outcome.action == "block" or (outcome.action == "redact" and outbound):
            actions = ("block", "redact") if outcome.action == "redact" else ("block",)
            return _deny(messages.tool_denied(event.tool, outcome, actions))
        if outcome.has("warn"):
            return reply({"systemMessage": messages.warned(f"this {event.tool} call", outcome)})
        return Answer()
    if event.kind == "post-tool" and outcome.scanned and outcome.action in ("block", "redact"):
        ids = ", ".join(messages.rule_ids(outcome))
        return reply({"decision": "block", "reason": (
            f"promptguard: the {event.tool} output holds sensitive values ({ids}); VS Code "
            "cannot redact tool output, so processing stops here. The values must not be "
            "repeated or used.")})
    return Answer()


def render_error(event: Event | None, message: str, on_error: str) -> Answer:
    what = "event" if event is None else {
        "prompt": "prompt", "pre-tool": f"{event.tool} call",
        "post-tool": f"{event.tool} output"}.get(event.kind, "event")
    text = messages.unscanned(what, message, on_error)
    if on_error != "block" or (event is not None and event.kind == "other"):
        return reply({"systemMessage": text})
    if event is None:
        return Answer("", text + "\n", 2)  # exit 2 blocks every VS Code event
    if event.kind == "prompt":
        return reply({"continue": False, "stopReason": text})
    if event.kind == "pre-tool":
        return _deny(text)
    return reply({"decision": "block", "reason": text})
