"""`promptguard gateway` as a process: settings checks, --check, SIGTERM draining."""
from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

anthropic = pytest.importorskip("anthropic")

from testing.fake_upstreams import FakeUpstream  # noqa: E402
from testing.fake_upstreams import echo  # noqa: E402
from testing.gateway import CONFIG  # noqa: E402


def gateway(tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "promptguard", "gateway", *args],
                          cwd=tmp, capture_output=True, text=True, timeout=60)


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / ".promptguard.toml").write_text(CONFIG)
    return tmp_path


@pytest.mark.parametrize(("args", "says"), [
    (["--listen", "0.0.0.0:8787"], "needs --allow-remote and a shared secret or mTLS"),
    (["--listen", "0.0.0.0:8787", "--allow-remote"], "give --tls-cert and --tls-key"),
    (["--listen", "nonsense"], "expected HOST:PORT"),
    (["--upstream", "http://api.example.com"], "use https"),
    (["--upstream", "https://api.anthropic.com/v1"], "without /v1"),
    # promptguard: allow[email-address]
    (["--upstream", "https://user:pw@api.anthropic.com"], "credentials"),
    (["--upstream", "none", "--openai-upstream", "none"], "no upstream configured"),
    (["--session", "../x"], "invalid session name"),
])
def test_unsafe_or_malformed_settings_are_refused(project: Path, args: list[str],
                                                   says: str) -> None:
    p = gateway(project, *args, "--check")
    assert p.returncode == 2, p.stderr
    assert says in p.stderr and "Traceback" not in p.stderr


def test_remote_with_secret_and_tls_passes_validation(project: Path) -> None:
    # Only validation: the files exist; --print-claude-env exits before binding.
    (project / "c.pem").write_text("x")
    (project / "k.pem").write_text("x")
    (project / "secret").write_text("0123456789abcdefXYZ\n")
    p = gateway(project, "--listen", "0.0.0.0:9443", "--allow-remote", "--tls-cert", "c.pem",
                "--tls-key", "k.pem", "--secret-file", "secret", "--print-claude-env")
    assert p.returncode == 0, p.stderr
    env = json.loads(p.stdout)["env"]
    assert env == {"ANTHROPIC_BASE_URL": "https://0.0.0.0:9443",
                   "ANTHROPIC_CUSTOM_HEADERS": "X-Promptguard-Secret: 0123456789abcdefXYZ"}


def test_check_reports_upstreams(project: Path) -> None:
    with FakeUpstream() as up:
        p = gateway(project, "--check", "--upstream", up.url, "--openai-upstream", "none")
    assert p.returncode == 0, p.stderr
    assert "config: ok (profile default" in p.stdout
    assert f"upstream anthropic: {up.url} reachable" in p.stdout
    assert "upstream openai: disabled" in p.stdout
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    p = gateway(project, "--check", "--upstream", f"http://127.0.0.1:{port}")
    assert p.returncode == 1
    assert "UNREACHABLE (ClientConnectorError)" in p.stdout


def test_check_names_a_config_error(project: Path) -> None:
    (project / ".promptguard.toml").write_text("[policy]\nbogus = 1\n")
    p = gateway(project, "--check")
    assert p.returncode == 2 and ".promptguard.toml" in p.stderr and "bogus" in p.stderr


@pytest.fixture
def served(project: Path) -> Iterator[tuple[subprocess.Popen[str], str, FakeUpstream]]:
    with FakeUpstream() as up:
        proc = subprocess.Popen(
            [sys.executable, "-m", "promptguard", "gateway", "--listen", "127.0.0.1:0",
             "--upstream", up.url, "--openai-upstream", "none", "--shutdown-grace", "20"],
            cwd=project, stderr=subprocess.PIPE, text=True)
        assert proc.stderr is not None
        url = ""
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if "listening on " in line:
                url = line.split("listening on ")[1].split()[0]
                break
            if not line and proc.poll() is not None:
                break
        assert url, "gateway did not start"
        try:
            yield proc, url, up
        finally:
            if proc.poll() is None:
                proc.kill()
            proc.wait(10)


def test_sigterm_finishes_open_streams(served: tuple[subprocess.Popen[str], str, FakeUpstream],
                                       ) -> None:
    proc, url, up = served
    gate = threading.Event()
    up.reply = lambda req: echo(req)._replace(gate=gate, gate_after=3)
    got: dict[str, str] = {}

    def client() -> None:
        c = anthropic.Anthropic(base_url=url, api_key="sk-ant-test", max_retries=0)
        with c.messages.stream(model="m", max_tokens=9, messages=[
                {"role": "user", "content": "Zorbex, a long enough answer"}]) as s:
            got["text"] = "".join(s.text_stream)

    t = threading.Thread(target=client)
    t.start()
    try:
        deadline = time.monotonic() + 20
        while not up.requests and time.monotonic() < deadline:
            time.sleep(0.02)
        proc.send_signal(signal.SIGTERM)
        time.sleep(0.5)
        assert proc.poll() is None  # still serving the open stream
        # New connections are refused while draining.
        host, port = url.removeprefix("http://").split(":")
        with pytest.raises(OSError), socket.create_connection((host, int(port)), timeout=2):
            pass
    finally:
        gate.set()
    t.join(20)
    assert got.get("text") == "You said: Zorbex, a long enough answer"
    assert proc.wait(20) == 0
    assert proc.stderr is not None
    log = [json.loads(line) for line in proc.stderr.read().splitlines() if line.startswith("{")]
    assert [r["event"] for r in log if r["event"] in ("shutdown", "stopped")] == \
        ["shutdown", "stopped"]
