"""`promptguard install/uninstall/doctor claude-code` on scratch settings files."""
from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path
from typing import Any

import pytest

from promptguard.cli import main
from promptguard.surfaces.hooks import setup
from promptguard.surfaces.hooks.setup import claude_code

PROMPTGUARD = str(Path(sys.executable).with_name("promptguard"))
OTHER: dict[str, Any] = {
    "model": "opus",
    "permissions": {"deny": ["Read(./.env)"]},
    "hooks": {
        "PreToolUse": [{"matcher": "Bash", "hooks": [{"type": "command",
                                                      "command": "/usr/local/bin/audit-bash"}]}],
        "Stop": [{"hooks": [{"type": "command", "command": "notify-send done"}]}],
    },
}


@pytest.fixture
def home() -> Path:
    return Path(os.environ["HOME"])


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    p = tmp_path / "project"
    p.mkdir()
    monkeypatch.chdir(p)
    # never read this machine's managed settings
    monkeypatch.setenv("PROMPTGUARD_CLAUDE_MANAGED_SETTINGS", str(p / "no-managed.json"))
    return p


def _write(path: Path, doc: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(doc, indent=2))


def _read(path: Path) -> Any:
    return json.loads(path.read_text())


def _ours(doc: Any) -> list[tuple[str, Any]]:
    return [(event, h) for event, groups in doc.get("hooks", {}).items() for g in groups
            for h in g.get("hooks", []) if setup.jsonfile.is_promptguard(h)]


def test_install_twice_leaves_one_set_and_keeps_the_rest(home: Path, project: Path) -> None:
    path = home / ".claude" / "settings.json"
    _write(path, OTHER)
    assert main(["install", "claude-code"]) == 0
    once = _read(path)
    assert main(["install", "claude-code"]) == 0
    assert _read(path) == once
    assert sorted(e for e, _ in _ours(once)) == ["PostToolUse", "PreToolUse", "UserPromptSubmit"]
    assert once["model"] == "opus" and once["permissions"] == OTHER["permissions"]
    assert once["hooks"]["Stop"] == OTHER["hooks"]["Stop"]
    assert once["hooks"]["PreToolUse"][0] == OTHER["hooks"]["PreToolUse"][0]
    handler = _ours(once)[0][1]
    assert os.path.isabs(handler["command"]) and os.access(handler["command"], os.X_OK)
    assert handler["command"] == sys.executable
    assert os.path.basename(handler["args"][0]) == "promptguard_hook.py"
    assert handler["args"][1:] == ["--agent", "claude-code"]
    assert _read(path.with_name("settings.json.promptguard-backup")) == OTHER


def test_uninstall_restores_the_rest(home: Path, project: Path) -> None:
    path = home / ".claude" / "settings.json"
    _write(path, OTHER)
    main(["install", "claude-code"])
    assert main(["uninstall", "claude-code"]) == 0
    assert _read(path) == OTHER
    assert main(["uninstall", "claude-code"]) == 0  # nothing left to do
    assert _read(path) == OTHER


def test_install_into_a_missing_file_then_uninstall(home: Path, project: Path) -> None:
    assert main(["install", "claude-code", "--scope", "local"]) == 0
    path = project / ".claude" / "settings.local.json"
    assert len(_ours(_read(path))) == 3
    main(["uninstall", "claude-code", "--scope", "local"])
    assert _read(path) == {}


@pytest.mark.parametrize("content", ['{"hooks": {', "[1, 2]", '{"hooks": []}'])
def test_malformed_settings_are_refused_with_exit_2(
        home: Path, project: Path, content: str, capsys: pytest.CaptureFixture[str]) -> None:
    path = project / ".claude" / "settings.json"
    path.parent.mkdir()
    path.write_text(content)
    assert main(["install", "claude-code", "--scope", "project"]) == 2
    assert str(path) in capsys.readouterr().err
    assert path.read_text() == content
    assert not path.with_name("settings.json.promptguard-backup").exists()


def test_install_keeps_the_file_mode(home: Path, project: Path) -> None:
    path = home / ".claude" / "settings.json"
    _write(path, {})
    path.chmod(0o600)
    main(["install", "claude-code"])
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_unknown_agent_and_scope(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["install", "nosuchagent"]) == 2
    assert main(["install", "claude-code", "--scope", "galaxy"]) == 2
    assert "unknown scope 'galaxy'" in capsys.readouterr().err


# -- tamper guard -----------------------------------------------------------------

def test_tamper_guard_blocks_removing_the_hooks(home: Path, project: Path) -> None:
    path = home / ".claude" / "settings.json"
    main(["install", "claude-code", "--tamper-guard"])
    doc = _read(path)
    assert "ConfigChange" in doc["hooks"]
    assert claude_code.tamper_problem(str(path)) == ""  # unchanged: fine
    _write(path, {"model": "opus"})  # an edit that drops promptguard
    assert "removes or disables promptguard's hooks" in claude_code.tamper_problem(str(path))
    _write(path, {**doc, "disableAllHooks": True})
    assert claude_code.tamper_problem(str(path))
    _write(path, doc)
    main(["uninstall", "claude-code"])  # on purpose: allowed
    assert claude_code.tamper_problem(str(path)) == ""


def test_config_change_event_blocks_through_the_hook(home: Path, project: Path) -> None:
    from promptguard.surfaces.hooks import run

    path = home / ".claude" / "settings.json"
    main(["install", "claude-code", "--tamper-guard"])
    _write(path, {})
    payload = {"session_id": "s", "cwd": str(project), "hook_event_name": "ConfigChange",
               "source": "user_settings", "file_path": str(path)}
    answer = run.handle(json.dumps(payload).encode(), run.Settings())
    doc = json.loads(answer.stdout)
    assert answer.exit_code == 0 and doc["decision"] == "block"
    assert "promptguard uninstall claude-code" in doc["reason"]


# -- doctor -----------------------------------------------------------------------

def _doctor(capsys: pytest.CaptureFixture[str], project: Path) -> tuple[int, str]:
    code = main(["doctor", "claude-code", "--project", str(project)])
    return code, capsys.readouterr().out


def _handler(**fields: Any) -> dict[str, Any]:
    return {"type": "command", "command": PROMPTGUARD,
            "args": ["hook", "--agent", "claude-code"], "timeout": 10, **fields}


def _settings(handler: dict[str, Any]) -> dict[str, Any]:
    return {"hooks": {"UserPromptSubmit": [{"hooks": [handler]}],
                      "PreToolUse": [{"matcher": "Bash", "hooks": [_handler()]}],
                      "PostToolUse": [{"matcher": "Bash", "hooks": [_handler()]}]}}


def test_doctor_passes_a_good_install(home: Path, project: Path,
                                      capsys: pytest.CaptureFixture[str]) -> None:
    main(["install", "claude-code"])
    code, out = _doctor(capsys, project)
    assert code == 0, out
    assert "canary blocked in" in out


def test_doctor_reports_nothing_installed(home: Path, project: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, out = _doctor(capsys, project)
    assert code == 1
    assert "no working promptguard UserPromptSubmit hook" in out


def _script(tmp: Path, body: str) -> str:
    path = tmp / "fake-promptguard"
    path.write_text(f"#!/bin/sh\ncat > /dev/null\n{body}\n")
    path.chmod(0o755)
    return str(path)


@pytest.mark.parametrize(("kind", "expected"), [
    ("wrong path", "does not resolve to an executable: wrong path"),
    ("script moved", "does not exist: wrong path"),
    ("wrong nesting", "wrong nesting"),
    ("exits 1", "the command exits 1"),
    ("timeout too short", "timeout 1s is too short"),
    ("times out", "did not answer within the hook's timeout"),
    ("does not block", "was NOT blocked"),
    ("malformed", "not valid JSON"),
    ("disabled", "disableAllHooks is true"),
    ("matcher", "UserPromptSubmit takes no matcher"),
])
def test_doctor_names_each_broken_install(
        home: Path, project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
        kind: str, expected: str) -> None:
    path = home / ".claude" / "settings.json"
    if kind == "wrong path":
        _write(path, _settings(_handler(command="/opt/nowhere/promptguard")))
    elif kind == "script moved":
        _write(path, _settings(_handler(command=sys.executable,
                                        args=["/opt/gone/promptguard_hook.py", "--agent", "x"])))
    elif kind == "wrong nesting":
        _write(path, {"hooks": {"UserPromptSubmit": [_handler()]}})
    elif kind == "exits 1":
        _write(path, _settings(_handler(command=_script(tmp_path, "exit 1"),
                                        args=["hook"])))
    elif kind == "timeout too short":
        _write(path, _settings(_handler(timeout=1)))
    elif kind == "times out":
        # a valid 5 s timeout, a hook that takes longer
        _write(path, _settings(_handler(command=_script(tmp_path, "sleep 8"), args=["hook"],
                                        timeout=5)))
    elif kind == "does not block":
        _write(path, _settings(_handler(command=_script(tmp_path, "echo '{}'"),
                                        args=["hook"])))
    elif kind == "malformed":
        path.parent.mkdir(parents=True)
        path.write_text('{"hooks": ')
    elif kind == "disabled":
        _write(path, {**_settings(_handler()), "disableAllHooks": True})
    elif kind == "matcher":
        doc = _settings(_handler())
        doc["hooks"]["UserPromptSubmit"][0]["matcher"] = "Bash"
        _write(path, doc)
    code, out = _doctor(capsys, project)
    assert code == 1, out
    assert expected in out
    assert str(path) in out


def test_doctor_checks_project_and_local_scopes_too(
        home: Path, project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["install", "claude-code"])
    _write(project / ".claude" / "settings.local.json",
           {"hooks": {"UserPromptSubmit": [{"hooks": [_handler(command="/nope/promptguard")]}]}})
    code, out = _doctor(capsys, project)
    assert code == 1
    assert "settings.local.json" in out and "wrong path" in out


def _pre_tool(project: Path, tool: str, tool_input: dict[str, Any]) -> Any:
    from promptguard.surfaces.hooks import run

    payload = {"session_id": "s", "cwd": str(project), "hook_event_name": "PreToolUse",
               "tool_name": tool, "tool_input": tool_input}
    answer = run.handle(json.dumps(payload).encode(), run.Settings())
    return json.loads(answer.stdout) if answer.stdout else None


def test_tamper_guard_denies_the_agents_own_edits(home: Path, project: Path) -> None:
    path = home / ".claude" / "settings.json"
    main(["install", "claude-code", "--tamper-guard"])
    doc = _read(path)
    text = path.read_text()
    denied = _pre_tool(project, "Write", {"file_path": str(path), "content": "{}"})
    assert denied["hookSpecificOutput"]["permissionDecision"] == "deny"
    assert "promptguard uninstall claude-code" in \
        denied["hookSpecificOutput"]["permissionDecisionReason"]
    edit = {"file_path": str(path), "old_string": '"hooks"', "new_string": '"x-hooks"'}
    assert _pre_tool(project, "Edit", edit)["hookSpecificOutput"]["permissionDecision"] == "deny"
    # an edit that keeps promptguard's hooks is fine
    keep = {"file_path": str(path), "content": json.dumps({**doc, "model": "sonnet"})}
    assert _pre_tool(project, "Write", keep) is None
    assert path.read_text() == text


def test_without_tamper_guard_settings_edits_pass(home: Path, project: Path) -> None:
    path = home / ".claude" / "settings.json"
    main(["install", "claude-code"])
    assert _pre_tool(project, "Write", {"file_path": str(path), "content": "{}"}) is None


def test_install_resident_starts_the_server_from_the_hook(home: Path, project: Path) -> None:
    main(["install", "claude-code", "--resident"])
    handlers = [h for _, h in _ours(_read(home / ".claude" / "settings.json"))]
    assert handlers and all(h["args"][-1] == "--start-server" for h in handlers)
    assert main(["install", "codex", "--resident"]) == 2  # not offered there yet


def test_install_via_gateway_writes_the_env_block_and_uninstall_removes_it(
    home: Path, project: Path, tmp_path: Path,
) -> None:
    from promptguard.surfaces.gateway.claude_code import claude_code_env
    from promptguard.surfaces.gateway.settings import GatewaySettings

    path = home / ".claude" / "settings.json"
    _write(path, {**OTHER, "env": {"FOO": "bar"}})
    secret = tmp_path / "secret"
    secret.write_text("s3cr3t-shared\n")
    argv = ["install", "claude-code", "--via-gateway", "127.0.0.1:8899",
            "--gateway-secret-file", str(secret)]
    assert main(argv) == 0
    assert main(argv) == 0  # idempotent
    doc = _read(path)
    expected = claude_code_env(GatewaySettings(port=8899), secret="s3cr3t-shared")
    assert doc["env"] == {"FOO": "bar", **expected, "PROMPTGUARD_VIA_GATEWAY": "1"}
    assert doc["env"]["ANTHROPIC_BASE_URL"] == "http://127.0.0.1:8899"
    assert len(_ours(doc)) == 3
    assert main(["uninstall", "claude-code"]) == 0
    after = _read(path)
    assert after["env"] == {"FOO": "bar"} and _ours(after) == []
    assert after["model"] == OTHER["model"]


def test_via_gateway_is_claude_code_only(project: Path, capsys: pytest.CaptureFixture[str],
                                        ) -> None:
    assert main(["install", "codex", "--via-gateway"]) == 2
    assert "--via-gateway is not available for codex" in capsys.readouterr().err
