"""The doctor's canary runner, shared by every host's doctor: real processes."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from promptguard.guard import Guard
from promptguard.surfaces.hooks.setup import Check
from promptguard.surfaces.hooks.setup import by_severity
from promptguard.surfaces.hooks.setup import canary

SH = "/bin/sh"


def test_the_canary_prompt_holds_a_key_the_guard_blocks(tmp_path: Path) -> None:
    text = canary.prompt()
    verdict = Guard.load("chat", start=tmp_path).check(text, audit=False)
    assert verdict.action == "block"
    assert {d.finding.rule_id for d in verdict.decisions} >= {"aws-access-key-id"}
    # A new key per run: a hook cannot pass by remembering one value.
    assert canary.prompt() != text


def test_the_command_gets_the_payload_on_stdin_in_its_folder(tmp_path: Path) -> None:
    done = canary.run([SH, "-c", 'cat; printf "\\n%s" "$PWD" >&2'], {"prompt": "hi"}, 10,
                      tmp_path, "w")
    assert isinstance(done, canary.Run)
    assert done.returncode == 0
    assert json.loads(done.stdout) == {"prompt": "hi"}
    assert done.stderr.strip() == str(tmp_path.resolve())
    assert done.seconds >= 0


def test_the_environment_given_is_the_one_the_command_sees(tmp_path: Path) -> None:
    done = canary.run([SH, "-c", 'printf %s "$ONLY"'], {}, 10, tmp_path, "w",
                      env={"ONLY": "this", "PATH": "/usr/bin:/bin"})
    assert isinstance(done, canary.Run)
    assert done.stdout == "this"


def test_a_hook_slower_than_its_timeout_fails_and_says_what_the_host_does(
        tmp_path: Path) -> None:
    done = canary.run([SH, "-c", "sleep 5"], {}, 0.2, tmp_path, "user settings f.json",
                      on_timeout="the host lets the prompt through")
    assert done == [Check("fail", "user settings f.json",
                          "the canary did not answer within the hook's timeout of 0.2s: "
                          "the host lets the prompt through")]


def test_a_command_that_cannot_start_fails_naming_it(tmp_path: Path) -> None:
    done = canary.run([str(tmp_path / "missing")], {}, 10, tmp_path, "w")
    assert isinstance(done, list)
    assert done[0].status == "fail"
    assert done[0].message.startswith(f"cannot run {tmp_path / 'missing'}: ")


@pytest.mark.parametrize(("stdout", "expected"), [
    ("", {}),
    ("  \n", {}),
    ('{"decision": "block"}', {"decision": "block"}),
    ("[1]", [1]),
    ("blocked!", None),
    ('{"decision": ', None),
])
def test_the_answer_is_stdout_as_json(stdout: str, expected: object) -> None:
    assert canary.Run(0, stdout, "", 0.0).answer() == expected


def test_blocked_passes_and_warns_only_when_over_half_the_timeout() -> None:
    fast = canary.blocked("w", canary.Run(2, "", "", 0.25), 10, " (exit 2)")
    assert fast == [Check("ok", "w", "canary blocked (exit 2) in 250 ms")]
    slow = canary.blocked("w", canary.Run(0, "", "", 6.0), 10)
    assert [c.status for c in slow] == ["ok", "warn"]
    assert slow[1].message == "the canary took 6.0s of a 10s timeout"


def test_checks_sort_failures_first_and_keep_their_order_within_a_status() -> None:
    checks = [Check("ok", "a", ""), Check("fail", "b", ""), Check("warn", "c", ""),
              Check("fail", "d", ""), Check("ok", "e", "")]
    assert [c.where for c in by_severity(checks)] == ["b", "d", "c", "a", "e"]
