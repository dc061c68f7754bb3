"""The real Gemini CLI 0.61.0 against a fake Gemini API on loopback.

After `promptguard install gemini`, `gemini -p` runs promptguard's
BeforeAgent / BeforeModel / BeforeTool / AfterTool hooks; each test reads
what reached "the model" (the chat requests and the model-routing request).
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
from testing.fake_gemini import FakeGeminiAPI
from testing.fake_gemini import FunctionCall
from testing.fake_gemini import Reply
from testing.fake_gemini import Text
from testing.fake_gemini import has_function_response

HINT = "PROMPTGUARD_CI_TOOLS=~/.cache/promptguard-ci bash .ci/install.d/31-gemini-cli.sh"
PROMPTGUARD = Path(sys.executable).with_name("promptguard")


@pytest.fixture
def gemini() -> Path:
    return realtools.npm_bin("gemini-cli", "gemini", HINT)


@pytest.fixture
def home() -> Path:
    return Path(os.environ["HOME"])


@pytest.fixture
def project(tmp_path: Path) -> Path:
    p = tmp_path / "project"
    p.mkdir()
    return p


@pytest.fixture
def key() -> str:
    return fakes.aws_key_id(random.Random())


class Scripted:
    def __init__(self, call: FunctionCall | None) -> None:
        self.call = call

    def __call__(self, body: dict[str, Any]) -> Reply:
        if self.call is None or has_function_response(body):
            return Text("pong from the fake model")
        return self.call


@pytest.fixture
def api(request: pytest.FixtureRequest) -> Iterator[FakeGeminiAPI]:
    with FakeGeminiAPI(Scripted(getattr(request, "param", None))) as server:
        yield server


def _settings(home: Path, model: str | None = "gemini-2.5-flash") -> None:
    d = home / ".gemini"
    d.mkdir(exist_ok=True)
    doc: dict[str, Any] = {"security": {"auth": {"selectedType": "gemini-api-key"}}}
    if model:
        doc["model"] = {"name": model}
    (d / "settings.json").write_text(json.dumps(doc))


def _policy(home: Path, secret_action: str) -> None:
    d = home / ".config" / "promptguard"
    d.mkdir(parents=True, exist_ok=True)
    (d / "config.toml").write_text(
        f'[policy.surfaces.gemini.category]\nsecret = "{secret_action}"\n')


def install() -> None:
    r = subprocess.run([str(PROMPTGUARD), "install", "gemini"], capture_output=True, text=True,
                       timeout=60, check=False)
    assert r.returncode == 0, r.stderr


def run_gemini(gemini: Path, project: Path, api: FakeGeminiAPI, prompt: str,
               *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "GEMINI_API_KEY": "x", "GOOGLE_GEMINI_BASE_URL": api.base_url,
           "GEMINI_CLI_TRUST_WORKSPACE": "true"}
    return subprocess.run([str(gemini), "-p", prompt, *args], capture_output=True, text=True,
                          timeout=120, cwd=project, env=env, stdin=subprocess.DEVNULL,
                          check=False)


def test_a_prompt_holding_a_key_is_blocked_before_any_request(
        gemini: Path, home: Path, project: Path, api: FakeGeminiAPI, key: str) -> None:
    _settings(home)
    install()
    out = run_gemini(gemini, project, api, f"deploy with aws_access_key_id = {key} please")
    assert api.requests == [] and api.routing == []
    assert "promptguard blocked this prompt" in out.stderr
    assert key not in out.stdout + out.stderr


def test_before_model_redacts_the_typed_prompt_itself(
        gemini: Path, home: Path, project: Path, api: FakeGeminiAPI, key: str) -> None:
    _settings(home)
    _policy(home, "redact")
    install()
    out = run_gemini(gemini, project, api, f"deploy with aws_access_key_id = {key} please")
    assert out.returncode == 0, out.stderr
    assert "pong from the fake model" in out.stdout
    assert len(api.requests) == 1
    assert key not in api.all_text()
    assert "deploy with aws_access_key_id = <AWS_ACCESS_KEY_ID_1> please" in api.all_text()


def test_with_the_auto_model_a_redact_verdict_blocks_since_routing_would_leak_it(
        gemini: Path, home: Path, project: Path, api: FakeGeminiAPI, key: str) -> None:
    # The default `auto` model sends the prompt to a routing classifier first,
    # a request BeforeModel never sees: promptguard must not let it through.
    _settings(home, model=None)
    _policy(home, "redact")
    install()
    out = run_gemini(gemini, project, api, f"deploy with aws_access_key_id = {key} please")
    assert api.requests == [] and api.routing == []
    assert "<AWS_ACCESS_KEY_ID_1>" in out.stderr  # the redacted copy offered instead


def test_a_clean_prompt_is_answered(gemini: Path, home: Path, project: Path,
                                    api: FakeGeminiAPI) -> None:
    _settings(home)
    install()
    out = run_gemini(gemini, project, api, "what is two plus two")
    assert out.returncode == 0, out.stderr
    assert "pong from the fake model" in out.stdout
    assert "what is two plus two" in api.all_text()


@pytest.mark.parametrize("api", [FunctionCall("run_shell_command", {"command": "cat app.env"})],
                         indirect=True)
def test_shell_output_reaches_the_model_redacted(gemini: Path, home: Path, project: Path,
                                                 api: FakeGeminiAPI, key: str) -> None:
    _settings(home)
    _policy(home, "redact")
    install()
    (project / "app.env").write_text(f"AWS_ACCESS_KEY_ID={key}\nAPP_NAME=demo\n")
    out = run_gemini(gemini, project, api, "show me the app settings", "--yolo")
    assert out.returncode == 0, out.stderr
    assert len(api.requests) == 2
    responses = [json.dumps(p["functionResponse"]) for c in api.requests[1]["contents"]
                 for p in c.get("parts", []) if "functionResponse" in p]
    assert len(responses) == 1
    assert "AWS_ACCESS_KEY_ID=<AWS_ACCESS_KEY_ID_1>" in responses[0]
    assert "APP_NAME=demo" in responses[0]
    assert key not in api.all_text()


@pytest.mark.parametrize("api", [FunctionCall("run_shell_command", {"command": "cat app.env"})],
                         indirect=True)
def test_a_shell_read_of_a_secret_file_is_denied_under_the_default_policy(
        gemini: Path, home: Path, project: Path, api: FakeGeminiAPI, key: str) -> None:
    _settings(home)
    install()
    (project / "app.env").write_text(f"AWS_ACCESS_KEY_ID={key}\n")
    run_gemini(gemini, project, api, "show me the app settings", "--yolo")
    assert len(api.requests) == 2
    assert "promptguard denied this run_shell_command call" in api.all_text()
    assert key not in api.all_text()


def test_history_finds_the_prompt_before_model_redacted_only_in_flight(
        gemini: Path, home: Path, project: Path, api: FakeGeminiAPI, key: str) -> None:
    _settings(home)
    _policy(home, "redact")
    install()
    run_gemini(gemini, project, api, f"deploy with aws_access_key_id = {key} please")
    assert key not in api.all_text()
    chats = list((home / ".gemini" / "tmp").glob("*/chats/session-*.jsonl"))
    assert chats and any(key in p.read_text() for p in chats)  # the local chat keeps it
    scan = subprocess.run([str(PROMPTGUARD), "history", "scan", "gemini"], capture_output=True,
                          text=True, timeout=60, check=False)
    assert scan.returncode == 1 and "aws-access-key-id" in scan.stdout
    assert key not in scan.stdout + scan.stderr
    scrub = subprocess.run([str(PROMPTGUARD), "history", "scrub", "gemini",
                            "--active-minutes", "0"], capture_output=True, text=True,
                           timeout=60, check=False)
    assert scrub.returncode == 0, scrub.stderr
    for p in chats:
        assert key not in p.read_text()
        for line in p.read_text().splitlines():
            json.loads(line)
