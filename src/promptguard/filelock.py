"""An exclusive inter-process lock on a side file (flock; msvcrt on Windows).

Used where processes started at once (pre-commit's parallel hooks, agent
hooks, the clipboard daemon, the gateway) share a file: the vault, audit
log rotation and the forwarding queue. The lock file is created 0600 and
left in place: deleting it while another process waits on it would let two
holders in.
"""
from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def locked(path: Path, *, blocking: bool = True) -> Iterator[bool]:
    """Hold an exclusive lock on `path` for the block.

    Yields True once held. With `blocking=False` it yields False at once
    if another process holds it (the caller skips the work); a blocking
    lock waits as long as it takes, on every platform.
    """
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        if sys.platform == "win32":  # pragma: win32 cover
            import msvcrt

            while True:
                try:
                    msvcrt.locking(fd, msvcrt.LK_NBLCK if not blocking else msvcrt.LK_LOCK, 1)
                    break
                except OSError:
                    if not blocking:
                        yield False
                        return
                    # LK_LOCK gives up after ~10 s of retries; keep waiting
                    # rather than go on without the lock.
            try:
                yield True
            finally:
                os.lseek(fd, 0, os.SEEK_SET)
                msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        else:  # pragma: win32 no cover
            import fcntl

            try:
                fcntl.flock(fd, fcntl.LOCK_EX | (0 if blocking else fcntl.LOCK_NB))
            except BlockingIOError:
                yield False
                return
            try:
                yield True
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
    finally:
        os.close(fd)
