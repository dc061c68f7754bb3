"""scan / scrub for agents whose transcripts are JSONL files (Codex, Gemini CLI).

The record-level work (every string leaf scanned; a scrubbed line must stay
one JSON record of the same shape; backups in the data dir, 0600) is
Claude Code's (`history.claude_code`), reused here over another file list.
"""
from __future__ import annotations

import os
import shutil
import time
from collections.abc import Iterator
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING

from promptguard import atomic
from promptguard.surfaces.hooks.history import Hit
from promptguard.surfaces.hooks.history import Options
from promptguard.surfaces.hooks.history import Scrubbed
from promptguard.surfaces.hooks.history import claude_code as cc

if TYPE_CHECKING:
    from promptguard.guard import Guard


def scan(guard: Guard, paths: list[Path]) -> Iterator[Hit]:
    for path in paths:
        session = ""
        for n, _, record in cc._records(path):
            if not isinstance(record, Mapping):
                continue
            session = _session(record, path, session)
            for leaf_path, text in cc._leaves(record):
                v = guard.check(text, source=str(path), audit=False)
                for d in v.decisions:
                    if d.action == "allow":
                        continue
                    f = d.finding
                    yield Hit(path, n, session, cc._date(record, path), f.rule_id, f.preview,
                              d.action, cc._where(record, leaf_path), f.fingerprint)


def _session(record: Mapping[str, object], path: Path, current: str) -> str:
    # Codex: the session_meta record's payload.id; Gemini: the first record's sessionId.
    payload = record.get("payload")
    if record.get("type") == "session_meta" and isinstance(payload, Mapping) and \
            isinstance(payload.get("id"), str):
        return str(payload["id"])
    sid = record.get("sessionId")
    if isinstance(sid, str) and sid:
        return sid
    return current or path.stem


def scrub(guard: Guard, paths: list[Path], base: Path, options: Options) -> Iterator[Scrubbed]:
    now = time.time()
    backups: Path | None = None
    for path in paths:
        if now - path.stat().st_mtime < options.active_seconds:
            yield Scrubbed(path, 0, None, f"written in the last {options.active_seconds / 60:g} "
                                          "min: a session may still be running")
            continue
        lines: list[str] = []
        total = 0
        try:
            for _, line, record in cc._records(path):
                if isinstance(record, Mapping):
                    line, n = cc._scrub_line(guard, line, record, path)
                    total += n
                lines.append(line)
        except cc.ScrubError as e:
            yield Scrubbed(path, 0, None, str(e))
            continue
        if not total or options.dry_run:
            yield Scrubbed(path, total, None, "dry run" if total else "")
            continue
        if backups is None:
            backups = cc._backup_dir()
        try:
            rel = path.relative_to(base)
        except ValueError:
            rel = Path(path.name)
        saved = backups / base.name / rel
        saved.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copy2(path, saved)
        os.chmod(saved, 0o600)
        atomic.write_bytes(path, "".join(lines).encode("utf-8", "surrogateescape"),
                           mode=path.stat().st_mode & 0o7777)
        yield Scrubbed(path, total, saved)
