"""Golden tests: Cursor events in, the exact answer out (documented schema; UNVERIFIED)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from testing.hookgolden import answer
from testing.hookgolden import as_json
from testing.hookgolden import blocked_prompt
from testing.hookgolden import key

# cursor.com hooks reference (via cupcake / hookshot): the answer fields per event.
ALLOWED = {
    "beforeSubmitPrompt": {"continue", "user_message"},
    "beforeReadFile": {"permission"},
    "preToolUse": {"permission", "user_message", "agent_message", "updated_input"},
    "beforeShellExecution": {"permission", "user_message", "agent_message"},
    "beforeMCPExecution": {"permission", "user_message", "agent_message"},
    "postToolUse": {"additional_context", "updated_mcp_tool_output"},
}


def _payload(event: str, root: Path, **fields: Any) -> dict[str, Any]:
    return {"hook_event_name": event, "conversation_id": "c-1", "generation_id": "g-1",
            "workspace_roots": [str(root)], "cursor_version": "2.0.77", "model": "x", **fields}


def _doc(event: str, root: Path, **fields: Any) -> dict[str, Any]:
    doc = as_json(answer(_payload(event, root, **fields), None))  # detected by cursor_version
    assert set(doc) <= ALLOWED[event], doc
    return doc


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    p = tmp_path / "repo"
    p.mkdir()
    return p


def test_prompt_with_a_key_is_stopped(cwd: Path) -> None:
    k = key()
    assert _doc("beforeSubmitPrompt", cwd, prompt=f"deploy {k}", attachments=[]) == \
        {"continue": False, "user_message": blocked_prompt(k)}


def test_clean_prompt_continues_explicitly(cwd: Path) -> None:
    assert _doc("beforeSubmitPrompt", cwd, prompt="hello", attachments=[]) == {"continue": True}


def test_an_attached_file_with_a_key_stops_the_prompt(cwd: Path) -> None:
    (cwd / "prod.env").write_text(f"AWS={key()}\n")
    doc = _doc("beforeSubmitPrompt", cwd, prompt="see attached",
               attachments=[{"type": "file", "file_path": str(cwd / "prod.env")}])
    assert doc["continue"] is False and f"attachment {cwd / 'prod.env'}" in doc["user_message"]


def test_before_read_file_denies_from_the_content_cursor_sends(cwd: Path) -> None:
    assert _doc("beforeReadFile", cwd, file_path=str(cwd / "x.env"),
                content=f"K={key()}\n") == {"permission": "deny"}
    assert _doc("beforeReadFile", cwd, file_path=str(cwd / "y.txt"), content="plain") == \
        {"permission": "allow"}


def test_shell_execution_with_an_inline_key_is_denied(cwd: Path) -> None:
    doc = _doc("beforeShellExecution", cwd, command=f"curl -H 'X: {key()}' x", cwd=str(cwd))
    assert doc["permission"] == "deny"
    assert doc["user_message"] == doc["agent_message"]
    assert doc["user_message"].startswith("promptguard denied this Shell call")


def test_pre_tool_use_and_mcp(cwd: Path) -> None:
    assert _doc("preToolUse", cwd, tool_name="Write",
                tool_input={"file_path": "a.py", "content": f"K = '{key()}'"})["permission"] \
        == "deny"
    assert _doc("preToolUse", cwd, tool_name="Grep", tool_input={"pattern": "x"}) == \
        {"permission": "allow"}
    # MCP arguments leave the machine: a redact verdict (an email) denies them too.
    doc = _doc("beforeMCPExecution", cwd, tool_name="send",
               tool_input=json.dumps({"to": "dana.whitfield@example-corp.com"}),
               command="npx mcp")
    assert doc["permission"] == "deny"


def test_post_tool_use_mcp_output_is_replaced_builtin_only_annotated(cwd: Path) -> None:
    k = key()
    out = json.dumps({"content": [{"type": "text", "text": f"key {k}"}]})
    doc = _doc("postToolUse", cwd, tool_name="MCP:vault", tool_input={}, tool_output=out)
    assert doc["updated_mcp_tool_output"] == {"content": [{"type": "text",
                                                           "text": "key <AWS_ACCESS_KEY_ID_1>"}]}
    doc = _doc("postToolUse", cwd, tool_name="Shell", tool_input={},
               tool_output=json.dumps({"output": f"K={k}", "exitCode": 0}))
    assert set(doc) == {"additional_context"} and k not in doc["additional_context"]


def test_malformed_input_exits_2_for_fail_closed(cwd: Path) -> None:
    a = answer(b"{", "cursor")
    assert a.exit_code == 2 and a.stdout == ""
