"""The guard's records: the options a surface adds, the verdict it gets back.

`promptguard.guard` re-exports them; they live here because that module
postpones annotations and these must not: NamedTuple compiles each string
annotation at import (~2 ms for these 24 fields, on every hook start).
"""
# ruff: noqa: I002
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from typing import NamedTuple

from promptguard.models import Action
from promptguard.models import Diagnostic
from promptguard.models import Finding
from promptguard.sources import Note

if TYPE_CHECKING:
    from promptguard.redaction import Replacement

_RANK = {"allow": 0, "warn": 1, "redact": 2, "block": 3}


class GuardOptions(NamedTuple):
    """What a surface's command line (or caller) adds to the config."""

    rules: tuple[Path, ...] = ()
    builtin_rules: bool = True
    backend: str = "auto"
    regex_timeout: float = 1.0
    # Client-list files added to the config's [clients] tables.
    clients: tuple[Path, ...] = ()
    # A project config to use instead of discovering one.
    config: Path | None = None
    profile: str | None = None
    # Baselines to apply instead of the project's own.
    baselines: tuple[Path, ...] = ()
    use_baselines: bool = True
    audit: bool = True


class Decision(NamedTuple):
    finding: Finding
    action: Action
    # "policy", or why it was accepted: "baseline", "allowlist.paths", ...
    reason: str = "policy"


class Verdict(NamedTuple):
    """What the guard made of one input. Never holds a secret's value."""

    source: str
    action: Action
    decisions: tuple[Decision, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    notes: tuple[Note, ...] = ()
    # A detector did not finish: the input may hold more than was found.
    failed: bool = False
    # redact(): the redacted text (findings left in place are still in it).
    text: str | None = None
    replacements: tuple["Replacement", ...] = ()
    # False when the input was skipped (binary content) rather than scanned.
    scanned: bool = True

    def __repr__(self) -> str:
        chars = "None" if self.text is None else f"<{len(self.text)} chars>"
        return (f"Verdict(source={self.source!r}, action={self.action!r}, "
                f"decisions={self.decisions!r}, failed={self.failed!r}, text={chars})")

    def _with(self, action: str) -> list[Decision]:
        return [d for d in self.decisions if d.action == action]

    @property
    def blocking(self) -> list[Decision]:
        return self._with("block")

    @property
    def redacting(self) -> list[Decision]:
        return self._with("redact")

    @property
    def warnings(self) -> list[Decision]:
        return self._with("warn")

    @property
    def findings(self) -> list[Finding]:
        """Findings the policy acted on (accepted ones left out)."""
        return [d.finding for d in self.decisions if d.reason == "policy"]

    def summary(self, *, limit: int = 20) -> str:
        """One line per acted-on finding: rule, name, masked preview, line."""
        lines = [
            f"{d.action}: {d.finding.rule_id}: {d.finding.rule_name} {d.finding.preview} "
            f"(line {d.finding.line})"
            for d in self.decisions if d.reason == "policy" and d.action != "allow"
        ]
        if len(lines) > limit:
            lines[limit:] = [f"... and {len(lines) - limit} more"]
        if self.failed:
            lines.append("scan incomplete: " + "; ".join(
                f"{d.rule_id}: {d.message}" for d in self.diagnostics))
        return "\n".join(lines)


def strongest(actions: Iterable[str]) -> Action:
    best: Action = "allow"
    for a in actions:
        if _RANK[a] > _RANK[best]:
            best = a  # type: ignore[assignment]
    return best
