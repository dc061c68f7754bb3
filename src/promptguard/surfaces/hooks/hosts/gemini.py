"""Gemini CLI (`settings.json` -> `hooks`; ../shared/reference/agent-hooks.md 0.3, 3.2).

Read from the 0.61.0 bundle (packages/core hooks code) and checked end to end
against the real CLI (tests/surfaces/hooks/gemini_e2e_test.py):

- BeforeModel: the one file-configured hook of any agent that can change
  what reaches the model. Gemini maps `hookSpecificOutput.llm_request.messages`
  back onto the request *by position* (each message replaces the text parts
  of the next content that has text; other parts stay), so the answer is the
  whole message list with the sensitive values replaced by placeholders.
  This is where a `redact` verdict on a typed prompt is carried out.
- BeforeAgent: `decision: "deny"` blocks the turn and drops the prompt from
  history (a `block` verdict). A `redact` verdict lets the prompt through
  (BeforeModel redacts it) only when the model is pinned: with the default
  `auto` model the CLI first sends the prompt to a routing classifier, a
  request that does not pass through BeforeModel (seen with the real CLI).
  Otherwise the prompt is blocked and a redacted copy offered, as on hosts
  that cannot rewrite prompts.
- BeforeTool: `decision: "deny"` + `reason` (the reason goes to the model).
- AfterTool: 0.61.0 does not apply the documented
  `hookSpecificOutput.tool_output`; `decision: "deny"` makes the model get
  "Tool result blocked: <reason>" instead of the output, so the reason
  carries the redacted output.
- Exit 2 (reason on stderr) blocks every one of these; used when no event
  could be parsed.
"""
from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from promptguard.errors import InputError
from promptguard.surfaces.hooks import messages
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

name = "gemini"
surface = "gemini"

# BeforeModel is redaction (like a tool's output): "post-tool" to the core.
KINDS = {
    "BeforeAgent": "prompt",
    "BeforeTool": "pre-tool",
    "AfterTool": "post-tool",
    "BeforeModel": "post-tool",
}
MODEL = "model request"
GEMINI_ONLY = frozenset({
    "BeforeAgent", "AfterAgent", "BeforeTool", "AfterTool", "BeforeModel", "AfterModel",
    "BeforeToolSelection", "PreCompress",
})
IGNORED = frozenset({
    "AfterAgent", "AfterModel", "BeforeToolSelection", "PreCompress", "Notification",
    "SessionStart", "SessionEnd",
})
# Tools whose arguments leave the machine.
OUTBOUND = ("web_fetch", "google_web_search")
MIN_LEAF = 8


def detect(payload: Mapping[str, Any]) -> bool:
    event = payload.get("hook_event_name")
    if event in GEMINI_ONLY:
        return True
    transcript = payload.get("transcript_path")
    return (event in IGNORED and isinstance(transcript, str)
            and "/.gemini/" in transcript.replace("\\", "/"))


def _tool_texts(tool: str, tool_input: Mapping[str, Any], cwd: str,
                notes: list[str]) -> list[Text]:
    from promptguard.surfaces.hooks.hosts import claude_code

    if tool == "run_shell_command" and isinstance(tool_input.get("command"), str):
        return claude_code._tool_texts("Bash", {"command": tool_input["command"]}, cwd, notes)
    path = tool_input.get("file_path", tool_input.get("absolute_path"))
    if tool == "read_file" and isinstance(path, str):
        # Gemini's offset is 0-based; Claude Code's Read (the helper) 1-based.
        offset = tool_input.get("offset")
        limit = tool_input.get("limit")
        read = {"file_path": path}
        if isinstance(offset, int):
            read["offset"] = offset + 1  # type: ignore[assignment]
        if isinstance(limit, int):
            read["limit"] = limit  # type: ignore[assignment]
        return claude_code._tool_texts("Read", read, cwd, notes)
    return [Text(f"{tool} {label_path(p) or 'input'}", v, p) for p, v in string_leaves(tool_input)]


def parse(payload: Mapping[str, Any]) -> Event:
    event = payload_str(payload, "hook_event_name")
    common: dict[str, Any] = {"host": name, "name": event,
              "session": payload_str(payload, "session_id"),
              "cwd": payload_str(payload, "cwd"), "payload": payload}
    if event in IGNORED:
        return Event(kind="other", **common)
    kind = KINDS.get(event)
    if kind is None:
        raise InputError(f"hook payload: unknown Gemini CLI event {event[:40]!r}")
    if event == "BeforeAgent":
        prompt = payload.get("prompt")
        if not isinstance(prompt, str):
            raise InputError("hook payload: BeforeAgent without a 'prompt' string")
        return Event(kind="prompt", texts=(Text("prompt", prompt),), **common)
    if event == "BeforeModel":
        request = payload.get("llm_request")
        msgs = request.get("messages") if isinstance(request, Mapping) else None
        if not isinstance(msgs, list):
            raise InputError("hook payload: BeforeModel without 'llm_request.messages'")
        texts = []
        for i, m in enumerate(msgs):
            # Gemini always sends string contents; anything else would be
            # echoed back unscanned, so it is refused instead.
            if not isinstance(m, Mapping) or not isinstance(m.get("content"), str):
                raise InputError(f"hook payload: BeforeModel message {i + 1} has no string "
                                 "'content'")
            role = m.get("role") if isinstance(m.get("role"), str) else "message"
            texts.append(Text(f"{MODEL} ({role} message {i + 1})", m["content"], (i,)))
        return Event(kind="post-tool", tool=MODEL, texts=tuple(texts), **common)
    tool = payload_str(payload, "tool_name")
    if event == "BeforeTool":
        tool_input = payload.get("tool_input")
        if not isinstance(tool_input, Mapping):
            raise InputError("hook payload: BeforeTool without a 'tool_input' object")
        notes: list[str] = []
        texts = _tool_texts(tool, tool_input, common["cwd"], notes)
        return Event(kind="pre-tool", tool=tool, texts=tuple(texts), notes=tuple(notes),
                     **common)
    response = payload.get("tool_response")
    if not isinstance(response, Mapping):
        raise InputError("hook payload: AfterTool without a 'tool_response' object")
    content = response.get("llmContent")
    texts = [Text(f"{tool} output ({label_path(p) or 'text'})", v, p)
             for p, v in string_leaves(content, min_len=MIN_LEAF)]
    return Event(kind="post-tool", tool=tool, texts=tuple(texts), **common)


UNPINNED = ("(Gemini CLI could send the prompt itself instead, with the values replaced, if "
            "the model were pinned: with the `auto` model the prompt first goes to a "
            "model-routing request that hooks cannot redact. Set model.name in "
            "~/.gemini/settings.json to let promptguard redact in place.)")


def model_pinned(cwd: str) -> bool:
    """Is a non-`auto` model configured (so Gemini skips its routing request)?"""
    import os

    model = os.environ.get("GEMINI_MODEL", "")
    for path in (os.path.join(os.path.expanduser("~"), ".gemini", "settings.json"),
                 os.path.join(cwd, ".gemini", "settings.json") if cwd else ""):
        try:
            with open(path, encoding="utf-8") as f:
                doc = json.load(f)
        except (OSError, ValueError):
            continue
        section = doc.get("model") if isinstance(doc, dict) else None
        if isinstance(section, dict) and isinstance(section.get("name"), str):
            model = section["name"]
    return bool(model) and not model.startswith("auto")


def _deny(reason: str) -> Answer:
    return reply({"decision": "deny", "reason": reason})


def render(event: Event, outcome: Outcome) -> Answer:
    if event.kind == "prompt":
        if outcome.action == "block":
            return _deny(messages.prompt_blocked(outcome._replace(redacted_prompt=None)))
        if outcome.action == "redact" and not model_pinned(event.cwd):
            return _deny(messages.prompt_blocked(outcome) + "\n" + UNPINNED)
        if outcome.action == "redact":
            ids = ", ".join(messages.rule_ids(outcome))
            return reply({"systemMessage": (
                f"promptguard: this prompt holds {ids}; the values are replaced by "
                "placeholders before the request reaches the model (BeforeModel hook).")})
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
    if event.kind == "post-tool":
        return _render_redaction(event, outcome)
    return Answer()


def _request(event: Event, new: Mapping[JsonPath, str]) -> Answer:
    msgs = event.payload["llm_request"]["messages"]
    out = [
        {**m, "content": new[(i,)]} if (i,) in new else m
        for i, m in enumerate(msgs)
    ]
    return reply({"hookSpecificOutput": {"hookEventName": "BeforeModel",
                                         "llm_request": {"messages": out}}})


def _render_redaction(event: Event, outcome: Outcome) -> Answer:
    new, withheld = outcome.rewrites()
    if not new:
        return Answer()
    if event.tool == MODEL:
        return _request(event, new)
    notes = []
    if outcome.replaced:
        notes.append(messages.output_redacted(event.tool, outcome))
    if withheld:
        notes.append(messages.output_withheld(event.tool, withheld))
    return _tool_replacement(event, new, notes)


def _tool_replacement(event: Event, new: Mapping[JsonPath, str], notes: list[str]) -> Answer:
    content = replace_leaves(event.payload["tool_response"].get("llmContent"), new)
    text = content if isinstance(content, str) else "\n".join(
        v for _, v in string_leaves(content))
    reason = (" ".join(notes) + " The tool ran; this is its output with the values "
              "replaced:\n" + text)
    return _deny(reason)


def render_error(event: Event | None, message: str, on_error: str) -> Answer:
    if event is None:
        text = messages.unscanned("event", message, on_error)
        if on_error == "block":
            return Answer("", text + "\n", 2)
        return reply({"systemMessage": text})
    what = {"prompt": "prompt", "pre-tool": f"{event.tool} call",
            "post-tool": (MODEL if event.tool == MODEL else f"{event.tool} output")}.get(
        event.kind, "event")
    text = messages.unscanned(what, message, on_error)
    if on_error != "block" or event.kind == "other":
        return reply({"systemMessage": text})
    return _deny(text)
