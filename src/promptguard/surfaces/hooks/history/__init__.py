"""`promptguard history scan|scrub`: secrets that already went into agents' transcripts.

A history is a module with the members of `History` (see `claude_code.py`),
registered in HISTORIES. `scan` reports what to rotate (rule ids, masked
previews, session, date: never values); `scrub` rewrites the files with
placeholders after a backup, skipping sessions still active.
"""
from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING
from typing import NamedTuple
from typing import Protocol

if TYPE_CHECKING:
    from promptguard.guard import Guard


class Options(NamedTuple):
    home: Path
    # a file modified more recently than this many seconds ago belongs to a
    # session that may still be running: scrub leaves it alone
    active_seconds: float = 600.0
    dry_run: bool = False


class Hit(NamedTuple):
    path: Path
    line: int  # JSONL line number (1-based)
    session: str
    date: str  # the record's timestamp, or the file's mtime
    rule_id: str
    preview: str  # masked
    action: str  # the policy's action on the agent's surface
    where: str  # which record/field ("user prompt", "queue-operation", "tool_result")
    fingerprint: str = ""  # the finding's (one-way): the same value seen twice


class Scrubbed(NamedTuple):
    path: Path
    replaced: int
    backup: Path | None
    skipped: str = ""  # why the file was left alone ("active session")


class History(Protocol):
    @property
    def name(self) -> str: ...

    # the policy surface whose rules decide what counts
    @property
    def surface(self) -> str: ...

    # every transcript-like file of the agent under options.home
    def files(self, options: Options) -> list[Path]: ...

    def scan(self, guard: Guard, options: Options) -> Iterator[Hit]: ...

    def scrub(self, guard: Guard, options: Options) -> Iterator[Scrubbed]: ...


def _claude_code() -> History:
    from promptguard.surfaces.hooks.history import claude_code

    return claude_code


def _codex() -> History:
    from promptguard.surfaces.hooks.history import codex

    return codex


def _gemini() -> History:
    from promptguard.surfaces.hooks.history import gemini

    return gemini


def _cursor() -> History:
    from promptguard.surfaces.hooks.history import cursor

    return cursor


HISTORIES: dict[str, Callable[[], History]] = {
    "claude-code": _claude_code,
    "codex": _codex,
    "gemini": _gemini,
    "cursor": _cursor,
}
ALIASES: dict[str, str] = {"claude": "claude-code"}


def get(name: str) -> History | None:
    loader = HISTORIES.get(ALIASES.get(name, name))
    return loader() if loader is not None else None
