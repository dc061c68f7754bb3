"""The helpers every host adapter shares (surfaces/hooks/event.py), on real verdicts."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from promptguard.errors import InputError
from promptguard.guard import Guard
from promptguard.guardtypes import Verdict
from promptguard.surfaces.hooks.event import WITHHELD
from promptguard.surfaces.hooks.event import Outcome
from promptguard.surfaces.hooks.event import Scanned
from promptguard.surfaces.hooks.event import Text
from promptguard.surfaces.hooks.event import payload_str
from promptguard.surfaces.hooks.event import reply

KEY = "AKIA" + "QYLPMN5HHHFPZAM2"  # split so this file is not itself a finding


@pytest.fixture
def guard(tmp_path: Path) -> Guard:
    return Guard.load("claude-code", start=tmp_path)


def test_rewrites_put_each_redacted_text_back_where_it_came_from(guard: Guard) -> None:
    redacted = guard.redact(f"aws_access_key_id = {KEY}\n", audit=False)
    clean = guard.redact("nothing to see\n", audit=False)
    outcome = Outcome("redact", (Scanned(Text("out", "x", ("stdout",)), redacted),
                                 Scanned(Text("err", "y", ("stderr",)), clean)))
    new, withheld = outcome.rewrites()
    assert list(new) == [("stdout",)]
    assert KEY not in new[("stdout",)] and "AWS" in new[("stdout",)]
    assert withheld == []
    decided = {d.action for d in redacted.decisions}
    assert decided and all(outcome.has(a) for a in decided)
    assert not any(outcome.has(a) for a in {"block", "redact", "warn", "allow"} - decided)


@pytest.mark.parametrize(("on_error", "expected"), [("block", True), ("allow", False)])
def test_a_text_whose_scan_did_not_finish_is_withheld_only_when_errors_block(
        on_error: str, expected: bool) -> None:
    failed = Verdict("out", "block", failed=True)
    outcome = Outcome("block", (Scanned(Text("Bash output", "x", ("stdout",)), failed),),
                      on_error=on_error)
    new, withheld = outcome.rewrites()
    if expected:
        assert (new, withheld) == ({("stdout",): WITHHELD}, ["Bash output"])
    else:
        assert (new, withheld) == ({}, [])


def test_reply_is_one_json_line_keeping_non_ascii() -> None:
    answer = reply({"reason": "clé ✓"}, 2, "why\n")
    assert answer.stdout.endswith("\n") and answer.stdout.count("\n") == 1
    assert json.loads(answer.stdout) == {"reason": "clé ✓"}
    assert "clé ✓" in answer.stdout
    assert (answer.exit_code, answer.stderr) == (2, "why\n")


def test_payload_str_accepts_strings_and_absence_and_names_anything_else() -> None:
    assert payload_str({"cwd": "/p"}, "cwd") == "/p"
    assert payload_str({}, "cwd") == ""
    with pytest.raises(InputError, match="'cwd' is list, expected a string"):
        payload_str({"cwd": ["/p"]}, "cwd")
