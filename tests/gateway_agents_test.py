"""The real Claude Code and Codex CLIs pointed at the real gateway (fake model upstream).

Recipes: ../shared/reference/agent-hooks.md 0.1 and 0.2. The CLIs are
installed by .ci/install.d/30-agent-clis.sh; without them these tests
skip (fail in CI).
"""
from __future__ import annotations

import json
import os
import random
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("aiohttp")

from testing import fakes
from testing import realtools
from testing.fake_upstreams import FakeUpstream
from testing.fake_upstreams import Recorded
from testing.fake_upstreams import Reply
from testing.fake_upstreams import anthropic_reply
from testing.fake_upstreams import echo
from testing.gateway import BLOCK_CONFIG
from testing.gateway import CONFIG
from testing.gateway import running_gateway

HINT = "PROMPTGUARD_CI_TOOLS=~/.cache/promptguard-ci bash .ci/install.d/30-agent-clis.sh"
CLIENT = "Zorbex"


@pytest.fixture
def claude_bin() -> Path:
    return realtools.npm_bin("claude-code", "claude", HINT)


@pytest.fixture
def upstream() -> Iterator[FakeUpstream]:
    with FakeUpstream() as up:
        yield up


def run_claude(claude_bin: Path, tmp: Path, gateway_url: str, prompt: str,
               *extra: str, secret: str | None = None) -> subprocess.CompletedProcess[str]:
    home = tmp / "cc-home"
    home.mkdir(exist_ok=True)
    # The settings `env` block the installer writes (claude_code_env), as a user would have it.
    from promptguard.surfaces.gateway.claude_code import claude_code_env
    from promptguard.surfaces.gateway.settings import GatewaySettings
    from promptguard.surfaces.gateway.settings import parse_listen

    host, port = parse_listen(gateway_url.removeprefix("http://"))
    env_block = claude_code_env(GatewaySettings(host=host, port=port), secret=secret)
    assert env_block["ANTHROPIC_BASE_URL"] == gateway_url
    (home / ".claude").mkdir(exist_ok=True)
    (home / ".claude" / "settings.json").write_text(json.dumps({"env": env_block}))
    env = {
        "PATH": os.environ.get("PATH", ""), "HOME": str(home),
        "ANTHROPIC_API_KEY": "sk-ant-test", "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1",
    }
    return subprocess.run([str(claude_bin), "-p", prompt, *extra], cwd=tmp / "project", env=env,
                          capture_output=True, text=True, timeout=120)


def messages(upstream: FakeUpstream) -> list[Recorded]:
    return upstream.posts("/v1/messages")


def test_typed_prompt_is_redacted_and_answer_restored(claude_bin: Path, tmp_path: Path,
                                                      upstream: FakeUpstream) -> None:
    key = fakes.aws_key_id(random.Random(11))
    with running_gateway(tmp_path, CONFIG, anthropic=upstream.url) as gw:
        p = run_claude(claude_bin, tmp_path, gw.url,
                       f"Deploy with {key} for {CLIENT}'s account, then say {CLIENT}.")
    assert p.returncode == 0, p.stderr[-2000:]
    sent = messages(upstream)
    assert sent and all(r.query == "beta=true" for r in sent)
    for r in upstream.requests:
        body = r.body.decode()
        assert key not in body and CLIENT not in body
    assert "<AWS_ACCESS_KEY_ID_1> for Client A's account" in sent[0].body.decode()
    # The fake model echoed "Client A"; the CLI printed the real name back.
    assert f"for {CLIENT}'s account, then say {CLIENT}." in p.stdout
    assert "<AWS_ACCESS_KEY_ID_1>" in p.stdout and key not in p.stdout


def test_thinking_round_trip_and_tool_use(claude_bin: Path, tmp_path: Path,
                                          upstream: FakeUpstream) -> None:
    thinking = {"type": "thinking", "thinking": "Client A wants a greeting; run echo.",
                "signature": "ErUBCkYIBRgCIkB" + "q" * 48}

    def reply(req: Recorded) -> Reply:
        if req.path != "/v1/messages":
            return echo(req)
        history = json.dumps(req.json.get("messages", []))
        if '"tool_result"' not in history:
            return anthropic_reply(req, [
                thinking,
                {"type": "tool_use", "id": "toolu_01", "name": "Bash",
                 "input": {"command": "echo hello Client A", "description": "greet"}},
            ], stop="tool_use")
        return anthropic_reply(req, [{"type": "text", "text": "Done for Client A."}])

    upstream.reply = reply
    with running_gateway(tmp_path, CONFIG, anthropic=upstream.url) as gw:
        p = run_claude(claude_bin, tmp_path, gw.url, f"Greet {CLIENT} with echo.",
                       "--allowedTools", "Bash(echo:*)")
    assert p.returncode == 0, p.stderr[-2000:]
    assert f"Done for {CLIENT}." in p.stdout
    second = [r for r in messages(upstream) if b'"tool_result"' in r.body]
    assert second, "Claude Code never sent the tool result back"
    history = second[0].json["messages"]
    assistant = next(m for m in history if m["role"] == "assistant")
    # The signed thinking block came back exactly as the model sent it.
    assert assistant["content"][0] == thinking
    # Claude Code ran the restored command (the real name) ...
    tool_use = assistant["content"][1]
    assert tool_use["input"]["command"] == "echo hello Client A"  # ... re-redacted on the way out
    result = json.dumps(history[-1]["content"])
    assert "hello Client A" in result and CLIENT not in result
    for r in upstream.requests:
        assert CLIENT not in r.body.decode()


def test_blocked_prompt_gets_an_api_error(claude_bin: Path, tmp_path: Path,
                                          upstream: FakeUpstream) -> None:
    key = fakes.aws_key_id(random.Random(12))
    with running_gateway(tmp_path, BLOCK_CONFIG, anthropic=upstream.url) as gw:
        p = run_claude(claude_bin, tmp_path, gw.url, f"use {key}")
    out = p.stdout + p.stderr
    assert "API Error: 400 promptguard gateway blocked this request: aws-access-key-id" in out
    assert key not in "".join(r.body.decode() for r in upstream.requests)
    assert not messages(upstream)


def test_codex_prompt_is_redacted_and_answer_restored(tmp_path: Path,
                                                      upstream: FakeUpstream) -> None:
    codex = realtools.npm_bin("codex", "codex", HINT)
    person = "Dana Whitfield"
    with running_gateway(tmp_path, CONFIG, anthropic=None, openai=upstream.url) as gw:
        home = tmp_path / "codex-home"
        (home / ".codex").mkdir(parents=True)
        # What the README tells a Codex user to add to ~/.codex/config.toml.
        (home / ".codex" / "config.toml").write_text(
            'model = "gpt-test"\nmodel_provider = "promptguard"\n'
            "[model_providers.promptguard]\n"
            'name = "promptguard gateway"\n'
            f'base_url = "{gw.url}/v1"\n'
            'env_key = "FAKE_KEY"\nwire_api = "responses"\n')
        env = {"PATH": os.environ.get("PATH", ""), "HOME": str(home), "FAKE_KEY": "sk-test"}
        p = subprocess.run([str(codex), "exec", "--skip-git-repo-check",
                            f"Write to {person} at {CLIENT}."], cwd=tmp_path / "project",
                           env=env, capture_output=True, text=True, timeout=120,
                           stdin=subprocess.DEVNULL)
    assert p.returncode == 0, p.stderr[-2000:]
    sent = upstream.posts("/v1/responses")
    assert sent
    for r in upstream.requests:
        assert CLIENT not in r.body.decode() and person not in r.body.decode()
    assert "Write to Person A at Client A." in sent[0].body.decode()
    assert f"You said: Write to {person} at {CLIENT}." in p.stdout


def test_shared_secret_from_the_settings_env_block(claude_bin: Path, tmp_path: Path,
                                                   upstream: FakeUpstream) -> None:
    secret = "pg-" + fakes.rand(random.Random(13), 32)
    with running_gateway(tmp_path, CONFIG, anthropic=upstream.url, secret=secret) as gw:
        p = run_claude(claude_bin, tmp_path, gw.url, f"Hello {CLIENT}", secret=secret)
        assert p.returncode == 0, p.stderr[-2000:]
        assert f"You said: Hello {CLIENT}" in p.stdout
        assert messages(upstream)
        assert all("x-promptguard-secret" not in r.headers for r in upstream.requests)
        # (A wrong secret gets 401, tested with the SDK in gateway_test.py. Claude Code
        # 2.1.328 given a 401 did not exit within 120 s here, so it is not driven for that.)
