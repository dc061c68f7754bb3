"""Gemini CLI transcripts: `~/.gemini/tmp/<project>/chats/session-*.jsonl` (0.61.0).

One JSON record per line (the session header, messages with `content`
parts, `$set` updates). BeforeModel redaction changes only the request
sent to the model: the chat file keeps what the user typed, so a prompt
promptguard redacted in flight is still here in full (seen with the real
CLI). Older builds wrote `session-*.json` (one JSON document); those are
not read.
"""
from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from promptguard.surfaces.hooks.history import Hit
from promptguard.surfaces.hooks.history import Options
from promptguard.surfaces.hooks.history import Scrubbed
from promptguard.surfaces.hooks.history import jsonl

if TYPE_CHECKING:
    from promptguard.guard import Guard

name = "gemini"
surface = "gemini"


def base(options: Options) -> Path:
    return options.home / ".gemini" / "tmp"


def files(options: Options) -> list[Path]:
    root = base(options)
    return sorted(root.glob("*/chats/session-*.jsonl")) if root.is_dir() else []


def scan(guard: Guard, options: Options) -> Iterator[Hit]:
    return jsonl.scan(guard, files(options))


def scrub(guard: Guard, options: Options) -> Iterator[Scrubbed]:
    return jsonl.scrub(guard, files(options), base(options), options)
