"""Fake Anthropic and OpenAI API servers on loopback, for the gateway tests.

They stand in for api.anthropic.com and api.openai.com, which tests cannot
reach. Each records every request (path, query, headers, body) so a test
can assert what reached "the model", and answers in the provider's wire
shapes (SSE event sequences as in ../shared/reference/agent-hooks.md 0.1
and 0.2). By default "the model" echoes the last user text back, split
into 3-character deltas so placeholders arrive cut across events. A test
can script other answers (tool calls, thinking blocks, errors, a stream
that hangs or drops) with `FakeUpstream(reply=...)`.

Run standalone for the load benchmark: `python -m testing.fake_upstreams`
prints its URL and serves until killed.
"""
from __future__ import annotations

import json
import socket
import sys
import threading
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any
from typing import NamedTuple

CHUNK = 3  # characters per streamed delta


class Recorded(NamedTuple):
    method: str
    path: str
    query: str
    headers: dict[str, str]  # lower-cased names
    body: bytes

    @property
    def json(self) -> Any:
        return json.loads(self.body)

    @property
    def stream(self) -> bool:
        try:
            return bool(self.json.get("stream"))
        except ValueError:
            return False


class Reply(NamedTuple):
    """What the fake answers: a JSON body, or SSE events (raw bytes each)."""

    status: int = 200
    body: Any = None
    events: tuple[bytes, ...] = ()
    # Streaming faults: after this many events, stop sending (hang) or cut
    # the connection without ending the chunked body (drop).
    hang_after: int | None = None
    drop_after: int | None = None
    delay: float = 0.0  # between events
    gate: threading.Event | None = None  # wait for it after event number `gate_after`
    gate_after: int = 0


def sse(event: str | None, data: Any) -> bytes:
    head = f"event: {event}\n" if event else ""
    text = data if isinstance(data, str) else json.dumps(data)
    return f"{head}data: {text}\n\n".encode()


def chunks(text: str, n: int = CHUNK) -> list[str]:
    return [text[i:i + n] for i in range(0, len(text), n)] or [""]


# -- what the echo model reads ----------------------------------------------------

def last_user_text(body: dict[str, Any]) -> str:
    """The last text the user side sent: Messages, Chat Completions or Responses."""
    if isinstance(body.get("input"), str):
        return body["input"]
    items = body.get("messages") or body.get("input") or []
    for message in reversed(items):
        if not isinstance(message, dict) or message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            return content
        texts = [b.get("text", "") for b in content or ()
                 if isinstance(b, dict) and b.get("type") in ("text", "input_text")]
        if texts:
            return texts[-1]
    return ""


# -- Anthropic Messages --------------------------------------------------------------

def anthropic_message(blocks: list[dict[str, Any]], stop: str = "end_turn") -> dict[str, Any]:
    return {"id": "msg_fake", "type": "message", "role": "assistant", "model": "claude-fake",
            "content": blocks, "stop_reason": stop, "stop_sequence": None,
            "usage": {"input_tokens": 10, "output_tokens": 10}}


def anthropic_events(blocks: list[dict[str, Any]], stop: str = "end_turn") -> tuple[bytes, ...]:
    start = anthropic_message([], stop)
    start["stop_reason"] = None
    out = [sse("message_start", {"type": "message_start", "message": start}),
           sse("ping", {"type": "ping"})]
    for i, block in enumerate(blocks):
        kind = block["type"]
        if kind == "text":
            out.append(sse("content_block_start", {"type": "content_block_start", "index": i,
                                                   "content_block": {"type": "text", "text": ""}}))
            deltas = [{"type": "text_delta", "text": c} for c in chunks(block["text"])]
        elif kind == "tool_use":
            out.append(sse("content_block_start", {
                "type": "content_block_start", "index": i,
                "content_block": {"type": "tool_use", "id": block["id"], "name": block["name"],
                                  "input": {}}}))
            deltas = [{"type": "input_json_delta", "partial_json": c}
                      for c in chunks(json.dumps(block["input"]), 5)]
        elif kind == "thinking":
            out.append(sse("content_block_start", {
                "type": "content_block_start", "index": i,
                "content_block": {"type": "thinking", "thinking": "", "signature": ""}}))
            deltas = [{"type": "thinking_delta", "thinking": c}
                      for c in chunks(block["thinking"])]
            deltas.append({"type": "signature_delta", "signature": block["signature"]})
        else:
            raise ValueError(kind)
        out.extend(sse("content_block_delta", {"type": "content_block_delta", "index": i,
                                               "delta": d}) for d in deltas)
        out.append(sse("content_block_stop", {"type": "content_block_stop", "index": i}))
    out.append(sse("message_delta", {"type": "message_delta",
                                     "delta": {"stop_reason": stop, "stop_sequence": None},
                                     "usage": {"output_tokens": 10}}))
    out.append(sse("message_stop", {"type": "message_stop"}))
    return tuple(out)


def anthropic_reply(req: Recorded, blocks: list[dict[str, Any]],
                    stop: str = "end_turn") -> Reply:
    if req.stream:
        return Reply(events=anthropic_events(blocks, stop))
    return Reply(body=anthropic_message(blocks, stop))


# -- OpenAI Chat Completions -------------------------------------------------------------

def chat_reply(req: Recorded, text: str, tool_args: dict[str, Any] | None = None) -> Reply:
    base = {"id": "chatcmpl-fake", "created": 1, "model": "gpt-fake"}
    if not req.stream:
        message: dict[str, Any] = {"role": "assistant", "content": text}
        if tool_args is not None:
            message["tool_calls"] = [{"id": "call_1", "type": "function", "function": {
                "name": "lookup", "arguments": json.dumps(tool_args)}}]
        return Reply(body={**base, "object": "chat.completion", "choices": [{
            "index": 0, "message": message,
            "finish_reason": "tool_calls" if tool_args else "stop"}],
            "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}})
    chunk = {**base, "object": "chat.completion.chunk"}
    events = [sse(None, {**chunk, "choices": [{"index": 0, "delta": {"role": "assistant",
                                                                     "content": ""},
                                               "finish_reason": None}]})]
    events += [sse(None, {**chunk, "choices": [{"index": 0, "delta": {"content": c},
                                                "finish_reason": None}]})
               for c in chunks(text)]
    if tool_args is not None:
        events.append(sse(None, {**chunk, "choices": [{"index": 0, "delta": {"tool_calls": [
            {"index": 0, "id": "call_1", "type": "function",
             "function": {"name": "lookup", "arguments": ""}}]}, "finish_reason": None}]}))
        events += [sse(None, {**chunk, "choices": [{"index": 0, "delta": {"tool_calls": [
            {"index": 0, "function": {"arguments": c}}]}, "finish_reason": None}]})
            for c in chunks(json.dumps(tool_args), 5)]
    events.append(sse(None, {**chunk, "choices": [{"index": 0, "delta": {},
                                                   "finish_reason": "tool_calls" if tool_args
                                                   else "stop"}]}))
    events.append(sse(None, "[DONE]"))
    return Reply(events=tuple(events))


# -- OpenAI Responses -------------------------------------------------------------------

def responses_reply(req: Recorded, text: str) -> Reply:
    item_done = {"id": "msg_1", "type": "message", "role": "assistant", "status": "completed",
                 "content": [{"type": "output_text", "text": text, "annotations": []}]}
    response = {"id": "resp_fake", "object": "response", "created_at": 1, "model": "gpt-fake",
                "status": "completed", "output": [item_done], "parallel_tool_calls": True,
                "tool_choice": "auto", "tools": []}
    if not req.stream:
        return Reply(body=response)
    seq = iter(range(1000))
    item = {**item_done, "status": "in_progress", "content": []}
    events = [
        sse("response.created", {"type": "response.created", "sequence_number": next(seq),
                                 "response": {**response, "status": "in_progress",
                                              "output": []}}),
        sse("response.output_item.added", {"type": "response.output_item.added",
                                           "sequence_number": next(seq), "output_index": 0,
                                           "item": item}),
        sse("response.content_part.added", {
            "type": "response.content_part.added", "sequence_number": next(seq),
            "item_id": "msg_1", "output_index": 0, "content_index": 0,
            "part": {"type": "output_text", "text": "", "annotations": []}}),
    ]
    events += [sse("response.output_text.delta", {
        "type": "response.output_text.delta", "sequence_number": next(seq), "item_id": "msg_1",
        "output_index": 0, "content_index": 0, "delta": c, "logprobs": []}) for c in chunks(text)]
    events += [
        sse("response.output_text.done", {
            "type": "response.output_text.done", "sequence_number": next(seq),
            "item_id": "msg_1", "output_index": 0, "content_index": 0, "text": text,
            "logprobs": []}),
        sse("response.content_part.done", {
            "type": "response.content_part.done", "sequence_number": next(seq),
            "item_id": "msg_1", "output_index": 0, "content_index": 0,
            "part": {"type": "output_text", "text": text, "annotations": []}}),
        sse("response.output_item.done", {"type": "response.output_item.done",
                                          "sequence_number": next(seq), "output_index": 0,
                                          "item": item_done}),
        sse("response.completed", {"type": "response.completed",
                                   "sequence_number": next(seq), "response": response}),
    ]
    return Reply(events=tuple(events))


def responses_tool_reply(req: Recorded, arguments: dict[str, Any], patch: str) -> Reply:
    """A Responses answer calling a function tool and a custom tool (Codex's apply_patch)."""
    args = json.dumps(arguments)
    call = {"id": "fc_1", "type": "function_call", "call_id": "call_1", "name": "shell",
            "arguments": args, "status": "completed"}
    custom = {"id": "ctc_1", "type": "custom_tool_call", "call_id": "call_2",
              "name": "apply_patch", "input": patch, "status": "completed"}
    response = {"id": "resp_tools", "object": "response", "created_at": 1, "model": "gpt-fake",
                "status": "completed", "output": [call, custom], "parallel_tool_calls": True,
                "tool_choice": "auto", "tools": []}
    if not req.stream:
        return Reply(body=response)
    seq = iter(range(1000))
    events = [sse("response.created", {"type": "response.created", "sequence_number": next(seq),
                                       "response": {**response, "status": "in_progress",
                                                    "output": []}})]
    for index, (item, kind, text, field) in enumerate((
            (call, "response.function_call_arguments", args, "arguments"),
            (custom, "response.custom_tool_call_input", patch, "input"))):
        events.append(sse("response.output_item.added", {
            "type": "response.output_item.added", "sequence_number": next(seq),
            "output_index": index, "item": {**item, field: "", "status": "in_progress"}}))
        events += [sse(f"{kind}.delta", {"type": f"{kind}.delta", "sequence_number": next(seq),
                                         "item_id": item["id"], "output_index": index,
                                         "delta": c}) for c in chunks(text, 4)]
        events.append(sse(f"{kind}.done", {"type": f"{kind}.done", "sequence_number": next(seq),
                                           "item_id": item["id"], "output_index": index,
                                           field: text}))
        events.append(sse("response.output_item.done", {
            "type": "response.output_item.done", "sequence_number": next(seq),
            "output_index": index, "item": item}))
    events.append(sse("response.completed", {"type": "response.completed",
                                             "sequence_number": next(seq), "response": response}))
    return Reply(events=tuple(events))


def echo(req: Recorded) -> Reply:
    """The default model: repeats the last user text."""
    if req.path == "/v1/messages/count_tokens":
        return Reply(body={"input_tokens": len(req.body) // 4})
    text = "You said: " + last_user_text(req.json)
    if req.path == "/v1/messages":
        return anthropic_reply(req, [{"type": "text", "text": text}])
    if req.path == "/v1/chat/completions":
        return chat_reply(req, text)
    if req.path == "/v1/responses":
        return responses_reply(req, text)
    return Reply(status=404, body={"error": {"message": "not found", "type": "not_found"}})


# -- the server ---------------------------------------------------------------------

class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        super().setup()
        # Headers and body go out in separate writes: without this, Nagle's
        # algorithm and the peer's delayed ACK add ~40 ms to each answer.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet

    def do_GET(self) -> None:
        self._json(200, {"data": [], "object": "list"})

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        path, _, query = self.path.partition("?")
        req = Recorded("POST", path, query, {k.lower(): v for k, v in self.headers.items()},
                       body)
        fake = self.server.fake
        with fake.lock:
            fake.requests.append(req)
        reply = fake.reply(req)
        if reply.events:
            self._stream(reply)
        else:
            self._json(reply.status, reply.body)

    def _json(self, status: int, body: Any) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("request-id", "req_fake")
        self.end_headers()
        self.wfile.write(data)

    def _chunk(self, data: bytes) -> None:
        self.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        self.wfile.flush()

    def _stream(self, reply: Reply) -> None:
        self.send_response(reply.status)
        self.send_header("Content-Type", "text/event-stream; charset=utf-8")
        self.send_header("Transfer-Encoding", "chunked")
        self.send_header("Cache-Control", "no-cache")
        self.end_headers()
        fake = self.server.fake
        try:
            for i, event in enumerate(reply.events):
                if reply.hang_after is not None and i == reply.hang_after:
                    fake.released.wait(30)  # bounded: the test ends long before
                    self.close_connection = True
                    return
                if reply.drop_after is not None and i == reply.drop_after:
                    self.close_connection = True
                    self.connection.shutdown(socket.SHUT_RDWR)
                    return
                self._chunk(event)
                if i == reply.gate_after and reply.gate is not None:
                    reply.gate.wait(30)
                if reply.delay:
                    time.sleep(reply.delay)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 512
    fake: FakeUpstream


class FakeUpstream:
    """`with FakeUpstream() as up:` ... `up.url`, `up.requests`."""

    def __init__(self, reply: Callable[[Recorded], Reply] = echo) -> None:
        self.reply = reply
        self.requests: list[Recorded] = []
        self.lock = threading.Lock()
        self.released = threading.Event()
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.fake = self
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def posts(self, path: str) -> list[Recorded]:
        with self.lock:
            return [r for r in self.requests if r.path == path]

    def __enter__(self) -> FakeUpstream:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.released.set()
        self._server.shutdown()
        self._server.server_close()


def main(argv: list[str] | None = None) -> int:  # pragma: no cover (benchmark helper)
    import argparse

    parser = argparse.ArgumentParser(description="fake Anthropic/OpenAI upstream on loopback")
    parser.add_argument("--delay", type=float, default=0.0, help="seconds between SSE events")
    args = parser.parse_args(argv)

    def reply(req: Recorded) -> Reply:
        return echo(req)._replace(delay=args.delay)

    with FakeUpstream(reply) as up:
        print(f"fake upstream: {up.url}", flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
