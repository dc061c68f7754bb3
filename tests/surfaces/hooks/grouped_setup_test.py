"""The matcher-group walk shared by the Claude Code, Codex and Gemini CLI doctors."""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pytest

from promptguard.surfaces.hooks.setup import Check
from promptguard.surfaces.hooks.setup import grouped

OURS = {"type": "command", "command": "promptguard hook --agent x", "timeout": 30}
OTHER = {"type": "command", "command": "lint-my-code"}
LAYOUT = grouped.Layout("Some Host", "Prompt", frozenset({"enabled"}))


def _walk(hooks: Mapping[str, Any], bad: frozenset[str] = frozenset(),
          ) -> tuple[list[Check], set[str], list[tuple[str, str]]]:
    seen: list[tuple[str, int, int]] = []
    canaried: list[tuple[str, str]] = []

    def problems(event: str, gi: int, hi: int, g: Mapping[str, Any],
                 h: Mapping[str, Any]) -> list[str]:
        assert g["hooks"][hi] is h
        seen.append((event, gi, hi))
        return ["broken"] if event in bad else []

    def canary(h: Mapping[str, Any], where: str) -> list[Check]:
        canaried.append((h["command"], where))
        return [Check("ok", where, "canary blocked")]

    checks, events = grouped.check_hooks(hooks, "user settings f.json", LAYOUT, problems, canary)
    return checks, events, canaried


def test_sound_handlers_give_their_events_and_one_canary_on_the_prompt_event() -> None:
    hooks = {
        "enabled": True,  # a setting, not an event
        "Prompt": [{"hooks": [OTHER]}, {"matcher": "*", "hooks": [OTHER, OURS]},
                   {"hooks": [OURS]}],
        "Tool": [{"matcher": "Bash", "hooks": [OURS]}],
    }
    checks, events, canaried = _walk(hooks)
    assert events == {"Prompt", "Tool"}
    # Only the first sound handler of the prompt event is run, where it sits.
    assert canaried == [(OURS["command"], "user settings f.json hooks.Prompt[1].hooks[1]")]
    assert checks == [Check("ok", "user settings f.json hooks.Prompt[1].hooks[1]",
                            "canary blocked")]


def test_a_handler_with_problems_is_reported_where_it_sits_and_not_canaried() -> None:
    checks, events, canaried = _walk({"Prompt": [{"hooks": [OURS]}],
                                      "Tool": [{"hooks": [OURS]}]}, bad=frozenset({"Prompt"}))
    assert checks == [Check("fail", "user settings f.json hooks.Prompt[0].hooks[0]", "broken")]
    assert events == {"Tool"} and canaried == []


@pytest.mark.parametrize(("hooks", "where", "says"), [
    ({"Prompt": {"hooks": [OURS]}}, "hooks.Prompt",
     "must be a list of matcher groups ([{\"hooks\": [...]}]): wrong nesting, Some Host "
     "ignores it"),
    ({"Prompt": [OURS]}, "hooks.Prompt[0]",
     "a handler placed directly in the event list: wrong nesting, Some Host ignores it"),
    ({"Prompt": [{"hooks": OURS}]}, "hooks.Prompt[0]",
     "'hooks' must be a list of handlers: wrong nesting"),
], ids=["event-not-a-list", "handler-not-in-a-group", "group-hooks-not-a-list"])
def test_wrong_nesting_is_named(hooks: Mapping[str, Any], where: str, says: str) -> None:
    checks, events, canaried = _walk(hooks)
    assert [c.status for c in checks] == ["fail"]
    assert checks[0].where == f"user settings f.json {where}"
    assert checks[0].message.startswith(says)
    assert events == set() and canaried == []


def test_someone_elses_malformed_entries_are_not_ours_to_report() -> None:
    checks, events, _ = _walk({"Prompt": {"hooks": [OTHER]}, "Tool": [OTHER, 3, {"hooks": 1}]})
    assert checks == [] and events == set()
