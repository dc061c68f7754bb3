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
"""
from __future__ import annotations

import functools
import re
from collections.abc import Callable
from collections.abc import Iterable
from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import Any
from typing import Literal
from typing import NamedTuple

from promptguard.errors import ConfigError
from promptguard.errors import PromptguardError
from promptguard.models import CATEGORIES
from promptguard.models import Category
from promptguard.models import Finding
from promptguard.models import Rule

if TYPE_CHECKING:
    from pathlib import Path
    from typing import Protocol

    from promptguard.clients import ClientDirectory
    from promptguard.engine import Diagnostic
    from promptguard.engine import Scanner
    from promptguard.vault import Entry
    from promptguard.vault import Vault

Style = Literal["number", "letters"]
DEFAULT_RESTORABLE: frozenset[str] = frozenset({"pii", "client"})
DEFAULT_TTL_HOURS = 7 * 24
# Letter-style prefixes restore always recognises (the client rules' own).
LETTER_PREFIXES = ("Client", "Person", "Project")
# Placeholder size limits: they bound what the stream restorer holds back.
_MAX_LABEL = 64
_MAX_DIGITS = 7
_MAX_LETTERS = 4
# Patterns as strings: re caches them on first use, so importing this
# module (which `import promptguard` does) compiles nothing.
_LABEL = rf"[A-Z0-9][A-Z0-9_]{{0,{_MAX_LABEL - 1}}}"
_LETTER_PREFIX = r"[A-Z][a-z]{1,15}"
# Well-known kinds get the short labels people expect, whatever the rule id.
_KNOWN_LABELS = (("email", "EMAIL"), ("card", "CARD"), ("phone", "PHONE"), ("iban", "IBAN"))
_REDACTION_KEYS = {"restorable", "ttl_hours"}


class IncompleteRedaction(PromptguardError):
    """Some detector did not finish; the text may still hold what it missed."""


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


# -- placeholders -------------------------------------------------------------

def letters(n: int) -> str:
    """1 -> A, 26 -> Z, 27 -> AA, 28 -> AB (bijective base 26)."""
    out = ""
    while n > 0:
        n, r = divmod(n - 1, 26)
        out = chr(ord("A") + r) + out
    return out


def render(prefix: str, style: Style, n: int) -> str:
    return f"{prefix} {letters(n)}" if style == "letters" else f"<{prefix}_{n}>"


def label_for(rule: Rule | None, rule_id: str) -> tuple[str, Style]:
    """The placeholder prefix and style for a rule's findings.

    A rule may choose with `params = { placeholder = "EMAIL" }` (and
    `placeholder_style = "letters"` for "Client A"-style names); otherwise
    the rule id names it: aws-access-key -> <AWS_ACCESS_KEY_1>.
    """
    if rule is not None:
        custom = rule.param("placeholder", "")
        if isinstance(custom, str) and custom:
            if rule.param("placeholder_style", "number") == "letters":
                if re.fullmatch(_LETTER_PREFIX, custom):
                    return custom, "letters"
            elif re.fullmatch(_LABEL, custom):
                return custom, "number"
    words = rule_id.split("-")
    for word, label in _KNOWN_LABELS:
        if word in words:
            return label, "number"
    return rule_id.upper().replace("-", "_")[:_MAX_LABEL], "number"


@functools.lru_cache(maxsize=32)
def placeholder_pattern(prefixes: frozenset[str]) -> re.Pattern[str]:
    """Every string shaped like a placeholder with one of these letter prefixes.

    Only a shape: whether a match IS a placeholder is the vault's call.
    Letter placeholders need word boundaries and exact case ("Client A's"
    matches; "Client Alpha" and "the client a day" do not).
    """
    alternatives = "|".join(re.escape(p) for p in sorted(prefixes, key=len, reverse=True))
    bracket = rf"<[A-Z0-9][A-Z0-9_]{{0,{_MAX_LABEL - 1}}}_[0-9]{{1,{_MAX_DIGITS}}}>"
    named = rf"(?<!\w)(?:{alternatives}) [A-Z]{{1,{_MAX_LETTERS}}}(?!\w)"
    return re.compile(f"{bracket}|{named}" if alternatives else bracket)


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


def _everything(finding: Finding) -> bool:
    return True


def _overlaps(f: Finding, spans: Sequence[tuple[int, int]]) -> bool:
    return any(f.start < e and s < f.end for s, e in spans)


# -- restoring --------------------------------------------------------------------

class Restorer:
    """Puts a vault's restorable values back in place of their placeholders."""

    def __init__(self, vault: Vault) -> None:
        self.vault = vault

    def __repr__(self) -> str:
        return f"Restorer({self.vault!r})"

    def prefixes(self) -> frozenset[str]:
        known = {p for p in self.vault.prefixes() if re.fullmatch(_LETTER_PREFIX, p)}
        return frozenset(known.union(LETTER_PREFIXES))

    def pattern(self) -> re.Pattern[str]:
        return placeholder_pattern(self.prefixes())

    def restore(self, text: str) -> str:
        return self.restore_counted(text)[0]

    def restore_counted(self, text: str) -> tuple[str, int, int]:
        """The restored text, how many placeholders were restored, and how
        many known placeholders stayed because they are one-way."""
        self.vault.refresh()  # another process may have added entries
        return self._restore(text, 0)

    def _restore(self, text: str, pos: int) -> tuple[str, int, int]:
        out: list[str] = []
        last = pos
        restored = one_way = 0
        for m in self.pattern().finditer(text, pos):
            entry = self.vault.get(m.group())
            if entry is None:
                continue  # shaped like a placeholder, but not one we issued
            if entry.value is None:
                one_way += 1
                continue
            out.append(text[last:m.start()])
            out.append(entry.value)
            last = m.end()
            restored += 1
        out.append(text[last:])
        return "".join(out), restored, one_way

    def stream(self) -> StreamRestorer:
        self.vault.refresh()
        return StreamRestorer(self)


class StreamRestorer:
    """Restore for streamed output (the gateway): placeholders may be split.

    `feed(chunk)` returns what can be emitted now and holds back a tail that
    could still become a placeholder ("<EMA", "Client", "Client A" before
    the next character shows whether a word continues); `flush()` returns
    the rest. The concatenated output equals `restore` of the whole text.
    """

    def __init__(self, restorer: Restorer) -> None:
        self._restorer = restorer
        self._prefixes = sorted(restorer.prefixes())
        self._pattern = restorer.pattern()
        self._hold = max(_MAX_LABEL + _MAX_DIGITS + 3,
                         max((len(p) for p in self._prefixes), default=0) + _MAX_LETTERS + 2)
        self._buf = ""
        # The last character already emitted: a placeholder must not
        # continue a word, even across a chunk boundary.
        self._prev = ""

    def __repr__(self) -> str:
        return f"StreamRestorer(held={len(self._buf)})"

    def feed(self, chunk: str) -> str:
        buf = self._buf + chunk
        cut = self._hold_from(buf)
        out = self._emit(buf[:cut])
        self._buf = buf[cut:]
        return out

    def flush(self) -> str:
        out = self._emit(self._buf)
        self._buf = ""
        return out

    def _emit(self, text: str) -> str:
        if not text:
            return ""
        # The previous character is look-behind context only, not output.
        out = self._restorer._restore(self._prev + text, len(self._prev))[0]
        self._prev = text[-1]
        return out

    def _could_start(self, buf: str, i: int) -> bool:
        c = buf[i]
        if c == "<":
            return re.fullmatch(rf"<[A-Z0-9_]{{0,{_MAX_LABEL + _MAX_DIGITS}}}", buf[i:]) is not None
        before = buf[i - 1] if i else self._prev
        if before and (before.isalnum() or before == "_"):
            return False
        tail = buf[i:]
        for prefix in self._prefixes:
            if prefix.startswith(tail):
                return True
            if tail.startswith(prefix + " "):
                rest = tail[len(prefix) + 1:]
                if len(rest) <= _MAX_LETTERS and all("A" <= ch <= "Z" for ch in rest):
                    return True
        return False

    def _hold_from(self, buf: str) -> int:
        n = len(buf)
        for i in range(max(0, n - self._hold), n):
            if self._could_start(buf, i):
                return i
        return n


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

    def _identity(self, f: Finding, value: str) -> str:
        for grouping in self._groupings:
            identity = grouping.identity(f.rule_id, value)
            if identity is not None:
                # A NUL prefix keeps group identities apart from raw values.
                return "\0" + identity
        return value

    def _issue(self, f: Finding, value: str, text: str) -> Entry:
        prefix, style = label_for(self._rules.get(f.rule_id), f.rule_id)
        return self.vault.issue(
            identity=self._identity(f, value),
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
    from promptguard.engine import Scanner
    from promptguard.engine import ScanSettings
    from promptguard.ruleset import default_cache_dir
    from promptguard.ruleset import load_ruleset

    if (clients is None or clients.empty) and not rules:
        return default_scanner()
    from promptguard.clients import ClientDetector

    cache_dir = default_cache_dir()
    settings = ScanSettings(cache_dir=cache_dir)
    detectors = [] if clients is None or clients.empty else [
        ClientDetector(clients, regex_timeout=settings.regex_timeout, cache_dir=cache_dir),
    ]
    return Scanner(load_ruleset(rules, cache_dir=cache_dir), settings, detectors)


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
