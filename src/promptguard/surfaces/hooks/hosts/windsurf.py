"""Windsurf Cascade hooks (`~/.codeium/windsurf/hooks.json`, `.windsurf/hooks.json`).

Golden-tested against docs.windsurf.com/windsurf/cascade/hooks (agent-hooks.md
3.5); no Windsurf runs here, so this is UNVERIFIED against the editor.

Pre-hooks block by exiting 2 (the message on stderr, shown to the user with
`show_output`); there is no JSON decision, no rewrite of prompts, tool
inputs or outputs. Post-hooks cannot change anything: promptguard answers
them with nothing. Payload: `agent_action_name`, `trajectory_id`,
`tool_info` (`user_prompt`; `command_line` + `cwd`; `file_path`; `edits`;
MCP server, tool and arguments: exact MCP keys UNVERIFIED, so every string
in `tool_info` is scanned).
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
from promptguard.surfaces.hooks.event import string_leaves

name = "windsurf"
surface = "windsurf"

KINDS = {
    "pre_user_prompt": "prompt",
    "pre_read_code": "pre-tool",
    "pre_write_code": "pre-tool",
    "pre_run_command": "pre-tool",
    "pre_mcp_tool_use": "pre-tool",
}
IGNORED = frozenset({
    "post_read_code", "post_write_code", "post_run_command", "post_mcp_tool_use",
    "post_cascade_response", "post_cascade_response_with_transcript", "post_setup_worktree",
})
TOOLS = {"pre_read_code": "read_code", "pre_write_code": "write_code",
         "pre_run_command": "run_command", "pre_mcp_tool_use": "mcp_tool"}


def detect(payload: Mapping[str, Any]) -> bool:
    return "agent_action_name" in payload


def parse(payload: Mapping[str, Any]) -> Event:
    from promptguard.surfaces.hooks.hosts import claude_code

    event = payload.get("agent_action_name")
    if not isinstance(event, str):
        raise InputError("hook payload: no 'agent_action_name' string")
    info = payload.get("tool_info")
    info = info if isinstance(info, Mapping) else {}
    cwd: str = info["cwd"] if isinstance(info.get("cwd"), str) else ""
    session = payload.get("trajectory_id", "")
    common: dict[str, Any] = {"host": name, "name": event, "cwd": cwd,
                              "session": session if isinstance(session, str) else "",
                              "payload": payload}
    if event in IGNORED:
        return Event(kind="other", **common)
    if event not in KINDS:
        raise InputError(f"hook payload: unknown Windsurf event {event[:40]!r}")
    if event == "pre_user_prompt":
        prompt = info.get("user_prompt")
        if not isinstance(prompt, str):
            raise InputError("hook payload: pre_user_prompt without tool_info.user_prompt")
        return Event(kind="prompt", texts=(Text("prompt", prompt),), **common)
    tool = TOOLS[event]
    notes: list[str] = []
    texts: list[Text] = []
    if event == "pre_run_command" and isinstance(info.get("command_line"), str):
        texts = claude_code._tool_texts("Bash", {"command": info["command_line"]}, cwd, notes)
    elif event == "pre_read_code" and isinstance(info.get("file_path"), str):
        texts = claude_code._tool_texts("Read", {"file_path": info["file_path"],
                                                 "limit": 10**9}, cwd, notes)
    else:
        texts = [Text(f"{tool} {label_path(p) or 'input'}", v, p)
                 for p, v in string_leaves(info)]
    return Event(kind="pre-tool", tool=tool, texts=tuple(texts), notes=tuple(notes), **common)


def _block(message: str) -> Answer:
    return Answer("", message + "\n", 2)


def render(event: Event, outcome: Outcome) -> Answer:
    if event.kind == "prompt" and outcome.action in ("block", "redact"):
        return _block(messages.prompt_blocked(outcome))
    if event.kind == "pre-tool":
        outbound = event.tool == "mcp_tool"
        if outcome.action == "block" or (outcome.action == "redact" and outbound):
            actions = ("block", "redact") if outcome.action == "redact" else ("block",)
            return _block(messages.tool_denied(event.tool, outcome, actions))
    return Answer()


def render_error(event: Event | None, message: str, on_error: str) -> Answer:
    what = "event" if event is None else {"prompt": "prompt",
                                          "pre-tool": f"{event.tool} call"}.get(event.kind,
                                                                                "event")
    text = messages.unscanned(what, message, on_error)
    if on_error == "block" and (event is None or event.kind != "other"):
        return _block(text)
    return Answer("", text + "\n", 0)
