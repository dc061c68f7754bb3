"""`promptguard history scan|scrub claude-code` on transcripts in Claude Code's record shapes."""
from __future__ import annotations

import json
import os
import random
import time
from pathlib import Path

import pytest
from testing import fakes

from promptguard.cli import main

SESSION = "2df3e92e-adc2-42bb-bf52-fe011b727168"


@pytest.fixture
def claude_dir() -> Path:
    return Path(os.environ["HOME"]) / ".claude"


def _old(path: Path) -> None:
    t = time.time() - 3600
    os.utime(path, (t, t))


def _transcripts(claude_dir: Path) -> tuple[Path, Path, str, str]:
    rng = random.Random()
    aws, gh = fakes.aws_key_id(rng), fakes.github_token(rng)
    project = claude_dir / "projects" / "-home-u-repo"
    project.mkdir(parents=True)
    records = [
        {"type": "queue-operation", "operation": "enqueue", "timestamp": "2026-12-01T10:00:00Z",
         "sessionId": SESSION, "content": f"deploy with {aws}"},
        {"type": "user", "sessionId": SESSION, "timestamp": "2026-12-01T10:01:00Z",
         "message": {"role": "user", "content": [{"type": "text", "text": "hello there"}]}},
        {"type": "user", "sessionId": SESSION, "timestamp": "2026-12-01T10:02:00Z",
         "message": {"role": "user", "content": [
             {"type": "tool_result", "tool_use_id": "t1", "content": f"TOKEN={gh}\nA=1"}]},
         "toolUseResult": {"stdout": f"TOKEN={gh}\nA=1", "stderr": "", "interrupted": False}},
    ]
    transcript = project / f"{SESSION}.jsonl"
    transcript.write_text("".join(json.dumps(r) + "\n" for r in records) + "not json\n")
    history = claude_dir / "history.jsonl"
    history.write_text(json.dumps({"display": f"use {aws}", "pastedContents": {},
                                   "timestamp": 1764583200000, "project": "/home/u/repo"})
                       + "\n")
    for p in (transcript, history):
        _old(p)
    return transcript, history, aws, gh


def test_scan_reports_what_to_rotate(claude_dir: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    transcript, history, aws, gh = _transcripts(claude_dir)
    assert main(["history", "scan", "claude-code"]) == 1
    out = capsys.readouterr()
    assert f"{transcript}:1: BLOCK aws-access-key-id AKIA…(20 chars) (session {SESSION}, " \
           "2026-12-01 10:00:00, queue-operation content)" in out.out
    assert f"{transcript}:3: BLOCK github-personal-access-token" in out.out
    assert "toolUseResult.stdout" in out.out
    assert f"{history}:1: BLOCK aws-access-key-id" in out.out
    assert "2 distinct value(s)" in out.out
    assert aws not in out.out + out.err and gh not in out.out + out.err


def test_scan_of_clean_history_exits_0(claude_dir: Path) -> None:
    (claude_dir / "projects").mkdir(parents=True)
    (claude_dir / "history.jsonl").write_text('{"display": "hello"}\n')
    assert main(["history", "scan"]) == 0


def test_scrub_leaves_valid_jsonl_and_a_backup(claude_dir: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    transcript, history, aws, gh = _transcripts(claude_dir)
    before = transcript.read_text()
    transcript.chmod(0o640)
    assert main(["history", "scrub", "claude-code"]) == 0
    out = capsys.readouterr().out
    after = transcript.read_text()
    assert (transcript.stat().st_mode & 0o777) == 0o640  # rewritten, mode kept
    assert aws not in after and gh not in after
    assert aws not in history.read_text()
    lines = after.splitlines()
    assert lines[-1] == "not json"  # kept as it was
    records = [json.loads(line) for line in lines[:-1]]
    assert records[0]["content"] == "deploy with <AWS_ACCESS_KEY_ID_1>"
    assert records[1] == json.loads(before.splitlines()[1])  # untouched record
    assert after.splitlines()[1] == before.splitlines()[1]  # byte for byte
    assert "<GITHUB_PERSONAL_ACCESS_TOKEN_1>" in records[2]["toolUseResult"]["stdout"]
    backup = Path(out.split("backup ")[1].split("\n")[0])
    assert backup.read_text() == before
    assert (backup.stat().st_mode & 0o777) == 0o600
    assert main(["history", "scan", "claude-code"]) == 0  # nothing left


def test_scrub_skips_active_sessions_and_dry_run_changes_nothing(
        claude_dir: Path, capsys: pytest.CaptureFixture[str]) -> None:
    transcript, history, aws, _ = _transcripts(claude_dir)
    os.utime(transcript)  # written just now: a session may be running
    main(["history", "scrub"])
    assert aws in transcript.read_text()
    assert "skipped: written in the last 10 min" in capsys.readouterr().err
    assert aws not in history.read_text()
    _old(transcript)
    main(["history", "scrub", "--dry-run"])
    assert aws in transcript.read_text()
