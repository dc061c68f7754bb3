"""Find every text-bearing part of an API request body, and nothing else.

A walker returns `Slot`s: (container, key) pairs whose value is a string
the guard must see, with `where`, a location such as
`messages[2].content[0].text` for messages and logs (never the content).

What is deliberately left alone:

* `thinking` and `redacted_thinking` blocks (Anthropic) and `reasoning`
  items (OpenAI): the API checks their `signature` / `encrypted_content`
  against the exact text, so one changed byte fails the request;
* binary sources (base64 images, PDFs, audio, files), ids, signatures and
  `cache_control` markers;
* tool *definitions* (`tools`): the agent's own static schema, not user
  data, and scanning ~20 KB of them on every turn would cost latency.

Tool arguments that travel as JSON text (OpenAI `function.arguments`) are
parsed and their string values become slots, so a placeholder never lands
inside a JSON escape; the text is re-serialized only if a value changed.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any
from typing import NamedTuple

# Block / item types that must pass byte for byte.
ANTHROPIC_OPAQUE_BLOCKS = frozenset({"thinking", "redacted_thinking", "image"})
OPENAI_OPAQUE_ITEMS = frozenset({"reasoning", "item_reference", "compaction"})
OPENAI_OPAQUE_PARTS = frozenset({"input_image", "input_file", "input_audio", "image_url", "file"})
# Keys never scanned in blocks of a type we do not know: identifiers,
# signatures, encrypted or binary payloads, markers.
OPAQUE_KEYS = frozenset({
    "type", "id", "tool_use_id", "call_id", "signature", "data", "encrypted_content",
    "encrypted_index", "media_type", "cache_control", "file_id", "name", "role", "status",
    "citations", "image_url", "file_data", "model",
})


class Slot(NamedTuple):
    container: Any  # dict or list holding the string
    key: Any  # str or int
    where: str

    @property
    def text(self) -> str:
        value = self.container[self.key]
        assert isinstance(value, str)
        return value

    def set(self, value: str) -> None:
        self.container[self.key] = value


class Embedded(NamedTuple):
    """A JSON document carried as a string (tool arguments), parsed."""

    container: Any
    key: Any
    document: Any
    slots: range  # indexes of its string values in Walk.slots


class Walk(NamedTuple):
    slots: list[Slot]
    embedded: list[Embedded]

    def reserialize(self, changed: set[int]) -> None:
        """Write back the JSON-text values some of whose slots (indexes) changed."""
        for e in self.embedded:
            if any(i in changed for i in e.slots):
                e.container[e.key] = json.dumps(e.document, ensure_ascii=False)


def _add(out: Walk, container: Any, key: Any, where: str) -> None:
    value = container.get(key) if isinstance(container, dict) else container[key]
    if isinstance(value, str) and value:
        out.slots.append(Slot(container, key, where))


def _strings(value: Any, where: str, out: Walk, skip: frozenset[str] = frozenset()) -> None:
    """Every string value (not keys) inside a JSON value."""
    if isinstance(value, dict):
        for k, v in value.items():
            if k in skip:
                continue
            if isinstance(v, str):
                _add(out, value, k, f"{where}.{k}")
            else:
                _strings(v, f"{where}.{k}", out, skip)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            if isinstance(v, str):
                _add(out, value, i, f"{where}[{i}]")
            else:
                _strings(v, f"{where}[{i}]", out, skip)


def _json_text(container: Any, key: Any, where: str, out: Walk) -> None:
    """A string holding JSON (tool arguments): its string values, else itself."""
    raw = container.get(key) if isinstance(container, dict) else None
    if not isinstance(raw, str) or not raw:
        return
    try:
        doc = json.loads(raw)
    except ValueError:
        _add(out, container, key, where)
        return
    if not isinstance(doc, (dict, list)):
        _add(out, container, key, where)
        return
    before = len(out.slots)
    _strings(doc, where, out)
    if len(out.slots) > before:
        out.embedded.append(Embedded(container, key, doc, range(before, len(out.slots))))


# -- Anthropic Messages ---------------------------------------------------------

def _anthropic_content(container: dict[str, Any], key: str, where: str, out: Walk) -> None:
    content = container.get(key)
    if isinstance(content, str):
        _add(out, container, key, f"{where}.{key}")
    elif isinstance(content, list):
        for i, block in enumerate(content):
            if isinstance(block, dict):
                _anthropic_block(block, f"{where}.{key}[{i}]", out)


def _anthropic_block(block: dict[str, Any], where: str, out: Walk) -> None:
    kind = block.get("type")
    if kind in ANTHROPIC_OPAQUE_BLOCKS:
        return
    if kind == "text":
        _add(out, block, "text", f"{where}.text")
    elif kind in ("tool_use", "server_tool_use", "mcp_tool_use"):
        _strings(block.get("input"), f"{where}.input", out)
    elif kind in ("tool_result", "mcp_tool_result"):
        _anthropic_content(block, "content", where, out)
    elif kind in ("document", "search_result"):
        for k in ("title", "context"):
            _add(out, block, k, f"{where}.{k}")
        source = block.get("source")
        if kind == "search_result":
            _add(out, block, "source", f"{where}.source")
            _anthropic_content(block, "content", where, out)
        elif isinstance(source, dict):
            if source.get("type") == "text":
                _add(out, source, "data", f"{where}.source.data")
            elif source.get("type") == "content":
                _anthropic_content(source, "content", f"{where}.source", out)
            # base64 / url / file sources: binary or a reference, nothing to read
    else:
        # A block type newer than this code: read its text, not its ids.
        _strings(block, where, out, OPAQUE_KEYS)


def anthropic_messages(body: dict[str, Any]) -> Walk:
    """`POST /v1/messages` and `/v1/messages/count_tokens` bodies."""
    out = Walk([], [])
    system = body.get("system")
    if isinstance(system, str):
        _add(out, body, "system", "system")
    elif isinstance(system, list):
        for i, block in enumerate(system):
            if isinstance(block, dict):
                _anthropic_block(block, f"system[{i}]", out)
    messages = body.get("messages")
    if isinstance(messages, list):
        for i, message in enumerate(messages):
            if isinstance(message, dict):
                _anthropic_content(message, "content", f"messages[{i}]", out)
    return out


# -- OpenAI Chat Completions ----------------------------------------------------------

def _openai_parts(container: dict[str, Any], key: str, where: str, out: Walk) -> None:
    content = container.get(key)
    if isinstance(content, str):
        _add(out, container, key, f"{where}.{key}")
    elif isinstance(content, list):
        for i, part in enumerate(content):
            if not isinstance(part, dict) or part.get("type") in OPENAI_OPAQUE_PARTS:
                continue
            part_where = f"{where}.{key}[{i}]"
            if part.get("type") in ("text", "input_text", "output_text"):
                _add(out, part, "text", f"{part_where}.text")
            elif part.get("type") != "refusal":
                _strings(part, part_where, out, OPAQUE_KEYS)


def openai_chat(body: dict[str, Any]) -> Walk:
    """`POST /v1/chat/completions` bodies."""
    out = Walk([], [])
    messages = body.get("messages")
    if not isinstance(messages, list):
        return out
    for i, message in enumerate(messages):
        if not isinstance(message, dict):
            continue
        where = f"messages[{i}]"
        _openai_parts(message, "content", where, out)
        calls = message.get("tool_calls")
        if isinstance(calls, list):
            for j, call in enumerate(calls):
                function = call.get("function") if isinstance(call, dict) else None
                if isinstance(function, dict):
                    _json_text(function, "arguments", f"{where}.tool_calls[{j}].arguments", out)
        legacy = message.get("function_call")
        if isinstance(legacy, dict):
            _json_text(legacy, "arguments", f"{where}.function_call.arguments", out)
    return out


# -- OpenAI Responses -------------------------------------------------------------------

def _responses_item(item: dict[str, Any], where: str, out: Walk) -> None:
    kind = item.get("type", "message" if "role" in item else None)
    if kind in OPENAI_OPAQUE_ITEMS:
        return
    if kind == "message":
        _openai_parts(item, "content", where, out)
    elif kind == "function_call":
        _json_text(item, "arguments", f"{where}.arguments", out)
    elif kind in ("function_call_output", "custom_tool_call_output", "local_shell_call_output"):
        _openai_parts(item, "output", where, out)
    elif kind == "custom_tool_call":
        _add(out, item, "input", f"{where}.input")
    else:
        _strings(item, where, out, OPAQUE_KEYS)


def openai_responses(body: dict[str, Any]) -> Walk:
    """`POST /v1/responses` bodies."""
    out = Walk([], [])
    _add(out, body, "instructions", "instructions")
    items = body.get("input")
    if isinstance(items, str):
        _add(out, body, "input", "input")
    elif isinstance(items, list):
        for i, item in enumerate(items):
            if isinstance(item, dict):
                _responses_item(item, f"input[{i}]", out)
    return out


Walker = Callable[[dict[str, Any]], Walk]
