"""Load and latency of `promptguard gateway` on loopback (bounded in count and time).

Starts the fake upstream (testing/fake_upstreams.py) and the real gateway
command as separate processes, then:

1. latency: N sequential non-streamed Messages requests of ~10 KB (prose
   and code with a fake AWS key and a client name, so every request is
   really redacted and its answer restored), alternating direct-to-upstream
   and through the gateway; added latency = gateway minus direct, per
   percentile, plus the gateway's own time excluding the upstream (its
   log's `ms - upstream_ms`);
2. load: C concurrent streaming requests (the fake streams 3-character
   deltas with a pause between events so all are open at once), every one
   checked for a complete, correctly restored answer; peak RSS of the
   gateway process sampled from /proc during the run.

    python benchmarks/gateway_load.py [--requests 300] [--concurrency 200]
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from testing import fakes  # noqa: E402

CONFIG = """\
[clients]
names = [{ name = "Zorbex Dynamics", aliases = ["Zorbex"] }]
[policy.surfaces.gateway.category]
secret = "redact"
"""
HEADERS = {"content-type": "application/json", "anthropic-version": "2023-06-01",
           "x-api-key": "sk-ant-bench"}


def body_10k(n: int, key: str) -> bytes:
    """Request `n`: ~10 KB of prose and code with a fake key and two client mentions."""
    prose = ("The nightly export fails since Tuesday; the job retries three times and "
             "then gives up, so the dashboard shows stale numbers every morning. ")
    code = "def handler(event):\n    return export(event['account'], retries=3)\n"
    text = f"Ticket {n}: Zorbex asked about this. "
    while len(text) < 9_700:
        text += prose + code
    text = text[:4_000] + f"\naws_access_key_id = {key}\n" + text[4_000:9_700] + \
        "\nPlease reply to Zorbex."
    doc = {"model": "claude-bench", "max_tokens": 64,
           "messages": [{"role": "user", "content": [{"type": "text", "text": text}]}]}
    return json.dumps(doc).encode()


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return 0


def start(cmd: list[str], env: dict[str, str], cwd: Path, log: Path, marker: str) -> tuple[
        subprocess.Popen[bytes], str]:
    """Start a process whose output goes to `log` (a pipe nobody reads would fill and stall
    it); wait for `marker` and return what follows it (the URL)."""
    with log.open("wb") as out:
        proc = subprocess.Popen(cmd, env=env, cwd=cwd, stdout=out, stderr=out)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        for line in log.read_text().splitlines():
            if marker in line:
                return proc, line.split(marker)[1].split()[0]
        if proc.poll() is not None:
            break
        time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"{cmd[2:4]} did not start: {log.read_text()[-500:]}")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


async def latency(gw: str, up: str, n: int, new_keys: bool) -> dict[str, list[float]]:
    """Every body is new text (so none comes from the part cache); with `new_keys` each
    also brings a key the vault has not seen (a vault write per request)."""
    rng = random.Random(2026 + new_keys)
    known = fakes.aws_key_id(rng)
    bodies = [body_10k(i, fakes.aws_key_id(rng) if new_keys else known) for i in range(n + 20)]
    out: dict[str, list[float]] = {"direct": [], "gateway": []}
    async with aiohttp.ClientSession() as s:
        for i in range(n + 20):
            for name, base in (("direct", up), ("gateway", gw)):
                t = time.perf_counter()
                async with s.post(base + "/v1/messages", data=bodies[i],
                                  headers=HEADERS) as r:
                    data = await r.read()
                    assert r.status == 200, (r.status, data[:200])
                if i >= 20:  # the first requests warm caches (regexes compile lazily)
                    out[name].append((time.perf_counter() - t) * 1000)
            if name == "gateway":
                assert b"Zorbex" in data and b"Client A" not in data
    return out


def conversation(turns: int) -> list[bytes]:
    """A growing agent conversation (~340 KB of tool results by the end), one body per turn."""
    src = "".join(p.read_text() for p in sorted((ROOT / "src" / "promptguard").glob("*.py")))
    messages: list[dict[str, object]] = []
    bodies = []
    per_turn = 100 // turns
    for t in range(turns):
        for i in range(t * per_turn, (t + 1) * per_turn):
            messages.append({"role": "user", "content": [{
                "type": "tool_result", "tool_use_id": f"toolu_{i}",
                "content": src[i * 3000:(i + 1) * 3000]}]})
            messages.append({"role": "assistant", "content": "Zorbex's code, noted. " * 5})
        messages.append({"role": "user", "content": f"Turn {t} for Zorbex."})
        bodies.append(json.dumps({"model": "m", "max_tokens": 9, "messages": messages}).encode())
        messages.append({"role": "assistant", "content": f"You said: Turn {t} for Zorbex."})
    return bodies


async def long_conversation(gw: str, turns: int) -> list[tuple[int, float]]:
    out = []
    async with aiohttp.ClientSession() as s:
        for body in conversation(turns):
            t = time.perf_counter()
            async with s.post(gw + "/v1/messages", data=body, headers=HEADERS) as r:
                assert r.status == 200 and b"Zorbex" in await r.read()
            out.append((len(body), (time.perf_counter() - t) * 1000))
    return out


async def load(gw: str, concurrency: int, pid: int) -> tuple[int, int, float, int, int]:
    peak = most = 0
    stop = asyncio.Event()

    async def sample() -> None:
        nonlocal peak, most
        async with aiohttp.ClientSession() as s:
            while not stop.is_set():
                peak = max(peak, rss_kib(pid))
                async with s.get(gw + "/healthz") as r:
                    most = max(most, (await r.json())["active"])
                await asyncio.sleep(0.05)

    async def one(s: aiohttp.ClientSession, i: int) -> bool:
        doc = {"model": "m", "max_tokens": 64, "stream": True, "messages": [
            {"role": "user", "content": f"Request {i} about Zorbex: please confirm Zorbex."}]}
        async with s.post(gw + "/v1/messages", json=doc, headers=HEADERS) as r:
            if r.status != 200:
                return False
            raw = (await r.read()).decode()
        text = "".join(json.loads(line[6:])["delta"].get("text", "")
                       for line in raw.splitlines()
                       if line.startswith("data: ") and '"content_block_delta"' in line)
        return (text == f"You said: Request {i} about Zorbex: please confirm Zorbex."
                and "event: message_stop" in raw)

    sampler = asyncio.create_task(sample())
    t = time.perf_counter()
    connector = aiohttp.TCPConnector(limit=0)
    timeout = aiohttp.ClientTimeout(total=120)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as s:
        results = await asyncio.gather(*(one(s, i) for i in range(concurrency)),
                                       return_exceptions=True)
    elapsed = time.perf_counter() - t
    stop.set()
    await sampler
    ok = sum(1 for r in results if r is True)
    return ok, concurrency - ok, elapsed, peak, most


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=200)
    parser.add_argument("--delay", type=float, default=0.01,
                        help="seconds between the fake upstream's SSE events")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp_name:
        tmp = Path(tmp_name)
        (tmp / ".promptguard.toml").write_text(CONFIG)
        env = {**os.environ, "HOME": str(tmp), "PROMPTGUARD_DATA_DIR": str(tmp / "data"),
               "PROMPTGUARD_AUDIT_LOG": str(tmp / "audit.jsonl"), "PROMPTGUARD_POLICY": "",
               "PYTHONPATH": str(ROOT)}
        upstream, up_url = start([sys.executable, "-m", "testing.fake_upstreams", "--delay",
                                  str(args.delay)], env, ROOT, tmp / "upstream.log",
                                 "fake upstream: ")
        gateway, gw_url = start([sys.executable, "-m", "promptguard", "gateway", "--listen",
                                 "127.0.0.1:0", "--upstream", up_url, "--openai-upstream", "none",
                                 "--max-streams", str(max(256, args.concurrency))],
                                env, tmp, tmp / "gateway.log", "listening on ")
        log_lines: list[str] = []
        try:
            idle = rss_kib(gateway.pid)
            lats = [asyncio.run(latency(gw_url, up_url, args.requests, new_keys))
                    for new_keys in (False, True)]
            ok, failed, elapsed, peak, most = asyncio.run(
                load(gw_url, args.concurrency, gateway.pid))
            convo = asyncio.run(long_conversation(gw_url, 5))
        finally:
            gateway.terminate()
            gateway.wait(60)
            log_lines = (tmp / "gateway.log").read_text().splitlines()
            upstream.kill()
            upstream.wait(10)
    own_all = [r["ms"] - r["upstream_ms"] for r in map(json.loads, (
        line for line in log_lines if line.startswith('{"ts"')))
        if r.get("event") == "request" and not r.get("stream") and "upstream_ms" in r]
    n = args.requests
    convo_own = own_all[-len(convo):]
    print(f"gateway_load: {n} sequential ~10 KB requests per case, "
          f"{args.concurrency} concurrent streams; {os.cpu_count()} CPUs, "
          f"Python {sys.version.split()[0]}")
    for k, (label, lat) in enumerate(zip(("values the vault knows", "a new key every request"),
                                         lats, strict=True)):
        d, g = lat["direct"], lat["gateway"]
        # After each case's warm-up, that case's requests only.
        own = own_all[k * (n + 20) + 20:(k + 1) * (n + 20)]
        print(f"  {label}:")
        print(f"    direct  p50 {pct(d, 50):6.2f} ms  p99 {pct(d, 99):6.2f} ms")
        print(f"    gateway p50 {pct(g, 50):6.2f} ms  p99 {pct(g, 99):6.2f} ms")
        # Paired: request i through the gateway minus request i direct (same size).
        added = [b - a for a, b in zip(d, g, strict=True)]
        print(f"    added   p50 {pct(added, 50):6.2f} ms  p99 {pct(added, 99):6.2f} ms  "
              "(target <= 5 / <= 20)")
        print(f"    in-gateway time excluding upstream: p50 {pct(own, 50):.2f} ms  "
              f"p99 {pct(own, 99):.2f} ms  mean {statistics.mean(own):.2f} ms")
    print(f"  load: {ok}/{args.concurrency} streams complete and restored, {failed} failed, "
          f"{elapsed:.2f} s; at most {most} open at once")
    print("  a growing conversation (each turn resends all of it; KB: round trip / in-gateway): "
          + ", ".join(f"{size // 1024} KB: {ms:.1f} / {mine:.1f} ms"
                      for (size, ms), mine in zip(convo, convo_own, strict=True)))
    print(f"  gateway RSS: idle {idle / 1024:.1f} MiB, peak under load {peak / 1024:.1f} MiB")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
