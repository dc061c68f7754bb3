"""Claude Code (`~/.claude/settings.json` hooks; ../shared/reference/agent-hooks.md section 1).

Events and answers (verified against Claude Code 2.1.328 where noted):

- UserPromptSubmit: top-level `decision: "block"` + `reason`, with
  `hookSpecificOutput.suppressOriginalPrompt: true` (verified: only inside
  hookSpecificOutput) so the CLI does not echo the prompt back. `@path`
  mentions are inlined without any tool call, so their files are scanned here.
- PreToolUse: `hookSpecificOutput.permissionDecision: "deny"` with a reason.
- PostToolUse: `hookSpecificOutput.updatedToolOutput` in the tool's own
  shape (every string put back where it was; verified for Bash) and
  `additionalContext` saying values were replaced.
- ConfigChange: top-level `decision: "block"` (the tamper guard).

Exit code is 0 whenever JSON is written (exit 1 would let everything
through); only a failure with no parsed event blocks with exit 2.
"""
from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

from promptguard.errors import InputError
from promptguard.surfaces.hooks import messages
from promptguard.surfaces.hooks.event import WITHHELD
from promptguard.surfaces.hooks.event import Answer
from promptguard.surfaces.hooks.event import Event
from promptguard.surfaces.hooks.event import Outcome
from promptguard.surfaces.hooks.event import Text
from promptguard.surfaces.hooks.event import label_path
from promptguard.surfaces.hooks.event import payload_str
from promptguard.surfaces.hooks.event import replace_leaves
from promptguard.surfaces.hooks.event import reply
from promptguard.surfaces.hooks.event import string_leaves

name = "claude-code"
surface = "claude-code"

# Events a promptguard install registers, and the others Claude Code sends
# that we accept and ignore (a user may point a catch-all hook at us).
KINDS = {
    "UserPromptSubmit": "prompt",
    "PreToolUse": "pre-tool",
    "PostToolUse": "post-tool",
    "ConfigChange": "config-change",
}
IGNORED = frozenset({
    "SessionStart", "SessionEnd", "Stop", "SubagentStop", "SubagentStart", "Notification",
    "PreCompact", "PostCompact", "PostToolUseFailure", "PostToolBatch", "PermissionRequest",
    "PermissionDenied", "UserPromptExpansion", "InstructionsLoaded", "FileChanged",
    "MessageDisplay", "TaskCreated", "TaskCompleted", "TeammateIdle", "WorktreeCreate",
    "WorktreeRemove", "CwdChanged", "Elicitation", "ElicitationResult", "StopFailure",
})
# Tools whose input leaves the machine: a `redact` verdict denies them too,
# since there is no output step at which to redact what they send.
OUTBOUND = ("WebFetch", "WebSearch")
# Read's default line limit (Claude Code reads the first 2000 lines).
READ_LIMIT = 2000
# How much of a mentioned or read file we scan; the rest is reported.
FILE_CAP = 8 * 1024 * 1024
# Post-tool strings shorter than this cannot hold a secret any rule matches.
MIN_LEAF = 8


def detect(payload: Mapping[str, Any]) -> bool:
    event = payload.get("hook_event_name")
    return (isinstance(event, str) and (event in KINDS or event in IGNORED)
            and "session_id" in payload)


# -- reading files the host would read ------------------------------------------

def _resolve(path: str, cwd: str) -> str:
    path = os.path.expanduser(path)
    return path if os.path.isabs(path) else os.path.join(cwd or os.getcwd(), path)


def _read_text(path: str, notes: list[str], label: str,
               first: int = 1, limit: int | None = None) -> str | None:
    """A text file (lines first..first+limit-1 when given), or None with a note."""
    try:
        with open(path, "rb") as f:
            data = f.read(FILE_CAP + 1)
    except OSError as e:
        notes.append(f"{label}: not read ({e.strerror})")
        return None
    if b"\0" in data[:8192]:
        notes.append(f"{label}: binary, not scanned")
        return None
    if len(data) > FILE_CAP:
        notes.append(f"{label}: only the first {FILE_CAP // (1024 * 1024)} MB scanned")
        data = data[:FILE_CAP]
    text = data.decode("utf-8", "replace")
    if limit is None and first <= 1:
        return text
    lines = text.splitlines(keepends=True)
    start = max(first, 1) - 1
    return "".join(lines[start:start + (limit if limit is not None else len(lines))])


def _mentions(prompt: str) -> list[str]:
    """`@path`, `@"path with spaces"`, `@file:path`, `@path#L3-9` (not emails)."""
    import re

    out = []
    for m in re.finditer(r'(?<![\w@])@(?:"([^"\n]+)"|([^\s"\'`,;()\[\]{}<>]+))', prompt):
        raw = m.group(1) or m.group(2)
        if raw.startswith("file:"):
            raw = raw[5:]
        raw = raw.split("#", 1)[0].rstrip(".,:;!?")
        if raw:
            out.append(raw)
    return out


def _mentioned_files(prompt: str, cwd: str, notes: list[str]) -> list[Text]:
    texts = []
    for mention in dict.fromkeys(_mentions(prompt)):
        path = _resolve(mention, cwd)
        if not os.path.isfile(path):
            continue  # a directory, an agent name (@agent-x), or not a path at all
        text = _read_text(path, notes, f"@{mention}")
        if text is not None:
            texts.append(Text(f"@{mention}", text))
    return texts


# Commands that print (part of) the files they are given.
READERS = frozenset({
    "cat", "head", "tail", "less", "more", "bat", "batcat", "nl", "tac", "strings", "xxd",
    "od", "hexdump", "base64", "grep", "egrep", "fgrep", "rg", "ag", "awk", "sed", "cut",
    "sort", "uniq", "jq", "yq", "source", ".", "type", "Get-Content", "gc", "diff", "column",
})
ENV_DUMPERS = frozenset({"printenv", "env", "set", "export", "declare", "Get-ChildItem"})
SEPARATORS = frozenset({"|", "||", "&&", ";", "&", "(", ")", ";;", "|&", "\n"})


def _words(command: str) -> list[str]:
    import shlex

    lex = shlex.shlex(command, posix=True, punctuation_chars=True)
    lex.whitespace_split = True
    try:
        return list(lex)
    except ValueError:  # unbalanced quotes: the shell will reject it too
        return command.split()


def _shell_reads(command: str, cwd: str, notes: list[str]) -> list[Text]:
    """Files a shell command prints, and the environment when it dumps it."""
    texts: list[Text] = []
    segment: list[str] = []
    words = [*_words(command), ";"]
    redirect_from = False
    for w in words:
        if w in SEPARATORS:
            if segment:
                texts += _segment_reads(segment, cwd, notes)
            segment = []
            continue
        if w == "<":
            redirect_from = True
            continue
        if redirect_from:
            texts += _file_texts([w], cwd, notes, "read by the shell")
            redirect_from = False
            continue
        segment.append(w)
    return texts


def _segment_reads(words: list[str], cwd: str, notes: list[str]) -> list[Text]:
    # skip `sudo`, `VAR=x` prefixes and `command`/`exec` wrappers
    while words and (words[0] in ("sudo", "command", "exec", "nohup", "time")
                     or ("=" in words[0] and not words[0].startswith("="))):
        words = words[1:]
    if not words:
        return []
    prog = os.path.basename(words[0])
    args = [w for w in words[1:] if not w.startswith("-")]
    dumps_env = not args or words[1:] in (["-p"], ["-x"]) or (
        prog == "Get-ChildItem" and args[0].lower().startswith("env:"))
    if prog in ENV_DUMPERS and dumps_env:
        env = "".join(f"{k}={v}\n" for k, v in sorted(os.environ.items()))
        return [Text(f"environment ({prog})", env)]
    if prog in READERS:
        return _file_texts(args, cwd, notes, f"read by {prog}")
    return []


def _file_texts(args: list[str], cwd: str, notes: list[str], why: str) -> list[Text]:
    texts = []
    for a in args:
        path = _resolve(a, cwd)
        if os.path.isfile(path):
            label = f"{a} ({why})"
            text = _read_text(path, notes, label)
            if text is not None:
                texts.append(Text(label, text))
    return texts


def _tool_texts(tool: str, tool_input: Mapping[str, Any], cwd: str,
                notes: list[str]) -> list[Text]:
    if tool in ("Bash", "PowerShell"):
        command = tool_input.get("command")
        if not isinstance(command, str):
            raise InputError(f"hook payload: {tool} tool_input has no 'command' string")
        return [Text(f"{tool} command", command), *_shell_reads(command, cwd, notes)]
    if tool == "Read":
        path = tool_input.get("file_path")
        if not isinstance(path, str):
            raise InputError("hook payload: Read tool_input has no 'file_path' string")
        offset = tool_input.get("offset")
        limit = tool_input.get("limit")
        first = offset if isinstance(offset, int) and offset > 0 else 1
        count = limit if isinstance(limit, int) and limit > 0 else READ_LIMIT
        label = f"{path} (lines {first}-{first + count - 1})"
        full = _resolve(path, cwd)
        if not os.path.isfile(full):
            return []  # Read reports the missing file itself
        text = _read_text(full, notes, label, first, count)
        return [] if text is None else [Text(label, text)]
    texts = []
    for path, value in string_leaves(tool_input):
        texts.append(Text(f"{tool} {label_path(path) or 'input'}", value, path))
    return texts


# -- parse ----------------------------------------------------------------------

def parse(payload: Mapping[str, Any]) -> Event:
    event = payload_str(payload, "hook_event_name")
    session = payload_str(payload, "session_id")
    cwd = payload_str(payload, "cwd")
    base = Event(host=name, kind="other", name=event, session=session, cwd=cwd,
                 payload=payload)
    if event in IGNORED:
        return base
    kind = KINDS.get(event)
    if kind is None:
        # Echo a name only when it reads like one: the field could hold anything.
        import re

        shown = repr(event) if re.fullmatch(r"[A-Z][a-z]+(?:[A-Z][a-z0-9]*){0,6}", event) \
            else f"(a {len(event)}-character value that is not an event name)"
        raise InputError(f"hook payload: unknown Claude Code event {shown}")
    notes: list[str] = []
    if kind == "prompt":
        if not isinstance(payload.get("prompt"), str):
            raise InputError("hook payload: UserPromptSubmit without a 'prompt' string")
        prompt = payload["prompt"]
        texts = [Text("prompt", prompt), *_mentioned_files(prompt, cwd, notes)]
        return base._replace(kind="prompt", texts=tuple(texts), notes=tuple(notes))
    if kind == "config-change":
        return base._replace(kind="config-change", problem=_tamper(payload))
    tool = payload_str(payload, "tool_name")
    if kind == "pre-tool":
        tool_input = payload.get("tool_input")
        if not isinstance(tool_input, Mapping):
            raise InputError("hook payload: PreToolUse without a 'tool_input' object")
        texts = _tool_texts(tool, tool_input, cwd, notes)
        problem = _tamper_by_tool(tool, tool_input) if tool in EDITORS else ""
        return base._replace(kind="pre-tool", tool=tool, texts=tuple(texts), notes=tuple(notes),
                             problem=problem)
    if "tool_response" not in payload:
        raise InputError("hook payload: PostToolUse without 'tool_response'")
    response = payload["tool_response"]
    texts = [Text(f"{tool} output ({label_path(p) or 'text'})", v, p)
             for p, v in string_leaves(response, min_len=MIN_LEAF)]
    return base._replace(kind="post-tool", tool=tool, texts=tuple(texts))


EDITORS = frozenset({"Write", "Edit", "MultiEdit"})
# Set in Claude Code's settings `env` by `install --via-gateway` (hooks inherit it).
VIA_GATEWAY_ENV = "PROMPTGUARD_VIA_GATEWAY"


def _tamper_by_tool(tool: str, tool_input: Mapping[str, Any]) -> str:
    """The tamper guard for the agent's own edits of a guarded settings file."""
    path = tool_input.get("file_path")
    if not isinstance(path, str) or not path.endswith(".json") or ".claude" not in path:
        return ""  # cheap: only settings files are looked at further
    from promptguard.surfaces.hooks.setup import claude_code as setup

    text = setup.edited_text(tool, tool_input)
    return setup.tamper_problem(path, "" if text is None else text)


def _tamper(payload: Mapping[str, Any]) -> str:
    """Why this settings change must not apply ("" when it may)."""
    if payload.get("source") == "policy_settings":
        return ""  # managed settings cannot be blocked, and are the admin's own
    path = payload.get("file_path")
    if not isinstance(path, str) or not path:
        return ""
    from promptguard.surfaces.hooks.setup import claude_code as setup

    return setup.tamper_problem(path)


# -- render ---------------------------------------------------------------------

def _specific(event: Event, **fields: Any) -> dict[str, Any]:
    return {"hookEventName": event.name, **fields}


def render(event: Event, outcome: Outcome) -> Answer:
    if event.kind == "prompt":
        if outcome.action == "redact" and os.environ.get(VIA_GATEWAY_ENV) == "1":
            # `install --via-gateway` routes the API traffic through
            # `promptguard gateway`, which replaces these values on the way
            # out: no need to block and ask for a resend.
            return reply({"systemMessage": "\n".join([
                "promptguard: the promptguard gateway replaces these with placeholders "
                "before this prompt leaves the machine:",
                *messages.finding_lines(outcome, ("redact",))])})
        if outcome.action in ("block", "redact"):
            return reply({
                "decision": "block",
                "reason": messages.prompt_blocked(outcome),
                "hookSpecificOutput": _specific(event, suppressOriginalPrompt=True),
            })
        if outcome.action == "warn":
            return reply({"systemMessage": messages.warned("this prompt", outcome)})
        return Answer()
    if event.kind == "pre-tool":
        if event.problem:
            return reply({"hookSpecificOutput": _specific(
                event, permissionDecision="deny", permissionDecisionReason=event.problem)})
        deny = outcome.action == "block" or (
            outcome.action == "redact"
            and (event.tool in OUTBOUND or event.tool.startswith("mcp__")))
        if deny:
            return reply({"hookSpecificOutput": _specific(
                event, permissionDecision="deny",
                permissionDecisionReason=messages.tool_denied(
                    event.tool, outcome, ("block", "redact") if outcome.action == "redact"
                    else ("block",)),
            )})
        if outcome.has("warn"):
            return reply({"systemMessage": messages.warned(f"this {event.tool} call", outcome)})
        return Answer()
    if event.kind == "post-tool":
        return _render_output(event, outcome)
    if event.kind == "config-change" and event.problem:
        return reply({"decision": "block", "reason": event.problem})
    return Answer()


def _render_output(event: Event, outcome: Outcome) -> Answer:
    new, withheld = outcome.rewrites()
    if not new:
        return Answer()
    context = []
    if outcome.replaced:
        context.append(messages.output_redacted(event.tool, outcome))
    if withheld:
        context.append(messages.output_withheld(event.tool, withheld))
    response = replace_leaves(event.payload.get("tool_response"), new)
    return reply({"hookSpecificOutput": _specific(
        event, updatedToolOutput=response, additionalContext=" ".join(context),
    )})


def render_error(event: Event | None, message: str, on_error: str) -> Answer:
    if event is None:
        if on_error == "block":
            text = messages.unscanned("event", message, on_error)
            # Without a parsed event we cannot pick the event's own fields:
            # exit 2 blocks every blockable event, and `reason` is its message.
            return reply({"decision": "block", "reason": text}, 2, text + "\n")
        return reply({"systemMessage": messages.unscanned("event", message, on_error)})
    what = {"prompt": "prompt", "pre-tool": f"{event.tool} call",
            "post-tool": f"{event.tool} output", "config-change": "settings change"}.get(
        event.kind, "event")
    text = messages.unscanned(what, message, on_error)
    if on_error != "block" or event.kind == "other":
        return reply({"systemMessage": text})
    if event.kind == "prompt":
        return reply({"decision": "block", "reason": text,
                      "hookSpecificOutput": _specific(event, suppressOriginalPrompt=True)})
    if event.kind == "pre-tool":
        return reply({"hookSpecificOutput": _specific(
            event, permissionDecision="deny", permissionDecisionReason=text)})
    if event.kind == "post-tool":
        response = event.payload.get("tool_response")
        new = {p: WITHHELD for p, _ in string_leaves(response, min_len=MIN_LEAF)}
        return reply({"hookSpecificOutput": _specific(
            event, updatedToolOutput=replace_leaves(response, new),
            additionalContext=messages.output_withheld(event.tool, ["all of it"]),
        )})
    return reply({"decision": "block", "reason": text})
