"""Run one child process and measure its wall time and peak RSS.

Peak RSS comes from the rusage that ``os.wait4`` returns for the child: on
Linux ``ru_maxrss`` is in KiB and covers the child and any descendants it
waited for (detect-secrets' multiprocessing pool, for instance).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

# A run that takes longer than this is killed and reported as a failure.
DEFAULT_TIMEOUT_S = 1800.0


class RunResult(NamedTuple):
    argv: tuple[str, ...]
    wall_s: float
    maxrss_kib: int
    returncode: int
    stderr_tail: str


def run_once(
    argv: Sequence[str],
    *,
    stdout_path: Path | None = None,
    cwd: Path | None = None,
    timeout_s: float = DEFAULT_TIMEOUT_S,
) -> RunResult:
    """Run ``argv`` with stdin closed; stdout goes to ``stdout_path`` (or /dev/null)."""
    out_name = os.fspath(stdout_path) if stdout_path is not None else os.devnull
    with open(out_name, "wb") as out, tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(
            list(argv),
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=err,
            cwd=cwd,
        )
        timer = threading.Timer(timeout_s, proc.kill)
        timer.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        finally:
            timer.cancel()
        wall = time.perf_counter() - start
        # Tell Popen the child is reaped so it never waits on the pid again.
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read()[-3000:].decode("utf-8", errors="replace")
    return RunResult(tuple(argv), wall, int(usage.ru_maxrss), proc.returncode, tail)


def run_text(argv: Sequence[str], *, cwd: Path | None = None, timeout_s: float = 120.0) -> str:
    """Run a short helper command and return its stdout (raises on failure)."""
    done = subprocess.run(
        list(argv),
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=cwd,
        timeout=timeout_s,
        check=True,
    )
    return done.stdout
