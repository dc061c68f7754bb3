"""Properties: `hook` never raises and never prints a planted value, whatever the payload."""
from __future__ import annotations

import json
import random
from typing import Any

from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from testing import fakes

from promptguard.surfaces.hooks import run

EVENTS = ["UserPromptSubmit", "PreToolUse", "PostToolUse", "ConfigChange", "SessionStart",
          "Stop", "Weird", ""]
TOOLS = ["Bash", "Read", "Grep", "Write", "Edit", "WebFetch", "mcp__s__t", "Agent", "", "?"]
SECRET = fakes.aws_key_id(random.Random(9))
OTHER = fakes.github_token(random.Random(9))

text = st.text(max_size=40)
with_secret = st.builds(lambda a, b, s: f"{a}{s}{b}", text, text, st.sampled_from([SECRET, OTHER]))
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | text | with_secret,
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.text(max_size=8), children, max_size=4),
    max_leaves=12,
)
payloads = st.fixed_dictionaries(
    {"hook_event_name": st.sampled_from(EVENTS) | with_secret | st.sampled_from([SECRET])},
    optional={
        "session_id": st.one_of(text, st.integers()),
        "cwd": st.sampled_from(["", "/nonexistent", "/tmp"]) | st.integers(),
        "prompt": with_secret | json_values,
        "tool_name": st.sampled_from(TOOLS) | st.integers(),
        "tool_input": st.dictionaries(st.sampled_from(["command", "file_path", "content",
                                                       "url", "new_string", "x"]),
                                      json_values, max_size=3) | json_values,
        "tool_response": json_values,
        "source": text, "file_path": text,
        "extra": json_values,
    },
)


def _check(data: bytes, agent: str | None = None) -> None:
    answer = run.handle(data, run.Settings(agent=agent, clipboard=False))
    assert answer.exit_code in (0, 2)
    for planted in (SECRET, OTHER):
        assert planted not in answer.stdout
        assert planted not in answer.stderr
    if answer.stdout:
        doc: Any = json.loads(answer.stdout)
        assert isinstance(doc, dict)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(payloads)
def test_hook_never_raises_nor_leaks(payload: dict[str, Any]) -> None:
    _check(json.dumps(payload).encode())
    _check(json.dumps(payload).encode(), agent="claude-code")


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=200) | st.builds(lambda s: s.encode(), with_secret))
def test_hook_survives_arbitrary_bytes(data: bytes) -> None:
    _check(data)
