from __future__ import annotations

import random
import time
from pathlib import Path

import pytest
from testing import fakes

from promptguard.engine import Scanner
from promptguard.engine import ScanSettings
from promptguard.models import Allowlist
from promptguard.models import Finding
from promptguard.models import Rule
from promptguard.ruleset import LazyRules
from promptguard.ruleset import RuleSet
from promptguard.ruleset import load_ruleset


def _rule(**kw: object) -> Rule:
    base: dict[str, object] = {
        "id": "test-key", "name": "Test key", "description": "d", "category": "secret",
        "severity": "high", "confidence": "prefix", "regex": r"\b(tk_[A-Za-z0-9]{20})\b",
        "secret_group": 1, "keywords": ("tk_",),
    }
    base.update(kw)
    return Rule(**base)  # type: ignore[arg-type]


def _scan(text: str, *rules: Rule, **settings: object) -> list[Finding]:
    return Scanner(RuleSet.from_rules(list(rules)), ScanSettings(**settings)).scan(text)  # type: ignore[arg-type]


TOKEN = "tk_" + "Q9x2LmP4vR7sT1wZ8yB3"


def test_finding_fields_and_masking() -> None:
    text = f"line one\n  key = {TOKEN} # end\n"
    [f] = _scan(text, _rule())
    assert (f.line, f.column) == (2, 9)
    assert text[f.start:f.end] == TOKEN
    assert f.preview == "tk_Q…(23 chars)"
    assert TOKEN not in repr(f) and TOKEN not in str(f.to_dict())
    assert len(f.fingerprint) == 20


def test_fingerprint_is_stable_and_rule_specific() -> None:
    a = _scan(f"x {TOKEN}", _rule())[0]
    b = _scan(f"other text\n\n{TOKEN}", _rule())[0]
    c = _scan(f"x {TOKEN}", _rule(id="other-key"))[0]
    assert a.fingerprint == b.fingerprint != c.fingerprint


def test_keyword_is_case_insensitive_and_required() -> None:
    assert _scan(f"{TOKEN}", _rule(regex=r"(?i)\b(tk_[a-z0-9]{20})\b"))
    assert _scan(f"TK_{TOKEN[3:]}", _rule(regex=r"(?i)\b(tk_[a-z0-9]{20})\b"))
    # The regex alone would match, but without the keyword nothing runs.
    assert not _scan("zz_Q9x2LmP4vR7sT1wZ8yB3", _rule(regex=r"\b\w\w_([A-Za-z0-9]{20})\b"))


def test_always_run_rule_needs_no_keyword() -> None:
    rule = _rule(regex=r"\b(\d{3}-\d{2}-\d{4})\b", keywords=(), always_run=True, category="pii")
    assert [f.rule_id for f in _scan("ssn 536-22-1234", rule)] == ["test-key"]


def test_window_limits_context_rules() -> None:
    rule = _rule(regex=r"(?s)anchor.{0,600}?\b(val_[a-z]{8})\b", keywords=("anchor",), window=64)
    near = "anchor " + "x " * 10 + "val_qmzkrwtp"
    # Windows snap to whole lines, so "far" means many lines away.
    far = "anchor\n" + "filler line\n" * 60 + "val_qmzkrwtp"
    assert _scan(near, rule)
    assert not _scan(far, rule)


@pytest.mark.parametrize(
    "placeholder",
    ["tk_xxxxxxxxxxxxxxxxxxxx", "tk_YOURKEYHEREYOURKEYHE", "tk_abababababababababab"],
)
def test_placeholders_are_dropped(placeholder: str) -> None:
    assert not _scan(placeholder, _rule())


def test_repeated_groups_are_fillers() -> None:
    from promptguard.filters import is_placeholder

    assert is_placeholder("xoxp-1234-1234-1234-4ddbc191d40ee098cbaae6f3523ada2d")
    assert is_placeholder("ab12.ab12.ab12.Qm8tR2vLx")
    # Two equal groups are a coincidence a real token can have; three are not.
    assert not is_placeholder("xoxb-7391-7391-58213094-Qm8tR2vLxK9pW4zN")


def test_pii_is_not_placeholder_filtered() -> None:
    rule = _rule(category="pii", regex=r"\b(tk_[a-z]{20})\b")
    assert _scan("tk_abababababababababab", rule)


def test_entropy_and_length_bounds() -> None:
    assert not _scan("tk_aaaaaaaaaaaaaaaaaaab", _rule(entropy=3.0))
    assert _scan(TOKEN, _rule(entropy=3.0))
    assert not _scan(TOKEN, _rule(min_length=30))
    assert not _scan(TOKEN, _rule(max_length=10))


def test_allowlists_by_target_and_condition() -> None:
    by_secret = Allowlist(target="secret", regexes=(r"Q9x2",))
    by_line = Allowlist(target="line", stopwords=("fixture",))
    both = Allowlist(target="line", condition="and", stopwords=("fixture", "nope"))
    assert not _scan(TOKEN, _rule(allowlists=(by_secret,)))
    assert not _scan(f"fixture: {TOKEN}", _rule(allowlists=(by_line,)))
    assert _scan(f"real: {TOKEN}", _rule(allowlists=(by_line,)))
    assert _scan(f"fixture: {TOKEN}", _rule(allowlists=(both,)))


def test_demote_allowlist_reports_at_generic_and_a_drop_allowlist_wins() -> None:
    demote = Allowlist(target="line", stopwords=("docs",), on_match="demote")
    drop = Allowlist(target="line", stopwords=("fixture",))
    rule = _rule(allowlists=(demote, drop))
    assert [f.confidence for f in _scan(f"docs: {TOKEN}", rule)] == ["generic"]
    assert _scan(f"docs fixture: {TOKEN}", rule) == []
    assert _scan(f"docs fixture: {TOKEN}", _rule(allowlists=(drop, demote))) == []
    assert [f.confidence for f in _scan(f"real: {TOKEN}", rule)] == ["prefix"]


def test_weak_validator_form_keeps_doc_like_values_at_generic() -> None:
    rule = _rule(category="credential", confidence="context", regex=r"pw=(\S+)",
                 keywords=("pw=",), validate="generic_password", on_invalid="weak")
    assert [f.confidence for f in _scan("pw=Lq7vG2h1R8nQ", rule)] == ["context"]
    # "open-sesame" fails generic_password (documentation words) but is a value.
    assert [f.confidence for f in _scan("pw=open-sesame", rule)] == ["generic"]
    # Bare password words, fillers and upper-case names stay dropped.
    assert _scan("pw=password", rule) == []
    assert _scan("pw=foobar", rule) == []
    assert _scan("pw=PASSWORD", rule) == []


def test_pragma_on_line_or_line_above() -> None:
    rule = _rule()
    assert not _scan(f"{TOKEN}  # promptguard: allow[test-key]", rule)
    assert not _scan(f"# promptguard: allow[other, test-key]\n{TOKEN}", rule)
    assert _scan(f"# promptguard: allow[test-key]\n\n{TOKEN}", rule)
    assert _scan(f"{TOKEN}  # promptguard: allow[other-rule]", rule)
    assert _scan(f"{TOKEN}  # promptguard: allow", rule)
    assert _scan(f"{TOKEN}  # promptguard: allow[test-key]", rule, pragmas=False)


def test_pragma_for_the_specific_rule_also_silences_broad_rules_on_that_value() -> None:
    # Without this, allowing the vendor rule moved the report to a generic
    # rule matching the same value instead of silencing it.
    specific = _rule()
    broad = _rule(id="broad-key", confidence="generic", regex=r"Key: (\S+)", keywords=("key",))
    text = f"Key: {TOKEN}"
    assert [f.rule_id for f in _scan(text, specific, broad)] == ["test-key"]
    assert _scan(f"<!-- promptguard: allow[test-key] -->\n{text}", specific, broad) == []
    # Allowing only the broad rule leaves the specific one reporting.
    allowed_broad = _scan(f"# promptguard: allow[broad-key]\n{text}", specific, broad)
    assert [f.rule_id for f in allowed_broad] == ["test-key"]


def test_validator_upgrades_drops_or_demotes() -> None:
    rng = random.Random(1)
    good = fakes.github_token(rng)
    bad = good[:-1] + ("A" if good[-1] != "A" else "B")
    rule = _rule(regex=r"\b(ghp_[A-Za-z0-9]{36})\b", keywords=("ghp_",), validate="github_crc32")
    assert [f.confidence for f in _scan(good, rule)] == ["checksum"]
    assert _scan(bad, rule) == []
    assert [f.confidence for f in _scan(bad, rule._replace(on_invalid="demote"))] == ["context"]


def test_overlapping_findings_keep_the_most_specific() -> None:
    specific = _rule(id="specific", confidence="prefix")
    generic = _rule(id="generic", confidence="generic", regex=r"key = (\S+)", keywords=("key",))
    [f] = _scan(f"key = {TOKEN}", specific, generic)
    assert f.rule_id == "specific"


def test_catastrophic_regex_times_out_with_a_diagnostic() -> None:
    rule = _rule(regex=r"(?m)^((?:a|aa)+)$", keywords=("a",), secret_group=1, category="pii")
    scanner = Scanner(RuleSet.from_rules([rule]), ScanSettings(regex_timeout=0.2))
    start = time.monotonic()
    result = scanner.run("a" * 60 + "!")
    assert time.monotonic() - start < 5
    assert [d.rule_id for d in result.diagnostics] == ["test-key"]


def test_stream_matches_whole_text_scan() -> None:
    rng = random.Random(7)
    parts = []
    for i in range(300):
        parts.append(f"line {i} " + fakes.rand(rng, rng.randrange(0, 80), " abcdefgh\n"))
        if i % 17 == 0:
            parts.append(f"k={'tk_' + fakes.rand(rng, 20)}\n")
    text = "".join(parts)
    scanner = Scanner(RuleSet.from_rules([_rule()]), ScanSettings())
    whole = scanner.scan(text)
    size = 1000
    chunks = [text[i:i + size] for i in range(0, len(text), size)]
    streamed = scanner.run_stream(chunks, overlap=200).findings
    assert streamed == whole
    assert len(whole) == 18


def test_empty_text() -> None:
    assert _scan("", _rule()) == []


def test_always_run_rules_are_accelerated_identically() -> None:
    from promptguard.prefilter import hyperscan_available

    if not hyperscan_available():
        pytest.skip("hyperscan is not installed on this platform")
    rule = _rule(
        regex=r"(?a)(?<![\w-])(\d{3}-\d{2}-\d{4})(?![\w-])", keywords=(), always_run=True,
        category="pii",
    )
    rng = random.Random(5)
    lines = []
    for i in range(3000):
        line = fakes.rand(rng, rng.randrange(0, 60), "0123456789- abc\u0663")
        if i % 97 == 0:
            a, b, c = rng.randrange(100, 899), rng.randrange(10, 99), rng.randrange(1000, 9999)
            line += f" ssn {a}-{b}-{c}"
        lines.append(line)
    text = "\n".join(lines)
    scanner = Scanner(RuleSet.from_rules([rule]), ScanSettings())
    assert 0 in scanner.prefilter("hyperscan").accelerated
    fast = scanner.run(text, backend="hyperscan").findings
    slow = scanner.run(text, backend="aho").findings
    assert fast == slow
    assert len(fast) >= 31


def test_card_trigger_reading_past_the_digit_run_finds_every_card_line() -> None:
    # The card trigger ends at the character after a run (or at the text's
    # end): cards at the start and end of the text and of lines, before CRLF
    # and non-ASCII, among digit runs of every length, are found by both
    # backends alike, and the long runs report no end at all.
    from promptguard.prefilter import hyperscan_available

    if not hyperscan_available():
        pytest.skip("hyperscan is not installed on this platform")
    card = next(r for r in load_ruleset(cache_dir=None).rules if r.id == "payment-card-number")
    scanner = Scanner(RuleSet.from_rules([card]), ScanSettings())
    cards = [e[f.start:f.end] for e in card.examples for f in scanner.scan(e)]
    assert len(cards) >= 10
    rng = random.Random(11)
    lines = [cards[0] + " first"]
    for i in range(2000):
        run = fakes.rand(rng, rng.randrange(1, 40), "0123456789")
        line = rng.choice(("x = ", "", "n=", "\u0663 ", "v-", "a.")) + run
        if i % 41 == 0:
            line = rng.choice(("", "card ", "\u00e9 ")) + rng.choice(cards) + rng.choice(
                ("", "\r", " \u00e9", ",", ".5"))
        lines.append(line)
    text = "\n".join(lines) + "\n" + cards[1]
    pf = scanner.prefilter("hyperscan")
    assert 0 in pf.accelerated
    fast = scanner.run(text, backend="hyperscan").findings
    assert fast == scanner.run(text, backend="aho").findings
    assert fast[0].start == 0 and fast[-1].end == len(text)
    assert len(fast) >= 40
    assert len(pf.find_grouped("1" * 50 + "\n" + "4" * 200)[1].get(0, [])) == 0


def test_stream_never_reports_a_match_cut_at_a_buffer_start() -> None:
    # Found by hypothesis: with small chunks the next buffer began inside
    # an email address, and its tail was reported as a finding of its own.
    ruleset = load_ruleset(cache_dir=None)
    scanner = Scanner(ruleset, ScanSettings())
    example = next(e for r in ruleset.rules for e in r.examples
                   if "service_account" in e and "BEGIN PRIVATE KEY" in e)
    text = "\x18\x18" + example * 3
    whole = [(f.rule_id, f.start, f.end) for f in scanner.run(text).findings]
    for size in (1, 7, 333):
        chunks = [text[i:i + size] for i in range(0, len(text), size)]
        streamed = scanner.run_stream(chunks, overlap=4096).findings
        assert [(f.rule_id, f.start, f.end) for f in streamed] == whole, size


def test_the_rules_cache_loads_the_rule_set_it_was_built_from(tmp_path: Path) -> None:
    # The cache keeps the index as built and decodes rules lazily: every
    # field must come back as parsed (examples aside, which it drops), and
    # the scanner must find exactly what it finds without the cache.
    parsed = load_ruleset(cache_dir=None)
    load_ruleset(cache_dir=tmp_path)  # writes the cache
    cached = load_ruleset(cache_dir=tmp_path)
    assert isinstance(cached.rules, LazyRules)
    assert (cached.keywords, cached.keyword_rules, cached.always_run) == (
        parsed.keywords, parsed.keyword_rules, parsed.always_run)
    assert len(cached.rules) == len(parsed.rules)
    assert cached.rules[-1] == cached.rules[len(parsed.rules) - 1]
    assert list(cached.rules[:3]) == [r._replace(examples=(), negative_examples=())
                                      for r in parsed.rules[:3]]
    assert [r._replace(examples=(), negative_examples=()) for r in parsed.rules] \
        == list(cached.rules)
    assert len(cached.programs) == len(parsed.rules)
    text = "\n".join(e for r in parsed.rules for e in r.examples[:1])
    with_cache = Scanner(cached, ScanSettings(cache_dir=tmp_path)).scan(text)
    without = Scanner(parsed, ScanSettings()).scan(text)
    assert with_cache == without
    assert len(with_cache) > 500


@pytest.mark.parametrize("damage", ["truncate", "extend", "empty", "garbage"])
def test_a_damaged_rules_cache_is_rebuilt(tmp_path: Path, damage: str) -> None:
    load_ruleset(cache_dir=tmp_path)
    [cache] = tmp_path.glob("*.rules")
    data = cache.read_bytes()
    cache.write_bytes({"truncate": data[:len(data) // 2], "extend": data + b"x",
                       "empty": b"", "garbage": b"\xff" * 64}[damage])
    rebuilt = load_ruleset(cache_dir=tmp_path)  # parsed, and the cache rewritten
    cached = load_ruleset(cache_dir=tmp_path)
    assert isinstance(cached.rules, LazyRules)
    same = [r._replace(examples=(), negative_examples=()) for r in rebuilt.rules] \
        == list(cached.rules)
    assert same  # (a bool: pytest's diff of 1,300 rules would take minutes)



@pytest.mark.parametrize("ascii_only", [False, True])
@pytest.mark.parametrize("prefilter", [None, r"tk_[A-Za-z0-9]{4}"])
def test_gated_keyword_rules_find_the_same(prefilter: str | None, ascii_only: bool) -> None:
    # Hyperscan gates the windows of short-keyword rules (by the regex, or
    # by the rule's own prefilter); the windows it may not judge still run:
    # non-ASCII ones (\w matches "é", which Hyperscan sees as "?") and ones
    # cut inside a long line (\b holds at the window's end, not in the text).
    from promptguard.prefilter import hyperscan_available

    if not hyperscan_available():
        pytest.skip("hyperscan is not installed on this platform")
    short = _rule(regex=r"\b(tk_\w{20})\b", prefilter=prefilter)
    long = _rule(id="test-long", regex=r"(key_[a-z]{10,3000})\b", keywords=("key_",),
                 category="pii")
    rng = random.Random(7)
    extra = "" if ascii_only else "\u00e9\u212a"
    lines = []
    for i in range(4000):
        line = fakes.rand(rng, rng.randrange(0, 50), "abc tk_ XYZ09" + extra)
        if i % 53 == 0:
            line += " tk_" + fakes.rand(rng, rng.choice((19, 20, 20, 21)), "Q9x2LmP4vR7s" + extra)
        if i % 211 == 0:
            # Long lines (cut windows); short ones in ASCII text, which is
            # then gated without windows.
            line += " key_" + "a" * rng.randrange(*((20, 900) if ascii_only else (900, 2500)))
            line += "b" + rng.choice(("1", " "))
        lines.append(line)
    text = "\n".join(lines)
    scanner = Scanner(RuleSet.from_rules([short, long]), ScanSettings())
    assert scanner.prefilter("hyperscan").gated == {0, 1}
    fast = scanner.run(text, backend="hyperscan").findings
    assert fast == scanner.run(text, backend="aho").findings
    assert sum(f.rule_id == "test-key" for f in fast) >= 30
    assert any(f.rule_id == "test-long" for f in fast)
    if not ascii_only:
        assert any("\u00e9" in text[f.start:f.end] for f in fast)


def test_the_long_line_marker_is_shorter_than_the_window_snap() -> None:
    # Without a line of LONG_LINE_CHARS, every window ends at a line end.
    from promptguard import engine
    from promptguard.prefilter import LONG_LINE_CHARS

    assert LONG_LINE_CHARS <= engine._SNAP


@pytest.mark.parametrize("text", [
    "x = 1\ntk_Q\u00e99x2Lm\u00e04vR7sT1wZ8y\u00fc\n",  # Hyperscan sees "?" for "é"
    # The match runs past the end of its window (cut inside a long line),
    # so Hyperscan reports its end outside the window: the window must run.
    "y = 2\nkey_" + "a" * 1500 + " b1\n",
])
def test_gated_rule_with_no_reported_end_still_runs_where_it_must(text: str) -> None:
    from promptguard.prefilter import hyperscan_available

    if not hyperscan_available():
        pytest.skip("hyperscan is not installed on this platform")
    short = _rule(regex=r"\b(tk_\w{20})\b")
    long = _rule(id="test-long", regex=r"(key_[a-z]{10,3000})\b", keywords=("key_",),
                 category="pii")
    scanner = Scanner(RuleSet.from_rules([short, long]), ScanSettings())
    fast = scanner.run(text, backend="hyperscan").findings
    assert fast == scanner.run(text, backend="aho").findings
    assert len(fast) == 1
    # The whole match, not the part inside the window.
    assert text[fast[0].end:fast[0].end + 1] in (" ", "\n")


@pytest.mark.parametrize("regex", [
    # Hyperscan cannot parse a branch-reset group: one such gate sent the whole
    # database down the pattern-by-pattern compile path.
    r"(?i)token(?|=(\w{16,})|:(\w{16,}))",
    # Wide bounded repeats and back-references in a long pattern compile for
    # seconds each (a curl header rule took 8 s on a fresh cache).
    r"key" + r"[\w-]{0,40}" * 4 + r"=(\w{16,})",
    r"""(?i)curl\b[^\n]{0,200}?-H[ \t]+(["'])"""
    r"""(?:authorization|api-token|x-api-key|private-token)[ \t]*:[ \t]*(\w{16,})\1""",
])
def test_slow_or_unparseable_patterns_are_not_gated(regex: str) -> None:
    from promptguard.prefilter import gateable

    assert gateable(_rule(regex=regex, keywords=("key", "token", "curl"),
                          confidence="generic")) is None


def test_a_plain_generic_pattern_is_still_gated() -> None:
    from promptguard.prefilter import gateable

    regex = r"(?i)token[\w.-]{0,20}=(\w{16,})"
    assert gateable(_rule(regex=regex, keywords=("token",), confidence="generic")) == regex


@pytest.mark.parametrize("backend", ["aho", "hyperscan"])
@pytest.mark.parametrize("multiline", [False, True])
def test_a_token_longer_than_its_window_is_not_cut_short(backend: str, multiline: bool) -> None:
    # The window around `tok=` ends ~256 (multi-line) or 1024 (single-line)
    # characters on, inside the token: the regex reads that end as the end
    # of the text and matched a prefix of the token, which is no match of
    # the regex in the text (a hypothesis property test found it).
    rule = _rule(regex=r"(?<![\w+/])tok=([A-Za-z0-9+/]{20,})(?![\w+/])", keywords=("tok=",),
                 multiline=multiline, window=256)
    rng = random.Random(5)
    token = "".join(rng.choice("abcdefghijKLMNOPQ0123456789+/") for _ in range(3000))
    for text in (f"tok={token}", f"x\ntok={token}\ny = 1\n", f"{'a ' * 900}tok={token} b"):
        scanner = Scanner(RuleSet.from_rules([rule]), ScanSettings(backend=backend))  # type: ignore[arg-type]
        found = [(f.start, f.end) for f in scanner.scan(text)]
        start = text.index("tok=") + 4
        assert found == [(start, start + len(token))], text[:20]
    # Past 64 KiB a token is not followed further: it is dropped, never cut.
    huge = "".join(rng.choice("abcdefghijKLMNOPQ0123456789") for _ in range(70000))
    scanner = Scanner(RuleSet.from_rules([rule]), ScanSettings(backend=backend))  # type: ignore[arg-type]
    assert scanner.scan(f"tok={huge}") == []


def _reference_windows(
    text: str, spans: list[tuple[int, int]], width: int, multiline: bool,
) -> list[tuple[int, int]]:
    # The windows spelled out plainly (one interval per hit, merged, then
    # widened to lines): engine._windows must give exactly these.
    snap = 1024
    n = len(text)
    raw: list[list[int]] = []
    for s, e in sorted(spans):
        if raw and s - width <= raw[-1][1]:
            raw[-1][1] = max(raw[-1][1], e + width)
        else:
            raw.append([s - width, e + width])
    out: list[tuple[int, int]] = []
    for a, b in raw:
        first, last = a + width, b - width
        a, b = max(0, a), min(n, b)
        if multiline:
            if a > 0:
                nl = text.rfind("\n", max(0, a - snap), a)
                a = nl + 1 if nl >= 0 else (0 if a <= snap else a)
            if b < n:
                nl = text.find("\n", b, b + snap)
                b = nl if nl >= 0 else (n if b + snap >= n else b)
        else:
            nl = text.rfind("\n", max(0, first - snap), first)
            a = nl + 1 if nl >= 0 else max(0, first - snap)
            nl = text.find("\n", last, last + snap)
            b = nl if nl >= 0 else min(n, last + snap)
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(b, out[-1][1]))
        else:
            out.append((a, b))
    return out


def test_windows_match_their_plain_definition() -> None:
    from hypothesis import given
    from hypothesis import settings
    from hypothesis import strategies as st

    from promptguard.engine import _windows

    @st.composite
    def cases(draw: st.DrawFn) -> tuple[str, list[tuple[int, int]], int, bool]:
        # Long lines and long texts too: the 1024-character snap must be crossed.
        parts = draw(st.lists(st.sampled_from(["a", "bb", "\n", "x" * 700, "y" * 1500]),
                              min_size=1, max_size=12))
        text = "".join(parts)
        starts = draw(st.lists(st.integers(0, len(text) - 1), max_size=10))
        spans = [(s, min(len(text), s + draw(st.integers(1, 6)))) for s in starts]
        return text, spans, draw(st.sampled_from([0, 3, 256, 2048])), draw(st.booleans())

    @settings(max_examples=400, deadline=None)
    @given(cases())
    def check(case: tuple[str, list[tuple[int, int]], int, bool]) -> None:
        assert _windows(*case) == _reference_windows(*case)

    check()


def test_hyperscan_database_is_cached_on_disk_and_survives_a_bad_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    from promptguard.prefilter import hyperscan_available

    if not hyperscan_available():
        pytest.skip("hyperscan is not installed on this platform")
    from promptguard.prefilter import hyperscan_backend

    def fresh() -> object:
        # Nothing compiled in this process: only the disk can serve it.
        monkeypatch.setattr(hyperscan_backend, "_COMPILED", {})
        return hyperscan_backend.HyperscanPrefilter(
            ["needle", "pin"], triggers=[(7, r"(?a)\d{4}")], cache_dir=tmp_path,
        )

    text = "a needle, then PIN 1234\n"
    first = fresh()
    (db,) = tmp_path.glob("hyperscan-*.db")
    assert db.stat().st_mode & 0o777 == 0o600
    assert not list(tmp_path.glob(".*"))  # no temporary file left behind
    found = first.find_grouped(text)  # type: ignore[attr-defined]
    assert found == ({0: [(2, 8)], 1: [(15, 18)]}, {7: [23]})

    def no_compile(*args: object) -> None:
        raise AssertionError("compiled although the cache holds the database")

    monkeypatch.setattr(hyperscan_backend, "_usable", no_compile)
    second = fresh()
    assert second.find_grouped(text) == found  # type: ignore[attr-defined]
    assert second.accelerated == frozenset({7})  # type: ignore[attr-defined]

    monkeypatch.undo()
    db.write_bytes(b"not a database")
    assert fresh().find_grouped(text) == found  # type: ignore[attr-defined]
    assert db.read_bytes() != b"not a database"  # rewritten after the recompile
