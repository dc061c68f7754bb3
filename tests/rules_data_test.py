"""Every rule's examples and negative examples, as generated test cases.

Adding a rule to a pack adds its cases here without touching Python.
"""
from __future__ import annotations

import pytest

from promptguard.engine import Scanner
from promptguard.engine import ScanSettings
from promptguard.models import Rule
from promptguard.ruleset import RuleSet
from promptguard.ruleset import load_ruleset

RULES = load_ruleset(cache_dir=None).rules
FULL = Scanner(RuleSet.from_rules(RULES), ScanSettings())


def _cases(kind: str) -> list[object]:
    return [
        pytest.param(rule, i, id=f"{rule.id}[{i}]")
        for rule in RULES
        for i in range(len(getattr(rule, kind)))
    ]


def _alone(rule: Rule) -> Scanner:
    return Scanner(RuleSet.from_rules([rule]), ScanSettings())


@pytest.mark.parametrize(("rule", "i"), _cases("examples"))
def test_example_is_found(rule: Rule, i: int) -> None:
    example = rule.examples[i]
    findings = [f for f in _alone(rule).scan(example) if f.rule_id == rule.id]
    assert findings, f"{rule.id} misses its example {i}"
    # The reported span is the secret group of a real match.
    for f in findings:
        assert 0 <= f.start < f.end <= len(example)


@pytest.mark.parametrize(("rule", "i"), _cases("examples"))
def test_example_is_found_with_all_rules(rule: Rule, i: int) -> None:
    # With every pack loaded, overlap resolution may credit a more specific
    # rule, but the example must still produce a finding.
    assert FULL.scan(rule.examples[i])


@pytest.mark.parametrize(("rule", "i"), _cases("negative_examples"))
def test_negative_example_is_not_found(rule: Rule, i: int) -> None:
    findings = [f for f in _alone(rule).scan(rule.negative_examples[i]) if f.rule_id == rule.id]
    assert not findings, f"{rule.id} fires on its negative example {i}"


def test_every_rule_has_examples_both_ways() -> None:
    lacking = [r.id for r in RULES if not r.examples or not r.negative_examples]
    assert not lacking


def test_keywords_occur_in_examples() -> None:
    bad = [
        (r.id, kw) for r in RULES for kw in r.keywords
        if not any(kw in e.lower() for e in r.examples)
    ]
    assert not bad


def _prefilter_rule(**kw: object) -> Rule:
    fields: dict[str, object] = {
        "id": "t", "name": "t", "description": "d", "category": "secret", "severity": "high",
        "confidence": "prefix", "negative_examples": ("none",), "references": ("x",),
    }
    return Rule(**{**fields, **kw})  # type: ignore[arg-type]


def _prefilter_faulted(rule: Rule) -> bool:
    from promptguard.rulecheck import check_rule

    return any("prefilter" in p.message for p in check_rule(rule))


def test_rules_check_catches_a_prefilter_missing_a_match() -> None:
    rule = _prefilter_rule(regex=r"tk_[a-z]{8}", keywords=("tk_",), examples=("tk_abcdefgh",),
                           negative_examples=("tk_",), prefilter=r"tk_[0-9]")
    assert _prefilter_faulted(rule)
    assert not _prefilter_faulted(rule._replace(prefilter=r"tk_[a-z]"))


def test_only_a_trigger_may_read_one_character_past_its_match() -> None:
    # A trigger picks lines, so a prefilter that ends a digit run by reading
    # the character after it still finds the match's line; a gate is checked
    # against window edges and must stay inside the match.
    keyword_rule = _prefilter_rule(
        category="pii", regex=r"(?a)(?<!\d)\d{6}(?!\d)", keywords=("id",),
        examples=("id 123456;",), negative_examples=("id",),
        prefilter=r"(?:^|[^0-9])[0-9]{6}(?:[^0-9]|$)",
    )
    assert _prefilter_faulted(keyword_rule)
    trigger_rule = keyword_rule._replace(keywords=(), always_run=True)
    assert not _prefilter_faulted(trigger_rule)
    # One character either side, not two.
    too_far = trigger_rule._replace(prefilter=r"[0-9]{6};[0-9]", examples=("id 123456;7",))
    assert _prefilter_faulted(too_far)

def test_every_always_run_rule_is_accelerable() -> None:
    # An always-run rule Hyperscan cannot trigger runs its regex over every
    # whole text: 70 ms of a 79 MB scan for one token rule whose example
    # happened to span lines (multiline defaults to true then).
    from promptguard.prefilter import accelerable

    slow = [r.id for r in RULES if r.always_run and not accelerable(r.regex, r.multiline)]
    assert slow == []


def test_trigger_is_the_rules_own_prefilter_else_its_regex() -> None:
    from promptguard.prefilter import trigger

    card = next(r for r in RULES if r.id == "payment-card-number")
    assert card.prefilter is not None
    assert trigger(card) == card.prefilter
    assert trigger(card._replace(prefilter=None)) == card.regex
    # A regex that may span lines cannot be triggered line by line: the
    # engine must run it over the whole text, prefilter or not.
    assert trigger(card._replace(multiline=True)) is None
    assert trigger(card._replace(regex=card.regex.removeprefix("(?a)"))) is None
