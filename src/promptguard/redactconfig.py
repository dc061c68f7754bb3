"""Redaction settings: the `[redaction]` config table, validated and merged."""
# ruff: noqa: I002
# No postponed annotations: NamedTuple would compile each string annotation
# at import (a hook that redacts imports this module on every start).

from collections.abc import Iterable
from collections.abc import Mapping
from typing import Any
from typing import NamedTuple

from promptguard.errors import ConfigError
from promptguard.models import CATEGORIES

DEFAULT_RESTORABLE: frozenset[str] = frozenset({"pii", "client"})
DEFAULT_TTL_HOURS = 7 * 24
_REDACTION_KEYS = {"restorable", "ttl_hours"}


class RedactionSettings(NamedTuple):
    # Categories whose values the vault keeps so `restore` can put them back.
    restorable: frozenset[str] = DEFAULT_RESTORABLE
    # A session's vault is deleted this long after its last use.
    ttl_hours: float = DEFAULT_TTL_HOURS
    # Re-scan after replacing, up to this many times, until nothing the
    # caller wants redacted is left (a replacement can end a match that
    # was hiding a shorter, overlapping one).
    max_passes: int = 4

    @property
    def ttl(self) -> float:
        return self.ttl_hours * 3600.0


DEFAULT_SETTINGS = RedactionSettings()


def parse_redaction(raw: Mapping[str, Any], source: str) -> RedactionSettings:
    """Validate a `[redaction]` table; errors name the file and dotted key.

    `source` names the file and the table, e.g. "promptguard.toml: redaction".

    ```toml
    [redaction]
    restorable = ["pii", "client"]   # secrets and credentials stay one-way
    ttl_hours = 168                  # vault lifetime after last use
    ```
    """
    if not isinstance(raw, Mapping):
        raise ConfigError(f"{source}: must be a table")
    unknown = set(raw) - _REDACTION_KEYS
    if unknown:
        raise ConfigError(f"{source}.{sorted(unknown)[0]}: unknown key "
                          f"(expected one of: {', '.join(sorted(_REDACTION_KEYS))})")
    restorable = raw.get("restorable", sorted(DEFAULT_RESTORABLE))
    if not isinstance(restorable, list) or not all(c in CATEGORIES for c in restorable):
        raise ConfigError(
            f"{source}.restorable: must be a list of categories ({', '.join(CATEGORIES)})",
        )
    ttl = raw.get("ttl_hours", DEFAULT_TTL_HOURS)
    if isinstance(ttl, bool) or not isinstance(ttl, (int, float)) or not ttl > 0:
        raise ConfigError(f"{source}.ttl_hours: must be a positive number")
    return RedactionSettings(restorable=frozenset(restorable), ttl_hours=float(ttl))


def settings_from_tables(tables: Iterable[tuple[str, Mapping[str, Any]]]) -> RedactionSettings:
    """Merge `[redaction]` tables given lowest precedence first (config.Config.redaction)."""
    merged: dict[str, Any] = {}
    for path, raw in tables:
        parse_redaction(raw, f"{path}: redaction")  # errors name the file that has them
        merged.update(raw)
    return parse_redaction(merged, "redaction")
