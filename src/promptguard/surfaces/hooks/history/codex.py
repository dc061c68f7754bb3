"""Codex CLI transcripts: `~/.codex/sessions/YYYY/MM/DD/rollout-*.jsonl` (and archived ones).

Each line is `{"timestamp", "type", "payload"}` (session_meta, response_item,
event_msg, turn_context...). Codex keeps a prompt its UserPromptSubmit hook
blocked out of the rollout (verified with 0.169.0), but everything sent
before promptguard was installed, and tool output it did not redact, is here.
"""
from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from promptguard.surfaces.hooks.history import Hit
from promptguard.surfaces.hooks.history import Options
from promptguard.surfaces.hooks.history import Scrubbed
from promptguard.surfaces.hooks.history import jsonl

if TYPE_CHECKING:
    from promptguard.guard import Guard

name = "codex"
surface = "codex"


def codex_home(options: Options) -> Path:
    env = os.environ.get("CODEX_HOME")
    if env and options.home == Path.home():
        return Path(env)
    return options.home / ".codex"


def files(options: Options) -> list[Path]:
    base = codex_home(options)
    out: list[Path] = []
    for sub in ("sessions", "archived_sessions"):
        if (base / sub).is_dir():
            out += sorted((base / sub).glob("**/rollout-*.jsonl"))
    return out


def scan(guard: Guard, options: Options) -> Iterator[Hit]:
    return jsonl.scan(guard, files(options))


def scrub(guard: Guard, options: Options) -> Iterator[Scrubbed]:
    return jsonl.scrub(guard, files(options), codex_home(options), options)
