"""Properties of every non-Claude host: for arbitrary payloads, `hook` never raises,
answers in the host's protocol (exit 0 with one JSON object or nothing, or exit 2),
and never prints a planted secret."""
from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from testing import fakes
from testing.hookgolden import answer

from promptguard.surfaces.hooks import hosts

KEY = fakes.aws_key_id(random.Random(12))
NAMES = ("codex", "gemini", "cursor", "copilot", "vscode", "windsurf")
EVENT_KEY = {"codex": "hook_event_name", "gemini": "hook_event_name",
             "cursor": "hook_event_name", "copilot": "hook_event_name",
             "vscode": "hookEventName", "windsurf": "agent_action_name"}
FIELDS = ("prompt", "tool_name", "tool_input", "tool_response", "tool_output", "toolName",
          "toolArgs", "toolResult", "llm_request", "tool_info", "command", "file_path",
          "content", "attachments", "session_id", "cwd", "turn_id", "conversation_id")

leaf = st.one_of(st.text(max_size=30), st.just(KEY), st.just(f"x={KEY}\ny=1"), st.integers(),
                 st.booleans(), st.none())
json_values = st.recursive(leaf, lambda inner: st.one_of(
    st.lists(inner, max_size=4),
    st.dictionaries(st.sampled_from(("content", "text", "command", "messages", "role",
                                     "llmContent", "user_prompt", "file_path", "output")),
                    inner, max_size=4)), max_leaves=12)


@st.composite
def payloads(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    name = draw(st.sampled_from(NAMES))
    host = hosts.HOSTS[name]
    events = sorted(set(getattr(host, "KINDS", {})) | set(getattr(host, "IGNORED", ())))
    doc: dict[str, Any] = {EVENT_KEY[name]: draw(st.sampled_from([*events, "Bogus"]))}
    for field in draw(st.lists(st.sampled_from(FIELDS), max_size=6, unique=True)):
        doc[field] = draw(json_values)
    return name, doc


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payloads(), st.booleans())
def test_hook_never_raises_and_never_prints_the_secret(case: tuple[str, dict[str, Any]],
                                                       by_agent: bool) -> None:
    name, doc = case
    a = answer(doc, name if by_agent else None)
    assert a.exit_code in (0, 2)
    if a.stdout:
        assert isinstance(json.loads(a.stdout), dict)
    assert KEY not in a.stdout + a.stderr
