"""A fake Anthropic Messages API on loopback, for driving the real Claude Code CLI.

It stands in for the model provider only (the CLI, its hooks and its
tools are real): `POST /v1/messages` (any query string) answers with a
streamed SSE reply (or plain JSON when the request is not streamed), and
every request body is recorded so a test can assert what "the model"
received. `tool_use=(name, input)` makes the first request of a turn
answer with that tool call; once the conversation holds a `tool_result`,
the reply is plain text. `tool_use=[call, call, ...]` answers with the
calls in turn, one per tool_result already in the conversation.
Recipe: ../shared/reference/agent-hooks.md 0.1.
"""
from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any


def _tool_result_count(body: dict[str, Any]) -> int:
    n = 0
    for message in body.get("messages", []):
        content = message.get("content")
        if isinstance(content, list):
            n += sum(1 for b in content if isinstance(b, dict) and b.get("type") == "tool_result")
    return n


def user_texts(body: dict[str, Any]) -> list[str]:
    """Every text block and string content the user role sent."""
    out: list[str] = []
    for message in body.get("messages", []):
        if message.get("role") != "user":
            continue
        content = message.get("content")
        if isinstance(content, str):
            out.append(content)
        elif isinstance(content, list):
            out += [b["text"] for b in content if isinstance(b, dict) and b.get("type") == "text"]
    return out


def tool_results(body: dict[str, Any]) -> list[str]:
    """The text of every tool_result block in the request."""
    out: list[str] = []
    for message in body.get("messages", []):
        content = message.get("content")
        if not isinstance(content, list):
            continue
        for b in content:
            if isinstance(b, dict) and b.get("type") == "tool_result":
                c = b.get("content")
                if isinstance(c, str):
                    out.append(c)
                elif isinstance(c, list):
                    out += [x.get("text", "") for x in c if isinstance(x, dict)]
    return out


Call = tuple[str, dict[str, Any]]  # (tool name, tool input)


class FakeAnthropic:
    def __init__(self, reply: str = "Hello from the fake model.",
                 tool_use: Call | list[Call] | None = None) -> None:
        self.reply = reply
        self.calls = [] if tool_use is None else (
            tool_use if isinstance(tool_use, list) else [tool_use])
        self.requests: list[tuple[str, dict[str, Any]]] = []  # (path, body)
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        port = self._server.server_address[1]
        return f"http://127.0.0.1:{port}"

    def __enter__(self) -> FakeAnthropic:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    @property
    def messages(self) -> list[dict[str, Any]]:
        """Bodies of the /v1/messages requests (not count_tokens), in order."""
        with self._lock:
            return [b for p, b in self.requests if p.split("?")[0] == "/v1/messages"]

    def everything(self) -> str:
        """Every recorded body as one string, for "never reached the upstream" checks."""
        with self._lock:
            return "\n".join(json.dumps(b) for _, b in self.requests)

    def _answer(self, body: dict[str, Any]) -> tuple[list[dict[str, Any]], str]:
        done = _tool_result_count(body)
        if done < len(self.calls) and body.get("tools"):
            name, tool_input = self.calls[done]
            block = {"type": "tool_use", "id": f"toolu_fake_{done + 1:02d}", "name": name,
                     "input": tool_input}
            return [block], "tool_use"
        return [{"type": "text", "text": self.reply}], "end_turn"

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:
                pass

            def do_GET(self) -> None:
                self._json(404, {"type": "error", "error": {"type": "not_found_error",
                                                            "message": "fake"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length)
                try:
                    body = json.loads(raw) if raw else {}
                except ValueError:
                    body = {"_raw": raw.decode("utf-8", "replace")}
                with fake._lock:
                    fake.requests.append((self.path, body))
                path = self.path.split("?")[0]
                if path == "/v1/messages/count_tokens":
                    self._json(200, {"input_tokens": 42})
                elif path == "/v1/messages":
                    blocks, stop = fake._answer(body)
                    if body.get("stream"):
                        self._sse(body, blocks, stop)
                    else:
                        self._json(200, _message(body, blocks, stop))
                else:
                    self._json(200, {})

            def _json(self, status: int, doc: dict[str, Any]) -> None:
                data = json.dumps(doc).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def _sse(self, body: dict[str, Any], blocks: list[dict[str, Any]],
                     stop: str) -> None:
                self.send_response(200)
                self.send_header("content-type", "text/event-stream")
                self.send_header("cache-control", "no-cache")
                self.end_headers()
                for event in _events(body, blocks, stop):
                    self.wfile.write(f"event: {event['type']}\ndata: {json.dumps(event)}\n\n"
                                     .encode())
                self.wfile.flush()
                self.close_connection = True

        return Handler


def _message(body: dict[str, Any], blocks: list[dict[str, Any]], stop: str) -> dict[str, Any]:
    return {"id": "msg_fake", "type": "message", "role": "assistant",
            "model": body.get("model", "claude-fake"), "content": blocks,
            "stop_reason": stop, "stop_sequence": None,
            "usage": {"input_tokens": 10, "output_tokens": 5}}


def _events(body: dict[str, Any], blocks: list[dict[str, Any]],
            stop: str) -> Iterator[dict[str, Any]]:
    start = _message(body, [], stop)
    start["stop_reason"] = None
    yield {"type": "message_start", "message": start}
    for i, b in enumerate(blocks):
        if b["type"] == "text":
            yield {"type": "content_block_start", "index": i,
                   "content_block": {"type": "text", "text": ""}}
            yield {"type": "content_block_delta", "index": i,
                   "delta": {"type": "text_delta", "text": b["text"]}}
        else:
            yield {"type": "content_block_start", "index": i,
                   "content_block": {**b, "input": {}}}
            yield {"type": "content_block_delta", "index": i,
                   "delta": {"type": "input_json_delta", "partial_json": json.dumps(b["input"])}}
        yield {"type": "content_block_stop", "index": i}
    yield {"type": "message_delta", "delta": {"stop_reason": stop, "stop_sequence": None},
           "usage": {"output_tokens": 5}}
    yield {"type": "message_stop"}
