"""Helpers for the hook golden tests: one payload in, the exact answer out."""
from __future__ import annotations

import json
import random
from typing import Any

from promptguard.surfaces.hooks import run
from promptguard.surfaces.hooks.event import Answer
from testing import fakes


def key() -> str:
    return fakes.aws_key_id(random.Random())


def preview(value: str) -> str:
    return f"{value[:4]}…({len(value)} chars)"


def answer(doc: dict[str, Any] | bytes, agent: str | None) -> Answer:
    data = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return run.handle(data, run.Settings(agent=agent, clipboard=False))


def as_json(a: Answer) -> dict[str, Any]:
    assert a.exit_code == 0, a
    out: dict[str, Any] = json.loads(a.stdout)
    return out


def blocked_prompt(value: str, rule: str = "aws-access-key-id",
                   name: str = "AWS access key ID (long-term)") -> str:
    return (f"promptguard blocked this prompt: it holds {rule}.\n"
            f"  - {rule}: {name} {preview(value)} (prompt, line 1) [block]\n"
            "Remove the value (or the @-mention) and send again; if it is not secret, allow "
            "it with `promptguard: allow[rule-id]` or a baseline.")
