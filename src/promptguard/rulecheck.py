"""`promptguard rules check`: every rule proves itself on its own examples."""
from __future__ import annotations

from collections.abc import Callable
from collections.abc import Iterator
from collections.abc import Sequence
from pathlib import Path
from typing import Literal
from typing import NamedTuple

from promptguard.engine import Scanner
from promptguard.engine import ScanSettings
from promptguard.errors import RuleError
from promptguard.models import Rule
from promptguard.ruleset import RuleSet
from promptguard.ruleset import parse_pack


class Problem(NamedTuple):
    level: Literal["error", "warning"]
    source: str
    rule_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.source}: {self.rule_id}: {self.level}: {self.message}"


def _preview(example: str) -> str:
    # Examples are fake, but they are still secret-shaped: keep reports short.
    first = example.strip().splitlines()[0] if example.strip() else ""
    return first[:24] + ("…" if len(first) > 24 else "")


def check_rule(rule: Rule, settings: ScanSettings = ScanSettings()) -> Iterator[Problem]:
    def problem(level: Literal["error", "warning"], message: str) -> Problem:
        return Problem(level, rule.source, rule.id, message)

    scanner = Scanner(RuleSet.from_rules([rule]), settings)
    if not rule.examples:
        yield problem("error", "no examples")
    if not rule.negative_examples:
        yield problem("error", "no negative_examples")
    if not rule.references:
        yield problem("warning", "no references")
    for i, example in enumerate(rule.examples):
        if not any(f.rule_id == rule.id for f in scanner.scan(example)):
            yield problem("error", f"examples[{i}] ({_preview(example)!r}) is not found")
    for i, example in enumerate(rule.negative_examples):
        if any(f.rule_id == rule.id for f in scanner.scan(example)):
            yield problem("error", f"negative_examples[{i}] ({_preview(example)!r}) is found")
    if rule.prefilter is not None:
        yield from _check_prefilter(rule, problem)
    lowered = [e.lower() for e in rule.examples]
    for kw in rule.keywords:
        if not any(kw in e for e in lowered):
            yield problem("error", f"keyword {kw!r} occurs in no example")


def _check_prefilter(rule: Rule, problem: Callable[[Literal["error", "warning"], str], Problem],
                     ) -> Iterator[Problem]:
    """A rule's `prefilter` must match inside every match of its regex
    (checked on the examples, with `regex`: the syntax both engines read).

    An always-run rule's prefilter may also read the one character either
    side of the match: as a trigger it only picks the line of each end it
    reports, and an end one past the match is still on that line (or just
    after its newline). A gate must stay inside: it is checked against
    window edges.
    """
    import regex

    try:
        prefilter = regex.compile(rule.prefilter or "")
    except regex.error as e:
        yield problem("error", f"prefilter does not compile: {e}")
        return
    pattern = regex.compile(rule.regex)
    reach = 1 if rule.always_run else 0
    for i, example in enumerate(rule.examples):
        for m in pattern.finditer(example):
            start, end = max(0, m.start() - reach), min(len(example), m.end() + reach)
            if prefilter.search(example, start, end) is None:
                yield problem("error", f"examples[{i}] ({_preview(example)!r}): a match "
                                       "holds no prefilter match")
                break


def check_packs(files: Sequence[Path], focus: Sequence[Path] = ()) -> tuple[int, list[Problem]]:
    """Check every pack, reporting each broken file instead of stopping.

    With `focus`, all packs load (so duplicate ids are caught) but only the
    focused files' rules are run against their examples.
    """
    problems: list[Problem] = []
    rules: list[Rule] = []
    for f in files:
        try:
            rules.extend(parse_pack(f))
        except RuleError as e:
            problems.append(Problem("error", str(f), "-", str(e)))
    seen: dict[str, str] = {}
    for rule in rules:
        if rule.id in seen:
            problems.append(Problem("error", rule.source, rule.id,
                                    f"duplicate rule id (also in {seen[rule.id]})"))
        seen.setdefault(rule.id, rule.source)
    wanted = {f.resolve() for f in focus}
    checked = [r for r in rules if not wanted or Path(r.source).resolve() in wanted]
    for rule in checked:
        problems.extend(check_rule(rule))
    return len(checked), problems
