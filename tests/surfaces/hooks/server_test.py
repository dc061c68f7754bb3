"""The optional resident hook server and the `promptguard-hook` client, as real processes.

To prove an answer came from the server, the client runs with a poisoned
PYTHONPATH in which `import promptguard` fails: only a client that never
imports promptguard (because the server answered) can succeed.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from testing import fakes

import promptguard
import promptguard_hook

BIN = Path(sys.executable).parent
PAYLOAD = {"session_id": "s1", "hook_event_name": "UserPromptSubmit", "permission_mode": "x"}


@pytest.fixture
def runtime(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    d = tmp_path / "run"
    d.mkdir(mode=0o700)
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(d))
    return d


@pytest.fixture
def server(runtime: Path) -> Iterator[subprocess.Popen[bytes]]:
    proc = subprocess.Popen([str(BIN / "promptguard"), "hook", "--serve", "--idle-minutes", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sock = runtime / "promptguard" / "hook.sock"
    deadline = time.monotonic() + 20
    while not sock.exists() and time.monotonic() < deadline and proc.poll() is None:
        time.sleep(0.05)
    assert sock.exists(), "the hook server did not start"
    yield proc
    proc.terminate()
    proc.wait(timeout=10)


@pytest.fixture
def poison(tmp_path: Path) -> dict[str, str]:
    pkg = tmp_path / "poison" / "promptguard"
    pkg.mkdir(parents=True)
    (pkg / "__init__.py").write_text("raise ImportError('the client imported promptguard')\n")
    return {**os.environ, "PYTHONPATH": str(pkg.parent)}


def _hook(cwd: Path, prompt: str, env: dict[str, str] | None = None,
          argv: tuple[str, ...] = ("--agent", "claude-code", "--no-clipboard"),
          ) -> subprocess.CompletedProcess[str]:
    data = json.dumps({**PAYLOAD, "cwd": str(cwd), "prompt": prompt})
    return subprocess.run([str(BIN / "promptguard-hook"), *argv], input=data, text=True,
                          capture_output=True, timeout=30, cwd=cwd, env=env, check=False)


def test_versions_agree() -> None:
    assert promptguard_hook.VERSION == promptguard.__version__


def test_server_answers_like_the_in_process_hook(server: subprocess.Popen[bytes], tmp_path: Path,
                                                 poison: dict[str, str]) -> None:
    key = fakes.aws_key_id(random.Random())
    served = _hook(tmp_path, f"use {key}", poison)
    assert served.returncode == 0, served.stderr
    local = _hook(tmp_path, f"use {key}", {**os.environ, "PROMPTGUARD_NO_SERVER": "1"})
    assert json.loads(served.stdout) == json.loads(local.stdout)
    assert json.loads(served.stdout)["decision"] == "block"
    assert key not in served.stdout + served.stderr


def test_server_uses_the_callers_directory_and_config(
        server: subprocess.Popen[bytes], tmp_path: Path, poison: dict[str, str]) -> None:
    project = tmp_path / "project"
    project.mkdir()
    (project / ".promptguard.toml").write_text(
        '[policy.surfaces.claude-code.category]\npii = "warn"\n')
    served = _hook(project, "mail dana@example-corp.com", poison)
    assert "systemMessage" in json.loads(served.stdout)
    (project / ".promptguard.toml").write_text("")  # the next event sees the edit
    served = _hook(project, "mail dana@example-corp.com", poison)
    assert json.loads(served.stdout)["decision"] == "block"


def test_client_does_not_trust_a_directory_open_to_others(
        server: subprocess.Popen[bytes], runtime: Path, tmp_path: Path,
        poison: dict[str, str]) -> None:
    (runtime / "promptguard").chmod(0o755)
    refused = _hook(tmp_path, "hello", poison)
    # it fell back to running in-process, which the poison breaks
    assert refused.returncode != 0
    assert "the client imported promptguard" in refused.stderr


def test_server_of_another_version_is_not_used(
        server: subprocess.Popen[bytes], tmp_path: Path, poison: dict[str, str]) -> None:
    code = ("import promptguard_hook as h; h.VERSION = '0.0.0-other'; "
            "raise SystemExit(h.main(['--agent', 'claude-code']))")
    data = json.dumps({**PAYLOAD, "cwd": str(tmp_path), "prompt": "hi"})
    proc = subprocess.run([sys.executable, "-c", code], input=data, text=True,
                          capture_output=True, timeout=30, env=poison, check=False)
    assert "the client imported promptguard" in proc.stderr


def test_without_a_server_the_client_runs_in_process(runtime: Path, tmp_path: Path) -> None:
    answer = _hook(tmp_path, f"use {fakes.aws_key_id(random.Random())}")
    assert answer.returncode == 0
    assert json.loads(answer.stdout)["decision"] == "block"


def test_unknown_flags_go_to_the_full_parser(runtime: Path, tmp_path: Path) -> None:
    answer = _hook(tmp_path, "hi", argv=("--bogus",))
    assert answer.returncode == 2
    assert "unrecognized arguments: --bogus" in answer.stderr


def test_a_second_server_refuses_to_start(server: subprocess.Popen[bytes]) -> None:
    proc = subprocess.run([str(BIN / "promptguard"), "hook", "--serve"], capture_output=True,
                          text=True, timeout=30, check=False)
    assert proc.returncode == 1
    assert "already listens" in proc.stderr


def test_start_server_flag_starts_one_for_the_next_events(runtime: Path, tmp_path: Path,
                                                        poison: dict[str, str]) -> None:
    argv = ("--agent", "claude-code", "--no-clipboard", "--start-server")
    first = _hook(tmp_path, f"use {fakes.aws_key_id(random.Random())}", argv=argv)
    assert json.loads(first.stdout)["decision"] == "block"  # answered in-process
    pid_file = runtime / "promptguard" / "hook.pid"
    deadline = time.monotonic() + 20
    while not (runtime / "promptguard" / "hook.sock").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        served = _hook(tmp_path, "hello", poison, argv=argv)
        assert served.returncode == 0, served.stderr  # the server answered
    finally:
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.05)
        os.kill(int(pid_file.read_text()), 15)
    deadline = time.monotonic() + 10
    while pid_file.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not (runtime / "promptguard" / "hook.sock").exists()  # cleaned up on SIGTERM
