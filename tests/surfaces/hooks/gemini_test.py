"""Golden tests: Gemini CLI events in, the exact answer out."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from testing.hookgolden import answer
from testing.hookgolden import as_json
from testing.hookgolden import blocked_prompt
from testing.hookgolden import key

from promptguard.surfaces.hooks.event import Answer
from promptguard.surfaces.hooks.hosts import gemini


def _payload(event: str, cwd: Path, **fields: Any) -> dict[str, Any]:
    return {"session_id": "s-1", "transcript_path": str(cwd / ".gemini/tmp/x/chats/s.json"),
            "cwd": str(cwd), "hook_event_name": event,
            "timestamp": "2026-12-03T07:00:00.000Z", **fields}


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    p = tmp_path / "repo"
    p.mkdir()
    return p


def _pin(model: str | None) -> None:
    home = Path.home() / ".gemini"
    home.mkdir(exist_ok=True)
    (home / "settings.json").write_text(json.dumps({"model": {"name": model}} if model else {}))


@pytest.mark.parametrize("agent", ["gemini", None])
def test_before_agent_denies_a_prompt_with_a_key(cwd: Path, agent: str | None) -> None:
    k = key()
    a = answer(_payload("BeforeAgent", cwd, prompt=f"deploy with {k} now"), agent)
    assert as_json(a) == {"decision": "deny", "reason": blocked_prompt(k)}


def test_before_agent_lets_a_redact_verdict_through_when_the_model_is_pinned(cwd: Path) -> None:
    _pin("gemini-2.5-flash")
    doc = as_json(answer(_payload("BeforeAgent", cwd,
                                  prompt="mail dana.whitfield@example-corp.com"), "gemini"))
    assert set(doc) == {"systemMessage"} and "BeforeModel" in doc["systemMessage"]


def test_before_agent_blocks_a_redact_verdict_with_the_auto_model(cwd: Path) -> None:
    _pin(None)
    doc = as_json(answer(_payload("BeforeAgent", cwd,
                                  prompt="mail dana.whitfield@example-corp.com"), "gemini"))
    assert doc["decision"] == "deny" and "mail <EMAIL_1>" in doc["reason"]
    assert gemini.UNPINNED in doc["reason"]


def test_before_model_returns_every_message_with_values_replaced(cwd: Path) -> None:
    k = key()
    request = {"model": "gemini-2.5-flash", "config": {"temperature": 1},
               "messages": [{"role": "user", "content": "<session_context>ctx</session_context>"},
                            {"role": "user", "content": f"use {k} for the deploy"},
                            {"role": "model", "content": "ok"}]}
    doc = as_json(answer(_payload("BeforeModel", cwd, llm_request=request), "gemini"))
    assert doc == {"hookSpecificOutput": {"hookEventName": "BeforeModel", "llm_request": {
        "messages": [{"role": "user", "content": "<session_context>ctx</session_context>"},
                     {"role": "user", "content": "use <AWS_ACCESS_KEY_ID_1> for the deploy"},
                     {"role": "model", "content": "ok"}]}}}


def test_before_model_with_nothing_to_redact_is_silent(cwd: Path) -> None:
    request = {"model": "m", "messages": [{"role": "user", "content": "hello there"}]}
    assert answer(_payload("BeforeModel", cwd, llm_request=request), "gemini") == Answer()


def test_before_tool_shell_read_of_a_secret_file_is_denied(cwd: Path) -> None:
    (cwd / "app.env").write_text(f"K={key()}\n")
    doc = as_json(answer(_payload("BeforeTool", cwd, tool_name="run_shell_command",
                                  tool_input={"command": "cat app.env"}), "gemini"))
    assert set(doc) == {"decision", "reason"} and doc["decision"] == "deny"
    assert doc["reason"].startswith("promptguard denied this run_shell_command call")


def test_after_tool_denies_with_the_redacted_output_as_the_reason(cwd: Path) -> None:
    k = key()
    doc = as_json(answer(_payload("AfterTool", cwd, tool_name="run_shell_command",
                                  tool_input={"command": "cat app.env"},
                                  tool_response={"llmContent": f"Output: K={k}\nAPP=demo",
                                                 "returnDisplay": f"K={k}"}), "gemini"))
    assert set(doc) == {"decision", "reason"} and doc["decision"] == "deny"
    assert doc["reason"].endswith("this is its output with the values replaced:\n"
                                  "Output: K=<AWS_ACCESS_KEY_ID_1>\nAPP=demo")
    assert k not in doc["reason"]


def test_malformed_payload_blocks_with_exit_2(cwd: Path) -> None:
    a = answer(b"[1, 2]", "gemini")
    assert a.exit_code == 2 and a.stdout == ""


def test_before_model_without_messages_follows_on_error(cwd: Path) -> None:
    a = answer(_payload("BeforeModel", cwd, llm_request={}), "gemini")
    assert a.exit_code == 2 and a.stdout == ""  # exit 2: Gemini skips the model call
    assert "llm_request.messages" in a.stderr
