"""Clipboard watcher: copy-to-redacted latency, idle CPU and RSS.

    python benchmarks/clipboard_latency.py [--runs 30] [--idle 60] [--only x11|wayland]

Runs the real `promptguard watch` (default policy, full built-in rule set)
against a real Xvfb and a real headless sway (as root, sway runs as the
unprivileged user of testing/desktop.py). For each run a fresh 2 KB text
holding a fake AWS key and a fake GitHub token is copied by the real xclip /
wl-copy, and a listener of our own sees both selection changes:

* copy -> served: from the user's copy taking the selection to the watcher
  taking it with the redacted text (X11: XFixes owner events in this
  process; Wayland: a `wl-paste --watch` child of ours, so both events pay
  the same notification cost);
* spawn -> served: from starting the copying program, which adds its start.

Every run is checked: a paste must show the placeholder and not the key.
Idle CPU is the watcher's (and its wl-paste children's) on-CPU time from
/proc/*/schedstat (nanoseconds) over --idle seconds with no copies; RSS is
VmRSS / VmHWM after the runs.
"""
from __future__ import annotations

import argparse
import os
import queue
import random
import select
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from testing import desktop  # noqa: E402
from testing import fakes  # noqa: E402


def text_2k(rng: random.Random) -> tuple[str, str]:
    key, token = fakes.aws_key_id(rng), fakes.github_token(rng)
    lines = [f"2026-12-03T08:{i:02d}:00Z worker-{i % 7} processed batch {rng.randrange(10**6)} "
             f"in {rng.randrange(900)} ms, queue depth {rng.randrange(50)}" for i in range(40)]
    lines[12] = f"export AWS_ACCESS_KEY_ID={key}"
    lines[27] = f"git remote set-url origin https://{token}@github.com/acme/app.git"
    text = "\n".join(lines)
    return text[:2048 - 1].rsplit("\n", 1)[0] + "\n" if len(text) > 2048 else text, key


def _home() -> tempfile.TemporaryDirectory[str]:
    # The watcher may still write its audit log while the directory goes.
    return tempfile.TemporaryDirectory(ignore_cleanup_errors=True)


def every_example() -> str:
    """All built-in rules' examples: a copy of it compiles (nearly) every rule."""
    import tomllib

    out = []
    for pack in sorted((ROOT / "rules").glob("*.toml")):
        for rule in tomllib.loads(pack.read_text()).get("rules", []):
            out.extend(e for e in rule.get("examples", []) if isinstance(e, str))
    return "\n".join(out) + "\n"


def cpu_ns(pid: int) -> int:
    """On-CPU nanoseconds of pid's threads and its direct children."""
    total = 0
    pids = [pid]
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            children = Path(f"/proc/{pid}/task/{task}/children").read_text().split()
            pids.extend(int(c) for c in children)
    except OSError:
        pass
    for p in pids:
        try:
            for task in os.listdir(f"/proc/{p}/task"):
                total += int(Path(f"/proc/{p}/task/{task}/schedstat").read_text().split()[0])
        except OSError:
            continue
    return total


def rss_kb(pid: int) -> tuple[int, int]:
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text()
                  .splitlines() if ":" in line)
    return int(fields["VmRSS"].split()[0]), int(fields["VmHWM"].split()[0])


def summary(name: str, values: list[float]) -> str:
    values = sorted(values)
    p95 = values[max(0, int(len(values) * 0.95) - 1)]
    return (f"{name}: median {statistics.median(values):.1f} ms, p95 {p95:.1f} ms, "
            f"max {values[-1]:.1f} ms (n={len(values)})")


def idle(w: desktop.WatchProcess, seconds: float) -> str:
    before, t0 = cpu_ns(w.proc.pid), time.monotonic()
    time.sleep(seconds)
    used, wall = cpu_ns(w.proc.pid) - before, time.monotonic() - t0
    return (f"idle CPU over {wall:.0f} s: {used / 1e6:.2f} ms on-CPU = "
            f"{100 * used / 1e9 / wall:.4f}% of a core")


def bench_x11(runs: int, idle_s: float, rng: random.Random) -> list[str]:
    from Xlib import display as xdisplay
    from Xlib.ext import xfixes

    out = []
    with desktop.xvfb() as name, _home() as home:
        w = desktop.WatchProcess(Path(home), {"DISPLAY": name}, "--notify", "none")
        from Xlib import X

        d = xdisplay.Display(name)
        d.xfixes_query_version()
        win = d.screen().root.create_window(0, 0, 1, 1, 0, X.CopyFromParent)
        clip = d.intern_atom("CLIPBOARD")
        d.xfixes_select_selection_input(win, clip, xfixes.XFixesSetSelectionOwnerNotifyMask)
        d.flush()
        notify = tuple(d.extension_event.SetSelectionOwnerNotify)
        env = {**os.environ, "DISPLAY": name}
        events: queue.Queue[float] = queue.Queue()
        stop = threading.Event()

        def listen() -> None:
            # Its own thread, so an event is timed when it arrives, not
            # when the main thread gets round to it.
            while not stop.is_set():
                select.select([d], [], [], 0.05)
                while d.pending_events():
                    e = d.next_event()
                    if (e.type, getattr(e, "sub_code", None)) == notify and e.owner:
                        events.put(time.perf_counter())

        listener = threading.Thread(target=listen, daemon=True)
        listener.start()

        def owner_event(deadline: float) -> float:
            return events.get(timeout=max(0.0, deadline - time.monotonic()))

        copy_to_served, spawn_to_served = [], []
        for _ in range(runs):
            text, key = text_2k(rng)
            while not events.empty():
                events.get()
            t_spawn = time.perf_counter()
            subprocess.run(["xclip", "-selection", "clipboard", "-i"], input=text.encode(),
                           env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                           check=True, timeout=10)
            t_copy = owner_event(time.monotonic() + 5)     # xclip took it
            t_served = owner_event(time.monotonic() + 5)   # the watcher took it
            pasted = subprocess.run(["xclip", "-selection", "clipboard", "-o"], env=env,
                                    capture_output=True, timeout=10, check=True).stdout.decode()
            assert key not in pasted and "<AWS_ACCESS_KEY_ID_" in pasted, pasted[:900]
            copy_to_served.append((t_served - t_copy) * 1000)
            spawn_to_served.append((t_served - t_spawn) * 1000)
            time.sleep(0.05)
        out.append(summary("X11 copy -> served", copy_to_served))
        out.append(summary("X11 xclip spawn -> served", spawn_to_served))
        rss, hwm = rss_kb(w.proc.pid)
        out.append(f"X11 watcher RSS after the runs {rss / 1024:.1f} MB")
        stop.set()
        listener.join(5)
        if idle_s:
            out.append("X11 " + idle(w, idle_s))
        # Last: scanning this takes a while, which is no idle time.
        everything = every_example()
        done = len(w.lines("redacted"))
        subprocess.run(["xclip", "-selection", "clipboard", "-i"], input=everything.encode(),
                       env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                       check=True, timeout=10)
        desktop.wait_for(lambda: len(w.lines("redacted")) > done, 60)
        rss, hwm = rss_kb(w.proc.pid)
        out.append(f"X11 watcher RSS after a {len(everything) // 1024} KB copy of every rule's "
                   f"examples: {rss / 1024:.1f} MB (peak {hwm / 1024:.1f} MB); "
                   f"{w.lines('redacted')[-1].split(' in ')[-1]} to redact it")
        d.close()
        assert w.stop() == 0
    return out


def bench_wayland(runs: int, idle_s: float, rng: random.Random) -> list[str]:
    out = []
    with desktop.sway() as socket_path, _home() as home:
        env = {**os.environ, "WAYLAND_DISPLAY": socket_path}
        env.pop("DISPLAY", None)
        w = desktop.WatchProcess(Path(home), {"WAYLAND_DISPLAY": socket_path}, "--notify", "none")
        listener = subprocess.Popen(["wl-paste", "--watch", "printf", "x"], env=env,
                                    stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert listener.stdout is not None
        fd = listener.stdout.fileno()
        changes: queue.Queue[float] = queue.Queue()

        def listen() -> None:
            while os.read(fd, 1):
                changes.put(time.perf_counter())

        threading.Thread(target=listen, daemon=True).start()
        time.sleep(0.3)
        while not changes.empty():
            changes.get()

        def change(deadline: float) -> float:
            return changes.get(timeout=max(0.0, deadline - time.monotonic()))
        copy_to_served, spawn_to_served = [], []
        for _ in range(runs):
            text, key = text_2k(rng)
            while not changes.empty():
                changes.get()
            t_spawn = time.perf_counter()
            subprocess.run(["wl-copy"], input=text.encode(), env=env, stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, check=True, timeout=10)
            t_copy = change(time.monotonic() + 5)
            t_served = change(time.monotonic() + 5)
            pasted = subprocess.run(["wl-paste", "--no-newline"], env=env, capture_output=True,
                                    timeout=10, check=True).stdout.decode()
            assert key not in pasted and "<AWS_ACCESS_KEY_ID_" in pasted, pasted[:900]
            copy_to_served.append((t_served - t_copy) * 1000)
            spawn_to_served.append((t_served - t_spawn) * 1000)
            time.sleep(0.05)
        out.append(summary("Wayland copy -> served", copy_to_served))
        out.append(summary("Wayland wl-copy spawn -> served", spawn_to_served))
        rss, hwm = rss_kb(w.proc.pid)
        out.append(f"Wayland watcher RSS {rss / 1024:.1f} MB (peak {hwm / 1024:.1f} MB)")
        if idle_s:
            out.append("Wayland " + idle(w, idle_s) + " (watcher + its wl-paste child)")
        listener.terminate()
        listener.wait(5)
        assert w.stop() == 0
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--idle", type=float, default=60.0, metavar="SECONDS")
    parser.add_argument("--only", choices=("x11", "wayland"))
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    rng = random.Random(args.seed)
    print(f"# {time.strftime('%Y-%m-%d %H:%M')} load average {os.getloadavg()[0]:.2f}, "
          f"{os.cpu_count()} CPUs, Python {sys.version.split()[0]}")
    if args.only != "wayland":
        for line in bench_x11(args.runs, args.idle, rng):
            print(line, flush=True)
    if args.only != "x11":
        for line in bench_wayland(args.runs, args.idle, rng):
            print(line, flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
