"""Client identifiers: the organisation's own list of things it must not leak.

A `[clients]` config table lists client and project names with aliases,
codenames, people's names, internal domains and customer/account ID
patterns. `ClientDetector` reports them as findings of category "client"
through the engine's `Detector` seam, so policy treats them like any rule.

Matching has to stay fast for lists of 10,000+ names, so every literal
(name, alias, domain) of a list goes into ONE Aho-Corasick automaton run
over a lower-cased copy of the text, and the boundary rules (word edges,
possessives, legal suffixes, subdomains) are checked in Python on the few
hits. Building that automaton for 10,000 names costs tens of milliseconds,
more than a hook process can spare, so large lists are cached on disk:
inline lists keyed by a hash of their content, list files (`files = [...]`)
keyed by path, size and mtime, which also skips parsing the file. ID
patterns are user regexes: they run through the `regex` module with a
timeout on every call.

This module is the detector and its synthetic rules; the list records and
their validation are clientlist.py, the compiled automaton and its cache
clientcache.py. Their public names are re-exported here.
"""
from __future__ import annotations

import re
from collections.abc import Iterator
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from promptguard.clientcache import CACHE_MIN_LITERALS
from promptguard.clientcache import DOMAIN_CODE
from promptguard.clientcache import KEY_CHARS
from promptguard.clientcache import KIND_CODE
from promptguard.clientcache import CompiledList
from promptguard.clientcache import compile_file
from promptguard.clientcache import compile_inline
from promptguard.clientlist import DEFAULT_ID_LABEL
from promptguard.clientlist import KINDS
from promptguard.clientlist import MIN_LITERAL
from promptguard.clientlist import ClientDirectory
from promptguard.clientlist import Entity
from promptguard.clientlist import IdPattern
from promptguard.clientlist import Kind
from promptguard.clientlist import fold
from promptguard.clientlist import is_host_char
from promptguard.clientlist import is_word_char
from promptguard.clientlist import load_clients_file
from promptguard.clientlist import parse_clients
from promptguard.models import Confidence
from promptguard.models import Rule

if TYPE_CHECKING:
    import regex

    from promptguard.engine import Raw

# The public names, including those now defined in clientlist.py (the list
# and its validation) and clientcache.py (the compiled automaton and its
# cache): callers import them from here.
__all__ = [
    "CACHE_MIN_LITERALS",
    "DEFAULT_ID_LABEL",
    "KINDS",
    "MIN_LITERAL",
    "ClientDetector",
    "ClientDirectory",
    "CompiledList",
    "DetectorTimeout",
    "Entity",
    "IdPattern",
    "Kind",
    "build_rules",
    "compile_file",
    "compile_inline",
    "fold",
    "id_rule_id",
    "load_clients_file",
    "parse_clients",
    "rule_ids",
]

# Legal-form suffixes that may follow a client name ("Acme GmbH", "Acme,
# Inc."); they belong to the name, so they are redacted with it. Short
# all-caps forms (AG, SA, AB) are matched case-sensitively: "Acme as a
# client" must not swallow "as". Only abbreviations take their dot: "Acme
# GmbH." ends a sentence, and leaving that dot out keeps one surface form
# per client, which is what restore gives back.
_LEGAL_SUFFIX = r"""
    ,?[ \t]+
    (?: (?: Incorporated | Inc | INC | Ltd | LTD | Corp | CORP | Co | L\.L\.C | e\.V
          | S\.A\.S | S\.A | S\.à\ r\.l | S\.r\.l | S\.p\.A | B\.V | N\.V | Pty\ Ltd | K\.K
          | sp\.\ z\ o\.o
        ) \.?
      | Limited | LIMITED | LLC | LLP | LP | GmbH | GMBH | gGmbH | AG | KGaA | KG | SE | UG
      | SAS | SARL | SA | SRL | Srl | SpA | BV | NV | plc | PLC | Corporation | Company
      | Pty | Oyj | Oy | AB | ASA | AS | A/S | ApS | Group | Holdings
    )
    (?![\w])
"""


# -- synthetic rules --------------------------------------------------------

def _rule(
    rule_id: str,
    name: str,
    description: str,
    placeholder: str,
    style: str,
    source: str,
    confidence: Confidence = "context",
) -> Rule:
    # Dictionary hits are "context" confidence (a name can be an ordinary
    # word too) and all "medium" severity. Where findings overlap, the
    # engine keeps the higher confidence, then severity, then the longer
    # span: among our own the longest wins ("db.acme-internal.net" is one
    # host, not "db." + a client name), and an email or secret rule of at
    # least this rank keeps its whole match ("jane@acme.com" stays one
    # email, not "jane@" + a client).
    return Rule(
        id=rule_id,
        name=name,
        description=description,
        category="client",
        severity="medium",
        confidence=confidence,
        regex="",
        params=(("placeholder", placeholder), ("placeholder_style", style)),
        source=source,
    )


def id_rule_id(label: str) -> str:
    return "client-id" if label == DEFAULT_ID_LABEL else "client-" + label.lower().replace("_", "-")


def rule_ids(ids: Sequence[IdPattern] = ()) -> frozenset[str]:
    """Every rule id the detector can report: the fixed kinds, the default
    ID label's and those of `ids`. Policy may name them before any list
    exists (an org policy written for every project)."""
    return frozenset(
        r.id for r in build_rules((*ids, IdPattern(DEFAULT_ID_LABEL, "")), "").values()
    )


def build_rules(ids: Sequence[IdPattern], src: str) -> dict[str, Rule]:
    """The synthetic rules the detector reports against, by kind or ID label."""
    rules = {
        "client": _rule("client-name", "Client or project name",
                        "A name from the organisation's client list.", "Client", "letters", src),
        "codename": _rule("client-codename", "Internal codename",
                          "A project codename from the organisation's list.",
                          "Project", "letters", src),
        "person": _rule("client-person", "Person's name",
                        "A person's name from the organisation's list.", "Person", "letters", src),
        "domain": _rule("client-domain", "Internal hostname or domain",
                        "A host in one of the organisation's internal domains.",
                        "HOST", "number", src),
    }
    for pattern in ids:
        rules.setdefault(f"id:{pattern.label}", _rule(
            id_rule_id(pattern.label), f"Customer/account ID ({pattern.label})",
            "An identifier matching one of the organisation's ID formats.",
            pattern.label, "number", src, confidence="prefix",
        ))
    return rules


# -- detection -------------------------------------------------------------

class DetectorTimeout(TimeoutError):
    """An ID pattern exceeded the time limit; names the rule, never the text."""

    def __init__(self, rule_id: str, timeout: float) -> None:
        super().__init__(f"client ID pattern timed out after {timeout}s")
        self.rule_id = rule_id


_KINDS = ("client", "codename", "person", "domain")
_RULE_KIND = {"client-name": 0, "client-codename": 1, "client-person": 2}


class ClientDetector:
    """Finds the organisation's client identifiers (an `engine.Detector`).

    The lists are compiled (or read from the cache) on first use, so
    building a detector costs nothing until a text is scanned.
    """

    def __init__(
        self,
        directory: ClientDirectory,
        *,
        regex_timeout: float = 1.0,
        cache_dir: Path | None = None,
    ) -> None:
        self.directory = directory
        self.regex_timeout = regex_timeout
        self.cache_dir = cache_dir
        self._compiled: list[CompiledList] | None = None
        self._rules: dict[str, Rule] | None = None
        self._patterns: list[tuple[Rule, regex.Pattern[str]]] | None = None
        self._suffix: re.Pattern[str] | None = None

    def __repr__(self) -> str:
        return f"ClientDetector({self.directory!r})"

    def _lists(self) -> list[CompiledList]:
        if self._compiled is None:
            compiled = [compile_inline(self.directory, self.cache_dir)]
            compiled.extend(compile_file(f, self.cache_dir) for f in self.directory.files)
            self._compiled = compiled
        return self._compiled

    def _rule_map(self) -> dict[str, Rule]:
        if self._rules is None:
            ids = [p for c in self._lists() for p in c.ids]
            self._rules = build_rules(ids, self.directory.source)
        return self._rules

    @property
    def rules(self) -> Sequence[Rule]:
        return tuple(self._rule_map().values())

    def detect(self, text: str) -> Iterator[Raw]:
        if not text:
            return
        yield from self._literals(text)
        yield from self._ids(text)

    # -- literals ----------------------------------------------------------
    def _literals(self, text: str) -> Iterator[Raw]:
        lists = [c for c in self._lists() if c.automaton is not None]
        if not lists:
            return
        rules = self._rule_map()
        folded = fold(text)
        hits: set[tuple[int, int, int]] = set()
        for compiled in lists:
            for end, index in compiled.automaton.iter(folded):
                for literal, code, exact, _ in compiled.candidates(index):
                    # The hit is the literal's key (its first KEY_CHARS
                    # characters): the literal starts there; check all of it.
                    s = end + 1 - min(len(literal), KEY_CHARS)
                    e = s + len(literal)
                    if not folded.startswith(literal, s):
                        continue
                    if exact is not None and text[s:e] != exact:
                        continue
                    span = (self._domain_span(text, s, e) if code == DOMAIN_CODE
                            else self._name_span(text, s, e, code))
                    if span is not None:
                        hits.add((span[0], span[1], code))
        # Leftmost-longest among our own hits ("Acme Corp." over "Acme"),
        # so the engine only arbitrates against other rules.
        last_end = -1
        for s, e, code in sorted(hits, key=lambda h: (h[0], -h[1], h[2])):
            if s >= last_end:
                last_end = e
                rule = rules[_KINDS[code]]
                yield rule, s, e, rule.confidence

    def _name_span(self, text: str, s: int, e: int, code: int) -> tuple[int, int] | None:
        # Word boundaries, checked only where the literal itself starts or
        # ends with a word character ("S.A." may be followed by anything).
        # A possessive ("Acme's", "Acme’s") passes: the apostrophe is not a
        # word character, and it stays outside the span so it survives.
        if s > 0 and is_word_char(text[s]) and is_word_char(text[s - 1]):
            return None
        if e < len(text) and is_word_char(text[e - 1]) and is_word_char(text[e]):
            return None
        if code == KIND_CODE["client"] and e < len(text) and text[e] in ", \t":
            m = self._suffix_pattern().match(text, e)
            if m is not None:
                e = m.end()
        return s, e

    def _suffix_pattern(self) -> re.Pattern[str]:
        # Our own pattern, not a user's: literals after `,?[ \t]+`, linear
        # time, so the stdlib's faster compile is safe without a timeout.
        if self._suffix is None:
            self._suffix = re.compile(_LEGAL_SUFFIX, re.VERBOSE)
        return self._suffix

    @staticmethod
    def _domain_span(text: str, s: int, e: int) -> tuple[int, int] | None:
        n = len(text)
        if e < n:
            c = text[e]
            # "acme.com" inside "acme.community" or "acme.com.evil.org" is not ours.
            if is_host_char(c) or (c == "." and e + 1 < n and is_host_char(text[e + 1])):
                return None
        dotted = "." in text[s:e]
        if s > 0 and text[s - 1] == ".":
            # A subdomain: take the whole hostname ("db1.corp.acme.com").
            i = s - 1
            while i > 0 and (is_host_char(text[i - 1]) or text[i - 1] == ".") and s - i < 253:
                i -= 1
            while i < s and text[i] in ".-_":
                i += 1
            return i, e
        if s > 0 and is_host_char(text[s - 1]):
            return None
        # A single-label domain ("internal") only counts as a suffix of a host.
        return (s, e) if dotted else None

    # -- ID patterns -------------------------------------------------------
    def _ids(self, text: str) -> Iterator[Raw]:
        if self._patterns is None:
            import regex

            rules = self._rule_map()
            self._patterns = [
                (rules[f"id:{p.label}"], regex.compile(p.regex))
                for c in self._lists() for p in c.ids
            ]
        for rule, pattern in self._patterns:
            try:
                spans = [m.span() for m in pattern.finditer(text, timeout=self.regex_timeout)]
            except TimeoutError:
                raise DetectorTimeout(rule.id, self.regex_timeout) from None
            for s, e in spans:
                if s < e:
                    yield rule, s, e, rule.confidence

    # -- grouping ----------------------------------------------------------
    def identity(self, rule_id: str, value: str) -> str | None:
        """What a matched value stands for, so every alias shares one pseudonym.

        "Acme", "ACME Inc." and "acme corp's" all name the client "Acme
        Corp"; hostnames compare case-insensitively. None for rules that
        are not ours (and for ID rules: the value is its own identity).
        """
        resolved = self._resolve(rule_id, value)
        return None if resolved is None else resolved[0]

    def canonical(self, rule_id: str, value: str) -> str | None:
        """The configured name of the entity `value` spells ("Acme Corp" for
        "ACME Inc."), which restore gives back; None when the value is not a
        listed entity's (hosts, IDs, other rules)."""
        resolved = self._resolve(rule_id, value)
        return None if resolved is None else resolved[1]

    def _resolve(self, rule_id: str, value: str) -> tuple[str, str | None] | None:
        if rule_id == "client-domain":
            return f"domain:{fold(value)}", None
        code = _RULE_KIND.get(rule_id)
        if code is None:
            return None
        kind = _KINDS[code]
        # The span may carry a legal suffix the list does not ("Acme GmbH").
        candidates = [value]
        m = self._suffix_pattern().search(value)
        if m is not None and m.end() == len(value):
            candidates.append(value[: m.start()])
        for candidate in candidates:
            key = fold(candidate)
            for compiled in self._lists():
                for _, entry_code, exact, canonical in compiled.lookup(key):
                    if entry_code == code and exact in (None, candidate):
                        return f"{kind}:{canonical}", canonical
        return f"{kind}:{fold(value)}", None
