"""Redaction with consistent, reversible pseudonyms, and restoring them.

`Redactor.redact(text)` replaces findings with typed placeholders and
records them in a `Vault`:

* secrets and PII: `<AWS_ACCESS_KEY_ID_1>`, `<EMAIL_1>`, `<CARD_1>`, named after
  the rule (or its `placeholder` param);
* client identifiers: `Client A`, `Person A`, `Project A` (A..Z, AA, AB...),
  one per client whatever alias or case was written; hosts `<HOST_1>`,
  account IDs `<ACCOUNT_ID_1>` (the ID pattern's label).

Within a vault the same value always gets the same placeholder and two
values never share one. A placeholder that already appears in the text is
never issued, and restore only replaces placeholders the vault issued, so
ordinary text that happens to say "Client A" is left alone. Redacting is
idempotent: placeholders are not findings, and known placeholders in the
input are protected from every rule.

Values of the categories in `RedactionSettings.restorable` (PII and client
identifiers by default) are kept in the vault so `restore` can put them
back; the others (secrets, credentials) are one-way: the vault keeps only a
keyed hash, enough to hand the same key the same placeholder next time.

This module is the Redactor and the library shortcuts; placeholder shapes
are placeholders.py, the [redaction] settings redactconfig.py, restoring
restoring.py. Their public names are re-exported here.
"""
from __future__ import annotations

import functools
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import NamedTuple

from promptguard.errors import PromptguardError
from promptguard.models import Category
from promptguard.models import Finding
from promptguard.placeholders import LETTER_PREFIXES
from promptguard.placeholders import Style
from promptguard.placeholders import label_for
from promptguard.placeholders import letters
from promptguard.placeholders import placeholder_pattern
from promptguard.placeholders import render
from promptguard.redactconfig import DEFAULT_RESTORABLE
from promptguard.redactconfig import DEFAULT_SETTINGS
from promptguard.redactconfig import DEFAULT_TTL_HOURS
from promptguard.redactconfig import RedactionSettings
from promptguard.redactconfig import parse_redaction
from promptguard.redactconfig import settings_from_tables
from promptguard.restoring import Restorer
from promptguard.restoring import StreamRestorer

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Protocol

    from promptguard.clients import ClientDirectory
    from promptguard.engine import Diagnostic
    from promptguard.engine import Scanner
    from promptguard.vault import Entry
    from promptguard.vault import Vault


# The public names, including those now defined in placeholders.py,
# redactconfig.py ([redaction] settings) and restoring.py: callers import
# them from here.
__all__ = [
    "DEFAULT_RESTORABLE",
    "DEFAULT_SETTINGS",
    "DEFAULT_TTL_HOURS",
    "LETTER_PREFIXES",
    "IncompleteRedaction",
    "Redaction",
    "RedactionSettings",
    "Redactor",
    "Replacement",
    "Restorer",
    "StreamRestorer",
    "Style",
    "label_for",
    "letters",
    "parse_redaction",
    "placeholder_pattern",
    "redact",
    "render",
    "restore",
    "settings_from_tables",
]


class IncompleteRedaction(PromptguardError):
    """Some detector did not finish; the text may still hold what it missed."""


# -- results ----------------------------------------------------------------------

class Replacement(NamedTuple):
    """One replaced finding; never the value it replaced.

    The finding's span refers to the text of the pass that found it.
    """

    finding: Finding
    placeholder: str
    restorable: bool

    @property
    def rule_id(self) -> str:
        return self.finding.rule_id

    @property
    def category(self) -> Category:
        return self.finding.category


class Redaction(NamedTuple):
    text: str
    replacements: tuple[Replacement, ...] = ()
    # Findings the caller chose not to redact, with spans in `text`.
    kept: tuple[Finding, ...] = ()
    # Rules that did not finish (regex timeouts): the text may hold more.
    diagnostics: tuple[Diagnostic, ...] = ()

    def __repr__(self) -> str:
        # Not the text: findings left in place (policy "warn") are still in it.
        return (f"Redaction(chars={len(self.text)}, replacements={self.replacements!r}, "
                f"kept={self.kept!r}, diagnostics={self.diagnostics!r})")

    @property
    def complete(self) -> bool:
        return not self.diagnostics


if TYPE_CHECKING:
    class Grouping(Protocol):
        """A detector that knows which matches name the same thing.

        `ClientDetector.identity` maps "Acme", "ACME Inc." and "acme's" to
        one client, so they share one pseudonym; None: "not one of mine".
        """

        def identity(self, rule_id: str, value: str) -> str | None: ...

        def canonical(self, rule_id: str, value: str) -> str | None:
            """The name restore gives back for the group (None: `value`)."""


def _everything(finding: Finding) -> bool:
    return True


def _overlaps(f: Finding, spans: Sequence[tuple[int, int]]) -> bool:
    return any(f.start < e and s < f.end for s, e in spans)


# -- redacting --------------------------------------------------------------------

class Redactor:
    """Scanner + vault: redact text, restore answers, stream-restore output.

    Long-lived by design (daemon, gateway); `should_redact` picks the
    findings to replace (default: all), e.g. those the policy says to
    redact or block on the caller's surface.
    """

    def __init__(
        self,
        scanner: Scanner,
        vault: Vault,
        settings: RedactionSettings = DEFAULT_SETTINGS,
        *,
        should_redact: Callable[[Finding], bool] | None = None,
        screen: Callable[[str, Sequence[Finding]], list[Finding]] | None = None,
    ) -> None:
        self.scanner = scanner
        # Drops findings the caller's config accepts (allowlists, baselines);
        # it sees each pass's text, since spans refer to it.
        self.screen = screen
        self.vault = vault
        self.settings = settings
        self.should_redact = should_redact if should_redact is not None else _everything
        self.restorer = Restorer(vault)
        self._rules = scanner.rule_index()
        # Duck-typed (a runtime Protocol check costs import time for nothing).
        self._groupings: list[Grouping] = [
            d for d in scanner.detectors  # type: ignore[misc]
            if callable(getattr(d, "identity", None))
        ]

    def __repr__(self) -> str:
        return f"Redactor({self.vault!r}, restorable={sorted(self.settings.restorable)})"

    def restore(self, text: str) -> str:
        return self.restorer.restore(text)

    def stream(self) -> StreamRestorer:
        return self.restorer.stream()

    def redact(self, text: str) -> Redaction:
        replacements: list[Replacement] = []
        diagnostics: list[Diagnostic] = []
        kept: list[Finding] = []
        current = text
        with self.vault.transaction():
            for attempt in range(self.settings.max_passes + 1):
                result = self.scanner.run(current)
                diagnostics.extend(d for d in result.diagnostics if d not in diagnostics)
                protected = self._placeholders_in(current)
                chosen: list[Finding] = []
                kept = []
                found = result.findings
                if self.screen is not None:
                    found = self.screen(current, found)
                for f in found:
                    if _overlaps(f, protected):
                        continue  # a placeholder we issued is never a finding
                    (chosen if self.should_redact(f) else kept).append(f)
                if not chosen:
                    break
                if attempt == self.settings.max_passes:
                    from promptguard.engine import Diagnostic

                    diagnostics.append(Diagnostic(
                        chosen[0].rule_id,
                        f"{len(chosen)} finding(s) still present after "
                        f"{self.settings.max_passes} redaction passes",
                    ))
                    break
                current = self._replace(current, chosen, replacements)
        return Redaction(current, tuple(replacements), tuple(kept), tuple(diagnostics))

    def _placeholders_in(self, text: str) -> list[tuple[int, int]]:
        return [
            m.span() for m in self.restorer.pattern().finditer(text)
            if self.vault.get(m.group()) is not None
        ]

    def _replace(self, text: str, findings: Iterable[Finding], out: list[Replacement]) -> str:
        pieces: list[str] = []
        pos = 0
        # Findings come sorted and non-overlapping (the engine resolves overlaps).
        for f in findings:
            entry = self._issue(f, text[f.start:f.end], text)
            pieces.append(text[pos:f.start])
            pieces.append(entry.placeholder)
            pos = f.end
            out.append(Replacement(f, entry.placeholder, entry.restorable))
        pieces.append(text[pos:])
        return "".join(pieces)

    def _identity(self, f: Finding, value: str) -> tuple[str, str | None]:
        """The identity the placeholder stands for, and the group's
        configured name (a listed client's), if it has one."""
        for grouping in self._groupings:
            identity = grouping.identity(f.rule_id, value)
            if identity is not None:
                canonical = getattr(grouping, "canonical", None)
                # A NUL prefix keeps group identities apart from raw values.
                return "\0" + identity, (
                    canonical(f.rule_id, value) if canonical is not None else None
                )
        return value, None

    def _issue(self, f: Finding, value: str, text: str) -> Entry:
        prefix, style = label_for(self._rules.get(f.rule_id), f.rule_id)
        identity, canonical = self._identity(f, value)
        return self.vault.issue(
            identity=identity,
            canonical=canonical,
            value=value,
            rule_id=f.rule_id,
            category=f.category,
            restorable=f.category in self.settings.restorable,
            prefix=prefix,
            render=functools.partial(render, prefix, style),
            taken=text.__contains__,
        )


# -- library shortcuts --------------------------------------------------------------

def _scanner(clients: ClientDirectory | None, rules: Sequence[Path]) -> Scanner:
    from promptguard import default_scanner

    if (clients is None or clients.empty) and not rules:
        return default_scanner()
    from promptguard.guard import GuardOptions
    from promptguard.guard import build_scanner

    return build_scanner(GuardOptions(rules=tuple(rules)), directory=clients)


def redact(
    text: str,
    *,
    session: str | None = None,
    vault: Vault | None = None,
    clients: ClientDirectory | None = None,
    rules: Sequence[Path] = (),
    scanner: Scanner | None = None,
    settings: RedactionSettings = DEFAULT_SETTINGS,
    should_redact: Callable[[Finding], bool] | None = None,
) -> str:
    """`text` with findings replaced by placeholders recorded in a vault.

    The vault is `vault`, else the named session's on disk (today's by
    default); the scanner is `scanner`, else the built-in rules plus
    `rules` packs and the `clients` list. Raises IncompleteRedaction rather
    than return text a rule could not finish scanning.
    """
    if vault is None:
        from promptguard.vault import Vault

        vault = Vault.open(session, ttl=settings.ttl)
    if scanner is None:
        scanner = _scanner(clients, rules)
    result = Redactor(scanner, vault, settings, should_redact=should_redact).redact(text)
    if not result.complete:
        raise IncompleteRedaction(
            "redaction incomplete: " + "; ".join(f"{d.rule_id}: {d.message}"
                                                 for d in result.diagnostics),
        )
    return result.text


def restore(text: str, *, session: str | None = None, vault: Vault | None = None) -> str:
    """`text` with the vault's placeholders replaced by their original values."""
    if vault is None:
        from promptguard.vault import Vault

        vault = Vault.open(session)
    return Restorer(vault).restore(text)
