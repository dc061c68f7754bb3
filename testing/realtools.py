"""Finding the real programs the integration tests drive.

`.ci/run` installs them (system packages, pinned npm CLIs under
$PROMPTGUARD_CI_TOOLS). On a developer machine without them the tests skip
with the install hint; under CI=true a missing one fails the test, so a
green CI run never hides an integration test that did not run.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

# Read at import, before tests/conftest.py points HOME at a temporary folder.
_DEFAULT_TOOLS = Path(os.environ.get("PROMPTGUARD_CI_TOOLS")
                      or Path.home() / ".cache" / "promptguard-ci")


def tools_dir() -> Path:
    return Path(os.environ.get("PROMPTGUARD_CI_TOOLS") or _DEFAULT_TOOLS)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def missing(what: str, hint: str) -> None:
    """Skip (locally) or fail (CI) because `what` is not installed."""
    message = f"needs {what} ({hint})"
    if in_ci():
        pytest.fail(f"{message}; .ci/run should have installed it", pytrace=False)
    pytest.skip(message)


def which(name: str, hint: str) -> str:
    """A program on PATH, or skip/fail."""
    found = shutil.which(name)
    if found is None:
        missing(name, hint)
    assert found is not None
    return found


def npm_bin(package_dir: str, name: str, hint: str) -> Path:
    """A CLI installed by `.ci/install.d` with npm_install into tools_dir()/package_dir."""
    path = tools_dir() / package_dir / "node_modules" / ".bin" / name
    if not path.exists():
        missing(str(path), hint)
    return path
