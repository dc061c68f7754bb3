"""The gateway's HTTP service (aiohttp): redact requests, restore responses.

Flow of one call: authenticate the client (shared secret, when set), check
the route, content type and size, parse the JSON, take a stream slot (429
past `max_streams`), redact on the guard's single worker thread, refuse
with the provider's own error JSON if the policy blocks, forward to the
configured upstream only, and restore the answer (JSON or SSE) with the
placeholders this request's redaction issued.

Logs are one JSON object per line on stderr: ids, routes, status codes,
timings, counts and rule ids; never bodies, never headers.
"""
from __future__ import annotations

import asyncio
import contextvars
import hmac
import json
import sys
import time
import uuid
from collections.abc import Awaitable
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import IO
from typing import TYPE_CHECKING
from typing import Any
from typing import Literal
from typing import NamedTuple

import aiohttp
from aiohttp import web

from promptguard.surfaces.gateway import requests as redaction
from promptguard.surfaces.gateway import sse
from promptguard.surfaces.gateway import walkers
from promptguard.surfaces.gateway.restore import Scope
from promptguard.surfaces.gateway.restore import restore_json_text
from promptguard.surfaces.gateway.restore import restore_strings
from promptguard.surfaces.gateway.settings import SECRET_HEADER
from promptguard.surfaces.gateway.settings import GatewaySettings

if TYPE_CHECKING:
    from promptguard.guard import Guard
    from promptguard.redaction import Restorer
    from promptguard.vault import Vault

Api = Literal["anthropic", "openai-chat", "openai-responses"]


class Route(NamedTuple):
    api: Api
    upstream: Literal["anthropic", "openai"]
    walker: walkers.Walker


ROUTES: dict[str, Route] = {
    "/v1/messages": Route("anthropic", "anthropic", walkers.anthropic_messages),
    # count_tokens bodies carry the whole prompt too.
    "/v1/messages/count_tokens": Route("anthropic", "anthropic", walkers.anthropic_messages),
    "/v1/chat/completions": Route("openai-chat", "openai", walkers.openai_chat),
    "/v1/responses": Route("openai-responses", "openai", walkers.openai_responses),
}
# Never forwarded: hop-by-hop headers, ones the gateway sets itself, and its own secret.
_DROP_REQUEST = frozenset({
    "host", "content-length", "transfer-encoding", "connection", "keep-alive", "te", "trailer",
    "upgrade", "proxy-authorization", "proxy-connection", "expect", "accept-encoding",
    SECRET_HEADER.lower(),
})
_DROP_RESPONSE = frozenset({
    "content-length", "content-encoding", "transfer-encoding", "connection", "keep-alive",
    "trailer", "upgrade",
})
_TERMINAL = {
    "anthropic": ("message_stop",),
    "openai-chat": ("[DONE]",),
    "openai-responses": ("response.completed", "response.failed", "response.incomplete"),
}


_TRANSFORMS: dict[str, Callable[[Restorer], sse.Transformer]] = {
    "anthropic": sse.AnthropicStream, "openai-chat": sse.ChatStream,
    "openai-responses": sse.ResponsesStream,
}


# What the log line of the current request says (ids, counts; never content).
_INFO: contextvars.ContextVar[dict[str, Any]] = contextvars.ContextVar("promptguard_request")


def _note(**fields: Any) -> None:
    _INFO.get().update(fields)


class ApiError(Exception):
    """Answer with the provider's error JSON: status, error type, message."""

    def __init__(self, status: int, kind: str, message: str,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.status = status
        self.kind = kind
        self.message = message
        self.headers = headers or {}


def error_body(api: str, kind: str, message: str) -> dict[str, Any]:
    if api == "anthropic":
        return {"type": "error", "error": {"type": kind, "message": message}}
    return {"error": {"message": message, "type": kind, "param": None, "code": kind}}


class Logger:
    """Structured log lines, content-free by construction (callers pass counts and ids)."""

    def __init__(self, stream: IO[str] | None = None) -> None:
        self._stream = stream

    def __call__(self, event: str, **fields: Any) -> None:
        stream = self._stream if self._stream is not None else sys.stderr
        record = {"ts": round(time.time(), 3), "event": event, **fields}
        try:
            stream.write(json.dumps(record, separators=(",", ":")) + "\n")
            stream.flush()
        except (OSError, ValueError):
            pass  # a closed stderr must not take requests down


class Gateway:
    """The state one gateway process holds: guard, vault, upstream client, counters."""

    def __init__(self, settings: GatewaySettings, guard: Guard, vault: Vault,
                 log: Logger | None = None) -> None:
        self.settings = settings
        self.guard = guard
        self.vault = vault
        self.log = log if log is not None else Logger()
        # One thread: the guard and the vault are not shared across threads,
        # and the event loop stays free to move other streams' bytes.
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="promptguard-guard")
        self.cache = redaction.PartCache()  # used on the guard's thread only
        self.active = 0
        self.closing = False
        self.idle = asyncio.Event()
        self.client: aiohttp.ClientSession | None = None

    # -- lifecycle ---------------------------------------------------------
    def app(self) -> web.Application:
        app = web.Application(client_max_size=self.settings.max_body,
                              middlewares=[self._errors])
        app.router.add_get("/healthz", self.healthz)
        app.router.add_route("*", "/{tail:.*}", self.proxy)
        app.on_startup.append(self._startup)
        app.on_cleanup.append(self._cleanup)
        return app

    async def _startup(self, app: web.Application) -> None:
        s = self.settings
        timeout = aiohttp.ClientTimeout(total=None, connect=s.connect_timeout,
                                        sock_connect=s.connect_timeout, sock_read=s.read_timeout)
        connector = aiohttp.TCPConnector(limit=s.max_streams, ttl_dns_cache=300)
        # trust_env=False: never route through a proxy from the environment.
        self.client = aiohttp.ClientSession(timeout=timeout, connector=connector,
                                            auto_decompress=True, trust_env=False)
        self.idle.set()

    async def _cleanup(self, app: web.Application) -> None:
        if self.client is not None:
            await self.client.close()
        self.executor.shutdown(wait=True)

    async def drain(self) -> None:
        """SIGTERM: refuse new work, let open streams finish (up to the grace period)."""
        self.closing = True
        self.log("shutdown", active=self.active)
        try:
            await asyncio.wait_for(self.idle.wait(), self.settings.shutdown_grace)
        except asyncio.TimeoutError:
            self.log("shutdown_timeout", active=self.active)

    # -- handlers ----------------------------------------------------------
    async def healthz(self, request: web.Request) -> web.Response:
        status = "draining" if self.closing else "ok"
        return web.json_response({"status": status, "active": self.active,
                                  "max_streams": self.settings.max_streams},
                                 status=503 if self.closing else 200)

    @web.middleware
    async def _errors(self, request: web.Request,
                      handler: Callable[[web.Request], Awaitable[web.StreamResponse]],
                      ) -> web.StreamResponse:
        started = time.monotonic()
        rid = "pg-" + uuid.uuid4().hex[:16]
        info: dict[str, Any] = {"rid": rid}
        _INFO.set(info)
        route = ROUTES.get(request.path)
        api = route.api if route is not None else (
            "anthropic" if "anthropic-version" in request.headers else "openai-chat")
        try:
            response = await handler(request)
        except ApiError as e:
            response = web.json_response(error_body(api, e.kind, e.message), status=e.status,
                                         headers=e.headers)
            info["error"] = e.kind
        except web.HTTPException as e:
            # aiohttp's own refusals (oversize body, bad method): API-shaped too.
            kind = "request_too_large" if e.status == 413 else "invalid_request_error"
            message = (f"request body larger than {self.settings.max_body} bytes"
                       if e.status == 413 else e.reason)
            response = web.json_response(error_body(api, kind, message), status=e.status)
            info["error"] = kind
        except (asyncio.CancelledError, ConnectionResetError):
            raise  # the client went away: nothing to answer
        except Exception as e:
            # Our bug. Type and code location only: a message or a local
            # could quote the request.
            tb = e.__traceback__
            while tb is not None and tb.tb_next is not None:
                tb = tb.tb_next
            where = f"{tb.tb_frame.f_code.co_filename}:{tb.tb_lineno}" if tb is not None else "?"
            self.log("internal_error", id=rid, error=type(e).__name__, at=where)
            response = web.json_response(error_body(
                api, "api_error", f"promptguard gateway internal error ({type(e).__name__}); "
                                  f"see its log, request id {rid}"), status=500)
            info["error"] = "internal_error"
        if not response.prepared:
            response.headers["x-promptguard-request-id"] = rid
        if request.path != "/healthz":
            # Only paths we serve are logged as sent: any other could hold anything.
            path = request.path if route is not None else "(not served)"
            self.log("request", id=rid, method=request.method, path=path,
                     status=response.status, ms=round((time.monotonic() - started) * 1000, 2),
                     **{k: v for k, v in info.items() if k != "rid"})
        return response

    def _authenticate(self, request: web.Request) -> None:
        secret = self.settings.secret
        if secret is None:
            return
        given = request.headers.get(SECRET_HEADER, "")
        if not hmac.compare_digest(given.encode(), secret.encode()):
            raise ApiError(401, "authentication_error",
                           f"promptguard gateway: missing or wrong {SECRET_HEADER} header")

    async def proxy(self, request: web.Request) -> web.StreamResponse:
        self._authenticate(request)
        route = ROUTES.get(request.path)
        if route is None:
            raise ApiError(404, "not_found_error",
                           f"promptguard gateway does not forward {request.method} "
                           f"{request.path}; it serves POST " + ", ".join(ROUTES))
        if request.method != "POST":
            raise ApiError(405, "invalid_request_error", f"{request.path} takes POST")
        _note(api=route.api)
        base = getattr(self.settings, route.upstream)
        if base is None:
            raise ApiError(404, "not_found_error",
                           f"promptguard gateway: no {route.upstream} upstream configured")
        if self.closing:
            raise ApiError(503, "overloaded_error", "promptguard gateway is shutting down")
        if request.content_type != "application/json":
            raise ApiError(415, "invalid_request_error",
                           f"Content-Type must be application/json, not "
                           f"{request.content_type or 'missing'}")
        length = request.content_length
        if length is not None and length > self.settings.max_body:
            raise ApiError(413, "request_too_large",
                           f"request body larger than {self.settings.max_body} bytes")
        raw = await request.read()
        doc = _parse(raw)
        if self.active >= self.settings.max_streams:
            raise ApiError(429, "rate_limit_error",
                           f"promptguard gateway is at its limit of "
                           f"{self.settings.max_streams} concurrent requests; retry shortly",
                           {"retry-after": "1"})
        self.active += 1
        self.idle.clear()
        try:
            return await self._forward(request, route, base, raw, doc)
        finally:
            self.active -= 1
            if self.active == 0:
                self.idle.set()

    async def _redact(self, route: Route, doc: dict[str, Any],
                      path: str) -> redaction.Outcome:
        loop = asyncio.get_running_loop()
        try:
            return await loop.run_in_executor(
                self.executor, redaction.redact, self.guard, self.vault, route.walker, doc,
                f"gateway {path}", self.cache)
        except Exception as e:
            # Our bug or an unreadable vault: the policy's on_error decides.
            self.log("scan_error", error=type(e).__name__)
            if self.guard.on_error == "allow":
                return redaction.Outcome(None, None, Scope({}), failed=True)
            raise ApiError(500, "api_error",
                           "promptguard gateway could not scan this request "
                           f"({type(e).__name__}); policy on_error=block, nothing was sent",
                           ) from None

    async def _forward(self, request: web.Request, route: Route, base: str, raw: bytes,
                       doc: dict[str, Any]) -> web.StreamResponse:
        outcome = await self._redact(route, doc, request.path)
        _note(replaced=outcome.replaced, cached_parts=outcome.cached)
        if outcome.rule_ids:
            _note(rule_ids=list(outcome.rule_ids))
        if outcome.failed:
            _note(scan_incomplete=True)
        if outcome.blocked is not None:
            _note(blocked=True)
            raise ApiError(400, "invalid_request_error", outcome.blocked)
        body = outcome.body if outcome.body is not None else raw
        # The route table names the upstream path: nothing from the client's
        # request target (absolute URL, Host header, dot segments) is used.
        url = base + request.path
        if request.query_string:
            url += "?" + request.query_string
        headers = {k: v for k, v in request.headers.items() if k.lower() not in _DROP_REQUEST}
        headers["Content-Type"] = "application/json"
        assert self.client is not None
        started = time.monotonic()
        try:
            upstream = await self.client.post(url, data=body, headers=headers,
                                              allow_redirects=False)
        except asyncio.TimeoutError:
            raise ApiError(504, "api_error", "promptguard gateway: the upstream did not answer "
                           f"within {self.settings.read_timeout:g} s") from None
        except aiohttp.ClientError as e:
            raise ApiError(502, "api_error", "promptguard gateway: cannot reach the upstream "
                           f"({type(e).__name__})") from None
        _note(upstream_status=upstream.status,
              upstream_ms=round((time.monotonic() - started) * 1000, 2))
        try:
            restorer = outcome.scope.restorer() if len(outcome.scope) else None
            ctype = upstream.headers.get("Content-Type", "")
            if ctype.startswith("text/event-stream"):
                _note(stream=True)
                return await self._stream(request, route, upstream, restorer)
            return await self._json(upstream, route, restorer)
        finally:
            upstream.release()

    async def _json(self, upstream: aiohttp.ClientResponse, route: Route,
                    restorer: Restorer | None) -> web.Response:
        try:
            data = await _read_bounded(upstream, self.settings.max_response)
        except asyncio.TimeoutError:
            raise ApiError(504, "api_error", "promptguard gateway: the upstream stopped "
                           f"sending for {self.settings.read_timeout:g} s") from None
        except aiohttp.ClientError as e:
            raise ApiError(502, "api_error", "promptguard gateway: the upstream connection "
                           f"broke ({type(e).__name__})") from None
        if (restorer is not None and upstream.status == 200
                and upstream.content_type == "application/json"):
            try:
                doc = json.loads(data)
            except ValueError:
                doc = None
            if isinstance(doc, dict):
                restore_response(route.api, restorer, doc)
                data = json.dumps(doc, ensure_ascii=False, separators=(",", ":")).encode()
        return web.Response(status=upstream.status, body=data,
                            headers=_response_headers(upstream))

    async def _stream(self, request: web.Request, route: Route,
                      upstream: aiohttp.ClientResponse,
                      restorer: Restorer | None) -> web.StreamResponse:
        response = web.StreamResponse(status=upstream.status, headers=_response_headers(upstream))
        response.headers["x-promptguard-request-id"] = _INFO.get()["rid"]
        await response.prepare(request)
        parser = sse.SseParser(self.settings.max_event)
        transform: sse.Transformer | None = None
        if restorer is not None:
            transform = _TRANSFORMS[route.api](restorer)
        terminal = _TERMINAL[route.api]
        done = False
        problem: str | None = None
        try:
            async for chunk in upstream.content.iter_any():
                out: list[bytes] = []
                for ev in parser.feed(chunk):
                    if ev.event in terminal or ev.data.strip() in terminal or \
                            _event_type(ev) in terminal:
                        done = True
                    out.extend(transform.on_event(ev) if transform is not None else [ev.raw])
                if out:
                    await response.write(b"".join(out))
            if not done:
                problem = "the upstream closed the stream before the message was complete"
        except asyncio.TimeoutError:
            problem = (f"the upstream stopped sending for {self.settings.read_timeout:g} s "
                       "in the middle of the stream")
        except aiohttp.ClientError as e:
            problem = f"the upstream connection broke mid-stream ({type(e).__name__})"
        except sse.SseError as e:
            problem = str(e)
        except (ConnectionResetError, asyncio.CancelledError):
            _note(error="client_disconnected")
            raise
        except Exception as e:
            # Our bug, after the answer started: end it with an error event.
            self.log("internal_error", id=_INFO.get()["rid"], error=type(e).__name__)
            problem = f"internal error ({type(e).__name__})"
        tail = transform.close() if transform is not None else []
        if problem is not None:
            _note(error="upstream_stream")
            message = f"promptguard gateway: {problem}"
            tail.append({"anthropic": sse.anthropic_error, "openai-chat": sse.openai_error,
                         "openai-responses": sse.responses_error}[route.api](message))
        try:
            if tail:
                await response.write(b"".join(tail))
            await response.write_eof()
        except ConnectionResetError:
            _note(error="client_disconnected")
        return response


def _event_type(ev: sse.Event) -> str | None:
    # Responses events name their type in the data; cheap check before parsing.
    if '"type":"response.' not in ev.data.replace(" ", ""):
        return None
    try:
        data = json.loads(ev.data)
    except ValueError:
        return None
    return data.get("type") if isinstance(data, dict) else None


def _parse(raw: bytes) -> dict[str, Any]:
    try:
        doc = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ApiError(400, "invalid_request_error",
                       "request body is not UTF-8 JSON") from None
    except json.JSONDecodeError as e:
        # Position only: the message must not quote the body.
        raise ApiError(400, "invalid_request_error",
                       f"request body is not valid JSON (line {e.lineno} column {e.colno})",
                       ) from None
    if not isinstance(doc, dict):
        raise ApiError(400, "invalid_request_error", "request body must be a JSON object")
    return doc


async def _read_bounded(upstream: aiohttp.ClientResponse, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    async for chunk in upstream.content.iter_any():
        size += len(chunk)
        if size > limit:
            raise ApiError(502, "api_error",
                           f"promptguard gateway: upstream answer larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _response_headers(upstream: aiohttp.ClientResponse) -> dict[str, str]:
    return {k: v for k, v in upstream.headers.items() if k.lower() not in _DROP_RESPONSE}


def restore_response(api: Api, restorer: Restorer, doc: dict[str, Any]) -> None:
    """Restore a non-streamed answer in place: text and tool input, never thinking."""
    if api == "anthropic":
        for block in doc.get("content") or ():
            if not isinstance(block, dict):
                continue
            if block.get("type") == "text" and isinstance(block.get("text"), str):
                block["text"] = restorer.restore(block["text"])
            elif block.get("type") in ("tool_use", "server_tool_use", "mcp_tool_use"):
                restore_strings(restorer, block.get("input"))
    elif api == "openai-chat":
        for choice in doc.get("choices") or ():
            message = choice.get("message") if isinstance(choice, dict) else None
            if not isinstance(message, dict):
                continue
            if isinstance(message.get("content"), str):
                message["content"] = restorer.restore(message["content"])
            for call in message.get("tool_calls") or ():
                fn = call.get("function") if isinstance(call, dict) else None
                if isinstance(fn, dict) and isinstance(fn.get("arguments"), str):
                    fn["arguments"] = restore_json_text(restorer, fn["arguments"])
    else:
        for item in doc.get("output") or ():
            sse.restore_responses_item(restorer, item)
