"""A fake OpenAI Responses API on loopback, for driving the real Codex CLI.

Codex (0.169.0) sends `POST /v1/responses` with `stream: true` and reads SSE
events; this server answers each request with what `reply(body)` returns
(plain text, or a function call for tool tests) and records every request
body so a test can assert exactly what reached "the model".
"""
from __future__ import annotations

import json
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from typing import Any
from typing import NamedTuple


class Text(NamedTuple):
    text: str


class FunctionCall(NamedTuple):
    name: str
    arguments: dict[str, Any]
    call_id: str = "call_pg_1"
    # MCP tools are offered inside a namespace tool (`mcp__<server>`) and
    # called by their own name plus the namespace.
    namespace: str | None = None


Reply = Text | FunctionCall
Responder = Callable[[dict[str, Any]], Reply]


def _text_reply(body: dict[str, Any]) -> Reply:
    return Text("pong from the fake model")


def request_text(body: dict[str, Any]) -> str:
    """Every string in a request body, joined: what a model could have read."""
    out: list[str] = []

    def walk(value: object) -> None:
        if isinstance(value, str):
            out.append(value)
        elif isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(body.get("input", body))
    return "\n".join(out)


def has_tool_output(body: dict[str, Any]) -> bool:
    return any(
        isinstance(item, dict) and item.get("type") == "function_call_output"
        for item in body.get("input", ())
    )


def _events(reply: Reply, n: int) -> list[tuple[str, dict[str, Any]]]:
    rid = f"resp_pg_{n}"
    created = {"type": "response.created", "response": {"id": rid}}
    if isinstance(reply, Text):
        mid = f"msg_pg_{n}"
        item = {
            "type": "message",
            "id": mid,
            "role": "assistant",
            "content": [{"type": "output_text", "text": reply.text, "annotations": []}],
        }
        events: list[tuple[str, dict[str, Any]]] = [
            ("response.created", created),
            (
                "response.output_item.added",
                {
                    "type": "response.output_item.added",
                    "output_index": 0,
                    "item": {**item, "content": []},
                },
            ),
            (
                "response.output_text.delta",
                {
                    "type": "response.output_text.delta",
                    "item_id": mid,
                    "output_index": 0,
                    "content_index": 0,
                    "delta": reply.text,
                },
            ),
            (
                "response.output_item.done",
                {"type": "response.output_item.done", "output_index": 0, "item": item},
            ),
        ]
    else:
        item = {
            "type": "function_call",
            "id": f"fc_pg_{n}",
            "call_id": reply.call_id,
            "name": reply.name,
            "arguments": json.dumps(reply.arguments),
        }
        if reply.namespace is not None:
            item["namespace"] = reply.namespace
        events = [
            ("response.created", created),
            (
                "response.output_item.added",
                {"type": "response.output_item.added", "output_index": 0, "item": item},
            ),
            (
                "response.output_item.done",
                {"type": "response.output_item.done", "output_index": 0, "item": item},
            ),
        ]
    usage = {
        "input_tokens": 10,
        "input_tokens_details": {"cached_tokens": 0},
        "output_tokens": 5,
        "output_tokens_details": {"reasoning_tokens": 0},
        "total_tokens": 15,
    }
    events.append(
        (
            "response.completed",
            {"type": "response.completed", "response": {"id": rid, "usage": usage}},
        ),
    )
    return events


class FakeResponsesAPI:
    """Threaded loopback server; use as a context manager.

    `requests` holds every decoded request body (POST /v1/responses) in order;
    `paths` every request line's path (so unexpected endpoints show up).
    """

    def __init__(self, reply: Responder = _text_reply) -> None:
        self.reply = reply
        self.requests: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def __enter__(self) -> FakeResponsesAPI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def all_text(self) -> str:
        with self._lock:
            return "\n".join(request_text(b) for b in self.requests)

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _json(self, status: int, payload: object) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                with api._lock:
                    api.paths.append(self.path)
                # Codex may refresh its model list; an empty catalog is fine.
                self._json(200, {"models": [], "data": []})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                with api._lock:
                    api.paths.append(self.path)
                if not self.path.split("?")[0].endswith("/responses"):
                    self._json(404, {"error": {"message": "not faked", "type": "not_found"}})
                    return
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    self._json(400, {"error": {"message": "bad json", "type": "bad_request"}})
                    return
                with api._lock:
                    api.requests.append(body)
                    n = len(api.requests)
                events = _events(api.reply(body), n)
                payload = b"".join(
                    f"event: {name}\ndata: {json.dumps(data)}\n\n".encode()
                    for name, data in events
                )
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Content-Length", str(len(payload)))
                self.end_headers()
                self.wfile.write(payload)

        return Handler
