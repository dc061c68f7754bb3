"""Forwarding audit records: syslog (best effort) and an HTTP collector (queued).

Only an org policy configures it (`[audit.forward]`); audit.write imports
this module only then, and its network modules (socket, urllib) only when
sending. The HTTP queue is bounded and survives an outage: writers append
under a lock, one process at a time sends a renamed batch outside it.
"""
from __future__ import annotations

import os
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from promptguard.audit import FACILITIES
from promptguard.audit import RECORD_VERSION
from promptguard.audit import AuditSettings
from promptguard.audit import HttpTarget
from promptguard.audit import SyslogTarget
from promptguard.audit import lock_path
from promptguard.audit import open_append
from promptguard.audit import timestamp
from promptguard.filelock import locked


def forward(settings: AuditSettings, lines: Sequence[str], *, force: bool = False) -> None:
    fwd = settings.forward
    if fwd is None:
        return
    if fwd.syslog is not None:
        _send_syslog(fwd.syslog, lines)
    if fwd.http is not None:
        enqueue(settings.queue_path, fwd.http.queue_max_bytes, lines)
        flush(settings.queue_path, fwd.http, force=force)


def _send_syslog(target: SyslogTarget, lines: Sequence[str]) -> None:
    import socket

    pri_base = FACILITIES[target.facility] * 8
    try:
        if target.address.startswith("/"):
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            address: Any = target.address
        else:
            host, _, port = target.address.rpartition(":")
            sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET,
                                 socket.SOCK_DGRAM)
            address = (host.strip("[]"), int(port))
        with sock:
            for line in lines:
                # 4 = warning for blocks, 6 = informational for the rest.
                severity = 4 if '"action":"block"' in line else 6
                msg = f"<{pri_base + severity}>promptguard[{os.getpid()}]: {line.rstrip()}"
                sock.sendto(msg.encode("utf-8"), address)
    except OSError:
        pass  # best effort: the record is in the local log either way


def _read_lines(path: Path) -> list[bytes]:
    try:
        with path.open("rb") as f:
            return [line for line in f if line.strip()]
    except FileNotFoundError:
        return []


def _bounded(lines: list[bytes], max_bytes: int) -> list[bytes]:
    """The newest lines that fit, plus a record of how many were dropped."""
    import json

    total = sum(len(x) for x in lines)
    if total <= max_bytes:
        return lines
    dropped = 0
    previous = 0
    kept = list(lines)
    while kept and total > max_bytes - 256:
        line = kept.pop(0)
        total -= len(line)
        try:
            doc = json.loads(line)
        except ValueError:
            doc = {}
        if isinstance(doc, dict) and doc.get("reason") == "forward-queue-overflow":
            previous += int(doc.get("dropped", 0))
        else:
            dropped += 1
    marker = {
        "v": RECORD_VERSION, "ts": timestamp(), "surface": "promptguard", "action": "none",
        "rule_ids": [], "fingerprints": [], "source": "", "reason": "forward-queue-overflow",
        "dropped": dropped + previous, "pid": os.getpid(),
    }
    return [json.dumps(marker, separators=(",", ":")).encode() + b"\n", *kept]


def enqueue(queue: Path, max_bytes: int, lines: Sequence[str]) -> None:
    queue.parent.mkdir(parents=True, exist_ok=True)
    with locked(lock_path(queue)):
        data = b"".join(line.encode("utf-8") for line in lines)
        try:
            size = queue.stat().st_size
        except FileNotFoundError:
            size = 0
        if size + len(data) <= max_bytes:
            fd = open_append(queue)
            try:
                os.write(fd, data)
            finally:
                os.close(fd)
            return
        _replace(queue, _bounded([*_read_lines(queue), *data.splitlines(keepends=True)], max_bytes))


def _replace(path: Path, lines: list[bytes]) -> None:
    from promptguard import atomic

    atomic.write_bytes(path, b"".join(lines))


def flush(queue: Path, target: HttpTarget, *, force: bool = False) -> bool:
    """Send everything queued; True when the queue is empty afterwards.

    One process sends at a time (others just leave their records queued),
    and the network call happens outside the queue lock, on a renamed copy,
    so writers never wait for a slow collector.
    """
    sending = queue.with_name(queue.name + ".sending")
    down = queue.with_name(queue.name + ".down")
    with locked(queue.with_name(queue.name + ".flush.lock"), blocking=False) as got:
        if not got:
            return False
        if not force:
            try:
                if time.time() - down.stat().st_mtime < target.retry_after:
                    return False
            except FileNotFoundError:
                pass
        with locked(lock_path(queue)):
            if not sending.exists():
                if not queue.exists():
                    return True
                os.replace(queue, sending)
        batch = _read_lines(sending)
        if batch and not _post(target, b"".join(batch)):
            with locked(lock_path(queue)):
                merged = _bounded([*batch, *_read_lines(queue)], target.queue_max_bytes)
                _replace(queue, merged)
                sending.unlink()
            down.touch()
            return False
        sending.unlink(missing_ok=True)
        down.unlink(missing_ok=True)
        return True


def _post(target: HttpTarget, body: bytes) -> bool:
    import urllib.error
    import urllib.request

    request = urllib.request.Request(
        target.url, data=body, method="POST",
        headers={"Content-Type": "application/x-ndjson", **dict(target.headers)},
    )
    try:
        with urllib.request.urlopen(request, timeout=target.timeout) as response:
            return 200 <= int(response.status) < 300
    except (OSError, ValueError, urllib.error.URLError):
        return False
