"""The doctor's canary: a prompt holding a fake AWS key, given to an installed
hook's command the way its host runs it (argv, JSON payload on stdin, the
handler's timeout, the host's working directory and environment).

What each host counts as "blocked" (exit 2, `decision: block`,
`continue: false`) and what it does with a slow or failing hook stays in
that host's module; running the command and the checks every host reports
the same way are here, once.
"""
from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from typing import NamedTuple

from promptguard.surfaces.hooks.setup import Check

NOT_BLOCKED = "a prompt holding a fake AWS key was NOT blocked by the configured command"


def fake_key() -> str:
    """A format-valid AWS access key id, new per run and obviously nobody's."""
    import random

    rng = random.SystemRandom()
    return "AKIA" + "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ234567") for _ in range(16))


def prompt() -> str:
    return f"promptguard doctor canary: aws_access_key_id = {fake_key()}"


class Run(NamedTuple):
    returncode: int
    stdout: str
    stderr: str
    seconds: float

    def answer(self) -> Any:
        """stdout as JSON: {} when empty, None when it is not JSON."""
        if not self.stdout.strip():
            return {}
        try:
            return json.loads(self.stdout)
        except ValueError:
            return None


def run(
    argv: Sequence[str],
    payload: Mapping[str, Any],
    limit: float,
    cwd: Path,
    where: str,
    *,
    env: Mapping[str, str] | None = None,
    on_timeout: str = "",
) -> Run | list[Check]:
    """The command's run, or the failed check when it could not answer.

    `on_timeout` says what the host does then ("Codex then lets the prompt
    through"), appended to the timeout message.
    """
    start = time.monotonic()
    try:
        proc = subprocess.run(list(argv), input=json.dumps(payload).encode(),
                              capture_output=True, timeout=limit, cwd=cwd,
                              env=None if env is None else dict(env), check=False)
    except subprocess.TimeoutExpired:
        tail = f": {on_timeout}" if on_timeout else ""
        return [Check("fail", where, f"the canary did not answer within the hook's timeout "
                                     f"of {limit:g}s{tail}")]
    except OSError as e:
        return [Check("fail", where, f"cannot run {argv[0]}: {e.strerror}")]
    return Run(proc.returncode, proc.stdout.decode("utf-8", "replace"),
               proc.stderr.decode("utf-8", "replace"), time.monotonic() - start)


def blocked(where: str, done: Run, limit: float, how: str = "") -> list[Check]:
    """The passing check, and a warning when the hook used over half its time."""
    out = [Check("ok", where, f"canary blocked{how} in {done.seconds * 1000:.0f} ms")]
    if done.seconds > limit / 2:
        out.append(Check("warn", where, f"the canary took {done.seconds:.1f}s of a "
                                        f"{limit:g}s timeout"))
    return out
