"""Time from a change to its published diagnostics in `promptguard lsp`.

Drives the real server over stdio with pygls' client (the same harness as
tests/lsp_server_test.py). For each document size: open a clean document,
then alternately insert a fake AWS key on a middle line and delete it
again, timing each `didChange` until `publishDiagnostics` for that version
arrives. `--debounce-ms` is the server's wait after the last change (the
editor default is 150; 0 measures the pipeline itself).

    python benchmarks/lsp_latency.py [--runs 20] [--debounce-ms 0]
"""
from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from testing.lsp_client import Session

LINE = "INFO 2026-11-25 12:00:01 request served in 12 ms from cache node 7 (ok)\n"
SIZES = {"2 KB": 2 * 1024, "1 MB": 1024 * 1024, "5 MB": 5 * 1024 * 1024}


def fake_key(i: int) -> str:
    return "AKIA" + "".join("ABCDEFGHJKLMNPQRSTUVWXYZ234567"[(i * 7 + j * 11) % 30]
                            for j in range(16))


async def measure(root: Path, size: int, runs: int, debounce: int) -> dict[str, float]:
    env = dict(os.environ)
    env.setdefault("PROMPTGUARD_AUDIT_LOG", str(root / "audit.jsonl"))
    s = Session(root, env, ["--debounce-ms", str(debounce)])
    await s.start()
    try:
        lines = max(1, size // len(LINE))
        text = LINE * lines
        uri = s.open(root / f"doc-{size}.log", text, "log")
        started = time.perf_counter()
        await s.diagnostics(uri, 1, timeout=120)
        first = time.perf_counter() - started
        middle = lines // 2
        times = []
        version = 1
        for i in range(runs):
            version += 1
            inserted = f"aws_access_key_id = {fake_key(i)}\n"
            t0 = time.perf_counter()
            s.change(uri, version, (middle, 0), (middle, 0), inserted)
            diags = await s.diagnostics(uri, version, timeout=120)
            times.append(time.perf_counter() - t0)
            assert [d.code for d in diags] == ["aws-access-key-id"], diags
            version += 1
            t0 = time.perf_counter()
            s.change(uri, version, (middle, 0), (middle + 1, 0), "")
            diags = await s.diagnostics(uri, version, timeout=120)
            times.append(time.perf_counter() - t0)
            assert diags == [], diags
    finally:
        await s.stop()
    times.sort()
    return {
        "open": first * 1000,
        "median": statistics.median(times) * 1000,
        "p95": times[int(len(times) * 0.95) - 1] * 1000,
        "max": times[-1] * 1000,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=20,
                        help="insert/delete pairs per document (default: 20)")
    parser.add_argument("--debounce-ms", type=int, default=0)
    args = parser.parse_args(argv)
    print(f"promptguard lsp: change -> publishDiagnostics, debounce {args.debounce_ms} ms, "
          f"{2 * args.runs} changes per document")
    print("| document | first scan after open | median | p95 | max |")
    print("|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        (root / ".git").mkdir()
        for label, size in SIZES.items():
            r = asyncio.run(measure(root, size, args.runs, args.debounce_ms))
            print(f"| {label} | {r['open']:.0f} ms | {r['median']:.1f} ms | {r['p95']:.1f} ms "
                  f"| {r['max']:.1f} ms |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
