"""Claude Code's local transcripts: `~/.claude/projects/**/*.jsonl` and `history.jsonl`.

Every record is JSON on one line. Prompts appear as `user` records and, when
a hook blocked them, as `queue-operation` records holding the full text
(agent-hooks.md 0.1); `history.jsonl` keeps what was typed (`display`,
`pastedContents`). Rather than track every record type, every string in a
record is scanned, and the record type plus the key path say where a hit is.
"""
from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any

from promptguard.surfaces.hooks.event import JsonPath
from promptguard.surfaces.hooks.event import label_path
from promptguard.surfaces.hooks.event import replace_leaves
from promptguard.surfaces.hooks.event import string_leaves
from promptguard.surfaces.hooks.history import Hit
from promptguard.surfaces.hooks.history import Options
from promptguard.surfaces.hooks.history import Scrubbed

if TYPE_CHECKING:
    from promptguard.guard import Guard

name = "claude-code"
surface = "claude-code"
MIN_LEAF = 8
# A thinking block's signature is checked by the API on resume; it is
# opaque base64 and never holds user text.
SKIP_KEYS = frozenset({"signature"})


def config_dir(options: Options) -> Path:
    env = os.environ.get("CLAUDE_CONFIG_DIR")
    if env and options.home == Path.home():
        return Path(env)
    return options.home / ".claude"


def files(options: Options) -> list[Path]:
    base = config_dir(options)
    found = sorted((base / "projects").glob("**/*.jsonl")) if (base / "projects").is_dir() else []
    history = base / "history.jsonl"
    return [*found, *([history] if history.is_file() else [])]


def _date(record: Mapping[str, Any], path: Path) -> str:
    ts = record.get("timestamp")
    if isinstance(ts, str) and ts:
        return ts[:19].replace("T", " ")
    if isinstance(ts, (int, float)) and ts > 0:
        seconds = ts / 1000 if ts > 1e11 else ts  # history.jsonl uses milliseconds
        return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(seconds))
    return time.strftime("%Y-%m-%d %H:%M:%S", time.gmtime(path.stat().st_mtime))


def _session(record: Mapping[str, Any], path: Path) -> str:
    sid = record.get("sessionId") or record.get("session_id")
    if isinstance(sid, str) and sid:
        return sid
    return "" if path.name == "history.jsonl" else path.stem


def _where(record: Mapping[str, Any], path: JsonPath) -> str:
    kind = record.get("type")
    if not isinstance(kind, str):
        kind = "history" if "display" in record else "record"
    return f"{kind} {label_path(path)}"


def _leaves(record: Any) -> Iterator[tuple[JsonPath, str]]:
    for path, value in string_leaves(record, min_len=MIN_LEAF):
        if not (path and path[-1] in SKIP_KEYS):
            yield path, value


def _records(path: Path) -> Iterator[tuple[int, str, Any]]:
    """(line number, raw line, parsed record or None) for every line."""
    with path.open("r", encoding="utf-8", errors="surrogateescape", newline="") as f:
        for n, line in enumerate(f, 1):
            try:
                record = json.loads(line) if line.strip() else None
            except ValueError:
                record = None
            yield n, line, record


def scan(guard: Guard, options: Options) -> Iterator[Hit]:
    for path in files(options):
        for n, _, record in _records(path):
            if not isinstance(record, Mapping):
                continue
            for leaf_path, text in _leaves(record):
                # A report of the past is not a decision: nothing is audited.
                # Allowlists and baselines still apply, as the policy does.
                v = guard.check(text, source=str(path), audit=False)
                for d in v.decisions:
                    if d.action == "allow":
                        continue
                    f = d.finding
                    yield Hit(path, n, _session(record, path), _date(record, path), f.rule_id,
                              f.preview, d.action, _where(record, leaf_path), f.fingerprint)


def _vault_session(session: str) -> str | None:
    import re

    return re.sub(r"[^A-Za-z0-9._-]", "-", f"{surface}-{session}")[:64] if session else None


def _scrub_line(guard: Guard, line: str, record: Mapping[str, Any],
                path: Path) -> tuple[str, int]:
    new: dict[JsonPath, str] = {}
    replaced = 0
    session = _vault_session(_session(record, path))
    for leaf_path, text in _leaves(record):
        if not guard.scanner.run(text).findings:
            continue
        v = guard.redact(text, source=f"{path.name}:{_where(record, leaf_path)}",
                         session=session)
        if v.failed or v.text is None:
            raise ScrubError(f"{path}: a rule did not finish on a record; file left as it was")
        if v.replacements:
            new[leaf_path] = v.text
            replaced += len(v.replacements)
    if not new:
        return line, 0
    end = "\n" if line.endswith("\n") else ""
    out = json.dumps(replace_leaves(record, new), ensure_ascii=False, separators=(",", ":"))
    # Every rewritten line must still be one JSON record of the same shape.
    check = json.loads(out)
    if "\n" in out or type(check) is not type(record) or check.keys() != record.keys():
        raise ScrubError(f"{path}: a rewritten record did not validate; file left as it was")
    return out + end, replaced


class ScrubError(Exception):
    pass


def _backup_dir() -> Path:
    from promptguard.dirs import data_dir

    d = data_dir() / "history-backups" / time.strftime("%Y%m%dT%H%M%S")
    d.mkdir(parents=True, exist_ok=True)
    os.chmod(d.parent, 0o700)
    os.chmod(d, 0o700)
    return d


def scrub(guard: Guard, options: Options) -> Iterator[Scrubbed]:
    import shutil

    from promptguard import atomic

    now = time.time()
    backups: Path | None = None
    base = config_dir(options)
    for path in files(options):
        if now - path.stat().st_mtime < options.active_seconds:
            yield Scrubbed(path, 0, None, "written in the last "
                                          f"{options.active_seconds / 60:g} min: a session may "
                                          "still be running")
            continue
        lines: list[str] = []
        total = 0
        try:
            for _, line, record in _records(path):
                if isinstance(record, Mapping):
                    line, n = _scrub_line(guard, line, record, path)
                    total += n
                lines.append(line)
        except ScrubError as e:
            yield Scrubbed(path, 0, None, str(e))
            continue
        if not total or options.dry_run:
            yield Scrubbed(path, total, None, "dry run" if total else "")
            continue
        if backups is None:
            backups = _backup_dir()
        try:
            rel = path.relative_to(base)
        except ValueError:
            rel = Path(path.name)
        saved = backups / rel
        saved.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        shutil.copy2(path, saved)
        os.chmod(saved, 0o600)
        atomic.write_bytes(path, "".join(lines).encode("utf-8", "surrogateescape"),
                           mode=path.stat().st_mode & 0o7777)
        yield Scrubbed(path, total, saved)
