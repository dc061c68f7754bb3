"""promptguard: keep secrets, PII and client identifiers out of AI prompts.

The library is the product; the CLI, pre-commit hook, agent hooks,
clipboard daemon and gateway are thin adapters over `Scanner`.
"""
from __future__ import annotations

import functools
from collections.abc import Sequence
from pathlib import Path

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
from promptguard.redact import Redactor
from promptguard.redact import redact
from promptguard.redact import restore
from promptguard.ruleset import RuleSet
from promptguard.ruleset import default_cache_dir
from promptguard.ruleset import load_ruleset

__version__ = "0.1.0"

# `redact` and `restore` are imported eagerly above, before anything can
# import the promptguard.redact module another way: a submodule's first
# import sets the package attribute of the same name, so only this order
# leaves `promptguard.redact` the function. Import the module's other names
# with `from promptguard.redact import ...` (`import promptguard.redact as
# m` gives the function).

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
    "default_scanner",
    "load_ruleset",
    "redact",
    "restore",
    "scan",
]


@functools.lru_cache(maxsize=1)
def default_scanner() -> Scanner:
    """A Scanner over the built-in rules (immutable, so safe to share)."""
    cache_dir = default_cache_dir()
    return Scanner(load_ruleset(cache_dir=cache_dir), ScanSettings(cache_dir=cache_dir))


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
