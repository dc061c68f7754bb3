"""The hosts `promptguard hook` answers, registered explicitly.

A host is a module with the members of `Host` below (the pattern of
pre-commit's `all_languages.py`). Detection takes the first host in
`HOSTS` whose `detect()` accepts the payload, so a host whose payload
resembles Claude Code's goes before `claude-code`.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any
from typing import Protocol

from promptguard.surfaces.hooks.event import Answer
from promptguard.surfaces.hooks.event import Event
from promptguard.surfaces.hooks.event import Outcome
from promptguard.surfaces.hooks.hosts import claude_code
from promptguard.surfaces.hooks.hosts import codex
from promptguard.surfaces.hooks.hosts import copilot
from promptguard.surfaces.hooks.hosts import cursor
from promptguard.surfaces.hooks.hosts import gemini
from promptguard.surfaces.hooks.hosts import vscode
from promptguard.surfaces.hooks.hosts import windsurf


class Host(Protocol):
    # the `--agent` value and the key in HOSTS
    @property
    def name(self) -> str: ...

    # the policy surface the guard loads (`[policy.surfaces.<surface>]`)
    @property
    def surface(self) -> str: ...

    # does this payload come from this host? (only used without --agent)
    def detect(self, payload: Mapping[str, Any]) -> bool: ...

    # the normalized event; raise promptguard.errors.InputError for a
    # payload this host cannot handle (unknown event, missing field)
    def parse(self, payload: Mapping[str, Any]) -> Event: ...

    # the host-native answer for a decided event
    def render(self, event: Event, outcome: Outcome) -> Answer: ...

    # the answer when promptguard failed (malformed JSON, unknown event,
    # config error, internal error); `event` is None when parsing failed.
    # on_error is "block" or "allow"; either way, say what happened.
    def render_error(self, event: Event | None, message: str, on_error: str) -> Answer: ...


HOSTS: dict[str, Host] = {
    # more specific detectors first; Claude Code's payload shape is the
    # one others imitate, so it goes last.
    "windsurf": windsurf,
    "cursor": cursor,
    "codex": codex,
    "gemini": gemini,
    "vscode": vscode,
    "copilot": copilot,
    "claude-code": claude_code,
}
# Names accepted by --agent besides the registry keys.
ALIASES: dict[str, str] = {"claude": "claude-code"}


def get(name: str) -> Host | None:
    return HOSTS.get(ALIASES.get(name, name))


def detect(payload: Mapping[str, Any]) -> Host | None:
    return next((h for h in HOSTS.values() if h.detect(payload)), None)
