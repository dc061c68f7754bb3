"""Cold `promptguard hook --agent <host>` latency per host on a 2 KB prompt event.

Each sample is a new process, as every host runs its hooks: the bare
interpreter (`python -I -c pass`) next to the hook answering each host's
prompt event (Codex UserPromptSubmit, Gemini BeforeAgent and BeforeModel,
Cursor beforeSubmitPrompt, Copilot userPromptSubmitted, VS Code
UserPromptSubmit, Windsurf pre_user_prompt), clean and holding a fake key.
Rounds interleave the commands; medians are reported.

    python benchmarks/hook_latency_hosts.py [--rounds 11]
"""
from __future__ import annotations

import argparse
import json
import random
import statistics
import string
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

PROMPTGUARD = Path(sys.executable).with_name("promptguard")


def prompt(rng: random.Random, key: str | None) -> str:
    words = ["deploy", "the", "service", "retry", "loop", "config", "with", "tests", "and"]
    text = " ".join(rng.choice(words) for _ in range(400))[:2000]
    return text if key is None else text[:1000] + f" aws_access_key_id={key} " + text[1000:]


def payloads(text: str) -> dict[str, dict[str, Any]]:
    return {
        "codex": {"session_id": "s", "turn_id": "t", "transcript_path": None, "cwd": "/tmp",
                  "hook_event_name": "UserPromptSubmit", "model": "m",
                  "permission_mode": "default", "prompt": text},
        "gemini BeforeAgent": {"session_id": "s", "transcript_path": "", "cwd": "/tmp",
                               "hook_event_name": "BeforeAgent", "timestamp": "t",
                               "prompt": text},
        "gemini BeforeModel": {"session_id": "s", "transcript_path": "", "cwd": "/tmp",
                               "hook_event_name": "BeforeModel", "timestamp": "t",
                               "llm_request": {"model": "m", "messages": [
                                   {"role": "user", "content": text}]}},
        "cursor": {"hook_event_name": "beforeSubmitPrompt", "conversation_id": "c",
                   "generation_id": "g", "workspace_roots": ["/tmp"], "prompt": text},
        "copilot": {"timestamp": 1, "cwd": "/tmp", "prompt": text},
        "vscode": {"timestamp": "t", "cwd": "/tmp", "sessionId": "s",
                   "hookEventName": "UserPromptSubmit", "prompt": text},
        "windsurf": {"agent_action_name": "pre_user_prompt", "trajectory_id": "t",
                     "tool_info": {"user_prompt": text}},
    }


def timed(argv: list[str], data: bytes) -> float:
    start = time.perf_counter()
    subprocess.run(argv, input=data, capture_output=True, check=False)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=11)
    args = parser.parse_args(argv)
    rng = random.Random(1)
    key = "AKIA" + "".join(rng.choice(string.ascii_uppercase + "234567") for _ in range(16))
    cases: list[tuple[str, list[str], bytes]] = [
        ("python -I -c pass", [sys.executable, "-I", "-c", "pass"], b"")]
    for label, k in (("clean", None), ("fake key", key)):
        for host, doc in payloads(prompt(rng, k)).items():
            agent = host.split()[0]
            cases.append((f"{host} ({label})", [str(PROMPTGUARD), "hook", "--agent", agent],
                          json.dumps(doc).encode()))
    timed(cases[1][1], cases[1][2])  # warm the rule cache, as the first hook after install
    samples: dict[str, list[float]] = {label: [] for label, _, _ in cases}
    for _ in range(args.rounds):
        for label, cmd, data in cases:
            samples[label].append(timed(cmd, data))
    floor = statistics.median(samples[cases[0][0]])
    print("| case | median ms | x bare python |\n|---|---:|---:|")
    for label, values in samples.items():
        m = statistics.median(values)
        print(f"| {label} | {m * 1000:.0f} | {m / floor:.1f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
