"""Large benign real-world text: pinned site-packages and node_modules.

Both corpora are installed once into ``benchmarks/.work/`` (git-ignored) and
reused while the pins are unchanged:

* ``corpus-venv``: a venv with ``PY_PINS`` (every distribution pinned, so the
  resolver cannot drift);
* ``npm-corpus``: an npm project with ``NPM_PINS`` as exact dependencies and the
  ``package-lock.json`` npm writes (its SHA-256 is recorded in the report).

Scanners do not see them in place. gitleaks' default config skips any path
under ``node_modules/``, ``site-packages/`` and lockfile names, and promptguard
honours the repository's ``.gitignore`` (which ignores ``benchmarks/.work/``).
To compare *content*, every text file (no NUL byte in its first 8000 bytes, git's
own binary test) is hard-linked into a flat mirror outside the repository,
``$TMPDIR/promptguard-accuracy-<uid>/mirror/<corpus>/NNNNNN<ext>``, keeping its
extension; ``index.tsv`` there maps each mirror name back to the original path.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from peers import WORK_DIR

CORPUS_VENV = WORK_DIR / "corpus-venv"
NPM_DIR = WORK_DIR / "npm-corpus"

# Chosen 2026-11-25: popular, large, text-heavy (Django locales and templates,
# pandas/numpy sources and tests, botocore models, SQLAlchemy). The whole
# resolved set is pinned, so a rebuild installs byte-identical files.
PY_PINS: tuple[str, ...] = (
    "requests==2.32.3", "Django==5.1.4", "numpy==2.1.3", "boto3==1.35.0", "botocore==1.35.0",
    "pandas==2.2.3", "SQLAlchemy==2.0.36", "Flask==3.1.0",
    # their dependencies, as resolved on that date
    "asgiref==3.13.0", "blinker==1.9.0", "certifi==2026.10.19.post1",
    "charset-normalizer==3.5.2", "click==8.5.1", "greenlet==3.5.6", "idna==3.20",
    "itsdangerous==2.2.0", "Jinja2==3.1.6", "jmespath==1.1.0", "MarkupSafe==3.0.4",
    "python-dateutil==2.9.0.post0", "pytz==2026.6", "s3transfer==0.10.4", "six==1.17.0",
    "sqlparse==0.6.1", "typing_extensions==4.16.0", "tzdata==2026.6", "urllib3==2.8.0",
    "Werkzeug==3.1.9",
)  # fmt: skip
NPM_PINS: tuple[str, ...] = (
    "express@4.21.2", "react@18.3.1", "react-dom@18.3.1", "lodash@4.17.21", "webpack@5.97.1",
    "typescript@5.7.2",
)  # fmt: skip

_BINARY_SNIFF = 8000


class Corpus(NamedTuple):
    name: str
    source: Path  # what was installed
    mirror: Path  # flat tree of hard links that every tool scans
    files: int
    text_bytes: int
    description: str


def _stamp_ok(stamp: Path, wanted: str) -> bool:
    return stamp.is_file() and stamp.read_text() == wanted


def ensure_python_corpus(log: object = print) -> Path:
    stamp = CORPUS_VENV / "promptguard-accuracy-pins.txt"
    wanted = "\n".join(PY_PINS) + "\n"
    if not _stamp_ok(stamp, wanted):
        if CORPUS_VENV.exists():
            shutil.rmtree(CORPUS_VENV)
        _log(log, f"creating {CORPUS_VENV} with {len(PY_PINS)} pinned distributions")
        subprocess.run([sys.executable, "-m", "venv", os.fspath(CORPUS_VENV)], check=True)
        subprocess.run(
            [os.fspath(CORPUS_VENV / "bin" / "python"), "-m", "pip", "install", "--quiet",
             "--disable-pip-version-check", "--no-deps", *PY_PINS],
            check=True,
        )
        stamp.write_text(wanted)
    site = sorted((CORPUS_VENV / "lib").glob("python3*/site-packages"))
    if not site:
        raise RuntimeError(f"no site-packages under {CORPUS_VENV}")
    return site[0]


def ensure_npm_corpus(log: object = print) -> Path:
    stamp = NPM_DIR / "promptguard-accuracy-pins.txt"
    wanted = "\n".join(NPM_PINS) + "\n"
    lock = NPM_DIR / "package-lock.json"
    if not _stamp_ok(stamp, wanted) or not (NPM_DIR / "node_modules").is_dir():
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError("npm is not installed")
        have_lock = _stamp_ok(stamp, wanted) and lock.is_file()
        if not have_lock and NPM_DIR.exists():
            shutil.rmtree(NPM_DIR)
        NPM_DIR.mkdir(parents=True, exist_ok=True)
        flags = ["--no-audit", "--no-fund", "--ignore-scripts", "--loglevel=error"]
        if have_lock:  # reproduce exactly what the lockfile says
            _log(log, f"npm ci in {NPM_DIR}")
            subprocess.run([npm, "ci", "--prefix", os.fspath(NPM_DIR), *flags], check=True)
        else:
            _log(log, f"npm install {' '.join(NPM_PINS)} into {NPM_DIR}")
            subprocess.run([npm, "install", "--prefix", os.fspath(NPM_DIR), "--save-exact",
                            *flags, *NPM_PINS], check=True)
        stamp.write_text(wanted)
    return NPM_DIR


def lock_digest() -> str:
    lock = NPM_DIR / "package-lock.json"
    return hashlib.sha256(lock.read_bytes()).hexdigest() if lock.is_file() else "?"


def _log(log: object, message: str) -> None:
    if callable(log):
        log(message)


def _is_text(path: Path) -> bool:
    with open(path, "rb") as f:
        return b"\0" not in f.read(_BINARY_SNIFF)


def build_mirror(name: str, source: Path, mirror: Path, description: str) -> Corpus:
    """Hard-link every text file under ``source`` into ``mirror`` (flat, numbered)."""
    if mirror.exists():
        shutil.rmtree(mirror)
    mirror.mkdir(parents=True)
    index: list[str] = []
    total = 0
    for root, dirs, files in os.walk(source):
        dirs.sort()
        for fname in sorted(files):
            path = Path(root, fname)
            if path.is_symlink() or not path.is_file() or not _is_text(path):
                continue
            # Keep a short extension (".py", ".json"); dotfiles and odd names get none.
            ext = path.suffix if 1 < len(path.suffix) <= 8 else ""
            target = mirror / f"{len(index):06d}{ext}"
            try:
                os.link(path, target)
            except OSError:
                shutil.copyfile(path, target)
            index.append(os.fspath(path.relative_to(source)))
            total += path.stat().st_size
    (mirror.parent / f"{name}-index.tsv").write_text(
        "".join(f"{i:06d}\t{rel}\n" for i, rel in enumerate(index))
    )
    return Corpus(name, source, mirror, len(index), total, description)


def original_path(corpus: Corpus, mirror_name: str) -> str:
    """The installed file behind a mirror file name (for examples in the report)."""
    stem = Path(mirror_name).name[:6]
    index = corpus.mirror.parent / f"{corpus.name}-index.tsv"
    for line in index.read_text().splitlines():
        number, _, rel = line.partition("\t")
        if number == stem:
            return rel
    return mirror_name


def python_versions() -> str:
    out = subprocess.run([os.fspath(CORPUS_VENV / "bin" / "python"), "-m", "pip", "list",
                          "--format", "json", "--disable-pip-version-check"],
                         capture_output=True, text=True, check=False).stdout
    try:
        items = json.loads(out)
    except ValueError:
        return ", ".join(PY_PINS)
    return ", ".join(f"{i['name']}=={i['version']}" for i in items)


def build_corpora(tmp_root: Path, log: object = print) -> list[Corpus]:
    site = ensure_python_corpus(log)
    npm = ensure_npm_corpus(log)
    pins = ", ".join(PY_PINS[:8])
    py_desc = f"site-packages of a venv with {pins} (+ pinned deps, pip, setuptools)"
    npm_desc = (f"node_modules + package-lock.json of {', '.join(NPM_PINS)} "
                f"(lock sha256 {lock_digest()[:16]}…)")
    mirror_root = tmp_root / "mirror"
    # Mirror directory names must not match any tool's path allowlist (gitleaks
    # skips every path with a `node_modules` component, for instance).
    return [
        build_mirror("site-packages", site, mirror_root / "corpus-python", py_desc),
        build_mirror("node_modules", npm, mirror_root / "corpus-npm", npm_desc),
    ]


def select_files(corpora: Sequence[Corpus], fraction: float) -> None:
    """For --quick: keep every n-th file of each mirror (deterministic)."""
    if fraction >= 1:
        return
    step = max(1, round(1 / fraction))
    for corpus in corpora:
        for i, path in enumerate(sorted(corpus.mirror.iterdir())):
            if i % step:
                path.unlink()


def mirror_bytes(corpus: Corpus) -> tuple[int, int]:
    files = list(corpus.mirror.iterdir())
    return len(files), sum(p.stat().st_size for p in files)
