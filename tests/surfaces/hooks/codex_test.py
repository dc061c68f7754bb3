"""Golden tests: Codex events in, the exact answer out (fields Codex 0.169.0 accepts only)."""
from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from testing.hookgolden import answer
from testing.hookgolden import as_json
from testing.hookgolden import blocked_prompt
from testing.hookgolden import key
from testing.hookgolden import preview

from promptguard.surfaces.hooks.event import Answer
from promptguard.surfaces.hooks.setup import Options
from promptguard.surfaces.hooks.setup import codex as setup

# codex-rs/hooks/src/schema.rs (deny_unknown_fields): every key Codex takes.
UNIVERSAL = {"continue", "stopReason", "suppressOutput", "systemMessage"}
ALLOWED = {
    "UserPromptSubmit": UNIVERSAL | {"decision", "reason", "hookSpecificOutput"},
    "PreToolUse": UNIVERSAL | {"decision", "reason", "hookSpecificOutput"},
    "PostToolUse": UNIVERSAL | {"decision", "reason", "hookSpecificOutput"},
}
SPECIFIC = {
    "UserPromptSubmit": {"hookEventName", "additionalContext"},
    "PreToolUse": {"hookEventName", "permissionDecision", "permissionDecisionReason",
                   "updatedInput", "additionalContext"},
    "PostToolUse": {"hookEventName", "additionalContext"},  # 0.169.0 rejects updatedMCPToolOutput
}


def _payload(event: str, cwd: Path, **fields: Any) -> dict[str, Any]:
    return {"session_id": "01a23ad9-1cdc-7b31-b5c6-eed41fc324df",
            "turn_id": "01a23ad9-1cec-7fd0-9c82-3e76db781b0f",
            "transcript_path": str(cwd / ".codex/sessions/rollout-x.jsonl"), "cwd": str(cwd),
            "hook_event_name": event, "model": "gpt-test",
            "permission_mode": "bypassPermissions", **fields}


def _only_codex_fields(event: str, doc: dict[str, Any]) -> None:
    assert set(doc) <= ALLOWED[event], doc
    spec = doc.get("hookSpecificOutput")
    if spec is not None:
        assert set(spec) <= SPECIFIC[event] and spec["hookEventName"] == event


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    p = tmp_path / "repo"
    p.mkdir()
    return p


@pytest.mark.parametrize("agent", ["codex", None])  # --agent, or detected by turn_id
def test_prompt_with_a_key_is_blocked_with_decision_and_reason_only(cwd: Path,
                                                                    agent: str | None) -> None:
    k = key()
    a = answer(_payload("UserPromptSubmit", cwd, prompt=f"deploy with {k} now"), agent)
    assert as_json(a) == {"decision": "block", "reason": blocked_prompt(k)}
    assert k not in a.stdout + a.stderr


def test_clean_prompt_passes_silently(cwd: Path) -> None:
    assert answer(_payload("UserPromptSubmit", cwd, prompt="explain retries"), "codex") == \
        Answer("", "", 0)


def test_redact_verdict_blocks_and_offers_the_redacted_prompt(cwd: Path) -> None:
    doc = as_json(answer(_payload("UserPromptSubmit", cwd,
                                  prompt="mail dana.whitfield@example-corp.com today"), "codex"))
    assert set(doc) == {"decision", "reason"}
    assert "mail <EMAIL_1> today" in doc["reason"]
    assert "dana.whitfield" not in doc["reason"]


def test_pre_tool_bash_reading_a_secret_file_is_denied(cwd: Path) -> None:
    k = key()
    (cwd / "app.env").write_text(f"AWS_ACCESS_KEY_ID={k}\n")
    doc = as_json(answer(_payload("PreToolUse", cwd, tool_name="Bash",
                                  tool_input={"command": "cat app.env"},
                                  tool_use_id="call_1"), "codex"))
    _only_codex_fields("PreToolUse", doc)
    assert doc["hookSpecificOutput"]["permissionDecision"] == "deny"
    reason = doc["hookSpecificOutput"]["permissionDecisionReason"]
    assert reason.startswith("promptguard denied this Bash call: it would expose "
                             "aws-access-key-id.")
    assert preview(k) in reason and k not in reason


def test_pre_tool_clean_command_passes(cwd: Path) -> None:
    assert answer(_payload("PreToolUse", cwd, tool_name="Bash", tool_input={"command": "ls"},
                           tool_use_id="c"), "codex") == Answer("", "", 0)


def test_post_tool_output_is_replaced_through_the_block_reason(cwd: Path) -> None:
    k = key()
    doc = as_json(answer(_payload("PostToolUse", cwd, tool_name="Bash",
                                  tool_input={"command": "cat app.env"},
                                  tool_response=f"AWS_ACCESS_KEY_ID={k}\nAPP=demo\n",
                                  tool_use_id="c"), "codex"))
    _only_codex_fields("PostToolUse", doc)
    assert doc["decision"] == "block"
    assert doc["reason"].startswith("AWS_ACCESS_KEY_ID=<AWS_ACCESS_KEY_ID_1>\nAPP=demo\n\n"
                                    "[promptguard replaced 1 sensitive value")
    assert k not in doc["reason"]


def test_post_tool_mcp_json_output_keeps_its_shape(cwd: Path) -> None:
    k = key()
    response = {"content": [{"type": "text", "text": f"token {k} issued"}], "isError": False}
    doc = as_json(answer(_payload("PostToolUse", cwd, tool_name="mcp__vault__get",
                                  tool_input={}, tool_response=response, tool_use_id="c"),
                         "codex"))
    body = doc["reason"].rsplit("\n\n[", 1)[0]
    assert json.loads(body) == {"content": [{"type": "text",
                                             "text": "token <AWS_ACCESS_KEY_ID_1> issued"}],
                                "isError": False}


def test_clean_output_passes(cwd: Path) -> None:
    assert answer(_payload("PostToolUse", cwd, tool_name="Bash", tool_input={"command": "ls"},
                           tool_response="README.md\nsrc\n", tool_use_id="c"), "codex") == \
        Answer("", "", 0)


def test_ignored_events_allow(cwd: Path) -> None:
    assert answer(_payload("Stop", cwd, stop_hook_active=False), "codex") == Answer("", "", 0)


def test_malformed_json_blocks_with_exit_2_and_no_stdout() -> None:
    a = answer(b"{not json", "codex")
    assert a.exit_code == 2 and a.stdout == ""
    assert "malformed hook JSON" in a.stderr


def test_unknown_event_blocks(cwd: Path) -> None:
    a = answer(_payload("Frobnicate", cwd), "codex")
    assert a.exit_code == 2 and "unknown Codex event" in a.stderr


# -- trust hash (the exact values the real 0.169.0 binary accepted) ----------------

def test_trust_hash_matches_codex_for_a_handler_without_matcher() -> None:
    # Computed by hand from codex-rs command_hook_hash and accepted by the real
    # binary in the e2e test; here pinned so a change of the algorithm shows.
    handler = {"type": "command", "command": "/tmp/cx/hook.sh", "timeout": 30}
    assert setup.trust_hash("UserPromptSubmit", "ignored", handler) == (
        "sha256:" + __import__("hashlib").sha256(
            b'{"event_name":"user_prompt_submit","hooks":[{"async":false,'
            b'"command":"/tmp/cx/hook.sh","timeout":30,"type":"command"}]}').hexdigest())


def test_trust_hash_defaults_the_timeout_and_keeps_the_tool_matcher() -> None:
    h1 = setup.trust_hash("PreToolUse", ".*", {"type": "command", "command": "x"})
    h2 = setup.trust_hash("PreToolUse", ".*", {"type": "command", "command": "x",
                                               "timeout": 600})
    h3 = setup.trust_hash("PreToolUse", None, {"type": "command", "command": "x"})
    assert h1 == h2 != h3


def _opts(tmp_path: Path) -> Options:
    return Options(home=tmp_path / "home", project=tmp_path / "proj")


def test_install_refuses_malformed_files(tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    from promptguard.errors import ConfigError

    monkeypatch.delenv("CODEX_HOME", raising=False)
    o = _opts(tmp_path)
    (o.home / ".codex").mkdir(parents=True)
    (o.home / ".codex" / "hooks.json").write_text("{nope")
    with pytest.raises(ConfigError, match="not valid JSON"):
        setup.install("user", ["/bin/promptguard", "hook"], o)
    (o.home / ".codex" / "hooks.json").unlink()
    (o.home / ".codex" / "config.toml").write_text("model = [\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        setup.install("user", ["/bin/promptguard", "hook"], o)


def test_uninstall_removes_our_hooks_and_trust_only(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CODEX_HOME", raising=False)
    o = _opts(tmp_path)
    (o.home / ".codex").mkdir(parents=True)
    config = o.home / ".codex" / "config.toml"
    config.write_text('model = "x"\n[hooks.state."other:stop:0:0"]\ntrusted_hash = "sha256:a"\n')
    setup.install("user", ["/opt/pg/bin/promptguard", "hook", "--agent", "codex"], o)
    assert config.read_text().count("trusted_hash") == 4
    change = setup.uninstall("user", o)
    assert change.changed
    assert config.read_text() == 'model = "x"\n[hooks.state."other:stop:0:0"]\n' \
                                 'trusted_hash = "sha256:a"\n'
    assert not (o.home / ".codex" / "hooks.json").read_text().count("promptguard")


def test_doctor_names_a_modified_hook(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CODEX_HOME", raising=False)
    o = _opts(tmp_path)
    o.project.mkdir(parents=True)
    setup.install("user", ["/opt/pg/bin/promptguard", "hook", "--agent", "codex"], o)
    hooks = o.home / ".codex" / "hooks.json"
    doc = json.loads(hooks.read_text())
    doc["hooks"]["UserPromptSubmit"][0]["hooks"][0]["timeout"] = 11  # edited after trust
    hooks.write_text(json.dumps(doc))
    checks = setup.doctor(o)
    messages = [c.message for c in checks if c.status == "fail"]
    assert any("modified since it was trusted" in m for m in messages)
    assert any("does not resolve" in m for m in messages)  # /opt/pg does not exist
