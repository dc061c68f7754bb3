"""Latency of `promptguard redact` with a 10,000-name client list, against `scan`.

    python benchmarks/redact_latency.py [--runs N] [--names N] [--promptguard CMD]

Every timed number is a whole process started from scratch (fork to exit),
the way a hook or a one-off command pays it, on the same 2 KB prompt: a
client email with names, people, an account ID, an internal host, an email
address and an AWS key. Caches (compiled rules, the client-name automaton)
live in a temporary directory: the first run builds them and is reported
separately; the timed runs use them, as every run after the first does.

Printed: median and p90 wall time of

* `scan PROMPT` (the latency budget to meet),
* `redact --all PROMPT` without a client list,
* `redact --all --clients CLIENTS PROMPT`: the 10,000 names as a list file
  (the recommended form: compiled once, cached by path, size and mtime),
* the same names inline in the project's `.promptguard.toml`: every run
  parses that TOML and validates the list, then loads the automaton from
  its content-hash cache,

and an in-process breakdown of the client-list costs (TOML parse,
validation, automaton build vs cached load, matching).
"""

from __future__ import annotations

import argparse
import os
import random
import shlex
import statistics
import string
import sys
import tempfile
import time
from collections.abc import Sequence
from pathlib import Path

from procs import run_once

SYLLABLES = (
    "zor",
    "bex",
    "qua",
    "lin",
    "tor",
    "vex",
    "mar",
    "dri",
    "pol",
    "kan",
    "sel",
    "rum",
    "tav",
    "nix",
    "ora",
    "ple",
    "gri",
    "fen",
    "wal",
    "cor",
    "dun",
    "hal",
    "bri",
    "sto",
)
SUFFIXES = ("Corp", "Group", "Holdings", "Labs", "Systems", "Partners", "Logistics", "Foods")


def client_names(n: int, seed: int = 5) -> list[tuple[str, list[str]]]:
    """`n` distinct made-up company names; every fifth has two aliases."""
    rng = random.Random(seed)
    seen: set[str] = set()
    out: list[tuple[str, list[str]]] = []
    while len(out) < n:
        stem = "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
        name = f"{stem} {rng.choice(SUFFIXES)}"
        if name in seen or stem in seen:
            continue
        seen.update((name, stem))
        aliases = [stem, f"{stem.upper()} Inc."] if len(out) % 5 == 0 else []
        out.append((name, aliases))
    return out


def clients_toml(names: Sequence[tuple[str, list[str]]]) -> str:
    lines = ["[clients]", "names = ["]
    for name, aliases in names:
        if aliases:
            quoted = ", ".join(f'"{a}"' for a in aliases)
            lines.append(f'  {{ name = "{name}", aliases = [{quoted}] }},')
        else:
            lines.append(f'  "{name}",')
    lines += [
        "]",
        'people = ["Dana Whitfield", "Marek Olsen"]',
        'domains = ["corp-internal.example"]',
        "ids = [{ label = \"ACCOUNT_ID\", regex = '''\\bAC-\\d{8}\\b''' }]",
    ]
    return "\n".join(lines) + "\n"


def prompt(names: Sequence[tuple[str, list[str]]], size: int = 2048) -> str:
    rng = random.Random(7)
    key = "AKIA" + "".join(rng.choice(string.ascii_uppercase + "234567") for _ in range(16))
    first, second = names[0][1][0], names[len(names) // 2][0]
    head = (
        f"Hi, can you help me reply to this customer email?\n\n"
        f"From: Dana Whitfield <dana.whitfield@{first.lower()}.example>\n"
        f"Subject: {first}'s renewal and account AC-20481234\n\n"
        f"Hello Marek Olsen,\n\n{first}'s integration with {second} fails against "
        f"billing.corp-internal.example since Tuesday. Our ops team rotated the key "
        f"{key} but the nightly export still gets 403s.\n"
    )
    filler = (
        "The job reads the config, opens a client and uploads yesterday's reports. "
        "Retries do not help and the logs show nothing unusual before the failure. "
    )
    body = head
    while len(body) < size - 40:
        body += filler
    return body[: size - 40] + "\nThanks for any pointers!\n"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:7.1f}"


def timed(argv: Sequence[str], runs: int) -> tuple[float, list[float], int]:
    """(first run, timed runs, last exit code); the first run warms the caches."""
    first = run_once(argv)
    walls = []
    code = first.returncode
    for _ in range(runs):
        result = run_once(argv)
        walls.append(result.wall_s)
        code = result.returncode
    return first.wall_s, walls, code


def breakdown(clients_path: Path, text: str, cache_dir: Path) -> list[tuple[str, float]]:
    """In-process costs of the client list (one fresh build, one cached load)."""
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: <3.11 cover
        import tomli as tomllib

    from promptguard.clients import ClientDetector
    from promptguard.clients import ClientDirectory
    from promptguard.clients import parse_clients

    out: list[tuple[str, float]] = []
    t = time.perf_counter()
    raw = tomllib.loads(clients_path.read_text())
    out.append(("TOML parse of the client file", time.perf_counter() - t))
    t = time.perf_counter()
    directory = parse_clients(raw["clients"], f"{clients_path}: clients")
    out.append(("validate (parse_clients)", time.perf_counter() - t))
    t = time.perf_counter()
    directory.digest()
    out.append(("hash of the list (cache key)", time.perf_counter() - t))
    t = time.perf_counter()
    built = ClientDetector(directory, cache_dir=None)
    list(built.detect("warm"))
    out.append(("automaton build, no cache", time.perf_counter() - t))
    fresh = Path(tempfile.mkdtemp(dir=cache_dir))
    as_file = ClientDirectory(files=(clients_path,))
    list(ClientDetector(as_file, cache_dir=fresh).detect("x"))  # writes the cache
    t = time.perf_counter()
    cached = ClientDetector(as_file, cache_dir=fresh)
    list(cached.detect("warm"))
    out.append(("list file: stat + load compiled list from cache", time.perf_counter() - t))
    t = time.perf_counter()
    hits = list(cached.detect(text))
    out.append((f"match 2 KB prompt ({len(hits)} hits)", time.perf_counter() - t))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--names", type=int, default=10_000)
    parser.add_argument(
        "--promptguard",
        default=None,
        help="command to run (default: the console script next to sys.executable)",
    )
    args = parser.parse_args(argv)
    cmd = (
        shlex.split(args.promptguard)
        if args.promptguard
        else [
            str(Path(sys.executable).with_name("promptguard")),
        ]
    )

    work = Path(tempfile.mkdtemp(prefix="pg-redact-bench-"))
    names = client_names(args.names)
    clients_path = work / "clients.toml"
    clients_path.write_text(clients_toml(names))
    text = prompt(names)
    prompt_path = work / "prompt.txt"
    prompt_path.write_text(text)
    # Isolate from the user's config, caches, vault and audit log.
    os.environ.update(
        {
            "PROMPTGUARD_CACHE_DIR": str(work / "cache"),
            "PROMPTGUARD_DATA_DIR": str(work / "data"),
            "PROMPTGUARD_AUDIT_LOG": str(work / "audit.jsonl"),
            "PROMPTGUARD_POLICY": "",
            "PROMPTGUARD_USER_CONFIG": "",
        }
    )
    os.chdir(work)

    inline = work / "inline"
    inline.mkdir()
    (inline / ".promptguard.toml").write_text(clients_toml(names))
    inline_prompt = inline / "prompt.txt"
    inline_prompt.write_text(text)
    cases = [
        ("scan PROMPT", [*cmd, "scan", str(prompt_path)]),
        (
            "redact --all PROMPT (no client list)",
            [*cmd, "redact", "--all", "--session", "bench", "-o", os.devnull, str(prompt_path)],
        ),
        (
            f"redact --all --clients ({len(names):,} names) PROMPT",
            [
                *cmd,
                "redact",
                "--all",
                "--session",
                "bench",
                "--clients",
                str(clients_path),
                "-o",
                os.devnull,
                str(prompt_path),
            ],
        ),
        (
            f"redact --all PROMPT, {len(names):,} names inline in config",
            [*cmd, "redact", "--all", "--session", "bench", "-o", os.devnull, str(inline_prompt)],
        ),
    ]
    print(
        f"prompt: {len(text.encode())} bytes; client list: {len(names):,} names "
        f"({sum(len(a) for _, a in names):,} aliases), {clients_path.stat().st_size:,} bytes"
    )
    print(f"cold processes, {args.runs} timed runs each after one cache-warming run\n")
    print(f"{'command':<56} {'first':>8} {'median':>8} {'p90':>8}  exit")
    failed = False
    for label, case in cases:
        first, walls, code = timed(case, args.runs)
        walls.sort()
        p90 = walls[min(len(walls) - 1, int(len(walls) * 0.9))]
        print(f"{label:<56} {_ms(first)} {_ms(statistics.median(walls))} {_ms(p90)}  {code}")
        # scan exits 1 on blocking findings; redact must exit 0.
        failed |= code not in ((0, 1) if case[len(cmd)] == "scan" else (0,))
    print("\nin-process breakdown of the client list (ms):")
    for label, seconds in breakdown(clients_path, text, work / "cache"):
        print(f"  {label:<48} {_ms(seconds)}")
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
