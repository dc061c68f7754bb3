"""promptguard: keep secrets, PII and client identifiers out of AI prompts.

The library is the product; the CLI, pre-commit hook, agent hooks,
clipboard daemon and gateway are thin adapters over `Scanner`.
"""
from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from promptguard._version import __version__
from promptguard.dirs import cache_dir as default_cache_dir
from promptguard.engine import Diagnostic
from promptguard.engine import Scanner
from promptguard.engine import ScanResult
from promptguard.engine import ScanSettings
from promptguard.errors import ConfigError
from promptguard.errors import InputError
from promptguard.errors import PromptguardError
from promptguard.errors import RuleError
from promptguard.models import Finding
from promptguard.models import Rule
from promptguard.ruleset import RuleSet
from promptguard.ruleset import load_ruleset

__all__ = [
    "ConfigError",
    "Diagnostic",
    "Finding",
    "InputError",
    "PromptguardError",
    "Redactor",
    "Rule",
    "RuleError",
    "RuleSet",
    "ScanResult",
    "ScanSettings",
    "Scanner",
    "__version__",
    "default_scanner",
    "load_ruleset",
    "redact",
    "restore",
    "scan",
]


if TYPE_CHECKING:
    from promptguard.redaction import Redactor
    from promptguard.redaction import redact
    from promptguard.redaction import restore


def __getattr__(name: str) -> object:
    # Redaction is exported lazily (PEP 562): hooks that only scan should not
    # pay for importing it.
    if name in ("Redactor", "redact", "restore"):
        from promptguard import redaction

        return getattr(redaction, name)
    raise AttributeError(f"module 'promptguard' has no attribute {name!r}")


@functools.lru_cache(maxsize=1)
def default_scanner() -> Scanner:
    """A Scanner over the built-in rules (immutable, so safe to share)."""
    from promptguard.guard import GuardOptions
    from promptguard.guard import build_scanner

    return build_scanner(GuardOptions())


def scan(
    text: str,
    *,
    rules: Sequence[Path] = (),
    settings: ScanSettings | None = None,
) -> list[Finding]:
    """Findings in `text` with the built-in rules plus any extra packs."""
    if not rules and settings is None:
        return default_scanner().scan(text)
    settings = settings or ScanSettings(cache_dir=default_cache_dir())
    return Scanner(load_ruleset(rules, cache_dir=settings.cache_dir), settings).scan(text)
