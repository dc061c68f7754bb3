"""The audit log: one JSON line per decision, never content.

A record holds a timestamp, the surface, the action, the rule ids and
fingerprints involved, the source label (a file path or `<stdin>`) and why
(`policy`, `baseline`, `allowlist...`). Never the text, a preview, or a secret.

Concurrent writers (pre-commit runs hook processes in parallel; agent hooks
fire at once) are safe without a lock on the hot path: each record is one
`write()` on an `O_APPEND` descriptor, which POSIX makes atomic with respect
to the file offset, so records never overwrite or interleave on a local file
system. Only rotation takes a lock (a side `.lock` file), and re-checks the
size under it so a single process rotates. A writer that opened the file
just before a rotation appends to the renamed file: the record is kept in
`audit.jsonl.1`, and `read_records` reads the rotated files too.

Forwarding (syslog, an HTTP collector) happens only when the org policy
configures it, in auditforward.py, imported (with socket and urllib) only then.
"""
# ruff: noqa: I002
# No postponed annotations: the records below are NamedTuples on the scan
# path (see policy.py).
import os
import sys
import time
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from typing import NamedTuple

from promptguard.filelock import locked

if TYPE_CHECKING:
    pass

RECORD_VERSION = 1
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
DEFAULT_BACKUPS = 5
DEFAULT_QUEUE_BYTES = 10 * 1024 * 1024
# syslog(3) facility codes by name.
FACILITIES = {
    "kern": 0, "user": 1, "daemon": 3, "auth": 4, "syslog": 5, "authpriv": 10,
    **{f"local{i}": 16 + i for i in range(8)},
}


class SyslogTarget(NamedTuple):
    # "/dev/log" (a local datagram socket) or "host:port" (UDP).
    address: str
    facility: str = "auth"


class HttpTarget(NamedTuple):
    url: str
    timeout: float = 2.0
    headers: tuple[tuple[str, str], ...] = ()
    # Records waiting for a collector that is down; beyond this the oldest
    # are dropped and a record saying how many is sent in their place.
    queue_max_bytes: int = DEFAULT_QUEUE_BYTES
    # After a failure, later writers queue without trying for this long, so
    # an outage does not add a network timeout to every prompt.
    retry_after: float = 60.0


class Forwarding(NamedTuple):
    source: str
    syslog: SyslogTarget | None = None
    http: HttpTarget | None = None


class AuditSettings(NamedTuple):
    enabled: bool
    path: Path
    max_bytes: int = DEFAULT_MAX_BYTES
    backups: int = DEFAULT_BACKUPS
    forward: Forwarding | None = None
    # Why the log is on or off, for `config show`.
    reason: str = ""

    @property
    def queue_path(self) -> Path:
        return self.path.with_name(f"{self.path.stem}.forward-queue.jsonl")


class Record(NamedTuple):
    surface: str
    action: str
    rule_ids: tuple[str, ...]
    fingerprints: tuple[str, ...]
    source: str
    reason: str = "policy"

    def to_line(self, ts: str) -> str:
        """One compact JSON object and a newline (what json.dumps would give)."""
        def strings(values: Sequence[str]) -> str:
            return "[" + ",".join(_json_str(v) for v in values) + "]"

        return (
            f'{{"v":{RECORD_VERSION},"ts":{_json_str(ts)},"surface":{_json_str(self.surface)},'
            f'"action":{_json_str(self.action)},"rule_ids":{strings(self.rule_ids)},'
            f'"fingerprints":{strings(self.fingerprints)},"source":{_json_str(self.source)},'
            f'"reason":{_json_str(self.reason)},"pid":{os.getpid()}}}\n'
        )


# JSON string escapes, by code point: the json module costs a hook process
# more to import (it compiles its scanner regexes) than the whole record.
_ESCAPES = {
    **{i: f"\\u{i:04x}" for i in (*range(0x20), 0x7F)},
    8: "\\b", 9: "\\t", 10: "\\n", 12: "\\f", 13: "\\r",
    ord('"'): '\\"',
    ord("\\"): "\\\\",
}


def _json_str(value: str) -> str:
    out = value.translate(_ESCAPES)
    if not out.isascii():
        out = "".join(c if c.isascii() else _json_u(ord(c)) for c in out)
    return f'"{out}"'


def _json_u(n: int) -> str:
    if n > 0xFFFF:  # a surrogate pair, as json.dumps(ensure_ascii=True) writes it
        n -= 0x10000
        return f"\\u{0xD800 + (n >> 10):04x}\\u{0xDC00 + (n & 0x3FF):04x}"
    return f"\\u{n:04x}"


def timestamp(now: float | None = None) -> str:
    """UTC, ISO 8601 with milliseconds (no datetime import on the hot path)."""
    now = time.time() if now is None else now
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now % 1 * 1000):03d}Z"


def default_log_path(environ: Mapping[str, str] | None = None) -> Path:
    """`audit.jsonl` in the data directory, beside the vault (PROMPTGUARD_DATA_DIR moves both)."""
    from promptguard.dirs import data_dir

    return data_dir(environ) / "audit.jsonl"


# -- locking ----------------------------------------------------------------
def lock_path(path: Path) -> Path:
    return path.with_name(path.name + ".lock")


# -- the local log ------------------------------------------------------------
def open_append(path: Path) -> int:
    flags = os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_BINARY", 0)
    return os.open(path, flags, 0o600)


def _write_record(fd: int, data: bytes, path: Path) -> None:
    if sys.platform == "win32":  # pragma: win32 cover
        # Windows emulates O_APPEND with a seek, which is not atomic across
        # processes: serialise the writers there.
        with locked(lock_path(path)):
            os.write(fd, data)
        return
    written = os.write(fd, data)  # pragma: win32 no cover
    while written < len(data):  # pragma: no cover (only on a full disk or a signal)
        written += os.write(fd, data[written:])


def _rotate(path: Path, backups: int, max_bytes: int, incoming: int) -> None:
    with locked(lock_path(path)):
        try:
            size = path.stat().st_size
        except FileNotFoundError:
            return
        if size == 0 or size + incoming <= max_bytes:
            return  # another process rotated while we waited for the lock
        try:
            if backups <= 0:
                os.remove(path)
                return
            for i in range(backups - 1, 0, -1):
                older = path.with_name(f"{path.name}.{i}")
                if older.exists():
                    os.replace(older, path.with_name(f"{path.name}.{i + 1}"))
            os.replace(path, path.with_name(f"{path.name}.1"))
        except PermissionError:  # pragma: no cover (Windows: file open elsewhere)
            pass  # rotate on a later write instead


def append_lines(settings: AuditSettings, lines: Sequence[str]) -> None:
    """Append pre-rendered lines, one write() each, rotating by size."""
    path = settings.path
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = open_append(path)
    try:
        for line in lines:
            data = line.encode("utf-8")
            if settings.max_bytes and os.fstat(fd).st_size + len(data) > settings.max_bytes:
                os.close(fd)
                fd = -1
                _rotate(path, settings.backups, settings.max_bytes, len(data))
                fd = open_append(path)
            _write_record(fd, data, path)
    finally:
        if fd >= 0:
            os.close(fd)


def write(settings: AuditSettings, records: Sequence[Record], now: float | None = None) -> None:
    """Log `records`; raises OSError when the log cannot be written.

    Forwarding failures never raise: the records are queued (HTTP) or
    already in the local log (syslog is best effort).
    """
    if not settings.enabled or not records:
        return
    ts = timestamp(now)
    lines = [r.to_line(ts) for r in records]
    append_lines(settings, lines)
    if settings.forward is not None:
        from promptguard.auditforward import forward

        forward(settings, lines)


def log_files(path: Path) -> list[Path]:
    """The log and its rotated files, oldest first."""
    rotated: list[tuple[int, Path]] = []
    if path.parent.is_dir():
        prefix = path.name + "."
        for p in path.parent.iterdir():
            suffix = p.name[len(prefix):]
            if p.name.startswith(prefix) and suffix.isdigit():
                rotated.append((int(suffix), p))
    files = [p for _, p in sorted(rotated, reverse=True)]
    if path.exists():
        files.append(path)
    return files


def read_records(path: Path) -> tuple[list[dict[str, Any]], int]:
    """Every record in the log and its rotated files, and the count of bad lines."""
    import json

    records: list[dict[str, Any]] = []
    bad = 0
    for f in log_files(path):
        with f.open("rb") as fh:
            for raw in fh:
                if not raw.strip():
                    continue
                try:
                    doc = json.loads(raw)
                except ValueError:
                    bad += 1
                    continue
                if isinstance(doc, dict) and doc.get("v") == RECORD_VERSION:
                    records.append(doc)
                else:
                    bad += 1
    return records, bad


def __getattr__(name: str) -> object:
    # Forwarding moved to auditforward.py, imported only when configured
    # (PEP 562 keeps `audit.flush` and friends working without the import).
    if name in ("enqueue", "flush", "forward"):
        from promptguard import auditforward

        return getattr(auditforward, name)
    raise AttributeError(f"module 'promptguard.audit' has no attribute {name!r}")
