"""The hosts `promptguard hook` answers, registered explicitly.

A host is a module with the members of `Host` below (the pattern of
pre-commit's `all_languages.py`). Detection takes the first host in
`HOSTS` whose `detect()` accepts the payload, so a host whose payload
resembles Claude Code's goes before `claude-code`. A host's module is
imported when first looked up: a hook run with `--agent NAME` imports only
its own host.
"""
from __future__ import annotations

from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any
from typing import Protocol

from promptguard.surfaces.hooks.event import Answer
from promptguard.surfaces.hooks.event import Event
from promptguard.surfaces.hooks.event import Outcome


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


def _import(name: str) -> Host:
    # Plain imports, one per host, so the layering contracts and mypy see them.
    if name == "windsurf":
        from promptguard.surfaces.hooks.hosts import windsurf

        return windsurf
    if name == "cursor":
        from promptguard.surfaces.hooks.hosts import cursor

        return cursor
    if name == "codex":
        from promptguard.surfaces.hooks.hosts import codex

        return codex
    if name == "gemini":
        from promptguard.surfaces.hooks.hosts import gemini

        return gemini
    if name == "vscode":
        from promptguard.surfaces.hooks.hosts import vscode

        return vscode
    if name == "copilot":
        from promptguard.surfaces.hooks.hosts import copilot

        return copilot
    if name == "claude-code":
        from promptguard.surfaces.hooks.hosts import claude_code

        return claude_code
    raise KeyError(name)


class _Registry(Mapping[str, Host]):
    """The hosts by name, in detection order; each imported on first lookup."""

    def __init__(self, names: tuple[str, ...]) -> None:
        self._names = names

    def __getitem__(self, name: str) -> Host:
        if name not in self._names:
            raise KeyError(name)
        return _import(name)

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


HOSTS: Mapping[str, Host] = _Registry((
    # more specific detectors first; Claude Code's payload shape is the
    # one others imitate, so it goes last.
    "windsurf",
    "cursor",
    "codex",
    "gemini",
    "vscode",
    "copilot",
    "claude-code",
))
# Names accepted by --agent besides the registry keys.
ALIASES: dict[str, str] = {"claude": "claude-code"}


def get(name: str) -> Host | None:
    return HOSTS.get(ALIASES.get(name, name))


def detect(payload: Mapping[str, Any]) -> Host | None:
    return next((h for h in HOSTS.values() if h.detect(payload)), None)
