"""A fake Gemini API (generativelanguage v1beta) on loopback, for the real Gemini CLI.

Gemini CLI 0.61.0 (with GOOGLE_GEMINI_BASE_URL pointing here) sends two kinds
of request per turn: a model-routing request (`:generateContent`, its
system instruction asks for `{"complexity_reasoning", "complexity_score"}`)
and the chat itself (`:streamGenerateContent?alt=sse`). The routing request
gets the JSON it asks for (without it the CLI logs a classifier error and
falls back); the chat gets what `reply(body)` returns. Every body is recorded.
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
    args: dict[str, Any]


Reply = Text | FunctionCall
Responder = Callable[[dict[str, Any]], Reply]


def _text_reply(body: dict[str, Any]) -> Reply:
    return Text("pong from the fake model")


def is_routing(body: dict[str, Any]) -> bool:
    system = json.dumps(body.get("systemInstruction", ""))
    return "complexity_score" in system


def has_function_response(body: dict[str, Any]) -> bool:
    return any("functionResponse" in part for c in body.get("contents", [])
               if isinstance(c, dict) for part in c.get("parts", []) if isinstance(part, dict))


def texts(body: dict[str, Any]) -> str:
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

    walk(body.get("contents", body))
    return "\n".join(out)


def _response(parts: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "candidates": [{"content": {"role": "model", "parts": parts},
                        "finishReason": "STOP", "index": 0}],
        "usageMetadata": {"promptTokenCount": 5, "candidatesTokenCount": 1,
                          "totalTokenCount": 6},
        "modelVersion": "gemini-fake",
    }


class FakeGeminiAPI:
    def __init__(self, reply: Responder = _text_reply) -> None:
        self.reply = reply
        self.requests: list[dict[str, Any]] = []  # chat requests (not routing)
        self.routing: list[dict[str, Any]] = []
        self.paths: list[str] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> FakeGeminiAPI:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def all_text(self) -> str:
        """Everything any request (chat or routing) carried to "the model"."""
        with self._lock:
            return "\n".join(texts(b) for b in [*self.requests, *self.routing])

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        api = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:
                pass

            def _send(self, status: int, ctype: str, data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                with api._lock:
                    api.paths.append(self.path)
                self._send(200, "application/json", b"{}")

            def do_POST(self) -> None:
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with api._lock:
                    api.paths.append(self.path)
                try:
                    body = json.loads(raw or b"{}")
                except ValueError:
                    self._send(400, "application/json", b'{"error": {"code": 400}}')
                    return
                if is_routing(body):
                    with api._lock:
                        api.routing.append(body)
                    answer = json.dumps({"complexity_reasoning": "simple",
                                         "complexity_score": 10})
                    self._send(200, "application/json",
                               json.dumps(_response([{"text": answer}])).encode())
                    return
                with api._lock:
                    api.requests.append(body)
                reply = api.reply(body)
                part = ({"text": reply.text} if isinstance(reply, Text) else
                        {"functionCall": {"name": reply.name, "args": reply.args}})
                doc = _response([part])
                if "streamGenerateContent" in self.path:
                    self._send(200, "text/event-stream",
                               f"data: {json.dumps(doc)}\r\n\r\n".encode())
                else:
                    self._send(200, "application/json", json.dumps(doc).encode())

        return Handler
