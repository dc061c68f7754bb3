from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

from promptguard.filelock import locked

# Another process: report whether a non-blocking attempt got the lock, then
# take it blocking and report how long that waited.
_OTHER = """
import sys, time
from pathlib import Path
from promptguard.filelock import locked
path = Path(sys.argv[1])
with locked(path, blocking=False) as got:
    print(got, flush=True)
start = time.monotonic()
with locked(path) as got:
    print(got, round(time.monotonic() - start, 2), flush=True)
"""


def test_other_processes_wait_or_skip_while_it_is_held(tmp_path: Path) -> None:
    lock = tmp_path / "x.lock"
    with locked(lock) as got:
        assert got is True
        other = subprocess.Popen([sys.executable, "-c", _OTHER, str(lock)],
                                 stdout=subprocess.PIPE, text=True)
        assert other.stdout is not None
        assert other.stdout.readline() == "False\n"  # non-blocking: busy
        time.sleep(0.5)
    out, _ = other.communicate(timeout=30)
    got_it, waited = out.split()
    assert got_it == "True" and float(waited) >= 0.3  # blocking: waited for the release


def test_reentry_after_release_and_the_file_stays_private(tmp_path: Path) -> None:
    lock = tmp_path / "y.lock"
    for _ in range(3):
        with locked(lock, blocking=False) as got:
            assert got
    assert lock.exists()
    if sys.platform != "win32":
        assert lock.stat().st_mode & 0o077 == 0
