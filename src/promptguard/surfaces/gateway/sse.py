"""Server-sent events: parse the upstream's stream, restore, re-emit.

Events that need no change are re-sent as the exact bytes received. Each
text (or JSON-text) stream of a response gets its own StreamRestorer, which
holds back only a tail that could still become a placeholder; the rest of
a held tail is sent when its block, choice or item ends.
"""
from __future__ import annotations

import json
from typing import Any
from typing import NamedTuple
from typing import Protocol

from promptguard.redaction import Restorer
from promptguard.redaction import StreamRestorer
from promptguard.surfaces.gateway.restore import JsonTextStream
from promptguard.surfaces.gateway.restore import restore_json_text
from promptguard.surfaces.gateway.restore import restore_strings


class SseError(Exception):
    """The upstream's stream broke the SSE format or a size limit."""


class Event(NamedTuple):
    event: str | None
    data: str
    raw: bytes  # as received, blank line included


class SseParser:
    """Incremental: feed bytes, get complete events."""

    def __init__(self, max_event_bytes: int) -> None:
        self._buf = b""
        self._lines: list[bytes] = []
        self._raw: list[bytes] = []
        self._size = 0
        self._max = max_event_bytes

    def feed(self, data: bytes) -> list[Event]:
        self._buf += data
        events: list[Event] = []
        while True:
            nl = self._buf.find(b"\n")
            if nl < 0:
                break
            line, self._buf = self._buf[:nl + 1], self._buf[nl + 1:]
            self._raw.append(line)
            self._size += len(line)
            stripped = line.rstrip(b"\r\n")
            if stripped:
                self._lines.append(stripped)
            elif self._lines:
                events.append(self._event())
            else:
                self._raw.clear()  # stray blank line between events
                self._size = 0
        if self._size + len(self._buf) > self._max:
            raise SseError(f"upstream event larger than {self._max} bytes")
        return events

    def _event(self) -> Event:
        name: str | None = None
        data: list[str] = []
        for line in self._lines:
            text = line.decode("utf-8", "replace")
            field, _, value = text.partition(":")
            value = value[1:] if value.startswith(" ") else value
            if field == "event":
                name = value
            elif field == "data":
                data.append(value)
        raw = b"".join(self._raw)
        self._lines, self._raw, self._size = [], [], 0
        return Event(name, "\n".join(data), raw)

    @property
    def pending(self) -> bool:
        """An event was cut off (the stream ended in the middle of one)."""
        return bool(self._lines or self._buf.strip())


def encode(event: str | None, data: Any) -> bytes:
    head = f"event: {event}\n" if event else ""
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return f"{head}data: {body}\n\n".encode()


class Transformer(Protocol):
    def on_event(self, ev: Event) -> list[bytes]: ...

    def close(self) -> list[bytes]: ...


def _load(ev: Event) -> Any:
    try:
        return json.loads(ev.data)
    except ValueError:
        return None


# -- Anthropic Messages ---------------------------------------------------------

class AnthropicStream:
    """`message_start`, `content_block_delta` (text_delta, input_json_delta), `message_stop`."""

    def __init__(self, restorer: Restorer) -> None:
        self._restorer = restorer
        self._blocks: dict[int, StreamRestorer | JsonTextStream] = {}

    def on_event(self, ev: Event) -> list[bytes]:
        if ev.event not in ("content_block_start", "content_block_delta", "content_block_stop"):
            return [ev.raw]
        data = _load(ev)
        if not isinstance(data, dict) or not isinstance(data.get("index"), int):
            return [ev.raw]
        index = data["index"]
        if ev.event == "content_block_start":
            return self._start(ev, data, index)
        if ev.event == "content_block_stop":
            out = self._flush(index)
            return [*out, ev.raw]
        delta = data.get("delta")
        stream = self._blocks.get(index)
        if not isinstance(delta, dict) or stream is None:
            return [ev.raw]
        key = {"text_delta": "text", "input_json_delta": "partial_json"}.get(delta.get("type", ""))
        if key is None or not isinstance(delta.get(key), str):
            return [ev.raw]  # thinking_delta, signature_delta, citations_delta: untouched
        text = delta[key]
        new = stream.feed(text)
        if new == text:
            return [ev.raw]
        if not new:
            return []
        delta[key] = new
        return [encode(ev.event, data)]

    def _start(self, ev: Event, data: dict[str, Any], index: int) -> list[bytes]:
        block = data.get("content_block")
        if not isinstance(block, dict):
            return [ev.raw]
        kind = block.get("type")
        if kind == "text":
            stream = StreamRestorer(self._restorer)
            self._blocks[index] = stream
            text = block.get("text")
            if isinstance(text, str) and text:
                block["text"] = stream.feed(text)
                return [encode(ev.event, data)]
        elif kind in ("tool_use", "server_tool_use", "mcp_tool_use"):
            self._blocks[index] = JsonTextStream(self._restorer)
            if block.get("input"):
                before = json.dumps(block["input"])
                restore_strings(self._restorer, block["input"])
                if json.dumps(block["input"]) != before:
                    return [encode(ev.event, data)]
        return [ev.raw]

    def _flush(self, index: int) -> list[bytes]:
        stream = self._blocks.pop(index, None)
        if stream is None:
            return []
        rest = stream.flush()
        if not rest:
            return []
        if isinstance(stream, JsonTextStream):
            delta = {"type": "input_json_delta", "partial_json": rest}
        else:
            delta = {"type": "text_delta", "text": rest}
        return [encode("content_block_delta",
                       {"type": "content_block_delta", "index": index, "delta": delta})]

    def close(self) -> list[bytes]:
        return [b for index in sorted(self._blocks) for b in self._flush(index)]


def anthropic_error(message: str, kind: str = "api_error") -> bytes:
    return encode("error", {"type": "error", "error": {"type": kind, "message": message}})


# -- OpenAI Chat Completions ---------------------------------------------------------

class ChatStream:
    """`data: {chat.completion.chunk}` ... `data: [DONE]`."""

    def __init__(self, restorer: Restorer) -> None:
        self._restorer = restorer
        self._text: dict[int, StreamRestorer] = {}
        self._args: dict[tuple[int, int], JsonTextStream] = {}
        self._template: dict[str, Any] = {"object": "chat.completion.chunk"}

    def on_event(self, ev: Event) -> list[bytes]:
        if ev.data.strip() == "[DONE]":
            return [*self.close(), ev.raw]
        data = _load(ev)
        if not isinstance(data, dict) or not isinstance(data.get("choices"), list):
            return [ev.raw]
        for k in ("id", "object", "created", "model", "system_fingerprint"):
            if k in data:
                self._template[k] = data[k]
        changed = False
        for choice in data["choices"]:
            if isinstance(choice, dict):
                changed = self._choice(choice) or changed
        return [encode(ev.event, data)] if changed else [ev.raw]

    def _choice(self, choice: dict[str, Any]) -> bool:
        index = choice.get("index", 0)
        delta = choice.get("delta")
        if not isinstance(delta, dict):
            delta = {}
        changed = False
        content = delta.get("content")
        if isinstance(content, str):
            stream = self._text.setdefault(index, StreamRestorer(self._restorer))
            new = stream.feed(content)
            if new != content:
                delta["content"], changed = new, True
        calls = delta.get("tool_calls")
        if isinstance(calls, list):
            for call in calls:
                fn = call.get("function") if isinstance(call, dict) else None
                if isinstance(fn, dict) and isinstance(fn.get("arguments"), str):
                    key = (index, call.get("index", 0))
                    stream_args = self._args.setdefault(key, JsonTextStream(self._restorer))
                    new = stream_args.feed(fn["arguments"])
                    if new != fn["arguments"]:
                        fn["arguments"], changed = new, True
        if choice.get("finish_reason") is not None:
            rest = self._flush_choice(index)
            if rest:
                _merge(delta, rest)
                choice["delta"] = delta
                changed = True
        return changed

    def _flush_choice(self, index: int) -> dict[str, Any]:
        rest: dict[str, Any] = {}
        text = self._text.pop(index, None)
        if text is not None:
            tail = text.flush()
            if tail:
                rest["content"] = tail
        for key in sorted(k for k in self._args if k[0] == index):
            tail = self._args.pop(key).flush()
            if tail:
                rest.setdefault("tool_calls", []).append(
                    {"index": key[1], "function": {"arguments": tail}})
        return rest

    def close(self) -> list[bytes]:
        out = []
        for index in sorted({*self._text, *(k[0] for k in self._args)}):
            rest = self._flush_choice(index)
            if rest:
                chunk = {**self._template,
                         "choices": [{"index": index, "delta": rest, "finish_reason": None}]}
                out.append(encode(None, chunk))
        return out


def _merge(delta: dict[str, Any], rest: dict[str, Any]) -> None:
    if "content" in rest:
        delta["content"] = (delta.get("content") or "") + rest["content"]
    for call in rest.get("tool_calls", ()):
        calls = delta.setdefault("tool_calls", [])
        same = next((c for c in calls if isinstance(c, dict) and c.get("index") == call["index"]),
                    None)
        if same is None:
            calls.append(call)
        else:
            fn = same.setdefault("function", {})
            fn["arguments"] = (fn.get("arguments") or "") + call["function"]["arguments"]


def openai_error(message: str, kind: str = "api_error") -> bytes:
    return encode(None, {"type": "error",
                         "error": {"message": message, "type": kind, "code": kind, "param": None}})


# -- OpenAI Responses --------------------------------------------------------------

def restore_responses_item(restorer: Restorer, item: Any) -> None:
    if not isinstance(item, dict):
        return
    kind = item.get("type")
    if kind == "message" and isinstance(item.get("content"), list):
        for part in item["content"]:
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                part["text"] = restorer.restore(part["text"])
    elif kind == "function_call" and isinstance(item.get("arguments"), str):
        item["arguments"] = restore_json_text(restorer, item["arguments"])
    elif kind == "custom_tool_call" and isinstance(item.get("input"), str):
        item["input"] = restorer.restore(item["input"])


class ResponsesStream:
    """`response.created` ... `response.output_text.delta` ... `response.completed`."""

    def __init__(self, restorer: Restorer) -> None:
        self._restorer = restorer
        self._streams: dict[tuple[str, Any, Any], StreamRestorer | JsonTextStream] = {}
        self._shift = 0  # events inserted so far: later sequence_numbers move up

    def _key(self, data: dict[str, Any], family: str) -> tuple[str, Any, Any]:
        return (family, data.get("item_id"), data.get("content_index"))

    def on_event(self, ev: Event) -> list[bytes]:
        data = _load(ev)
        if not isinstance(data, dict):
            return [ev.raw]
        kind = data.get("type", ev.event)
        out: list[bytes] = []
        changed = self._shift_seq(data)
        if kind in ("response.output_text.delta", "response.custom_tool_call_input.delta",
                    "response.function_call_arguments.delta"):
            family = "args" if "function_call" in kind else "text"
            key = self._key(data, family)
            stream = self._streams.get(key)
            if stream is None:
                stream = (JsonTextStream(self._restorer) if family == "args"
                          else StreamRestorer(self._restorer))
                self._streams[key] = stream
            delta = data.get("delta")
            if isinstance(delta, str):
                new = stream.feed(delta)
                if new != delta:
                    data["delta"], changed = new, True
        elif kind in ("response.output_text.done", "response.custom_tool_call_input.done",
                      "response.function_call_arguments.done"):
            family = "args" if "function_call" in kind else "text"
            field = {"response.output_text.done": "text",
                     "response.custom_tool_call_input.done": "input"}.get(kind, "arguments")
            out.extend(self._flush(self._key(data, family), kind.replace(".done", ".delta"), data))
            if out:
                changed = True
                if isinstance(data.get("sequence_number"), int):
                    data["sequence_number"] += len(out)  # the inserted delta took its number
            value = data.get(field)
            if isinstance(value, str):
                new = (restore_json_text(self._restorer, value) if family == "args"
                       else self._restorer.restore(value))
                if new != value:
                    data[field], changed = new, True
        elif kind in ("response.content_part.added", "response.content_part.done"):
            part = data.get("part")
            if isinstance(part, dict) and isinstance(part.get("text"), str):
                new = self._restorer.restore(part["text"])
                if new != part["text"]:
                    part["text"], changed = new, True
        elif kind in ("response.output_item.added", "response.output_item.done"):
            changed = self._restore_items([data.get("item")], data) or changed
        elif isinstance(data.get("response"), dict):
            items = data["response"].get("output")
            changed = self._restore_items(items if isinstance(items, list) else [], data) \
                or changed
        return [*out, encode(ev.event, data)] if changed else [ev.raw]

    def _restore_items(self, items: list[Any], data: dict[str, Any]) -> bool:
        before = json.dumps(data)
        for item in items:
            restore_responses_item(self._restorer, item)
        return json.dumps(data) != before

    def _shift_seq(self, data: dict[str, Any]) -> bool:
        if self._shift and isinstance(data.get("sequence_number"), int):
            data["sequence_number"] += self._shift
            return True
        return False

    def _flush(self, key: tuple[str, Any, Any], kind: str, done: dict[str, Any]) -> list[bytes]:
        stream = self._streams.pop(key, None)
        rest = stream.flush() if stream is not None else ""
        if not rest:
            return []
        event: dict[str, Any] = {"type": kind}
        for k in ("item_id", "output_index", "content_index", "sequence_number"):
            if k in done:
                event[k] = done[k]
        event["delta"] = rest
        if "sequence_number" in done:
            self._shift += 1
        return [encode(kind, event)]

    def close(self) -> list[bytes]:
        out = []
        for key in list(self._streams):
            stream = self._streams.pop(key)
            rest = stream.flush()
            if rest:
                kind = ("response.function_call_arguments.delta" if key[0] == "args"
                        else "response.output_text.delta")
                event = {"type": kind, "item_id": key[1], "delta": rest}
                if key[2] is not None:
                    event["content_index"] = key[2]
                out.append(encode(kind, event))
        return out


def responses_error(message: str, kind: str = "api_error") -> bytes:
    return encode("error", {"type": "error", "code": kind, "message": message, "param": None,
                            "error": {"message": message, "type": kind, "code": kind}})
