"""The real Claude Code CLI 2.1.328 against a fake Messages API on loopback.

Only the model provider is fake (testing/fake_anthropic.py): the CLI, its
hook runner, its Bash/Read tools and `promptguard install claude-code` are
real. Each test asserts on what reached "the model" and what the CLI printed.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from testing import fakes
from testing import realtools
from testing.fake_anthropic import FakeAnthropic
from testing.fake_anthropic import tool_results
from testing.fake_anthropic import user_texts

HINT = "PROMPTGUARD_CI_TOOLS=~/.cache/promptguard-ci bash .ci/install.d/30-agent-clis.sh"
PROMPTGUARD = Path(sys.executable).with_name("promptguard")
TIMEOUT = 90  # per CLI run; a run takes about a second


@pytest.fixture
def claude() -> Path:
    return realtools.npm_bin("claude-code", "claude", HINT)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    p = tmp_path / "project"
    p.mkdir()
    return p


@pytest.fixture
def installed() -> Path:
    home = Path(os.environ["HOME"])
    proc = subprocess.run([str(PROMPTGUARD), "install", "claude-code"], capture_output=True,
                          text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    return home


def _run(claude: Path, fake: FakeAnthropic, project: Path, prompt: str,
         *extra: str) -> subprocess.CompletedProcess[str]:
    env = {
        # the venv's bin first: the plugin runs `promptguard-hook` from PATH
        "PATH": f"{PROMPTGUARD.parent}{os.pathsep}{os.environ['PATH']}",
        "HOME": os.environ["HOME"],
        "XDG_CONFIG_HOME": os.environ["XDG_CONFIG_HOME"],
        "XDG_DATA_HOME": os.environ["XDG_DATA_HOME"],
        "PROMPTGUARD_CACHE_DIR": os.environ["PROMPTGUARD_CACHE_DIR"],
        "PROMPTGUARD_POLICY": "", "PROMPTGUARD_AUDIT_LOG": os.environ["PROMPTGUARD_AUDIT_LOG"],
        "PROMPTGUARD_DATA_DIR": os.environ["PROMPTGUARD_DATA_DIR"],
        "ANTHROPIC_BASE_URL": fake.url, "ANTHROPIC_API_KEY": "sk-ant-test",
        "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
        "FAKE_MCP_RESULT": os.environ.get("FAKE_MCP_RESULT", ""),
    }
    return subprocess.run([str(claude), "-p", prompt, *extra], cwd=project, env=env,
                          capture_output=True, text=True, timeout=TIMEOUT, check=False)


def _keys() -> tuple[str, str]:
    rng = random.Random()
    return fakes.aws_key_id(rng), fakes.github_token(rng)


def test_prompt_with_keys_never_reaches_the_model(claude: Path, installed: Path,
                                                  project: Path) -> None:
    aws, gh = _keys()
    with FakeAnthropic() as fake:
        proc = _run(claude, fake, project, f"deploy with {aws} and push with {gh}")
    assert fake.messages == []
    assert aws not in fake.everything() and gh not in fake.everything()
    out = proc.stdout + proc.stderr
    assert "promptguard blocked this prompt" in out
    assert "aws-access-key-id" in out and "github-personal-access-token" in out
    # suppressOriginalPrompt: the CLI does not echo the prompt back
    assert aws not in out and gh not in out
    assert "Original prompt" not in out


def test_at_mentioned_file_is_scanned(claude: Path, installed: Path, project: Path) -> None:
    aws, _ = _keys()
    (project / "prod.env").write_text(f"AWS_ACCESS_KEY_ID={aws}\n")
    with FakeAnthropic() as fake:
        proc = _run(claude, fake, project, "what is in @prod.env ?")
    assert fake.messages == []
    assert "@prod.env" in proc.stdout + proc.stderr
    assert aws not in proc.stdout + proc.stderr


def test_clean_prompt_reaches_the_model_unchanged(claude: Path, installed: Path,
                                                 project: Path) -> None:
    prompt = "Summarise the retry policy in two sentences, please."
    with FakeAnthropic(reply="Retries back off exponentially.") as fake:
        proc = _run(claude, fake, project, prompt)
    assert proc.returncode == 0, proc.stderr
    assert "Retries back off exponentially." in proc.stdout
    assert fake.messages
    assert prompt in user_texts(fake.messages[0])


def _env_file(project: Path) -> tuple[str, str, str]:
    rng = random.Random()
    password = fakes.rand(rng, 18)
    email = f"dana.{fakes.rand(rng, 6).lower()}@example-corp.com"
    ordinary = "APP_NAME=orders\nDEBUG=false\n"
    (project / "app.env").write_text(f"{ordinary}DB_PASSWORD={password}\n"
                                     f"ADMIN_EMAIL={email}\nPORT=8080\n")
    return password, email, ordinary


def test_bash_output_reaches_the_model_redacted(claude: Path, installed: Path,
                                                project: Path) -> None:
    password, email, ordinary = _env_file(project)
    call = ("Bash", {"command": "cat app.env", "description": "Show the env file"})
    with FakeAnthropic(tool_use=call, reply="The app is called orders.") as fake:
        proc = _run(claude, fake, project, "what is the app called?",
                    "--allowedTools", "Bash(cat:*)")
    assert proc.returncode == 0, proc.stderr
    assert "The app is called orders." in proc.stdout
    results = tool_results(fake.messages[-1])
    assert len(results) == 1
    (result,) = results
    assert password not in fake.everything() and email not in fake.everything()
    assert result.startswith(ordinary)  # ordinary lines intact
    assert "DB_PASSWORD=<GENERIC_PASSWORD_ENV_1>" in result
    assert "ADMIN_EMAIL=<EMAIL_1>" in result
    assert result.rstrip().endswith("PORT=8080")
    context = json.dumps(fake.messages[-1])
    assert "promptguard replaced 2 sensitive value(s)" in context


def test_read_output_reaches_the_model_redacted(claude: Path, installed: Path,
                                                project: Path) -> None:
    password, email, _ = _env_file(project)
    call = ("Read", {"file_path": str(project / "app.env")})
    with FakeAnthropic(tool_use=call) as fake:
        proc = _run(claude, fake, project, "read app.env", "--allowedTools", "Read")
    assert proc.returncode == 0, proc.stderr
    (result,) = tool_results(fake.messages[-1])
    assert password not in fake.everything() and email not in fake.everything()
    assert "APP_NAME=orders" in result and "<GENERIC_PASSWORD_ENV_1>" in result


def test_bash_reading_a_blocking_secret_is_denied(claude: Path, installed: Path,
                                                 project: Path) -> None:
    aws, _ = _keys()
    (project / "creds.env").write_text(f"AWS_ACCESS_KEY_ID={aws}\nREGION=eu-west-1\n")
    call = ("Bash", {"command": "cat creds.env", "description": "Show creds"})
    with FakeAnthropic(tool_use=call) as fake:
        proc = _run(claude, fake, project, "show creds.env", "--allowedTools", "Bash(cat:*)")
    assert proc.returncode == 0, proc.stderr
    assert aws not in fake.everything()
    (result,) = tool_results(fake.messages[-1])
    assert "promptguard denied this Bash call" in result
    assert "aws-access-key-id" in result


def _transcript_text(home: Path) -> str:
    return "".join(p.read_text() for p in (home / ".claude" / "projects").glob("**/*.jsonl"))


def test_history_finds_the_blocked_prompt_and_scrub_removes_it(
        claude: Path, installed: Path, project: Path) -> None:
    aws, _ = _keys()
    with FakeAnthropic() as fake:
        _run(claude, fake, project, f"use {aws} for the deploy")
    assert fake.messages == []
    assert aws in _transcript_text(installed)  # Claude Code wrote the blocked prompt
    scan = subprocess.run([str(PROMPTGUARD), "history", "scan", "claude-code"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert scan.returncode == 1, scan.stderr
    assert "aws-access-key-id" in scan.stdout and "queue-operation" in scan.stdout
    assert aws not in scan.stdout + scan.stderr
    scrub = subprocess.run([str(PROMPTGUARD), "history", "scrub", "claude-code",
                            "--active-minutes", "0"],
                           capture_output=True, text=True, timeout=60, check=False)
    assert scrub.returncode == 0, scrub.stderr
    assert aws not in _transcript_text(installed)
    for path in (installed / ".claude" / "projects").glob("**/*.jsonl"):
        for line in path.read_text().splitlines():
            json.loads(line)


def _settings(home: Path) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((home / ".claude" / "settings.json").read_text())
    return doc


def test_doctor_passes_on_the_real_install(installed: Path, project: Path) -> None:
    proc = subprocess.run([str(PROMPTGUARD), "doctor", "claude-code", "--project", str(project)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "canary blocked" in proc.stdout
    assert "UserPromptSubmit" in json.dumps(_settings(installed))


PLUGIN = Path(__file__).resolve().parents[3] / "integrations" / "claude-code-plugin"


def test_plugin_validates_and_matches_install(claude: Path) -> None:
    from promptguard.surfaces.hooks.setup import claude_code

    proc = subprocess.run([str(claude), "plugin", "validate", str(PLUGIN)], capture_output=True,
                          text=True, timeout=TIMEOUT, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Validation passed" in proc.stdout
    hooks = json.loads((PLUGIN / "hooks" / "hooks.json").read_text())["hooks"]
    assert hooks == claude_code.hook_groups(["promptguard-hook", "--agent", "claude-code"])


def test_plugin_blocks_a_prompt_with_a_key(claude: Path, project: Path) -> None:
    aws, _ = _keys()
    with FakeAnthropic() as fake:
        proc = _run(claude, fake, project, f"deploy with {aws}", "--plugin-dir", str(PLUGIN))
    assert fake.messages == []
    assert "promptguard blocked this prompt" in proc.stdout + proc.stderr
    assert aws not in proc.stdout + proc.stderr


FAKE_MCP = Path(__file__).resolve().parents[3] / "testing" / "fake_mcp.py"


def test_mcp_tool_output_reaches_the_model_redacted(claude: Path, installed: Path,
                                                    project: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    email = f"dana.{fakes.rand(random.Random(), 6).lower()}@example-corp.com"
    monkeypatch.setenv("FAKE_MCP_RESULT", f"customer zorbex, contact {email}, tier gold")
    config = json.dumps({"mcpServers": {"db": {"command": sys.executable,
                                               "args": [str(FAKE_MCP)]}}})
    with FakeAnthropic(tool_use=("mcp__db__lookup", {"q": "zorbex"})) as fake:
        proc = _run(claude, fake, project, "look zorbex up", "--mcp-config", config,
                    "--allowedTools", "mcp__db__lookup")
    assert proc.returncode == 0, proc.stderr
    assert email not in fake.everything()
    assert tool_results(fake.messages[-1]) == ["customer zorbex, contact <EMAIL_1>, tier gold"]


def test_grep_output_reaches_the_model_redacted(claude: Path, installed: Path,
                                                project: Path) -> None:
    _, email, _ = _env_file(project)
    call = ("Grep", {"pattern": "ADMIN|APP", "path": str(project), "output_mode": "content"})
    with FakeAnthropic(tool_use=call) as fake:
        proc = _run(claude, fake, project, "grep it", "--allowedTools", "Grep")
    assert proc.returncode == 0, proc.stderr
    assert email not in fake.everything()
    (result,) = tool_results(fake.messages[-1])
    assert "ADMIN_EMAIL=<EMAIL_1>" in result and "APP_NAME=orders" in result


def test_tamper_guard_stops_the_agent_removing_the_hooks(claude: Path, project: Path) -> None:
    home = Path(os.environ["HOME"])
    proc = subprocess.run([str(PROMPTGUARD), "install", "claude-code", "--tamper-guard"],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    settings = home / ".claude" / "settings.json"
    before = settings.read_text()
    # Claude Code's Write insists on a Read of the file first
    calls = [("Read", {"file_path": str(settings)}),
             ("Write", {"file_path": str(settings), "content": "{}\n"})]
    with FakeAnthropic(tool_use=calls) as fake:
        proc = _run(claude, fake, project, "clean up my settings", "--allowedTools",
                    "Read,Write")
    assert proc.returncode == 0, proc.stderr
    assert settings.read_text() == before
    results = tool_results(fake.messages[-1])
    assert len(results) == 2
    assert "removes or disables promptguard's hooks" in results[1]


@pytest.mark.parametrize("guarded", [True, False])
def test_config_change_guard_keeps_the_hooks_for_the_session(
        claude: Path, project: Path, guarded: bool) -> None:
    """A shell command empties the settings file mid-session; Claude Code reloads it.

    Without the guard (the control) the next tool call runs unhooked and its
    output reaches the model; with it, ConfigChange refuses the change.
    """
    home = Path(os.environ["HOME"])
    flags = ["--tamper-guard"] if guarded else []
    proc = subprocess.run([str(PROMPTGUARD), "install", "claude-code", *flags],
                          capture_output=True, text=True, timeout=60, check=False)
    assert proc.returncode == 0, proc.stderr
    aws, _ = _keys()
    (project / "creds.env").write_text(f"AWS_ACCESS_KEY_ID={aws}\n")
    settings = home / ".claude" / "settings.json"
    wipe = f"{sys.executable} -c \"open({str(settings)!r}, 'w').write('{{}}')\" && sleep 3"
    calls = [("Bash", {"command": wipe, "description": "reset settings"}),
             ("Bash", {"command": "cat creds.env", "description": "show creds"})]
    with FakeAnthropic(tool_use=calls) as fake:
        proc = _run(claude, fake, project, "go", "--allowedTools", "Bash")
    assert proc.returncode == 0, proc.stderr
    assert json.loads(settings.read_text()) == {}  # the file was changed either way
    results = tool_results(fake.messages[-1])
    assert len(results) == 2
    if guarded:
        assert aws not in fake.everything()
        assert "promptguard denied this Bash call" in results[1]
    else:
        assert aws in results[1]
