"""Properties that must hold for any input (hypothesis)."""
from __future__ import annotations

import random

import regex
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from promptguard.engine import Scanner
from promptguard.engine import ScanSettings
from promptguard.prefilter import hyperscan_available
from promptguard.ruleset import load_ruleset
from promptguard.sources import decode

RULESET = load_ruleset(cache_dir=None)
SCANNER = Scanner(RULESET, ScanSettings())
EXAMPLES = [e for r in RULESET.rules for e in r.examples]
KEYWORDS = list(RULESET.keywords)
SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Text that is likely to contain keywords, examples and boundary cases.
pieces = st.one_of(
    st.text(max_size=40),
    st.sampled_from(EXAMPLES),
    st.sampled_from(KEYWORDS),
    st.sampled_from(["\n", " ", "=", '"', "K", "\u212a", "\u0130", "é", "\udcff"]),
)
texts = st.lists(pieces, max_size=12).map("".join)


@SETTINGS
@given(st.text())
def test_scan_never_raises_on_text(text: str) -> None:
    SCANNER.run(text)


@SETTINGS
@given(st.binary())
def test_scan_never_raises_on_bytes(data: bytes) -> None:
    text = decode(data, "<bytes>", [])
    if text is not None:
        SCANNER.run(text)


@SETTINGS
@given(texts)
def test_spans_in_bounds_and_rematch_their_rule(text: str) -> None:
    rules = {r.id: r for r in RULESET.rules}
    for f in SCANNER.scan(text):
        assert 0 <= f.start < f.end <= len(text)
        rule = rules[f.rule_id]
        # The secret lies inside a match of the rule's own regex.
        matches = regex.compile(rule.regex).finditer(text, overlapped=True)
        assert any(m.start(rule.secret_group) == f.start and m.end(rule.secret_group) == f.end
                   for m in matches), f.rule_id
        assert text[f.start:f.end] not in repr(f) or len(text[f.start:f.end]) < 4


@SETTINGS
@given(texts)
def test_backends_agree(text: str) -> None:
    aho = SCANNER.run(text, backend="aho").findings
    if hyperscan_available():
        assert SCANNER.run(text, backend="hyperscan").findings == aho


@SETTINGS
@given(texts, st.integers(1, 40))
def test_streaming_agrees_with_whole_text(text: str, size: int) -> None:
    chunks = [text[i:i + size] for i in range(0, len(text), size)] or [""]
    # Overlap longer than any match in these texts: same findings.
    assert SCANNER.run_stream(chunks, overlap=4096).findings == SCANNER.scan(text)


@SETTINGS
@given(st.sampled_from(EXAMPLES), st.text(max_size=30), st.text(max_size=30))
def test_examples_survive_surrounding_text(example: str, before: str, after: str) -> None:
    # An example embedded after a newline and before a newline is still found.
    assert SCANNER.scan(f"{before}\n{example}\n{after}")


def test_prefilter_backends_agree_on_random_unicode() -> None:
    if not hyperscan_available():
        return
    rng = random.Random(3)
    alphabet = "abcSKTK\u212a\u0130é_-\n" + "".join(KEYWORDS[:50])
    for _ in range(200):
        text = "".join(rng.choice(alphabet) for _ in range(rng.randrange(0, 300)))
        # Keyword hits only: rule ends (triggers, gates) are Hyperscan's alone.
        aho = {k: sorted(v) for k, v in SCANNER.prefilter("aho").find_grouped(text)[0].items()}
        hs = {k: sorted(v) for k, v in SCANNER.prefilter("hyperscan").find_grouped(text)[0].items()}
        assert aho == hs
