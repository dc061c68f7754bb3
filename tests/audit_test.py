from __future__ import annotations

import json
import multiprocessing
import os
import random
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from http.server import ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from testing import fakes

from promptguard import audit
from promptguard.cli import main


def _settings(path: Path, **kw: object) -> audit.AuditSettings:
    return audit.AuditSettings(enabled=True, path=path, **kw)  # type: ignore[arg-type]


def _record(i: int, surface: str = "cli") -> audit.Record:
    return audit.Record(surface, "block", ("aws-access-key-id",), (f"{i:020x}",), f"src-{i}")


def test_record_shape(tmp_path: Path) -> None:
    log = tmp_path / "a" / "audit.jsonl"
    audit.write(_settings(log), [_record(1, "clipboard")], now=1_700_000_000.25)
    [line] = log.read_text().splitlines()
    doc = json.loads(line)
    assert doc == {
        "v": 1, "ts": "2023-11-14T22:13:20.250Z", "surface": "clipboard", "action": "block",
        "rule_ids": ["aws-access-key-id"], "fingerprints": [f"{1:020x}"], "source": "src-1",
        "reason": "policy", "pid": os.getpid(),
    }
    if sys.platform != "win32":
        assert log.stat().st_mode & 0o777 == 0o600


@given(st.text(), st.lists(st.text(), max_size=3))
def test_record_lines_are_exactly_json(text: str, items: list[str]) -> None:
    line = audit.Record(text, "warn", tuple(items), tuple(items), text, text).to_line(text)
    assert line.endswith("\n") and line.count("\n") == 1 and line.isascii()
    doc = json.loads(line)
    assert (doc["surface"], doc["source"], doc["ts"], doc["rule_ids"]) == (text, text, text, items)
    assert audit._json_str(text) == json.dumps(text)


def test_disabled_writes_nothing(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    audit.write(audit.AuditSettings(enabled=False, path=log), [_record(1)])
    assert not log.exists()


def test_rotation_keeps_the_configured_backups(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    settings = _settings(log, max_bytes=1024, backups=2)
    for i in range(60):
        audit.write(settings, [_record(i)])
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")) == [
        "audit.jsonl", "audit.jsonl.1", "audit.jsonl.2",
    ]
    for p in audit.log_files(log):
        assert p.stat().st_size <= 1024
    records, bad = audit.read_records(log)
    assert bad == 0
    # The newest records survive, oldest first across the rotated files.
    sources = [r["source"] for r in records]
    assert sources == [f"src-{i}" for i in range(60 - len(sources), 60)]


def _writer(log: str, worker: int, count: int, start: multiprocessing.synchronize.Event) -> None:
    settings = _settings(Path(log), max_bytes=8192, backups=10_000)
    start.wait()
    for j in range(count):
        audit.write(settings, [audit.Record("agent", "warn", ("r",), ("f",), f"w{worker}-{j}")])


def test_concurrent_writers_with_rotation_keep_every_record(tmp_path: Path) -> None:
    log = tmp_path / "audit.jsonl"
    ctx = (multiprocessing.get_context("spawn") if sys.platform == "win32"
           else multiprocessing.get_context("fork"))
    start = ctx.Event()
    procs = [ctx.Process(target=_writer, args=(str(log), w, 100, start)) for w in range(20)]
    for p in procs:
        p.start()
    start.set()
    for p in procs:
        p.join(60)
        assert p.exitcode == 0
    records, bad = audit.read_records(log)
    assert bad == 0
    sources = sorted(r["source"] for r in records)
    assert sources == sorted(f"w{w}-{j}" for w in range(20) for j in range(100))
    assert len(audit.log_files(log)) > 10  # rotation really happened under contention


# -- the CLI: 20 scans at once, exact counts, no secret ---------------------------------
def _planted(tmp_path: Path) -> tuple[Path, list[str]]:
    rng = random.Random(20)
    secrets = [fakes.aws_key_id(rng), fakes.github_token(rng), fakes.stripe_live_key(rng)]
    path = tmp_path / "planted.env"
    path.write_text(
        f"AWS_ACCESS_KEY_ID={secrets[0]}\nGITHUB_TOKEN={secrets[1]}\nSTRIPE_KEY={secrets[2]}\n",
    )
    return path, secrets


def test_twenty_concurrent_scans_are_all_counted_and_no_secret_is_logged(
    tmp_path: Path, capsys,
) -> None:
    planted, secrets = _planted(tmp_path)
    log = Path(os.environ["PROMPTGUARD_AUDIT_LOG"])
    assert main(["scan", "--format", "json", str(planted)]) == 1
    per_scan = json.loads(capsys.readouterr().out)["findings"]
    assert len(per_scan) == 3
    log.unlink()
    surfaces = ["cli", "pre-commit", "claude-code", "clipboard", "gateway"]
    env = {**os.environ, "PROMPTGUARD_AUDIT_LOG": str(log)}
    procs = [
        subprocess.Popen(
            [sys.executable, "-m", "promptguard", "scan", "--surface", surfaces[i % 5],
             str(planted)],
            env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        for i in range(20)
    ]
    outputs = [p.communicate(timeout=120) for p in procs]
    assert all(p.returncode == 1 for p in procs), [e for _, e in outputs]

    raw = log.read_bytes()
    lines = raw.splitlines()
    assert all(json.loads(line)["v"] == 1 for line in lines)
    # The three findings are all "block" on every surface: one record per scan.
    assert len(lines) == 20
    assert main(["report", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["decisions"] == 20 and doc["findings"] == 60 and doc["bad_lines"] == 0
    assert doc["by_surface"] == dict.fromkeys(surfaces, 4)
    assert doc["by_action"] == {"block": 20}
    assert sum(doc["by_rule"].values()) == 60

    for secret in secrets:
        assert secret.encode() not in raw
        for out, err in outputs:
            assert secret.encode() not in out + err


def test_suppressed_findings_are_audited_without_content(tmp_path: Path, monkeypatch,
                                                          capsys) -> None:
    planted, secrets = _planted(tmp_path)
    monkeypatch.chdir(tmp_path)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    assert main(["baseline", "create", planted.name]) == 0
    (tmp_path / ".promptguard.toml").write_text('[allowlist]\nstopwords = ["nothing-matches"]\n')
    assert main(["scan", "--surface", "gateway", planted.name]) == 0
    capsys.readouterr()
    [record] = audit.read_records(Path(os.environ["PROMPTGUARD_AUDIT_LOG"]))[0]
    assert (record["action"], record["reason"], record["surface"]) == ("allow", "baseline",
                                                                        "gateway")
    assert len(record["rule_ids"]) == 3
    raw = Path(os.environ["PROMPTGUARD_AUDIT_LOG"]).read_bytes()
    for secret in secrets:
        assert secret.encode() not in raw
        assert secret.encode() not in (tmp_path / ".promptguard-baseline.json").read_bytes()


def test_no_audit_flag_and_unwritable_log(tmp_path: Path, monkeypatch, capsys) -> None:
    planted, _ = _planted(tmp_path)
    log = Path(os.environ["PROMPTGUARD_AUDIT_LOG"])
    assert main(["scan", "--no-audit", str(planted)]) == 1
    assert not log.exists()
    # A log that cannot be written warns but never changes the decision.
    blocker = tmp_path / "file-not-dir"
    blocker.write_text("")
    monkeypatch.setenv("PROMPTGUARD_AUDIT_LOG", str(blocker / "audit.jsonl"))
    assert main(["scan", str(planted)]) == 1
    assert "audit log" in capsys.readouterr().err


def test_scan_without_forwarding_imports_no_network_module(tmp_path: Path) -> None:
    planted, _ = _planted(tmp_path)
    code = (
        "import sys\nfrom promptguard.cli import main\n"
        f"rc = main(['scan', {str(planted)!r}])\n"
        "net = [m for m in ('socket', 'ssl', 'http.client', 'urllib.request')\n"
        "       if m in sys.modules]\n"
        "print('NET', net, rc, file=sys.stderr)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=60)
    assert "NET [] 1" in proc.stderr, proc.stderr


# -- forwarding ---------------------------------------------------------------------------
class _Collector:
    def __init__(self) -> None:
        self.records: list[dict[str, Any]] = []
        self.up = True
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if not collector.up:
                    self.send_response(503)
                    self.end_headers()
                    return
                assert self.headers["Content-Type"] == "application/x-ndjson"
                assert self.headers["X-Token"] == "t0ken"
                collector.records.extend(json.loads(x) for x in body.splitlines())
                self.send_response(204)
                self.end_headers()

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/ingest"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def collector() -> Iterator[_Collector]:
    c = _Collector()
    yield c
    c.close()


@pytest.fixture
def org_policy(tmp_path: Path, monkeypatch) -> Path:
    path = tmp_path / "policy.toml"
    monkeypatch.setenv("PROMPTGUARD_POLICY", str(path))
    return path


def test_http_forwarding_queues_while_down_and_flushes_later(
    tmp_path: Path, collector: _Collector, org_policy: Path, capsys,
) -> None:
    org_policy.write_text(
        f'[audit.forward.http]\nurl = "{collector.url}"\nretry_after = 3600\n'
        'headers = { X-Token = "t0ken" }\n',
    )
    planted, secrets = _planted(tmp_path)
    log = Path(os.environ["PROMPTGUARD_AUDIT_LOG"])
    queue = log.with_name("audit.forward-queue.jsonl")

    assert main(["scan", str(planted)]) == 1
    [first] = collector.records
    assert (first["surface"], first["action"], len(first["rule_ids"])) == ("cli", "block", 3)
    assert not queue.exists()

    collector.up = False
    for surface in ("cli", "clipboard", "gateway"):
        assert main(["scan", "--surface", surface, str(planted)]) == 1
    assert len(collector.records) == 1
    assert len(queue.read_text().splitlines()) == 3  # one failed try, then backoff
    assert len(audit.read_records(log)[0]) == 4  # the local log has everything

    collector.up = True
    assert main(["report", "--flush"]) == 0
    capsys.readouterr()
    assert [r["surface"] for r in collector.records] == ["cli", "cli", "clipboard", "gateway"]
    assert not queue.exists()
    for secret in secrets:
        assert secret not in json.dumps(collector.records)


def test_http_forwarding_to_a_closed_port_and_bounded_queue(tmp_path: Path,
                                                            org_policy: Path) -> None:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    org_policy.write_text(
        f'[audit.forward.http]\nurl = "http://127.0.0.1:{port}/"\ntimeout = 0.5\n'
        "retry_after = 0.001\nqueue_max_bytes = 2048\n",
    )
    log = tmp_path / "audit.jsonl"
    from promptguard import config

    settings = config.load(tmp_path).audit._replace(path=log)
    for i in range(40):
        audit.write(settings, [_record(i)])
    queue = settings.queue_path
    lines = queue.read_bytes().splitlines()
    assert queue.stat().st_size <= 2048
    marker = json.loads(lines[0])
    assert marker["reason"] == "forward-queue-overflow"
    assert marker["dropped"] + len(lines) - 1 == 40
    assert [json.loads(x)["source"] for x in lines[1:]] == [
        f"src-{i}" for i in range(40 - len(lines) + 1, 40)
    ]
    assert len(audit.read_records(log)[0]) == 40


def test_syslog_forwarding(tmp_path: Path, org_policy: Path, capsys) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.settimeout(10)
        port = sock.getsockname()[1]
        org_policy.write_text(
            f'[audit.forward.syslog]\naddress = "127.0.0.1:{port}"\nfacility = "local3"\n',
        )
        planted, secrets = _planted(tmp_path)
        assert main(["scan", str(planted)]) == 1
        data, _ = sock.recvfrom(65536)
    message = data.decode()
    # local3 = 19; 19 * 8 + 4 (warning, for a block) = 156.
    assert message.startswith("<156>promptguard[")
    doc = json.loads(message.split("]: ", 1)[1])
    assert doc["action"] == "block" and doc["surface"] == "cli"
    for secret in secrets:
        assert secret not in message


# -- report ---------------------------------------------------------------------------------
def test_report_since_and_text(tmp_path: Path, capsys, monkeypatch) -> None:
    log = tmp_path / "audit.jsonl"
    settings = _settings(log)
    day = 86400
    base = 1_767_225_600  # 2026-01-01T00:00:00Z
    audit.write(settings, [_record(1, "clipboard")], now=base)
    audit.write(settings, [_record(2, "cli"), _record(3, "cli")], now=base + day)
    audit.write(settings, [audit.Record("gateway", "redact", ("email", "phone"), ("a", "b"),
                                        "<stdin>")], now=base + 2 * day)
    with log.open("a") as f:
        f.write("not json\n")
    assert main(["report", "--log", str(log), "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert (doc["decisions"], doc["findings"], doc["bad_lines"]) == (4, 5, 1)
    assert doc["by_day"] == {"2026-01-01": 1, "2026-01-02": 2, "2026-01-03": 1}
    assert doc["by_rule"] == {"aws-access-key-id": 3, "email": 1, "phone": 1}
    assert main(["report", "--log", str(log), "--since", "2026-01-02", "--format", "json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["decisions"] == 3 and doc["by_surface"] == {"cli": 2, "gateway": 1}
    assert main(["report", "--log", str(log), "--since", "2026-01-03T00:00:00Z"]) == 0
    out = capsys.readouterr().out
    assert "1 decisions, 2 findings" in out and "gateway" in out and "clipboard" not in out
    assert main(["report", "--log", str(log), "--since", "yesterday"]) == 2
    assert "--since" in capsys.readouterr().err


def test_since_relative() -> None:
    from promptguard.commands.report import since_timestamp

    assert since_timestamp("2h", now=1_767_225_600) == "2025-12-31T22:00:00.000Z"
    assert since_timestamp("1w", now=1_767_225_600) == "2025-12-25T00:00:00.000Z"
