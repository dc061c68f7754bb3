"""The built wheel carries the rule packs: build, install in a fresh venv, scan."""
from __future__ import annotations

import os
import random
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from testing import fakes


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = Path(__file__).resolve().parents[1]
    src = tmp_path_factory.mktemp("src")
    # Build from a copy so the build never writes into the working tree.
    shutil.copytree(root, src / "pg", ignore=shutil.ignore_patterns(
        ".git", ".venv", "venv", "__pycache__", "*.egg-info", "build", "dist", ".work",
    ))
    out = tmp_path_factory.mktemp("dist")
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(src / "pg")],
        check=True,
    )
    [whl] = out.glob("promptguard-*.whl")
    return whl


def test_wheel_contains_every_rule_pack(wheel: Path) -> None:
    root = Path(__file__).resolve().parents[1]
    packs = {p.name for p in (root / "rules").glob("*.toml")}
    with zipfile.ZipFile(wheel) as z:
        shipped = {Path(n).name for n in z.namelist() if n.startswith("promptguard/rules/")}
    assert packs and packs <= shipped


def test_installed_wheel_scans_with_default_rules(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    bindir = venv / ("Scripts" if os.name == "nt" else "bin")
    subprocess.run([str(bindir / "python"), "-m", "pip", "install", "-q", str(wheel)], check=True)
    token = fakes.github_token(random.Random(9))
    env = {**os.environ, "PROMPTGUARD_CACHE_DIR": str(tmp_path / "cache")}
    # Run outside the source tree so only the installed package is importable.
    proc = subprocess.run(
        [str(bindir / "promptguard"), "scan", "--format", "json", "-"],
        input=f"export GITHUB_TOKEN={token}\n", capture_output=True, text=True,
        cwd=tmp_path, env=env,
    )
    assert proc.returncode == 1, proc.stderr
    assert '"rule_id": "github-' in proc.stdout
    assert token not in proc.stdout
    listed = subprocess.run([str(bindir / "promptguard"), "rules", "list"], capture_output=True,
                            text=True, cwd=tmp_path, env=env, check=True).stdout
    assert int(listed.splitlines()[-1].split()[0]) >= 80
