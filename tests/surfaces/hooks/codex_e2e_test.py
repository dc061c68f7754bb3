"""The real Codex CLI 0.169.0 against a fake Responses API on loopback.

`promptguard install codex` writes ~/.codex/hooks.json and the hook trust
in ~/.codex/config.toml; Codex then runs the hooks with no
`--dangerously-bypass-hook-trust`. Each test reads what reached "the model".
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from testing import fakes
from testing import realtools
from testing.fake_openai_responses import FakeResponsesAPI
from testing.fake_openai_responses import FunctionCall
from testing.fake_openai_responses import Reply
from testing.fake_openai_responses import Text
from testing.fake_openai_responses import has_tool_output

HINT = "PROMPTGUARD_CI_TOOLS=~/.cache/promptguard-ci bash .ci/install.d/30-agent-clis.sh"
PROMPTGUARD = Path(sys.executable).with_name("promptguard")


@pytest.fixture
def codex() -> Path:
    return realtools.npm_bin("codex", "codex", HINT)


@pytest.fixture
def home(monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("CODEX_HOME", raising=False)
    return Path(os.environ["HOME"])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    p = tmp_path / "project"
    p.mkdir()
    return p


def _config(home: Path, api: FakeResponsesAPI) -> None:
    d = home / ".codex"
    d.mkdir(exist_ok=True)
    (d / "config.toml").write_text(
        'model = "gpt-test"\nmodel_provider = "fake"\napproval_policy = "never"\n'
        'sandbox_mode = "danger-full-access"\n\n'
        "# a comment of the user's that install must keep\n"
        "[model_providers.fake]\n"
        f'name = "fake"\nbase_url = "{api.base_url}"\nenv_key = "FAKE_KEY"\n'
        'wire_api = "responses"\n')


def _policy(home: Path, secret_action: str) -> None:
    d = home / ".config" / "promptguard"
    d.mkdir(parents=True, exist_ok=True)
    (d / "config.toml").write_text(
        f'[policy.surfaces.codex.category]\nsecret = "{secret_action}"\n')


def install(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PROMPTGUARD), "install", "codex", *args], capture_output=True,
                          text=True, timeout=60, check=False)


def run_codex(codex: Path, project: Path, prompt: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "FAKE_KEY": "x"}
    return subprocess.run([str(codex), "exec", "--skip-git-repo-check", prompt],
                          capture_output=True, text=True, timeout=120, cwd=project,
                          env=env, stdin=subprocess.DEVNULL, check=False)


@pytest.fixture
def key() -> str:
    return fakes.aws_key_id(random.Random())


class Scripted:
    """First request: the given tool call; afterwards: text."""

    def __init__(self, call: FunctionCall | None) -> None:
        self.call = call

    def __call__(self, body: dict[str, Any]) -> Reply:
        if self.call is None or has_tool_output(body):
            return Text("pong from the fake model")
        return self.call


@pytest.fixture
def api(request: pytest.FixtureRequest) -> Iterator[FakeResponsesAPI]:
    call = getattr(request, "param", None)
    with FakeResponsesAPI(Scripted(call)) as server:
        yield server


def _tool_outputs(api: FakeResponsesAPI) -> list[str]:
    return [item.get("output", "") for body in api.requests for item in body.get("input", [])
            if isinstance(item, dict) and item.get("type") == "function_call_output"]


def test_install_trusts_the_hooks_and_a_secret_prompt_never_reaches_the_model(
        codex: Path, home: Path, project: Path, api: FakeResponsesAPI, key: str) -> None:
    _config(home, api)
    r = install()
    assert r.returncode == 0, r.stderr
    assert "a comment of the user's" in (home / ".codex" / "config.toml").read_text()

    out = run_codex(codex, project, f"deploy with aws_access_key_id = {key} please")
    assert api.requests == []
    assert "hook: UserPromptSubmit Blocked" in out.stderr
    # Codex prints the typed prompt itself once before any hook runs; the
    # block reason adds no copy of the value (masked preview only).
    assert (out.stdout + out.stderr).count(key) == 1
    # Codex keeps a blocked prompt out of the session transcript.
    rollouts = list((home / ".codex" / "sessions").rglob("rollout-*.jsonl"))
    assert rollouts
    assert not any(key in p.read_text() for p in rollouts)
    assert "--dangerously-bypass-hook-trust" not in out.stderr


def test_a_clean_prompt_is_answered(codex: Path, home: Path, project: Path,
                                    api: FakeResponsesAPI) -> None:
    _config(home, api)
    assert install().returncode == 0
    out = run_codex(codex, project, "what is two plus two")
    assert out.returncode == 0, out.stderr
    assert "pong from the fake model" in out.stdout
    assert len(api.requests) == 1
    assert "what is two plus two" in api.all_text()


@pytest.mark.parametrize("api", [FunctionCall("exec_command", {"cmd": "cat app.env"})],
                         indirect=True)
def test_shell_output_reaches_the_model_redacted(codex: Path, home: Path, project: Path,
                                                 api: FakeResponsesAPI, key: str) -> None:
    _config(home, api)
    _policy(home, "redact")
    assert install().returncode == 0
    (project / "app.env").write_text(f"AWS_ACCESS_KEY_ID={key}\nAPP_NAME=demo\n")
    out = run_codex(codex, project, "show me the app settings")
    assert out.returncode == 0, out.stderr
    outputs = _tool_outputs(api)
    assert len(outputs) == 1
    assert key not in api.all_text()
    assert "AWS_ACCESS_KEY_ID=<AWS_ACCESS_KEY_ID_1>" in outputs[0]
    assert "APP_NAME=demo" in outputs[0]
    assert "promptguard replaced 1 sensitive value" in outputs[0]


@pytest.mark.parametrize("api", [FunctionCall("exec_command", {"cmd": "cat app.env"})],
                         indirect=True)
def test_a_shell_command_reading_a_secret_file_is_denied_under_the_default_policy(
        codex: Path, home: Path, project: Path, api: FakeResponsesAPI, key: str) -> None:
    _config(home, api)
    assert install().returncode == 0
    (project / "app.env").write_text(f"AWS_ACCESS_KEY_ID={key}\n")
    out = run_codex(codex, project, "show me the app settings")
    assert out.returncode == 0, out.stderr
    outputs = _tool_outputs(api)
    assert len(outputs) == 1
    assert "PreToolUse hook" in outputs[0] and "promptguard denied this Bash call" in outputs[0]
    assert key not in api.all_text()


def test_install_twice_keeps_one_entry_each_and_the_users_own_hooks(
        codex: Path, home: Path, project: Path, api: FakeResponsesAPI) -> None:
    _config(home, api)
    hooks = home / ".codex" / "hooks.json"
    mine = {"type": "command", "command": "true", "timeout": 5}
    hooks.write_text(json.dumps({"hooks": {"Stop": [{"hooks": [mine]}]}}))
    assert install().returncode == 0
    first_hooks = hooks.read_text()
    first_config = (home / ".codex" / "config.toml").read_text()
    assert install().returncode == 0
    assert hooks.read_text() == first_hooks
    assert (home / ".codex" / "config.toml").read_text() == first_config
    doc = json.loads(first_hooks)
    assert doc["hooks"]["Stop"] == [{"hooks": [mine]}]
    for event in ("UserPromptSubmit", "PreToolUse", "PostToolUse"):
        assert len(doc["hooks"][event]) == 1
    assert first_config.count("trusted_hash") == 3  # ours only, never the user's Stop hook


def test_doctor_reports_an_untrusted_hook_which_codex_really_skips(
        codex: Path, home: Path, project: Path, api: FakeResponsesAPI, key: str) -> None:
    _config(home, api)
    assert install().returncode == 0
    doctor = subprocess.run([str(PROMPTGUARD), "doctor", "codex"], capture_output=True,
                            text=True, timeout=60, cwd=project, check=False)
    assert doctor.returncode == 0, doctor.stdout + doctor.stderr
    assert "canary blocked" in doctor.stdout

    config = home / ".codex" / "config.toml"
    text = config.read_text()
    # Drop the trust of the prompt hook only.
    lines = text.splitlines(keepends=True)
    i = next(n for n, line in enumerate(lines) if "user_prompt_submit" in line)
    config.write_text("".join(lines[:i] + lines[i + 2:]))

    doctor = subprocess.run([str(PROMPTGUARD), "doctor", "codex"], capture_output=True,
                            text=True, timeout=60, cwd=project, check=False)
    assert doctor.returncode == 1
    assert "untrusted: Codex skips it" in doctor.stdout
    # ...and Codex does skip it: the prompt goes out.
    run_codex(codex, project, f"key {key}")
    assert key in api.all_text()


def test_history_finds_and_scrubs_a_key_sent_before_promptguard_was_installed(
        codex: Path, home: Path, project: Path, api: FakeResponsesAPI, key: str) -> None:
    _config(home, api)
    run_codex(codex, project, f"deploy with aws_access_key_id = {key} please")
    assert key in api.all_text()  # no hooks yet: it went out, and into the rollout
    scan = subprocess.run([str(PROMPTGUARD), "history", "scan", "codex"], capture_output=True,
                          text=True, timeout=60, check=False)
    assert scan.returncode == 1, scan.stdout + scan.stderr
    assert "aws-access-key-id" in scan.stdout and "AKIA…(20 chars)" in scan.stdout
    assert key not in scan.stdout + scan.stderr
    # The rewrite keeps each rollout's mode (whatever codex created it with).
    modes = {p: p.stat().st_mode for p in (home / ".codex" / "sessions").rglob("rollout-*.jsonl")}
    scrub = subprocess.run([str(PROMPTGUARD), "history", "scrub", "codex",
                            "--active-minutes", "0"], capture_output=True, text=True,
                           timeout=60, check=False)
    assert scrub.returncode == 0, scrub.stderr
    rollouts = list((home / ".codex" / "sessions").rglob("rollout-*.jsonl"))
    assert modes and {p: p.stat().st_mode for p in rollouts} == modes
    for p in rollouts:
        text = p.read_text()
        assert key not in text
        for line in text.splitlines():
            json.loads(line)
    assert "<AWS_ACCESS_KEY_ID_1>" in "".join(p.read_text() for p in rollouts)
    backups = list((home / ".local" / "share" / "promptguard").rglob("rollout-*.jsonl"))
    assert backups and key in backups[0].read_text()


def test_project_hooks_run_only_in_a_trusted_project_and_doctor_says_so(
        codex: Path, home: Path, project: Path, api: FakeResponsesAPI, key: str) -> None:
    _config(home, api)
    subprocess.run(["git", "init", "-q", str(project)], check=True)
    r = subprocess.run([str(PROMPTGUARD), "install", "codex", "--scope", "project"],
                       capture_output=True, text=True, timeout=60, cwd=project, check=False)
    assert r.returncode == 0 and "only once the project is trusted" in r.stderr
    doctor = subprocess.run([str(PROMPTGUARD), "doctor", "codex"], capture_output=True,
                            text=True, timeout=60, cwd=project, check=False)
    assert doctor.returncode == 1 and "is not trusted" in doctor.stdout
    run_codex(codex, project, f"key {key}")
    assert key in api.all_text()  # Codex really ignored the untrusted project's hooks
    api.requests.clear()

    config = home / ".codex" / "config.toml"
    config.write_text(config.read_text() + f'\n[projects."{project}"]\ntrust_level = "trusted"\n')
    doctor = subprocess.run([str(PROMPTGUARD), "doctor", "codex"], capture_output=True,
                            text=True, timeout=60, cwd=project, check=False)
    assert doctor.returncode == 0, doctor.stdout
    out = run_codex(codex, project, f"key {key}")
    assert "hook: UserPromptSubmit Blocked" in out.stderr and api.requests == []


FAKE_MCP = Path(__file__).resolve().parents[3] / "testing" / "fake_mcp_server.py"


def _mcp_config(home: Path, output: str) -> None:
    config = home / ".codex" / "config.toml"
    config.write_text(config.read_text() + (
        f'\n[mcp_servers.fake]\ncommand = "{sys.executable}"\nargs = ["{FAKE_MCP}"]\n'
        f"env = {{ FAKE_MCP_OUTPUT = {json.dumps(output)} }}\n"))


MCP_CALL = FunctionCall("read_config", {"name": "prod"}, namespace="mcp__fake")


@pytest.mark.parametrize("api", [MCP_CALL], indirect=True)
def test_mcp_tool_output_reaches_the_model_redacted(codex: Path, home: Path, project: Path,
                                                    api: FakeResponsesAPI, key: str) -> None:
    _config(home, api)
    _policy(home, "redact")
    _mcp_config(home, f"AWS_ACCESS_KEY_ID={key} region=eu-west-1")
    assert install().returncode == 0
    out = run_codex(codex, project, "read the deployment config")
    assert out.returncode == 0, out.stderr
    outputs = _tool_outputs(api)
    assert len(outputs) == 1
    assert key not in api.all_text()
    body = json.loads(outputs[0].rsplit("\n\n[", 1)[0])
    assert body["content"] == [{"type": "text",
                                "text": "AWS_ACCESS_KEY_ID=<AWS_ACCESS_KEY_ID_1> region=eu-west-1"}]


@pytest.mark.parametrize("api", [FunctionCall("read_config", {"name": "x"},
                                              namespace="mcp__fake")], indirect=True)
def test_mcp_arguments_holding_a_key_are_denied(codex: Path, home: Path, project: Path,
                                                api: FakeResponsesAPI, key: str) -> None:
    _config(home, api)
    _mcp_config(home, "region=eu-west-1")
    api.reply = Scripted(FunctionCall("read_config", {"name": f"token {key}"},
                                      namespace="mcp__fake"))
    assert install().returncode == 0
    run_codex(codex, project, "read the config")
    outputs = _tool_outputs(api)
    assert len(outputs) == 1
    assert "promptguard denied this mcp__fake__read_config call" in outputs[0]
