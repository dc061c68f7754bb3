"""The package version, in a module of its own.

Modules the package root imports (ruleset.py keys its cache on it) can read
it from here without importing `promptguard` itself; pyproject.toml reads
it too ([tool.hatch.version]), so there is one place to bump.
"""
from __future__ import annotations

__version__ = "0.1.0"
