"""The matcher-group helpers shared by the Claude Code, Codex and Gemini CLI installers:
the doctor's walk, and merging and removing our groups."""
from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from promptguard.errors import ConfigError
from promptguard.surfaces.hooks.setup import Check
from promptguard.surfaces.hooks.setup import grouped
from promptguard.surfaces.hooks.setup import jsonfile

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


# -- install / uninstall (Claude Code and Gemini CLI) --------------------------------

def _file(tmp_path: Path, doc: Mapping[str, Any]) -> Path:
    path = tmp_path / "settings.json"
    path.write_text(json.dumps(doc))
    return path


def test_install_appends_our_groups_after_everyone_elses_and_is_idempotent(
        tmp_path: Path) -> None:
    theirs = {"matcher": "Bash", "hooks": [OTHER]}
    path = _file(tmp_path, {"model": "x", "hooks": {"Prompt": [theirs]}})
    ours: dict[str, list[Any]] = {"Prompt": [{"hooks": [OURS]}],
                                  "Tool": [{"matcher": "*", "hooks": [OURS]}]}
    change = grouped.install(path, jsonfile.read(path), ours)
    assert change.changed and change.message == "installed"
    assert change.backup is not None and change.backup.is_file()
    doc = json.loads(path.read_text())
    assert doc == {"model": "x", "hooks": {"Prompt": [theirs, {"hooks": [OURS]}],
                                           "Tool": [{"matcher": "*", "hooks": [OURS]}]}}
    again = grouped.install(path, jsonfile.read(path), ours)
    assert (again.changed, again.message) == (False, "already installed")
    assert json.loads(path.read_text()) == doc


def test_install_replaces_an_older_install_of_ours_instead_of_adding_a_second(
        tmp_path: Path) -> None:
    old = {**OURS, "timeout": 5}
    path = _file(tmp_path, {"hooks": {"Prompt": [{"hooks": [old]}]}})
    grouped.install(path, jsonfile.read(path), {"Prompt": [{"hooks": [OURS]}]})
    assert json.loads(path.read_text()) == {"hooks": {"Prompt": [{"hooks": [OURS]}]}}


def test_uninstall_removes_only_ours_and_the_groups_it_empties(tmp_path: Path) -> None:
    shared = {"matcher": "Bash", "hooks": [OTHER, OURS]}
    misplaced = OURS  # directly in the event's list: the host never ran it
    path = _file(tmp_path, {"hooks": {"Prompt": [{"hooks": [OURS]}, misplaced],
                                      "Tool": [shared], "Odd": "not a list"}})
    change = grouped.uninstall(path, jsonfile.read(path), "no settings file")
    assert change.changed and change.message == "removed"
    assert json.loads(path.read_text()) == {
        "hooks": {"Tool": [{"matcher": "Bash", "hooks": [OTHER]}], "Odd": "not a list"}}
    again = grouped.uninstall(path, jsonfile.read(path), "no settings file")
    assert (again.changed, again.message) == (False, "not installed")


def test_uninstall_of_the_last_hooks_drops_the_table_and_keeps_the_rest(
        tmp_path: Path) -> None:
    path = _file(tmp_path, {"theme": "dark", "hooks": {"Prompt": [{"hooks": [OURS]}]}})
    grouped.uninstall(path, jsonfile.read(path), "no settings file")
    assert json.loads(path.read_text()) == {"theme": "dark"}
    missing = tmp_path / "none.json"
    assert grouped.uninstall(missing, None, "no settings file").message == "no settings file"
    assert not missing.exists()


@pytest.mark.parametrize("hooks", [[OURS], "promptguard", 3])
def test_a_hooks_value_that_is_not_an_object_is_refused_and_the_file_kept(
        tmp_path: Path, hooks: Any) -> None:
    path = _file(tmp_path, {"hooks": hooks})
    before = path.read_bytes()
    for act in (lambda: grouped.install(path, jsonfile.read(path), {"Prompt": []}),
                lambda: grouped.uninstall(path, jsonfile.read(path), "")):
        with pytest.raises(ConfigError, match="expected an object; nothing was changed"):
            act()
    assert path.read_bytes() == before
