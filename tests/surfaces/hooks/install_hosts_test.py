"""install / uninstall / doctor for Codex, Gemini, Cursor, Copilot, VS Code and Windsurf,
through the real `promptguard` command; the doctor's canary runs each hook command
exactly as the install wrote it (the host's shell, the payload on stdin, its timeout).
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from testing.hookgolden import answer
from testing.hookgolden import key

PROMPTGUARD = Path(sys.executable).with_name("promptguard")
HOSTS = ("codex", "gemini", "cursor", "copilot", "vscode", "windsurf")


def hooks_file(host: str, home: Path) -> Path:
    return {
        "codex": home / ".codex" / "hooks.json",
        "gemini": home / ".gemini" / "settings.json",
        "cursor": home / ".cursor" / "hooks.json",
        "copilot": home / ".copilot" / "hooks" / "promptguard.json",
        "vscode": home / ".copilot" / "hooks" / "promptguard-vscode.json",
        "windsurf": home / ".codeium" / "windsurf" / "hooks.json",
    }[host]


def pg(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PROMPTGUARD), *args], capture_output=True, text=True,
                          timeout=120, cwd=cwd, check=False)


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CODEX_HOME", raising=False)
    monkeypatch.setenv("GEMINI_CLI_TRUST_WORKSPACE", "true")
    return Path(os.environ["HOME"])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    p = tmp_path / "project"
    p.mkdir()
    return p


def _foreign(host: str) -> tuple[str, Any]:
    """Someone else's hook in the host's own format, to survive our install."""
    if host == "codex":
        return "Stop", {"hooks": [{"type": "command", "command": "true"}]}
    if host == "gemini":
        return "AfterAgent", {"hooks": [{"type": "command", "command": "true"}]}
    if host == "copilot":
        return "sessionStart", {"type": "command", "bash": "true"}
    if host == "vscode":
        return "Stop", {"type": "command", "command": "true"}
    if host == "windsurf":
        return "post_write_code", {"command": "true"}
    return "afterFileEdit", {"command": "true"}


@pytest.mark.parametrize("host", HOSTS)
def test_install_twice_is_one_set_and_keeps_other_hooks(host: str, home: Path,
                                                        project: Path) -> None:
    path = hooks_file(host, home)
    path.parent.mkdir(parents=True, exist_ok=True)
    event, theirs = _foreign(host)
    base: dict[str, Any] = {"hooks": {event: [theirs]}, "someSetting": 1}
    if host in ("cursor", "copilot"):
        base["version"] = 1
    path.write_text(json.dumps(base))
    assert pg("install", host, cwd=project).returncode == 0
    first = path.read_text()
    r = pg("install", host, cwd=project)
    assert r.returncode == 0, r.stderr
    assert path.read_text() == first
    doc = json.loads(first)
    assert doc["someSetting"] == 1 and doc["hooks"][event] == [theirs]
    for e, entries in doc["hooks"].items():
        assert sum(" hook --agent " in json.dumps(x) for x in entries) <= 1, (e, entries)
    assert path.with_name(path.name + ".promptguard-backup").exists()
    # The command written is absolute and resolves.
    assert str(PROMPTGUARD) in first and f"--agent {host}" in first

    assert pg("uninstall", host, cwd=project).returncode == 0
    after = json.loads(path.read_text())
    assert "promptguard" not in json.dumps(after)
    assert after["hooks"][event] == [theirs] and after["someSetting"] == 1


@pytest.mark.parametrize("host", HOSTS)
def test_install_refuses_a_malformed_file_with_exit_2(host: str, home: Path,
                                                      project: Path) -> None:
    path = hooks_file(host, home)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text('{"hooks": ')
    r = pg("install", host, cwd=project)
    assert r.returncode == 2
    assert str(path) in r.stderr
    assert path.read_text() == '{"hooks": '


@pytest.mark.parametrize("host", HOSTS)
def test_doctor_fires_the_canary_through_the_installed_command(host: str, home: Path,
                                                               project: Path) -> None:
    assert pg("install", host, cwd=project).returncode == 0
    r = pg("doctor", host, cwd=project)
    assert r.returncode == 0, r.stdout + r.stderr
    assert "canary blocked" in r.stdout
    assert "FAIL" not in r.stdout


def _break(host: str, home: Path, how: str) -> None:
    path = hooks_file(host, home)
    text = path.read_text()
    new = str(PROMPTGUARD.parent / "no-such-promptguard") if how == "path" else "/bin/false"
    # /bin/false still "is" promptguard to the doctor only when named so:
    if how == "exit":
        shim = home / "bin" / "promptguard-broken"
        shim.parent.mkdir(exist_ok=True)
        shim.write_text("#!/bin/sh\nexit 1\n")
        shim.chmod(0o755)
        new = str(shim)
    path.write_text(text.replace(str(PROMPTGUARD), new))


@pytest.mark.parametrize("host", HOSTS)
@pytest.mark.parametrize("how", ["path", "exit"])
def test_doctor_names_a_broken_install(host: str, how: str, home: Path, project: Path) -> None:
    assert pg("install", host, cwd=project).returncode == 0
    _break(host, home, how)
    if host == "codex":
        # Re-trust the edited hooks so the doctor gets past trust to the command.
        assert pg("install", host, cwd=project).returncode == 0
        _break(host, home, how)
    r = pg("doctor", host, cwd=project)
    assert r.returncode == 1, r.stdout
    expected = "does not resolve" if how == "path" else "exits 1"
    if host == "codex" and how == "exit":
        expected = "modified since it was trusted"
    assert expected in r.stdout, r.stdout


def test_doctor_finds_cursor_hooks_in_the_wrong_file(home: Path, project: Path) -> None:
    wrong = project / ".cursor" / "settings.json"
    wrong.parent.mkdir()
    wrong.write_text(json.dumps({"hooks": {"beforeSubmitPrompt": [
        {"command": f"{PROMPTGUARD} hook --agent cursor"}]}}))
    r = pg("doctor", "cursor", cwd=project)
    assert r.returncode == 1
    assert "a file Cursor does not read hooks from" in r.stdout
    assert "no working promptguard beforeSubmitPrompt hook" in r.stdout


def test_doctor_finds_cursor_hooks_in_claude_nesting(home: Path, project: Path) -> None:
    path = hooks_file("cursor", home)
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"version": 1, "hooks": {"beforeSubmitPrompt": [
        {"hooks": [{"type": "command", "command": f"{PROMPTGUARD} hook"}]}]}}))
    r = pg("doctor", "cursor", cwd=project)
    assert r.returncode == 1 and "Claude Code style matcher group" in r.stdout


def test_doctor_finds_a_gemini_hook_in_an_untrusted_workspace(
        home: Path, project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("GEMINI_CLI_TRUST_WORKSPACE")
    assert pg("install", "gemini", cwd=project).returncode == 0
    r = pg("doctor", "gemini", cwd=project)
    assert r.returncode == 1
    assert "is not a trusted folder" in r.stdout and "runs no hooks there" in r.stdout
    (home / ".gemini" / "trustedFolders.json").write_text(
        json.dumps({str(project): "TRUST_FOLDER"}))
    r = pg("doctor", "gemini", cwd=project)
    assert r.returncode == 0, r.stdout


# -- each host answers with its own fields only --------------------------------------

PROMPT_FIELDS = {
    "claude-code": {"decision", "reason", "hookSpecificOutput"},
    "codex": {"decision", "reason"},
    "gemini": {"decision", "reason"},
    "cursor": {"continue", "user_message"},
    "copilot": {"decision", "reason"},
    "vscode": {"continue", "stopReason"},
}


def _prompt_payload(host: str, cwd: Path, prompt: str) -> dict[str, Any]:
    if host == "codex":
        return {"session_id": "s", "turn_id": "t", "transcript_path": None, "cwd": str(cwd),
                "hook_event_name": "UserPromptSubmit", "model": "m", "permission_mode": "x",
                "prompt": prompt}
    if host == "gemini":
        return {"session_id": "s", "transcript_path": "", "cwd": str(cwd),
                "hook_event_name": "BeforeAgent", "timestamp": "t", "prompt": prompt}
    if host == "cursor":
        return {"hook_event_name": "beforeSubmitPrompt", "conversation_id": "c",
                "generation_id": "g", "workspace_roots": [str(cwd)], "prompt": prompt}
    if host == "copilot":
        return {"timestamp": 1, "cwd": str(cwd), "prompt": prompt}
    if host == "vscode":
        return {"timestamp": "t", "cwd": str(cwd), "sessionId": "s",
                "hookEventName": "UserPromptSubmit", "prompt": prompt}
    return {"session_id": "s", "transcript_path": "", "cwd": str(cwd),
            "permission_mode": "default", "hook_event_name": "UserPromptSubmit",
            "prompt": prompt}


@pytest.mark.parametrize("host", sorted(PROMPT_FIELDS))
def test_no_host_answer_carries_another_hosts_fields(host: str, project: Path) -> None:
    k = key()
    for agent in (host, None):  # by --agent and by detection
        doc = json.loads(answer(_prompt_payload(host, project, f"key {k}"), agent).stdout)
        assert set(doc) == PROMPT_FIELDS[host], (agent, doc)
        if host != "claude-code":
            assert "suppressOriginalPrompt" not in json.dumps(doc)


FLAT_PROJECT_FILES = {
    "cursor": (".cursor", "hooks.json"),
    "copilot": (".github", "hooks", "promptguard.json"),
    "vscode": (".github", "hooks", "promptguard-vscode.json"),
    "windsurf": (".windsurf", "hooks.json"),
}
PROMPT_EVENTS = {"cursor": "beforeSubmitPrompt", "copilot": "userPromptSubmitted",
                 "vscode": "UserPromptSubmit", "windsurf": "pre_user_prompt"}


@pytest.mark.parametrize("host", sorted(FLAT_PROJECT_FILES))
def test_a_project_install_writes_the_project_file_the_doctor_then_checks(
        host: str, home: Path, project: Path) -> None:
    r = pg("doctor", host, cwd=project)
    assert r.returncode == 1
    assert f"no working promptguard {PROMPT_EVENTS[host]} hook: run `promptguard install " \
           f"{host}`" in r.stdout
    assert pg("install", host, "--scope", "project", cwd=project).returncode == 0
    written = project.joinpath(*FLAT_PROJECT_FILES[host])
    assert "promptguard" in written.read_text()
    assert not hooks_file(host, home).exists()
    r = pg("doctor", host, cwd=project)
    assert r.returncode == 0, r.stdout + r.stderr
    assert f"project hooks {written}" in r.stdout and "canary blocked" in r.stdout


@pytest.mark.parametrize("host", sorted(FLAT_PROJECT_FILES))
def test_an_unknown_scope_is_refused_naming_the_host(host: str, home: Path,
                                                     project: Path) -> None:
    r = pg("install", host, "--scope", "galaxy", cwd=project)
    assert r.returncode == 2
    assert "unknown scope 'galaxy'" in r.stderr
    assert not any(project.iterdir())
