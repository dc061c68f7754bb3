"""Golden tests: each Claude Code event in, the exact answer (JSON and exit code) out."""
from __future__ import annotations

import io
import json
import random
from pathlib import Path
from typing import Any

import pytest
from testing import fakes

from promptguard.surfaces.hooks import run
from promptguard.surfaces.hooks.event import Answer

SETTINGS = run.Settings(agent=None, clipboard=False)
SUPPRESS = {"hookEventName": "UserPromptSubmit", "suppressOriginalPrompt": True}


def _key() -> str:
    return fakes.aws_key_id(random.Random())


def _preview(value: str) -> str:
    return f"{value[:4]}…({len(value)} chars)"


def _payload(event: str, cwd: Path, **fields: Any) -> dict[str, Any]:
    return {"session_id": "0b6c1f3e-1111-4222-8333-944455556666",
            "transcript_path": str(cwd / "t.jsonl"), "cwd": str(cwd),
            "permission_mode": "default", "hook_event_name": event, **fields}


def _answer(doc: dict[str, Any] | bytes, settings: run.Settings = SETTINGS) -> Answer:
    data = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return run.handle(data, settings)


def _json(answer: Answer) -> dict[str, Any]:
    assert answer.exit_code == 0, answer
    out: dict[str, Any] = json.loads(answer.stdout)
    return out


@pytest.fixture
def cwd(tmp_path: Path) -> Path:
    p = tmp_path / "repo"
    p.mkdir()
    return p


# -- UserPromptSubmit -------------------------------------------------------------

def test_prompt_with_a_key_is_blocked_and_suppressed(cwd: Path) -> None:
    key = _key()
    answer = _answer(_payload("UserPromptSubmit", cwd, prompt=f"deploy with {key} now"))
    assert _json(answer) == {
        "decision": "block",
        "reason": (
            "promptguard blocked this prompt: it holds aws-access-key-id.\n"
            f"  - aws-access-key-id: AWS access key ID (long-term) {_preview(key)} "
            "(prompt, line 1) [block]\n"
            "Remove the value (or the @-mention) and send again; if it is not secret, allow "
            "it with `promptguard: allow[rule-id]` or a baseline."),
        "hookSpecificOutput": SUPPRESS,
    }
    assert key not in answer.stdout + answer.stderr


def test_clean_prompt_passes_silently(cwd: Path) -> None:
    assert _answer(_payload("UserPromptSubmit", cwd, prompt="explain the retry loop")) == \
        Answer("", "", 0)


def test_redact_policy_blocks_and_offers_the_redacted_prompt(cwd: Path) -> None:
    email = "dana.whitfield@example-corp.com"
    answer = _answer(_payload("UserPromptSubmit", cwd, prompt=f"write to {email} today"))
    doc = _json(answer)
    assert doc["hookSpecificOutput"] == SUPPRESS
    assert doc["decision"] == "block"
    assert doc["reason"] == (
        "promptguard blocked this prompt: it holds email-address.\n"
        f"  - email-address: Email address {_preview(email)} (prompt, line 1) [redact]\n"
        "A redacted copy (placeholders instead of the values) can be sent instead. Copy it "
        "from here and send it.\n"
        "----- redacted prompt -----\n"
        "write to <EMAIL_1> today\n"
        "---------------------------")
    assert email not in answer.stdout


def test_redact_policy_passes_when_routed_through_the_gateway(
    cwd: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    # `install --via-gateway` sets this in the settings env; the gateway
    # redacts the prompt on its way out, so the hook need not block it.
    monkeypatch.setenv("PROMPTGUARD_VIA_GATEWAY", "1")
    email = "dana.whitfield@example-corp.com"
    answer = _answer(_payload("UserPromptSubmit", cwd, prompt=f"write to {email} today"))
    assert _json(answer) == {"systemMessage": (
        "promptguard: the promptguard gateway replaces these with placeholders before this "
        "prompt leaves the machine:\n"
        f"  - email-address: Email address {_preview(email)} (prompt, line 1) [redact]")}
    # A secret still blocks at the hook.
    key = _key()
    doc = _json(_answer(_payload("UserPromptSubmit", cwd, prompt=f"use {key}")))
    assert doc["decision"] == "block"


def test_redacted_prompt_goes_to_the_clipboard_when_asked(
        cwd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from promptguard import clipboard

    copied: list[str] = []
    monkeypatch.setattr(clipboard, "write", lambda text, *a, **k: copied.append(text))
    doc = _json(_answer(_payload("UserPromptSubmit", cwd, prompt="mail dana@example-corp.com"),
                        run.Settings(clipboard=True)))
    assert copied == ["mail <EMAIL_1>"]
    assert "It is on your clipboard: paste it and send." in doc["reason"]


def test_no_clipboard_is_said(cwd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for var in ("DISPLAY", "WAYLAND_DISPLAY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("PATH", str(cwd))  # no xclip, no wl-copy
    doc = _json(_answer(_payload("UserPromptSubmit", cwd, prompt="mail dana@example-corp.com"),
                        run.Settings(clipboard=True)))
    assert "(no clipboard: " in doc["reason"]


def test_at_file_mention_is_scanned(cwd: Path) -> None:
    key = _key()
    (cwd / "config").mkdir()
    (cwd / "config" / "prod.env").write_text(f"# prod\nAWS_ACCESS_KEY_ID={key}\n")
    answer = _answer(_payload("UserPromptSubmit", cwd, prompt="fix @config/prod.env please"))
    doc = _json(answer)
    assert (f"  - aws-access-key-id: AWS access key ID (long-term) {_preview(key)} "
            "(@config/prod.env, line 2) [block]") in doc["reason"]
    assert key not in answer.stdout


@pytest.mark.parametrize("prompt", [
    'see @"config/prod.env"', "see @file:config/prod.env", "see @config/prod.env#L1-2.",
])
def test_at_mention_spellings(cwd: Path, prompt: str) -> None:
    (cwd / "config").mkdir()
    (cwd / "config" / "prod.env").write_text(f"AWS_ACCESS_KEY_ID={_key()}\n")
    assert _json(_answer(_payload("UserPromptSubmit", cwd, prompt=prompt)))["decision"] == \
        "block"


def test_email_address_is_not_a_file_mention(cwd: Path) -> None:
    (cwd / "example.com").write_text(f"AWS_ACCESS_KEY_ID={_key()}\n")
    # example.com is a documentation domain (no email finding), and the file
    # named like the domain is not read: nothing to block.
    assert _answer(_payload("UserPromptSubmit", cwd, prompt="ask ops@example.com")) == Answer()


def test_warn_policy_lets_the_prompt_through_with_a_message(cwd: Path) -> None:
    (cwd / ".promptguard.toml").write_text(
        '[policy.surfaces.claude-code.category]\npii = "warn"\n')
    email = "dana@example-corp.com"
    doc = _json(_answer(_payload("UserPromptSubmit", cwd, prompt=f"mail {email}")))
    assert doc == {"systemMessage": (
        "promptguard: this prompt holds possibly sensitive text (allowed, warn):\n"
        f"  - email-address: Email address {_preview(email)} (prompt, line 1) [warn]")}


# -- PreToolUse -------------------------------------------------------------------

def _deny(answer: Answer) -> str:
    spec = _json(answer)["hookSpecificOutput"]
    assert spec["hookEventName"] == "PreToolUse"
    assert spec["permissionDecision"] == "deny"
    reason: str = spec["permissionDecisionReason"]
    return reason


def test_bash_with_an_inline_key_is_denied(cwd: Path) -> None:
    key = _key()
    answer = _answer(_payload("PreToolUse", cwd, tool_name="Bash", tool_use_id="t1",
                              tool_input={"command": f"AWS_ACCESS_KEY_ID={key} aws s3 ls"}))
    assert _deny(answer) == (
        "promptguard denied this Bash call: it would expose aws-access-key-id.\n"
        f"  - aws-access-key-id: AWS access key ID (long-term) {_preview(key)} "
        "(Bash command, line 1) [block]\n"
        "The values were not shown. Do not try to read them another way; ask the user if "
        "the task needs them.")
    assert key not in answer.stdout


@pytest.mark.parametrize("command", [
    "cat .env", "head -n 5 .env | grep KEY", "sort < .env", "sudo cat ./.env && echo ok",
])
def test_bash_reading_a_secret_file_is_denied(cwd: Path, command: str) -> None:
    (cwd / ".env").write_text(f"AWS_ACCESS_KEY_ID={_key()}\n")
    reason = _deny(_answer(_payload("PreToolUse", cwd, tool_name="Bash",
                                    tool_input={"command": command})))
    assert "aws-access-key-id" in reason and ".env (read by" in reason


def test_printenv_is_checked_against_the_environment(
        cwd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DEPLOY_KEY_ID", _key())
    reason = _deny(_answer(_payload("PreToolUse", cwd, tool_name="Bash",
                                    tool_input={"command": "printenv"})))
    assert "environment (printenv)" in reason


def test_harmless_bash_passes(cwd: Path) -> None:
    (cwd / "README").write_text("hello\n")
    assert _answer(_payload("PreToolUse", cwd, tool_name="Bash",
                            tool_input={"command": "cat README && ls -la"})) == Answer()


def test_read_checks_only_the_range_being_read(cwd: Path) -> None:
    lines = [f"line {i}\n" for i in range(1, 11)]
    lines[7] = f"AWS_ACCESS_KEY_ID={_key()}\n"  # line 8
    path = cwd / "big.txt"
    path.write_text("".join(lines))
    outside = _payload("PreToolUse", cwd, tool_name="Read",
                       tool_input={"file_path": str(path), "offset": 1, "limit": 5})
    assert _answer(outside) == Answer()
    inside = _payload("PreToolUse", cwd, tool_name="Read",
                      tool_input={"file_path": str(path), "offset": 6, "limit": 5})
    assert f"{path} (lines 6-10)" in _deny(_answer(inside))


@pytest.mark.parametrize(("tool", "tool_input"), [
    ("Write", {"file_path": "/x/a.py", "content": "KEY = '{key}'\n"}),
    ("Edit", {"file_path": "/x/a.py", "old_string": "a", "new_string": "k = '{key}'"}),
    ("MultiEdit", {"file_path": "/x/a.py", "edits": [{"old_string": "a",
                                                     "new_string": "k = '{key}'"}]}),
    ("WebFetch", {"url": "https://example.com/?k={key}", "prompt": "summarise"}),
    ("mcp__db__query", {"sql": "select 1", "auth": {"key": "{key}"}}),
    ("Grep", {"pattern": "{key}", "path": "/x"}),
])
def test_tool_inputs_holding_a_key_are_denied(cwd: Path, tool: str,
                                              tool_input: dict[str, Any]) -> None:
    key = _key()
    filled = json.loads(json.dumps(tool_input).replace("{key}", key))
    answer = _answer(_payload("PreToolUse", cwd, tool_name=tool, tool_input=filled))
    assert f"promptguard denied this {tool} call" in _deny(answer)
    assert key not in answer.stdout


def test_pii_going_out_through_webfetch_is_denied_but_not_locally(cwd: Path) -> None:
    url = {"url": "https://example.com/?to=dana@example-corp.com", "prompt": "x"}
    assert "email-address" in _deny(_answer(_payload("PreToolUse", cwd, tool_name="WebFetch",
                                                     tool_input=url)))
    local = {"command": "git log --author=dana@example-corp.com"}
    assert _answer(_payload("PreToolUse", cwd, tool_name="Bash", tool_input=local)) == Answer()


# -- PostToolUse ------------------------------------------------------------------

def _updated(answer: Answer) -> tuple[Any, str]:
    spec = _json(answer)["hookSpecificOutput"]
    assert spec["hookEventName"] == "PostToolUse"
    return spec["updatedToolOutput"], spec["additionalContext"]


def test_bash_output_is_redacted_in_its_own_shape(cwd: Path) -> None:
    key = _key()
    response = {"stdout": f"APP=orders\nAWS_ACCESS_KEY_ID={key}\nPORT=80\n", "stderr": "",
                "interrupted": False, "isImage": False, "noOutputExpected": False}
    answer = _answer(_payload("PostToolUse", cwd, tool_name="Bash", tool_use_id="t1",
                              tool_input={"command": "cat .env"}, tool_response=response))
    updated, context = _updated(answer)
    assert updated == {**response,
                       "stdout": "APP=orders\nAWS_ACCESS_KEY_ID=<AWS_ACCESS_KEY_ID_1>\nPORT=80\n"}
    assert list(updated) == list(response)  # same keys, same order
    assert context == (
        "promptguard replaced 1 sensitive value(s) in the Bash output with placeholders "
        "(<AWS_ACCESS_KEY_ID_1>; rules: aws-access-key-id). A placeholder stands for the real "
        "value, which is intentionally not available in this conversation; reading the source "
        "again returns the same placeholder. Commands run locally can still use the real "
        "values from the files or the environment.")
    assert key not in answer.stdout


def test_read_grep_and_mcp_outputs_keep_their_shape(cwd: Path) -> None:
    key = _key()
    shapes = {
        "Read": {"type": "text", "file": {"filePath": "/r/.env", "content": f"K={key}\nA=1\n",
                                          "numLines": 3, "startLine": 1, "totalLines": 3}},
        "Grep": {"mode": "content", "numFiles": 0, "filenames": [],
                 "content": f".env:1:K={key}", "numLines": 1, "totalLines": 1},
        "mcp__db__query": [{"type": "text", "text": f"row: {key}"}],
        "WebFetch": {"bytes": 10, "code": 200, "codeText": "OK", "result": f"key {key}",
                     "durationMs": 5, "url": "https://example.com"},
    }
    for tool, response in shapes.items():
        answer = _answer(_payload("PostToolUse", cwd, tool_name=tool, tool_input={},
                                  tool_response=response))
        updated, _ = _updated(answer)
        expected = json.loads(json.dumps(response).replace(key, "<AWS_ACCESS_KEY_ID_1>"))
        assert updated == expected, tool
        assert key not in answer.stdout


def test_placeholders_are_stable_across_a_session(cwd: Path) -> None:
    first, second = _key(), _key()

    def redact(text: str, session: str) -> str:
        response = {"stdout": text, "stderr": "", "interrupted": False, "isImage": False}
        payload = _payload("PostToolUse", cwd, tool_name="Bash", tool_input={},
                           tool_response=response)
        payload["session_id"] = session
        out: str = _updated(_answer(payload))[0]["stdout"]
        return out

    assert redact(f"a={first}", "s-1") == "a=<AWS_ACCESS_KEY_ID_1>"
    assert redact(f"b={second}", "s-1") == "b=<AWS_ACCESS_KEY_ID_2>"
    assert redact(f"c={first}", "s-1") == "c=<AWS_ACCESS_KEY_ID_1>"
    assert redact(f"d={second}", "s-2") == "d=<AWS_ACCESS_KEY_ID_1>"  # a new session


def test_clean_output_is_left_alone(cwd: Path) -> None:
    response = {"stdout": "all tests passed\n", "stderr": "", "interrupted": False,
                "isImage": False}
    assert _answer(_payload("PostToolUse", cwd, tool_name="Bash", tool_input={},
                            tool_response=response)) == Answer()


# -- errors -----------------------------------------------------------------------

BLOCKED = ("promptguard could not check this event ({}); blocked because on_error is "
           "'block'.")


@pytest.mark.parametrize(("data", "message"), [
    (b'{"prompt": "AKIA', "malformed hook JSON (line 1, column 12)"),
    (b"[1, 2]", "hook input is not a JSON object"),
    (b'{"hook_event_name": "Bogus", "session_id": "s"}',
     "hook input is from no known agent (use --agent NAME)"),
])
def test_bad_input_blocks_with_exit_2(data: bytes, message: str) -> None:
    answer = run.handle(data, SETTINGS)
    assert answer.exit_code == 2
    assert json.loads(answer.stdout) == {"decision": "block",
                                         "reason": BLOCKED.format(message)}
    assert answer.stderr == BLOCKED.format(message) + "\n"


def test_unknown_event_with_agent_flag(cwd: Path) -> None:
    answer = _answer(_payload("NewEvent2030", cwd), run.Settings(agent="claude-code"))
    assert answer.exit_code == 2
    assert "unknown Claude Code event 'NewEvent2030'" in answer.stdout


def test_known_but_unhandled_events_pass(cwd: Path) -> None:
    assert _answer(_payload("SessionStart", cwd, source="startup")) == Answer()


def test_payload_past_the_cap_is_refused() -> None:
    settings = run.Settings(max_bytes=1000)
    data = json.dumps({"prompt": "x" * 2000}).encode()
    with pytest.raises(run.TooLarge):
        run.read_capped(io.BytesIO(data), settings.max_bytes)


def test_main_writes_the_answer_and_never_exits_1(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PROMPTGUARD_HOOK_MAX_BYTES", "100")
    code = run.main(SETTINGS, io.BytesIO(b"{" + b" " * 200 + b"}"))
    out = capsys.readouterr()
    assert code == 2
    assert "larger than the" in json.loads(out.out)["reason"]


def test_on_error_allow_lets_bad_input_through_and_says_so(
        cwd: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    policy = cwd / "policy.toml"
    policy.write_text('[policy.surfaces.claude-code]\non_error = "allow"\n')
    monkeypatch.setenv("PROMPTGUARD_POLICY", str(policy))
    answer = run.handle(b"{not json", SETTINGS)
    assert answer.exit_code == 0
    assert json.loads(answer.stdout) == {"systemMessage": (
        "promptguard could not check this event (malformed hook JSON (line 1, column 2)); "
        "it went through UNSCANNED because on_error is 'allow'.")}


def test_broken_config_follows_on_error_for_the_prompt(cwd: Path) -> None:
    (cwd / ".promptguard.toml").write_text("[policy\n")
    doc = _json(_answer(_payload("UserPromptSubmit", cwd, prompt="hello")))
    assert doc["decision"] == "block"
    assert doc["hookSpecificOutput"] == SUPPRESS
    assert ".promptguard.toml" in doc["reason"]
