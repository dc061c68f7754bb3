"""Request walkers, scoped restore and SSE restore, without HTTP (properties with hypothesis)."""
from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

pytest.importorskip("aiohttp")

from promptguard.surfaces.gateway import sse
from promptguard.surfaces.gateway import walkers
from promptguard.surfaces.gateway.restore import JsonTextStream
from promptguard.surfaces.gateway.restore import Scope
from promptguard.surfaces.gateway.restore import restore_json_text
from promptguard.surfaces.gateway.restore import restore_strings
from promptguard.vault import Entry

VALUES = {
    "Client A": "Zorbex Dynamics",
    "Person A": 'Dana "DW" Whitfield',
    "<EMAIL_1>": "dana@zorbex.example",
    "<HOST_1>": "db\\1.zorbex-internal.net",  # a backslash: JSON escaping matters
}
SCOPE = Scope({p: Entry(p, "r", "client", value=v) for p, v in VALUES.items()})
RESTORER = SCOPE.restorer()

# Text made of words, placeholders, escapes-worthy characters and non-ASCII.
tokens = st.sampled_from([*VALUES, " ", "\n", '"', "\\", "é", "💡", "Client", "<EMA", "x",
                          "Client AB", "word", "<HOST_12>", "Person"])
texts = st.lists(tokens, max_size=25).map("".join)


def split(text: str, cuts: list[int]) -> list[str]:
    points = sorted({c % (len(text) + 1) for c in cuts})
    out, last = [], 0
    for p in points:
        out.append(text[last:p])
        last = p
    out.append(text[last:])
    return out


@settings(max_examples=150, deadline=None)
@given(st.dictionaries(st.sampled_from(["a", "b", "cmd"]),
                       st.one_of(texts, st.lists(texts, max_size=3), st.integers()), max_size=3),
       st.booleans(), st.lists(st.integers(0, 10_000), max_size=12))
def test_json_text_stream_equals_whole_restore(doc: dict[str, Any], ascii_only: bool,
                                               cuts: list[int]) -> None:
    text = json.dumps(doc, ensure_ascii=ascii_only)
    stream = JsonTextStream(RESTORER)
    out = "".join(stream.feed(piece) for piece in split(text, cuts)) + stream.flush()
    assert json.loads(out) == restore_strings(RESTORER, json.loads(text))


def anthropic_events(pieces: list[str]) -> list[sse.Event]:
    raw = [sse.encode("content_block_start", {"type": "content_block_start", "index": 0,
                                              "content_block": {"type": "text", "text": ""}})]
    raw += [sse.encode("content_block_delta", {"type": "content_block_delta", "index": 0,
                                               "delta": {"type": "text_delta", "text": p}})
            for p in pieces]
    raw.append(sse.encode("content_block_stop", {"type": "content_block_stop", "index": 0}))
    parser = sse.SseParser(1 << 20)
    return parser.feed(b"".join(raw))


def text_of(chunks: list[bytes], field: str = "text") -> str:
    events = sse.SseParser(1 << 20).feed(b"".join(chunks))
    out = []
    for ev in events:
        data = json.loads(ev.data)
        delta = data.get("delta")
        if isinstance(delta, dict) and field in delta:
            out.append(delta[field])
    return "".join(out)


@settings(max_examples=150, deadline=None)
@given(texts, st.lists(st.integers(0, 10_000), max_size=12))
def test_anthropic_text_deltas_restore_across_splits(text: str, cuts: list[int]) -> None:
    t = sse.AnthropicStream(RESTORER)
    out: list[bytes] = []
    for ev in anthropic_events(split(text, cuts)):
        out.extend(t.on_event(ev))
    out.extend(t.close())
    assert text_of(out) == RESTORER.restore(text)
    # The stop event comes last: the held tail was sent before it.
    assert out[-1].startswith(b"event: content_block_stop")


def test_anthropic_unchanged_events_pass_as_received() -> None:
    t = sse.AnthropicStream(RESTORER)
    events = anthropic_events(["Hello ", "world"])
    assert [b for ev in events for b in t.on_event(ev)] == [ev.raw for ev in events]


def test_anthropic_thinking_deltas_untouched() -> None:
    raw = (sse.encode("content_block_start", {"type": "content_block_start", "index": 0,
                                              "content_block": {"type": "thinking",
                                                                "thinking": ""}})
           + sse.encode("content_block_delta", {"type": "content_block_delta", "index": 0,
                                                "delta": {"type": "thinking_delta",
                                                          "thinking": "Client A"}}))
    t = sse.AnthropicStream(RESTORER)
    events = sse.SseParser(1 << 20).feed(raw)
    assert b"".join(b for ev in events for b in t.on_event(ev)) == raw


@settings(max_examples=100, deadline=None)
@given(texts, st.lists(st.integers(0, 10_000), max_size=10))
def test_chat_stream_restores_and_flushes_at_finish(text: str, cuts: list[int]) -> None:
    chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "g"}
    raw = [sse.encode(None, {**chunk, "choices": [{"index": 0, "delta": {"content": p},
                                                   "finish_reason": None}]})
           for p in split(text, cuts)]
    raw.append(sse.encode(None, {**chunk, "choices": [{"index": 0, "delta": {},
                                                       "finish_reason": "stop"}]}))
    raw.append(b"data: [DONE]\n\n")
    t = sse.ChatStream(RESTORER)
    out: list[bytes] = []
    for ev in sse.SseParser(1 << 20).feed(b"".join(raw)):
        out.extend(t.on_event(ev))
    out.extend(t.close())
    assert out[-1] == b"data: [DONE]\n\n"
    got = "".join(json.loads(ev.data)["choices"][0]["delta"].get("content") or ""
                  for ev in sse.SseParser(1 << 20).feed(b"".join(out[:-1])))
    assert got == RESTORER.restore(text)


@settings(max_examples=100, deadline=None)
@given(texts, st.lists(st.integers(0, 10_000), max_size=10))
def test_responses_stream_keeps_sequence_numbers_increasing(text: str, cuts: list[int]) -> None:
    base = {"item_id": "m1", "output_index": 0, "content_index": 0}
    pieces = split(text, cuts)
    raw = [sse.encode("response.output_text.delta", {"type": "response.output_text.delta",
                                                     "sequence_number": i, "delta": p, **base})
           for i, p in enumerate(pieces)]
    raw.append(sse.encode("response.output_text.done", {
        "type": "response.output_text.done", "sequence_number": len(pieces), "text": text,
        **base}))
    raw.append(sse.encode("response.completed", {
        "type": "response.completed", "sequence_number": len(pieces) + 1,
        "response": {"output": [{"type": "message", "content": [
            {"type": "output_text", "text": text}]}]}}))
    t = sse.ResponsesStream(RESTORER)
    out: list[bytes] = []
    for ev in sse.SseParser(1 << 20).feed(b"".join(raw)):
        out.extend(t.on_event(ev))
    events = [json.loads(ev.data) for ev in sse.SseParser(1 << 20).feed(b"".join(out))]
    seqs = [e["sequence_number"] for e in events]
    assert seqs == list(range(len(seqs)))
    deltas = "".join(e["delta"] for e in events if e["type"] == "response.output_text.delta")
    assert deltas == RESTORER.restore(text)
    assert events[-2]["text"] == RESTORER.restore(text)
    assert events[-1]["response"]["output"][0]["content"][0]["text"] == RESTORER.restore(text)


def test_restore_json_text_keeps_bytes_when_nothing_changes() -> None:
    raw = '{"a":  1,"b": "plain"}'
    assert restore_json_text(RESTORER, raw) is raw
    assert json.loads(restore_json_text(RESTORER, '{"b": "<HOST_1>"}')) == {
        "b": VALUES["<HOST_1>"]}
    assert restore_json_text(RESTORER, "not json Client A") == "not json Zorbex Dynamics"


def test_scope_restores_only_its_own_placeholders() -> None:
    scope = Scope({"Client A": Entry("Client A", "r", "client", value="Zorbex")})
    r = scope.restorer()
    assert r.restore("Client A and Client B and <EMAIL_1>") == "Zorbex and Client B and <EMAIL_1>"
    assert "Zorbex" not in repr(scope) and len(scope) == 1


def test_sse_parser_handles_crlf_multiline_and_splits() -> None:
    p = sse.SseParser(1 << 20)
    events = p.feed(b"event: a\r\ndata: 1\r\n")
    assert events == []
    events = p.feed(b"data: 2\r\n\r\n: comment\n\ndata: x")
    assert [(e.event, e.data) for e in events] == [("a", "1\n2"), (None, "")]
    # A comment (keep-alive) is an event too: it is passed on as received.
    assert events[1].raw == b": comment\n\n"
    assert p.pending
    with pytest.raises(sse.SseError):
        sse.SseParser(10).feed(b"data: " + b"y" * 20)


# -- walkers ----------------------------------------------------------------------

def wheres(walk: walkers.Walk) -> list[str]:
    return [s.where for s in walk.slots]


def test_anthropic_walker_finds_text_and_skips_opaque_parts() -> None:
    body = {
        "system": "sys",
        "tools": [{"name": "Bash", "description": "not scanned"}],
        "messages": [
            {"role": "user", "content": [
                {"type": "text", "text": "t"},
                {"type": "image", "source": {"type": "base64", "data": "AAAA"}},
                {"type": "document", "title": "doc", "source": {"type": "base64", "data": "P"}},
                {"type": "document", "source": {"type": "content", "content": [
                    {"type": "text", "text": "inner"}]}},
                {"type": "tool_result", "tool_use_id": "toolu_1", "content": "out"},
                {"type": "search_result", "source": "https://x", "title": "s",
                 "content": [{"type": "text", "text": "found"}]},
                {"type": "future_block", "id": "f1", "note": "new", "signature": "sig"},
            ]},
            {"role": "assistant", "content": [
                {"type": "thinking", "thinking": "secret thoughts", "signature": "s"},
                {"type": "redacted_thinking", "data": "opaque"},
                {"type": "tool_use", "id": "toolu_1", "name": "Bash",
                 "input": {"command": "ls", "args": ["-l", 3]}},
            ]},
        ],
    }
    assert wheres(walkers.anthropic_messages(body)) == [
        "system",
        "messages[0].content[0].text",
        "messages[0].content[2].title",
        "messages[0].content[3].source.content[0].text",
        "messages[0].content[4].content",
        "messages[0].content[5].title",
        "messages[0].content[5].source",
        "messages[0].content[5].content[0].text",
        "messages[0].content[6].note",
        "messages[1].content[2].input.command",
        "messages[1].content[2].input.args[0]",
    ]


def test_openai_walkers() -> None:
    chat: dict[str, Any] = {"messages": [
        {"role": "system", "content": "s"},
        {"role": "user", "content": [{"type": "text", "text": "t"},
                                     {"type": "image_url", "image_url": {"url": "data:x"}}]},
        {"role": "assistant", "tool_calls": [{"id": "c", "type": "function", "function": {
            "name": "f", "arguments": '{"q": "v", "n": 1}'}}]},
        {"role": "assistant", "tool_calls": [{"id": "d", "type": "function", "function": {
            "name": "f", "arguments": "not json"}}]},
        {"role": "tool", "tool_call_id": "c", "content": "r"},
    ]}
    walk = walkers.openai_chat(chat)
    assert wheres(walk) == ["messages[0].content", "messages[1].content[0].text",
                            "messages[2].tool_calls[0].arguments.q",
                            "messages[3].tool_calls[0].arguments", "messages[4].content"]
    walk.slots[2].set("V")
    walk.reserialize({2})
    assert json.loads(chat["messages"][2]["tool_calls"][0]["function"]["arguments"]) == {
        "q": "V", "n": 1}
    walk.reserialize(set())  # nothing changed: the original text stays, spacing and all
    assert chat["messages"][2]["tool_calls"][0]["function"]["arguments"] == '{"q": "V", "n": 1}'
    compact: dict[str, Any] = {"messages": [{"role": "assistant", "tool_calls": [
        {"id": "c", "type": "function", "function": {"name": "f", "arguments": '{"q":"v"}'}}]},
        {"role": "user", "content": "x"}]}
    walk = walkers.openai_chat(compact)
    walk.slots[1].set("y")
    walk.reserialize({1})
    assert compact["messages"][0]["tool_calls"][0]["function"]["arguments"] == '{"q":"v"}'
    responses = {"instructions": "i", "input": [
        {"role": "user", "content": "u"},
        {"type": "message", "role": "user", "content": [
            {"type": "input_text", "text": "t"}, {"type": "input_image", "image_url": "x"}]},
        {"type": "reasoning", "id": "rs", "encrypted_content": "e", "summary": [{"text": "s"}]},
        {"type": "function_call", "call_id": "c", "name": "f", "arguments": '{"a": "b"}'},
        {"type": "function_call_output", "call_id": "c", "output": "o"},
        {"type": "custom_tool_call", "call_id": "p", "name": "apply_patch", "input": "diff"},
        {"type": "local_shell_call", "id": "l", "action": {"command": ["ls", "-l"]}},
    ]}
    assert wheres(walkers.openai_responses(responses)) == [
        "instructions", "input[0].content", "input[1].content[0].text",
        "input[3].arguments.a", "input[4].output", "input[5].input",
        "input[6].action.command[0]", "input[6].action.command[1]",
    ]
