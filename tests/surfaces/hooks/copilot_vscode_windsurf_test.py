"""Golden tests: Copilot CLI, VS Code agent hooks and Windsurf (documented schemas; UNVERIFIED)."""
from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from testing.hookgolden import answer
from testing.hookgolden import as_json
from testing.hookgolden import blocked_prompt
from testing.hookgolden import key

from promptguard.surfaces.hooks.event import Answer


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    p = tmp_path / "repo"
    p.mkdir()
    return p


# -- Copilot CLI -----------------------------------------------------------------

def test_copilot_documented_camelcase_prompt_is_blocked(cwd: Path) -> None:
    k = key()
    payload = {"timestamp": int(time.time() * 1000), "cwd": str(cwd), "prompt": f"use {k}"}
    assert as_json(answer(payload, None)) == {"decision": "block", "reason": blocked_prompt(k)}


def test_copilot_snake_case_payload_and_tool_args_string(cwd: Path) -> None:
    k = key()
    payload = {"hook_event_name": "preToolUse", "session_id": "s", "cwd": str(cwd),
               "timestamp": 1, "toolName": "bash",
               "toolArgs": json.dumps({"command": f"export T={k}"})}
    doc = as_json(answer(payload, "copilot"))
    assert set(doc) == {"permissionDecision", "permissionDecisionReason"}
    assert doc["permissionDecision"] == "deny"


def test_copilot_clean_and_post_tool_are_silent(cwd: Path) -> None:
    assert answer({"timestamp": 1, "cwd": str(cwd), "prompt": "hi"}, "copilot") == Answer()
    post = {"timestamp": 1, "cwd": str(cwd), "toolName": "bash", "toolArgs": "{}",
            "toolResult": {"resultType": "success", "textResultForLlm": f"K={key()}"}}
    assert answer(post, "copilot") == Answer()  # Copilot cannot replace tool output


# -- VS Code ---------------------------------------------------------------------

def _vs(event: str, cwd: Path, **fields: object) -> dict[str, object]:
    return {"timestamp": "2026-12-03T07:00:00.000Z", "cwd": str(cwd), "sessionId": "s",
            "hookEventName": event, "transcript_path": "", **fields}


def test_vscode_prompt_is_stopped_with_the_common_fields(cwd: Path) -> None:
    k = key()
    assert as_json(answer(_vs("UserPromptSubmit", cwd, prompt=f"key {k}"), None)) == \
        {"continue": False, "stopReason": blocked_prompt(k)}


def test_vscode_read_file_range_is_scanned(cwd: Path) -> None:
    (cwd / "c.env").write_text(f"a=1\nb=2\nK={key()}\n")
    first = _vs("PreToolUse", cwd, tool_name="read_file", tool_use_id="t",
                tool_input={"filePath": str(cwd / "c.env"), "startLine": 1, "endLine": 2})
    assert answer(first, "vscode") == Answer()
    third = _vs("PreToolUse", cwd, tool_name="read_file", tool_use_id="t",
                tool_input={"filePath": str(cwd / "c.env"), "startLine": 3, "endLine": 3})
    spec = as_json(answer(third, "vscode"))["hookSpecificOutput"]
    assert set(spec) == {"hookEventName", "permissionDecision", "permissionDecisionReason"}
    assert spec["permissionDecision"] == "deny"


def test_vscode_post_tool_blocks_further_processing(cwd: Path) -> None:
    k = key()
    doc = as_json(answer(_vs("PostToolUse", cwd, tool_name="run_in_terminal", tool_use_id="t",
                             tool_input={"command": "cat .env"}, tool_response=f"K={k}"),
                         "vscode"))
    assert set(doc) == {"decision", "reason"} and doc["decision"] == "block"
    assert k not in doc["reason"]


# -- Windsurf --------------------------------------------------------------------

def _ws(action: str, **info: object) -> dict[str, object]:
    return {"agent_action_name": action, "trajectory_id": "t", "execution_id": "e",
            "timestamp": "2026-12-03T07:00:00Z", "model_name": "x", "tool_info": info}


def test_windsurf_blocks_by_exit_2_with_the_reason_on_stderr() -> None:
    k = key()
    a = answer(_ws("pre_user_prompt", user_prompt=f"use {k}"), None)
    assert a == Answer("", blocked_prompt(k) + "\n", 2)


def test_windsurf_command_and_read(cwd: Path) -> None:
    (cwd / "s.env").write_text(f"K={key()}\n")
    a = answer(_ws("pre_run_command", command_line="cat s.env", cwd=str(cwd)), "windsurf")
    assert a.exit_code == 2 and a.stdout == ""
    a = answer(_ws("pre_read_code", file_path=str(cwd / "s.env")), "windsurf")
    assert a.exit_code == 2
    assert answer(_ws("pre_run_command", command_line="ls", cwd=str(cwd)), "windsurf") == \
        Answer()


def test_windsurf_post_hooks_do_nothing() -> None:
    assert answer(_ws("post_run_command", command_line="cat x", output=f"K={key()}"),
                  "windsurf") == Answer()


def test_windsurf_write_and_mcp_are_scanned() -> None:
    k = key()
    a = answer(_ws("pre_write_code", file_path="cfg.py",
                   edits=[{"old_string": "", "new_string": f"KEY = '{k}'"}]), "windsurf")
    assert a.exit_code == 2 and a.stderr.startswith("promptguard denied this write_code call")
    assert k not in a.stderr
    # MCP arguments leave the machine: an email (a redact verdict) blocks them too.
    a = answer(_ws("pre_mcp_tool_use", mcp_server_name="mail", mcp_tool_name="send",
                   mcp_tool_arguments={"to": "dana.whitfield@example-corp.com"}), "windsurf")
    assert a.exit_code == 2 and "mcp_tool" in a.stderr


def test_windsurf_unknown_event_follows_on_error() -> None:
    a = answer(_ws("pre_frobnicate"), "windsurf")
    assert a.exit_code == 2 and "unknown Windsurf event" in a.stderr
