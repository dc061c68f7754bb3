"""Cursor's chat store: `state.vscdb` (SQLite) in Cursor's `User/globalStorage`.

Table `cursorDiskKV(key, value)`; chat messages are the JSON values of keys
`bubbleId:<composer>:<bubble>`, conversations `composerData:<composer>`
(the layout ggshield's Cursor reader and agentscrub use; not documented by
Cursor itself, so UNVERIFIED against a real install: tested on a store
built to that layout). Every string in those values is scanned. Scrub
rewrites the values in one transaction, after a copy of the database,
and refuses while Cursor may have it open (the file or its `-wal` written
in the last minutes).
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import sys
import time
from collections.abc import Iterator
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from promptguard.errors import InputError
from promptguard.surfaces.hooks.event import JsonPath
from promptguard.surfaces.hooks.event import label_path
from promptguard.surfaces.hooks.event import replace_leaves
from promptguard.surfaces.hooks.history import Hit
from promptguard.surfaces.hooks.history import Options
from promptguard.surfaces.hooks.history import Scrubbed
from promptguard.surfaces.hooks.history import claude_code as cc

if TYPE_CHECKING:
    from promptguard.guard import Guard

name = "cursor"
surface = "cursor"
PREFIXES = ("bubbleId:", "composerData:")


def store(options: Options) -> Path:
    if sys.platform == "darwin":
        base = options.home / "Library" / "Application Support" / "Cursor"
    elif os.name == "nt":
        appdata = os.environ.get("APPDATA")
        base = Path(appdata) / "Cursor" if appdata and options.home == Path.home() else \
            options.home / "AppData" / "Roaming" / "Cursor"
    else:
        base = options.home / ".config" / "Cursor"
    return base / "User" / "globalStorage" / "state.vscdb"


def files(options: Options) -> list[Path]:
    path = store(options)
    return [path] if path.is_file() else []


def _rows(db: sqlite3.Connection) -> Iterator[tuple[int, str, Any]]:
    cur = db.execute("SELECT rowid, key, value FROM cursorDiskKV WHERE key LIKE 'bubbleId:%' "
                     "OR key LIKE 'composerData:%'")
    for rowid, key, value in cur:
        if isinstance(value, bytes):
            value = value.decode("utf-8", "replace")
        try:
            doc = json.loads(value) if isinstance(value, str) else None
        except ValueError:
            doc = None
        if doc is not None:
            yield rowid, str(key), doc


def _session(key: str) -> str:
    parts = key.split(":")
    return parts[1] if len(parts) > 1 else ""


def _date(doc: Any, path: Path) -> str:
    ts = doc.get("createdAt") if isinstance(doc, Mapping) else None
    if isinstance(ts, (int, float)) and ts > 0:
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(ts / 1000 if ts > 1e11 else ts))
    if isinstance(ts, str) and ts:
        return ts[:19].replace("T", " ")
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(path.stat().st_mtime))


def _open(path: Path, write: bool = False) -> sqlite3.Connection:
    uri = f"file:{path}?mode={'rw' if write else 'ro'}"
    return sqlite3.connect(uri, uri=True, timeout=1.0)


def scan(guard: Guard, options: Options) -> Iterator[Hit]:
    for path in files(options):
        try:
            db = _open(path)
            rows = list(_rows(db))
            db.close()
        except sqlite3.Error as e:
            raise InputError(f"{path}: cannot read Cursor's chat store ({e})") from None
        for rowid, key, doc in rows:
            for leaf_path, text in cc._leaves(doc):
                v = guard.check(text, source=str(path), audit=False)
                for d in v.decisions:
                    if d.action == "allow":
                        continue
                    f = d.finding
                    yield Hit(path, rowid, _session(key), _date(doc, path), f.rule_id,
                              f.preview, d.action, f"{key.split(':')[0]} {label_path(leaf_path)}",
                              f.fingerprint)


def _redacted(guard: Guard, doc: Any, key: str, path: Path) -> tuple[Any, int]:
    new: dict[JsonPath, str] = {}
    replaced = 0
    session = f"cursor-{_session(key)}"[:64]
    for leaf_path, text in cc._leaves(doc):
        if not guard.scanner.run(text).findings:
            continue
        v = guard.redact(text, source=f"state.vscdb:{key.split(':')[0]}", session=session)
        if v.failed or v.text is None:
            raise cc.ScrubError(f"{path}: a rule did not finish on a record; nothing changed")
        if v.replacements:
            new[leaf_path] = v.text
            replaced += len(v.replacements)
    return (replace_leaves(doc, new), replaced) if new else (doc, 0)


def scrub(guard: Guard, options: Options) -> Iterator[Scrubbed]:
    now = time.time()
    for path in files(options):
        wal = path.with_name(path.name + "-wal")
        recent = max(path.stat().st_mtime, wal.stat().st_mtime if wal.exists() else 0)
        if now - recent < options.active_seconds:
            yield Scrubbed(path, 0, None, "written in the last "
                                          f"{options.active_seconds / 60:g} min: Cursor may "
                                          "be running")
            continue
        try:
            db = _open(path)
            rows = list(_rows(db))
            db.close()
            updates = []
            total = 0
            for rowid, key, doc in rows:
                new, n = _redacted(guard, doc, key, path)
                if n:
                    value = json.dumps(new, ensure_ascii=False, separators=(",", ":"))
                    check = json.loads(value)
                    if type(check) is not type(doc) or (
                            isinstance(doc, dict) and check.keys() != doc.keys()):
                        raise cc.ScrubError(f"{path}: a rewritten value did not validate")
                    updates.append((value, rowid))
                    total += n
        except (sqlite3.Error, cc.ScrubError) as e:
            yield Scrubbed(path, 0, None, str(e))
            continue
        if not total or options.dry_run:
            yield Scrubbed(path, total, None, "dry run" if total else "")
            continue
        saved = cc._backup_dir() / "cursor" / path.name
        saved.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copy2(path, saved)
        os.chmod(saved, 0o600)
        try:
            db = _open(path, write=True)
            with db:  # one transaction: all values or none
                db.executemany("UPDATE cursorDiskKV SET value = ? WHERE rowid = ?", updates)
            db.close()
        except sqlite3.Error as e:
            yield Scrubbed(path, 0, saved, f"not rewritten ({e}); the copy is untouched")
            continue
        yield Scrubbed(path, total, saved)
