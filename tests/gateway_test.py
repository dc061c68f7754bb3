"""The real gateway on loopback, a fake upstream on loopback, the official SDKs as clients."""
from __future__ import annotations

import json
import random
import socket
import ssl
import subprocess
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

anthropic = pytest.importorskip("anthropic")
openai = pytest.importorskip("openai")

from testing import fakes  # noqa: E402
from testing import realtools  # noqa: E402
from testing.fake_upstreams import FakeUpstream  # noqa: E402
from testing.fake_upstreams import Recorded  # noqa: E402
from testing.fake_upstreams import Reply  # noqa: E402
from testing.fake_upstreams import anthropic_reply  # noqa: E402
from testing.fake_upstreams import chat_reply  # noqa: E402
from testing.fake_upstreams import echo  # noqa: E402
from testing.fake_upstreams import last_user_text  # noqa: E402
from testing.gateway import BLOCK_CONFIG  # noqa: E402
from testing.gateway import running_gateway  # noqa: E402

CLIENT = "Zorbex"
PERSON = "Dana Whitfield"


@pytest.fixture
def key() -> str:
    return fakes.aws_key_id(random.Random(7))


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    with FakeUpstream() as up:
        yield up


@pytest.fixture
def gw(tmp_path: Path, upstream: FakeUpstream) -> Iterator[Any]:
    with running_gateway(tmp_path, anthropic=upstream.url, openai=upstream.url,
                         read_timeout=2.0) as g:
        yield g


def claude(gw: Any, **kw: Any) -> Any:
    return anthropic.Anthropic(base_url=gw.url, api_key="sk-ant-test", max_retries=0, **kw)


def gpt(gw: Any) -> Any:
    return openai.OpenAI(base_url=gw.url + "/v1", api_key="sk-test", max_retries=0)


def assert_clean(upstream: FakeUpstream, *values: str) -> None:
    """Nothing the test protects reached the upstream, in any request."""
    assert upstream.requests, "no request reached the upstream"
    for r in upstream.requests:
        for v in values:
            assert v not in r.body.decode(), f"a protected value reached {r.path}"


def prompt(key: str) -> str:
    return f"Use key {key} for {CLIENT}'s export; ask {PERSON}. Repeat {CLIENT}."


# -- Anthropic Messages --------------------------------------------------------------

def test_messages_redacted_then_restored(gw: Any, upstream: FakeUpstream, key: str) -> None:
    m = claude(gw).messages.create(model="claude-x", max_tokens=50,
                                   messages=[{"role": "user", "content": prompt(key)}])
    assert_clean(upstream, key, CLIENT, PERSON)
    sent = upstream.requests[0].json["messages"][0]["content"]
    assert "<AWS_ACCESS_KEY_ID_1>" in sent and "Client A" in sent and "Person A" in sent
    text = m.content[0].text
    # Client and person come back; the key is one-way and stays a placeholder.
    assert f"for {CLIENT}'s export; ask {PERSON}. Repeat {CLIENT}." in text
    assert "<AWS_ACCESS_KEY_ID_1>" in text and key not in text


def test_messages_stream_restores_split_placeholders(gw: Any, upstream: FakeUpstream,
                                                     key: str) -> None:
    with claude(gw).messages.stream(model="claude-x", max_tokens=50, messages=[
            {"role": "user", "content": prompt(key)}]) as stream:
        pieces = list(stream.text_stream)
    assert_clean(upstream, key, CLIENT, PERSON)
    # The fake streams 3 characters per delta: every placeholder arrived split.
    assert "".join(pieces) == f"You said: Use key <AWS_ACCESS_KEY_ID_1> for {CLIENT}'s " \
                              f"export; ask {PERSON}. Repeat {CLIENT}."


def test_same_value_same_placeholder_every_turn(gw: Any, upstream: FakeUpstream,
                                                key: str) -> None:
    c = claude(gw)
    first = [{"role": "user", "content": prompt(key)}]
    answer = c.messages.create(model="claude-x", max_tokens=50, messages=first)
    second = [*first, {"role": "assistant", "content": answer.content[0].text},
              {"role": "user", "content": f"And {PERSON} again, and {key}."}]
    c.messages.create(model="claude-x", max_tokens=50, messages=second)
    one, two = (r.json["messages"] for r in upstream.posts("/v1/messages"))
    assert two[0] == one[0]  # the cached prefix is byte-identical
    assert "Person A" in two[2]["content"] and "<AWS_ACCESS_KEY_ID_1>" in two[2]["content"]
    # The restored answer, sent back as history, is redacted to the same placeholders.
    assert "Client A" in two[1]["content"] and CLIENT not in two[1]["content"]


def test_thinking_blocks_pass_byte_for_byte(gw: Any, upstream: FakeUpstream, key: str) -> None:
    thinking = {"type": "thinking", "thinking": f"{CLIENT} uses {key}, says {PERSON}.",
                "signature": "EqQBCkYIARgCKkD" + "x" * 40}
    redacted = {"type": "redacted_thinking", "data": "EmwKAhgBEgy" + "A" * 30}
    messages = [
        {"role": "user", "content": "hi"},
        {"role": "assistant", "content": [thinking, redacted,
                                          {"type": "text", "text": f"About {CLIENT}."}]},
        {"role": "user", "content": "go on"},
    ]
    claude(gw).messages.create(model="claude-x", max_tokens=50, messages=messages)
    raw = upstream.requests[0].body.decode()
    blocks = upstream.requests[0].json["messages"][1]["content"]
    assert blocks[0] == thinking and blocks[1] == redacted
    assert json.dumps(thinking["thinking"])[1:-1] in raw  # the exact text, untouched
    assert blocks[2]["text"] == "About Client A."


def test_thinking_in_answers_untouched_text_and_tool_input_restored(
        gw: Any, upstream: FakeUpstream) -> None:
    def reply(req: Recorded) -> Reply:
        return anthropic_reply(req, [
            {"type": "thinking", "thinking": "Client A is the client.", "signature": "sig123"},
            {"type": "text", "text": "Looking up Client A now."},
            {"type": "tool_use", "id": "toolu_1", "name": "Bash",
             "input": {"command": "grep -r 'Client A' /srv\nls", "tags": ["Client A"]}},
        ], stop="tool_use")

    upstream.reply = reply
    messages = [{"role": "user", "content": f"Find {CLIENT}'s files"}]
    for stream in (False, True):
        if stream:
            with claude(gw).messages.stream(model="m", max_tokens=9, messages=messages) as s:
                m = s.get_final_message()
        else:
            m = claude(gw).messages.create(model="m", max_tokens=9, messages=messages)
        assert m.content[0].thinking == "Client A is the client."  # signed: left alone
        assert m.content[0].signature == "sig123"
        assert m.content[1].text == f"Looking up {CLIENT} now."
        assert m.content[2].input == {"command": f"grep -r '{CLIENT}' /srv\nls",
                                      "tags": [CLIENT]}


def test_tool_results_and_system_are_redacted(gw: Any, upstream: FakeUpstream, key: str) -> None:
    claude(gw).messages.create(
        model="m", max_tokens=9,
        system=[{"type": "text", "text": f"You help {PERSON}.",
                 "cache_control": {"type": "ephemeral"}}],
        messages=[
            {"role": "user", "content": "read the env"},
            {"role": "assistant", "content": [{"type": "tool_use", "id": "toolu_1",
                                               "name": "Read", "input": {"path": f"/{CLIENT}"}}]},
            {"role": "user", "content": [
                {"type": "tool_result", "tool_use_id": "toolu_1",
                 "content": [{"type": "text", "text": f"AWS_KEY={key}"}]},
                {"type": "document", "source": {"type": "text", "media_type": "text/plain",
                                                "data": f"{CLIENT} contract"}}]},
        ])
    assert_clean(upstream, key, CLIENT, PERSON)
    body = upstream.requests[0].json
    assert body["system"][0]["cache_control"] == {"type": "ephemeral"}
    assert body["messages"][1]["content"][0]["input"] == {"path": "/Client A"}
    assert body["messages"][1]["content"][0]["id"] == "toolu_1"


def test_count_tokens_is_redacted(gw: Any, upstream: FakeUpstream, key: str) -> None:
    n = claude(gw).messages.count_tokens(model="m", messages=[
        {"role": "user", "content": prompt(key)}])
    assert n.input_tokens > 0
    assert upstream.requests[0].path == "/v1/messages/count_tokens"
    assert_clean(upstream, key, CLIENT)


def test_headers_forwarded_and_nothing_sensitive_logged(gw: Any, upstream: FakeUpstream,
                                                        key: str) -> None:
    c = claude(gw, default_headers={"anthropic-beta": "prompt-caching-2024-07-31"})
    c.messages.create(model="m", max_tokens=9, messages=[{"role": "user", "content": prompt(key)}])
    h = upstream.requests[0].headers
    assert "sk-ant-test" in (h.get("x-api-key"),
                             h.get("authorization", "").removeprefix("Bearer "))
    assert h["anthropic-version"] and h["anthropic-beta"] == "prompt-caching-2024-07-31"
    assert "x-promptguard-secret" not in h
    log = gw.log_text
    for value in (key, CLIENT, PERSON, "sk-ant-test", "Client A"):
        assert value not in log
    record = next(r for r in gw.log_records() if r["event"] == "request")
    assert record["replaced"] == 4 and "aws-access-key-id" in record["rule_ids"]


def test_blocked_request_raises_the_sdk_error(tmp_path: Path, upstream: FakeUpstream,
                                              key: str) -> None:
    # The default profile blocks secrets on the gateway surface.
    with running_gateway(tmp_path, BLOCK_CONFIG, anthropic=upstream.url,
                         openai=upstream.url) as gw:
        with pytest.raises(anthropic.BadRequestError) as e:
            claude(gw).messages.create(model="m", max_tokens=9, messages=[
                {"role": "user", "content": [{"type": "text", "text": "hello"},
                                             {"type": "text", "text": f"key={key}"}]}])
        assert "aws-access-key-id in messages[0].content[1].text" in str(e.value)
        assert e.value.body["error"]["type"] == "invalid_request_error"
        with pytest.raises(openai.BadRequestError) as oe:
            gpt(gw).chat.completions.create(model="g", messages=[
                {"role": "user", "content": f"key={key}"}])
        assert "aws-access-key-id" in str(oe.value)
        assert key not in str(e.value) + str(oe.value)
        assert not upstream.requests  # nothing was sent
        audit = (Path.home() / "audit.jsonl").read_text()
        assert '"gateway"' in audit and "aws-access-key-id" in audit and key not in audit


# -- OpenAI Chat Completions and Responses -----------------------------------------------

def test_chat_completions(gw: Any, upstream: FakeUpstream, key: str) -> None:
    c = gpt(gw)
    r = c.chat.completions.create(model="g", messages=[{"role": "user", "content": prompt(key)}])
    assert f"Repeat {CLIENT}." in r.choices[0].message.content
    stream = c.chat.completions.create(model="g", stream=True, messages=[
        {"role": "user", "content": [{"type": "text", "text": prompt(key)}]}])
    text = "".join(ch.choices[0].delta.content or "" for ch in stream if ch.choices)
    assert text == f"You said: Use key <AWS_ACCESS_KEY_ID_1> for {CLIENT}'s export; " \
                   f"ask {PERSON}. Repeat {CLIENT}."
    assert_clean(upstream, key, CLIENT, PERSON)


def test_chat_tool_call_arguments(gw: Any, upstream: FakeUpstream) -> None:
    upstream.reply = lambda req: chat_reply(req, "", {"client": "Client A", "note": 'say "hi"'})
    history = [
        {"role": "user", "content": f"look up {CLIENT}"},
        {"role": "assistant", "content": None, "tool_calls": [{
            "id": "call_0", "type": "function",
            "function": {"name": "lookup", "arguments": json.dumps({"who": CLIENT})}}]},
        {"role": "tool", "tool_call_id": "call_0", "content": f"{CLIENT}: ok"},
    ]
    c = gpt(gw)
    r = c.chat.completions.create(model="g", messages=history)
    args = json.loads(r.choices[0].message.tool_calls[0].function.arguments)
    assert args == {"client": CLIENT, "note": 'say "hi"'}
    stream = c.chat.completions.create(model="g", messages=history, stream=True)
    parts = [tc.function.arguments for ch in stream if ch.choices
             for tc in ch.choices[0].delta.tool_calls or () if tc.function.arguments]
    assert json.loads("".join(parts)) == {"client": CLIENT, "note": 'say "hi"'}
    assert_clean(upstream, CLIENT)
    sent = upstream.requests[0].json["messages"][1]["tool_calls"][0]["function"]["arguments"]
    assert json.loads(sent) == {"who": "Client A"}


def test_responses_api(gw: Any, upstream: FakeUpstream, key: str) -> None:
    c = gpt(gw)
    r = c.responses.create(model="g", instructions=f"Serve {PERSON}.", input=prompt(key))
    assert f"Repeat {CLIENT}." in r.output_text
    with c.responses.stream(model="g", input=[
            {"role": "user", "content": [{"type": "input_text", "text": prompt(key)}]},
            {"type": "reasoning", "id": "rs_1", "summary": [],
             "encrypted_content": f"opaque-{CLIENT}"}]) as stream:
        deltas = [e.delta for e in stream if e.type == "response.output_text.delta"]
        final = stream.get_final_response()
    expected = f"You said: Use key <AWS_ACCESS_KEY_ID_1> for {CLIENT}'s export; " \
               f"ask {PERSON}. Repeat {CLIENT}."
    assert "".join(deltas) == expected and final.output_text == expected
    reasoning = upstream.requests[1].json["input"][1]
    assert reasoning["encrypted_content"] == f"opaque-{CLIENT}"  # reasoning items pass as is
    bodies = [r.body.decode() for r in upstream.requests]
    assert all(key not in b and PERSON not in b for b in bodies)
    assert CLIENT not in upstream.requests[0].body.decode()


# -- restore scope -------------------------------------------------------------------

def test_restore_only_what_this_request_sent(gw: Any, upstream: FakeUpstream) -> None:
    c = claude(gw)
    c.messages.create(model="m", max_tokens=9, messages=[
        {"role": "user", "content": f"{CLIENT} here"}])  # the vault now has Client A
    # Another client asks the model to echo the placeholder: it must not get the name.
    m = c.messages.create(model="m", max_tokens=9, messages=[
        {"role": "user", "content": "Say Client A and Person A"}])
    assert m.content[0].text == "You said: Say Client A and Person A"


# -- streaming behaviour and faults -----------------------------------------------------

def test_first_token_is_not_held_back(gw: Any, upstream: FakeUpstream) -> None:
    gate = threading.Event()

    def reply(req: Recorded) -> Reply:
        base = anthropic_reply(req, [{"type": "text", "text": "Hello there Client A!"}])
        # events: message_start, ping, block_start, "Hel", ...: hold after the first delta
        return base._replace(gate=gate, gate_after=3)

    upstream.reply = reply
    try:
        with claude(gw).messages.stream(model="m", max_tokens=9, messages=[
                {"role": "user", "content": f"hi {CLIENT}"}]) as stream:
            first = next(iter(stream.text_stream))
            assert first == "Hel"  # arrived while the upstream was still waiting
            gate.set()
            rest = "".join(stream.text_stream)
    finally:
        gate.set()
    assert first + rest == f"Hello there {CLIENT}!"


@pytest.mark.parametrize("fault", ["hang_after", "drop_after"])
def test_upstream_fails_mid_stream(gw: Any, upstream: FakeUpstream, fault: str) -> None:
    def reply(req: Recorded) -> Reply:
        return echo(req)._replace(hang_after=6) if fault == "hang_after" \
            else echo(req)._replace(drop_after=6)

    upstream.reply = reply
    with pytest.raises(anthropic.APIStatusError) as e:
        with claude(gw).messages.stream(model="m", max_tokens=9, messages=[
                {"role": "user", "content": f"a long answer for {CLIENT} please"}]) as s:
            text = "".join(s.text_stream)
            pytest.fail(f"stream ended without an error: {text!r}")
    assert "promptguard gateway" in str(e.value)
    assert ("stopped sending" if fault == "hang_after" else "broke mid-stream") in str(e.value) \
        or "closed the stream" in str(e.value)
    with pytest.raises(openai.APIError) as oe:
        for _ in gpt(gw).chat.completions.create(model="g", stream=True, messages=[
                {"role": "user", "content": f"a long answer for {CLIENT} please"}]):
            pass
    assert "promptguard gateway" in str(oe.value)


def test_upstream_hangs_before_answering(gw: Any, upstream: FakeUpstream) -> None:
    def reply(req: Recorded) -> Reply:
        time.sleep(3)  # longer than the gateway's read timeout (2 s)
        return echo(req)

    upstream.reply = reply
    with pytest.raises(anthropic.APIStatusError) as e:
        claude(gw).messages.create(model="m", max_tokens=9,
                                   messages=[{"role": "user", "content": "hi"}])
    assert e.value.status_code == 504 and "did not answer" in str(e.value)


def test_upstream_unreachable(tmp_path: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nothing listens there
    with running_gateway(tmp_path, anthropic=f"http://127.0.0.1:{port}") as gw:
        with pytest.raises(anthropic.APIStatusError) as e:
            claude(gw).messages.create(model="m", max_tokens=9,
                                       messages=[{"role": "user", "content": "hi"}])
    assert e.value.status_code == 502 and "cannot reach the upstream" in str(e.value)


def test_concurrency_limit_gives_429(tmp_path: Path, upstream: FakeUpstream) -> None:
    gate = threading.Event()
    upstream.reply = lambda req: echo(req)._replace(gate=gate)
    with running_gateway(tmp_path, anthropic=upstream.url, max_streams=1) as gw:
        c = claude(gw)
        holder = threading.Thread(target=lambda: c.messages.create(
            model="m", max_tokens=9, stream=True,
            messages=[{"role": "user", "content": "first"}]).response.read())
        holder.start()
        try:
            deadline = time.monotonic() + 10
            while not upstream.requests and time.monotonic() < deadline:
                time.sleep(0.01)
            with pytest.raises(anthropic.RateLimitError) as e:
                c.messages.create(model="m", max_tokens=9,
                                  messages=[{"role": "user", "content": "second"}])
            assert "limit of 1 concurrent" in str(e.value)
            assert e.value.response.headers["retry-after"] == "1"
        finally:
            gate.set()
            holder.join(10)


# -- bad input ---------------------------------------------------------------------

def post(url: str, body: bytes, content_type: str = "application/json",
         headers: dict[str, str] | None = None) -> tuple[int, dict[str, Any]]:
    req = urllib.request.Request(url, data=body, method="POST", headers={
        "Content-Type": content_type, "anthropic-version": "2023-06-01", **(headers or {})})
    try:
        with urllib.request.urlopen(req, timeout=10) as r:
            return r.status, json.loads(r.read())
    except urllib.error.HTTPError as e:
        return e.code, json.loads(e.read())


@pytest.mark.parametrize(("body", "ctype", "status", "kind", "says"), [
    (b'{"messages": [', "application/json", 400, "invalid_request_error", "not valid JSON"),
    (b"[1, 2]", "application/json", 400, "invalid_request_error", "a JSON object"),
    (b"\xff\xfe{}", "application/json", 400, "invalid_request_error", "UTF-8"),
    (b'{"a": 1}', "text/plain", 415, "invalid_request_error", "application/json"),
    (b"x" * 2048, "application/json", 413, "request_too_large", "larger than 1024"),
])
def test_bad_requests_get_api_errors(tmp_path: Path, upstream: FakeUpstream, key: str,
                                     body: bytes, ctype: str, status: int, kind: str,
                                     says: str) -> None:
    body = body.replace(b"x" * 20, key.encode(), 1)
    with running_gateway(tmp_path, anthropic=upstream.url, max_body=1024) as gw:
        code, doc = post(gw.url + "/v1/messages", body, ctype)
        log = gw.log_text
    assert code == status
    assert doc["type"] == "error" and doc["error"]["type"] == kind
    assert says in doc["error"]["message"]
    assert key not in json.dumps(doc) and key not in log
    assert not upstream.requests


def test_oversize_without_content_length(tmp_path: Path, upstream: FakeUpstream) -> None:
    with running_gateway(tmp_path, anthropic=upstream.url, max_body=1024) as gw:
        host, port = gw.url.removeprefix("http://").split(":")
        with socket.create_connection((host, int(port)), timeout=10) as s:
            s.sendall(b"POST /v1/messages HTTP/1.1\r\nHost: x\r\nContent-Type: application/json"
                      b"\r\nTransfer-Encoding: chunked\r\n\r\n")
            chunk = b'{"a":"' + b"y" * 4000 + b'"}'
            s.sendall(f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n0\r\n\r\n")
            answer = s.recv(65536).decode()
    assert answer.startswith("HTTP/1.1 413") and "request_too_large" in answer
    assert not upstream.requests


def test_unknown_paths_and_methods(gw: Any, upstream: FakeUpstream) -> None:
    code, doc = post(gw.url + "/v1/files", b"{}")
    assert code == 404 and "does not forward" in doc["error"]["message"]
    code, doc = post(gw.url + "/v1/messages/../../v1/files", b"{}")
    assert code == 404
    req = urllib.request.Request(gw.url + "/v1/messages", headers={"anthropic-version": "x"})
    with pytest.raises(urllib.error.HTTPError) as e:
        urllib.request.urlopen(req, timeout=10)
    assert e.value.code == 405
    assert not upstream.requests
    with urllib.request.urlopen(gw.url + "/healthz", timeout=10) as r:
        assert json.loads(r.read())["status"] == "ok"


def test_not_an_open_relay(gw: Any, upstream: FakeUpstream) -> None:
    """An absolute-URL request target or a Host header cannot pick the upstream."""
    with FakeUpstream() as other:
        host, port = gw.url.removeprefix("http://").split(":")
        body = b'{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"hi"}]}'
        with socket.create_connection((host, int(port)), timeout=10) as s:
            s.sendall(f"POST {other.url}/v1/messages HTTP/1.1\r\nHost: {other.url[7:]}\r\n"
                      f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n"
                      "Connection: close\r\n\r\n".encode() + body)
            answer = b""
            while chunk := s.recv(65536):
                answer += chunk
        assert answer.startswith(b"HTTP/1.1 200")
        assert not other.requests
    assert len(upstream.requests) == 1 and upstream.requests[0].headers["host"] != other.url[7:]


def test_shared_secret(tmp_path: Path, upstream: FakeUpstream) -> None:
    secret = "s3cret-" + fakes.rand(random.Random(3), 24)
    with running_gateway(tmp_path, anthropic=upstream.url, secret=secret) as gw:
        with pytest.raises(anthropic.AuthenticationError):
            claude(gw).messages.create(model="m", max_tokens=9,
                                       messages=[{"role": "user", "content": "hi"}])
        with pytest.raises(anthropic.AuthenticationError):
            claude(gw, default_headers={"X-Promptguard-Secret": "wrong"}).messages.create(
                model="m", max_tokens=9, messages=[{"role": "user", "content": "hi"}])
        assert not upstream.requests
        claude(gw, default_headers={"X-Promptguard-Secret": secret}).messages.create(
            model="m", max_tokens=9, messages=[{"role": "user", "content": "hi"}])
        assert "x-promptguard-secret" not in upstream.requests[0].headers
        assert secret not in gw.log_text


def test_echo_reads_last_user_text() -> None:
    # The fake model's own contract, which the tests above rely on.
    assert last_user_text({"messages": [{"role": "user", "content": [
        {"type": "text", "text": "a"}, {"type": "text", "text": "b"}]}]}) == "b"
    assert last_user_text({"input": "c"}) == "c"


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True, timeout=60)


def _issue(name: str, cn: str, tmp: Path, ca: str = "ca") -> None:
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    _openssl("req", *ec, "-keyout", f"{name}.key", "-out", f"{name}.csr", "-subj", f"/CN={cn}",
             cwd=tmp)
    (tmp / f"{name}.ext").write_text("subjectAltName=IP:127.0.0.1\n")
    _openssl("x509", "-req", "-in", f"{name}.csr", "-CA", f"{ca}.pem", "-CAkey", f"{ca}.key",
             "-CAcreateserial", "-out", f"{name}.pem", "-days", "1", "-extfile", f"{name}.ext",
             cwd=tmp)


def test_mtls(tmp_path: Path, upstream: FakeUpstream) -> None:
    realtools.which("openssl", "apt-get install openssl")
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"]
    for ca in ("ca", "other-ca"):
        _openssl("req", "-x509", *ec, "-keyout", f"{ca}.key", "-out", f"{ca}.pem", "-days", "1",
                 "-subj", f"/CN=promptguard test {ca}", cwd=tmp_path)
    _issue("server", "127.0.0.1", tmp_path)
    _issue("client", "client", tmp_path)
    _issue("stranger", "stranger", tmp_path, ca="other-ca")
    with running_gateway(tmp_path, anthropic=upstream.url, tls_cert=tmp_path / "server.pem",
                         tls_key=tmp_path / "server.key",
                         tls_client_ca=tmp_path / "ca.pem") as gw:
        assert gw.url.startswith("https://")
        body = b'{"model":"m","max_tokens":1,"messages":[{"role":"user","content":"Zorbex"}]}'

        def call(cert: str | None) -> int:
            ctx = ssl.create_default_context(cafile=str(tmp_path / "ca.pem"))
            if cert is not None:
                ctx.load_cert_chain(tmp_path / f"{cert}.pem", tmp_path / f"{cert}.key")
            req = urllib.request.Request(gw.url + "/v1/messages", data=body, method="POST",
                                         headers={"Content-Type": "application/json"})
            with urllib.request.urlopen(req, context=ctx, timeout=10) as r:
                return r.status

        assert call("client") == 200
        for cert in (None, "stranger"):
            with pytest.raises((ssl.SSLError, urllib.error.URLError, ConnectionError)):
                call(cert)
    assert len(upstream.requests) == 1


def test_each_turn_scans_and_audits_only_new_parts(gw: Any, upstream: FakeUpstream,
                                                   key: str) -> None:
    c = claude(gw)
    first = [{"role": "user", "content": prompt(key)}]
    answer = c.messages.create(model="m", max_tokens=9, messages=first)
    second = [*first, {"role": "assistant", "content": answer.content[0].text},
              {"role": "user", "content": f"Thanks, {PERSON}."}]
    m = c.messages.create(model="m", max_tokens=9, messages=second)
    assert m.content[0].text == f"You said: Thanks, {PERSON}."
    logs = [r for r in gw.log_records() if r["event"] == "request"]
    assert [r["cached_parts"] for r in logs] == [0, 1]
    # Turn 2 scanned only the answer (2 client, 1 person; its key is already a
    # placeholder) and the new prompt (1 person), not the first prompt again.
    assert [r["replaced"] for r in logs] == [4, 4]
    audit = [json.loads(line) for line in (Path.home() / "audit.jsonl").read_text().splitlines()]
    ids = [i for rec in audit for i in rec["rule_ids"]]
    assert ids.count("aws-access-key-id") == 1 and ids.count("client-person") == 3
    # The cache is dropped with the vault: cleared, the same text is redacted afresh
    # and the answer still restores.
    from promptguard.vault import clear

    clear(session="gateway")
    m = c.messages.create(model="m", max_tokens=9, messages=first)
    assert f"Repeat {CLIENT}." in m.content[0].text
    assert [r["cached_parts"] for r in gw.log_records() if r["event"] == "request"][-1] == 0


@pytest.mark.parametrize("on_error", ["block", "allow"])
def test_scan_failure_follows_on_error(tmp_path: Path, upstream: FakeUpstream, key: str,
                                       monkeypatch: pytest.MonkeyPatch, on_error: str) -> None:
    from promptguard.surfaces.gateway import app

    def broken(body: dict[str, Any]) -> Any:
        raise KeyError(f"{key} in a message")  # a bug whose message quotes the input

    monkeypatch.setitem(app.ROUTES, "/v1/messages", app.ROUTES["/v1/messages"]._replace(
        walker=broken))
    config = f"[policy.surfaces.gateway]\non_error = \"{on_error}\"\n"
    with running_gateway(tmp_path, config, anthropic=upstream.url) as gw:
        c = claude(gw)
        if on_error == "block":
            with pytest.raises(anthropic.InternalServerError) as e:
                c.messages.create(model="m", max_tokens=9,
                                  messages=[{"role": "user", "content": f"use {key}"}])
            assert "could not scan this request (KeyError)" in str(e.value)
            assert key not in str(e.value) and not upstream.requests
        else:  # fail open: forwarded unscanned, and the log says so
            c.messages.create(model="m", max_tokens=9,
                              messages=[{"role": "user", "content": "hello"}])
            assert len(upstream.requests) == 1
        log = gw.log_text
    assert '"event":"scan_error","error":"KeyError"' in log and key not in log


def test_responses_tool_calls_restored(gw: Any, upstream: FakeUpstream) -> None:
    from testing.fake_upstreams import responses_tool_reply

    patch = "*** Begin Patch\n*** Update File: notes.md\n+Client A owes Person A\n*** End Patch"
    upstream.reply = lambda req: responses_tool_reply(
        req, {"command": ["grep", "-r", "Client A", "."]}, patch)
    expected_patch = patch.replace("Client A", CLIENT).replace("Person A", PERSON)
    c = gpt(gw)
    prompt_text = f"Note that {CLIENT} owes {PERSON}"
    r = c.responses.create(model="g", input=prompt_text)
    assert json.loads(r.output[0].arguments) == {"command": ["grep", "-r", CLIENT, "."]}
    assert r.output[1].input == expected_patch
    with c.responses.stream(model="g", input=prompt_text) as stream:
        events = list(stream)
        final = stream.get_final_response()
    args = "".join(e.delta for e in events if e.type == "response.function_call_arguments.delta")
    assert json.loads(args) == {"command": ["grep", "-r", CLIENT, "."]}
    custom = "".join(e.delta for e in events if e.type == "response.custom_tool_call_input.delta")
    assert custom == expected_patch
    assert json.loads(final.output[0].arguments)["command"][2] == CLIENT
    assert final.output[1].input == expected_patch
    seqs = [e.sequence_number for e in events]
    assert seqs == sorted(seqs) and len(set(seqs)) == len(seqs)
    assert_clean(upstream, CLIENT, PERSON)
