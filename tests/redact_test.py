"""Redaction with consistent, reversible placeholders (issue 5).

The hypothesis properties at the bottom are the issue's acceptance tests:
rescanning redacted text finds nothing the policy would block, redacting
is idempotent, restore(redact(x)) == x for restorable categories, and
placeholders never collide. They run on the built-in rule packs (whatever
is loaded) plus two PII rules defined here, since the packs have no PII
rules yet, plus a client list.
"""
from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st
from testing import fakes

import promptguard
from promptguard.cli import main
from promptguard.clients import ClientDetector
from promptguard.clients import parse_clients
from promptguard.engine import Scanner
from promptguard.errors import ConfigError
from promptguard.models import CATEGORIES
from promptguard.models import Finding
from promptguard.models import Rule
from promptguard.models import ScanSettings
from promptguard.policy import Policy
from promptguard.redaction import IncompleteRedaction
from promptguard.redaction import RedactionSettings
from promptguard.redaction import Redactor
from promptguard.redaction import label_for
from promptguard.redaction import letters
from promptguard.redaction import parse_redaction
from promptguard.redaction import settings_from_tables
from promptguard.ruleset import RuleSet
from promptguard.ruleset import load_ruleset
from promptguard.vault import Vault

# PII rules for these tests only (ids prefixed so they never clash with a pack).
EMAIL_RULE = Rule(
    id="pgtest-email", name="Email address (test)", description="test rule",
    category="pii", severity="medium", confidence="context",
    regex=r"(?<![\w.%+-])([A-Za-z0-9._%+-]{1,64}@[A-Za-z0-9-]{1,63}(?:\.[A-Za-z0-9-]{1,63})*"
          r"\.[A-Za-z]{2,24})(?![\w-])",
    secret_group=1, keywords=("@",),
)
CARD_RULE = Rule(
    id="pgtest-card", name="Payment card (test)", description="test rule",
    category="pii", severity="high", confidence="context",
    regex=r"(?<![\d-])(\d{4}(?: ?\d{4}){3})(?![\d-])", secret_group=1, always_run=True,
    validate="card",
)
CLIENTS = parse_clients({
    "names": [
        {"name": "Zorbex Dynamics", "aliases": ["Zorbex", "ZORBEX Inc."]},
        {"name": "Quantavo Foods", "aliases": ["Quantavo"]},
        "Pelmarra Logistics",
        {"name": "Vextoria Labs", "aliases": ["Vextoria"], "ignore_case": False},
    ],
    "people": [{"name": "Dana Whitfield", "aliases": ["D. Whitfield"]}, "Marek Olsen"],
    "codenames": ["Bluefinch"],
    "domains": ["corp-internal.example"],
    "ids": [{"label": "ACCOUNT_ID", "regex": r"\bAC-\d{8}\b"}],
}, "redact_test: clients")

BUILTIN = load_ruleset(cache_dir=None)
SCANNER = Scanner(
    RuleSet.from_rules([*BUILTIN.rules, EMAIL_RULE, CARD_RULE]), ScanSettings(),
    [ClientDetector(CLIENTS)],
)
ALL_CATEGORIES = RedactionSettings(restorable=frozenset(CATEGORIES))
PROPERTY = settings(max_examples=120, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])


def redactor(settings: RedactionSettings | None = None, **kw: object) -> Redactor:
    return Redactor(SCANNER, Vault.memory(), settings or RedactionSettings(),
                    **kw)  # type: ignore[arg-type]


# -- placeholders ---------------------------------------------------------------

@pytest.mark.parametrize(("n", "expected"), [
    (1, "A"), (2, "B"), (26, "Z"), (27, "AA"), (28, "AB"), (52, "AZ"), (53, "BA"),
    (702, "ZZ"), (703, "AAA"),
])
def test_letters(n: int, expected: str) -> None:
    assert letters(n) == expected


def _rule(rule_id: str, category: str = "secret", **params: str) -> Rule:
    return Rule(id=rule_id, name="", description="", category=category,  # type: ignore[arg-type]
                severity="high", confidence="prefix", regex="",
                params=tuple(params.items()))


@pytest.mark.parametrize(("rule", "expected"), [
    (_rule("aws-access-key-id"), ("AWS_ACCESS_KEY_ID", "number")),
    (_rule("email-address", "pii"), ("EMAIL", "number")),
    (_rule("credit-card-number", "pii"), ("CARD", "number")),
    (_rule("x", placeholder="SSN"), ("SSN", "number")),
    (_rule("x", placeholder="Vendor", placeholder_style="letters"), ("Vendor", "letters")),
    (_rule("x-y", placeholder="not valid!"), ("X_Y", "number")),
    (None, ("GONE_RULE", "number")),
])
def test_label_for(rule: Rule | None, expected: tuple[str, str]) -> None:
    assert label_for(rule, rule.id if rule is not None else "gone-rule") == expected


# -- redacting ------------------------------------------------------------------

RNG = random.Random(1)
AWS_KEY = fakes.aws_key_id(RNG)
GH_TOKEN = fakes.github_token(RNG)
CARD = fakes.luhn_card(RNG)
EXAMPLE = (
    f"Hi Marek Olsen,\n"
    f"ZORBEX Inc.'s account AC-20481234 still fails on billing.corp-internal.example.\n"
    f"Zorbex's admin is Dana Whitfield <dana.w@zorbex-mail.example>, card "
    f"{CARD[:4]} {CARD[4:8]} {CARD[8:12]} {CARD[12:]}.\n"
    f"Our CI key is {AWS_KEY} and the token {GH_TOKEN}. Quantavo saw the same.\n"
)


def test_worked_example() -> None:
    r = redactor()
    result = r.redact(EXAMPLE)
    assert result.text == (
        "Hi Person A,\n"
        "Client A's account <ACCOUNT_ID_1> still fails on <HOST_1>.\n"
        "Client A's admin is Person B <<EMAIL_1>>, card <CARD_1>.\n"
        "Our CI key is <AWS_ACCESS_KEY_ID_1> and the token <GITHUB_PERSONAL_ACCESS_TOKEN_1>. "
        "Client B saw the same.\n"
    )
    assert result.complete and not result.kept
    restored = r.restore(result.text)
    # Secrets are one-way by default; everything else comes back. Both
    # "ZORBEX Inc." and "Zorbex" are Client A: restore gives the client's
    # configured name, not whichever spelling came first.
    assert restored == (
        EXAMPLE.replace(AWS_KEY, "<AWS_ACCESS_KEY_ID_1>")
        .replace(GH_TOKEN, "<GITHUB_PERSONAL_ACCESS_TOKEN_1>")
        .replace("ZORBEX Inc.'s account", "Zorbex Dynamics's account")
        .replace("Zorbex's admin", "Zorbex Dynamics's admin")
    )


@pytest.mark.parametrize("spellings", [
    pytest.param(("Wayne Enterprises", "WayneCorp"), id="canonical-first"),
    pytest.param(("WayneCorp", "Wayne Enterprises"), id="alias-first"),
    pytest.param(("WayneCorp", "WAYNECORP", "Wayne"), id="aliases-only"),
    pytest.param(("Wayne Enterprises GmbH", "Wayne"), id="legal-suffix"),
])
def test_several_spellings_restore_the_configured_name(
    tmp_path: Path, spellings: tuple[str, ...],
) -> None:
    # One session, one call per spelling, each in its own process's vault
    # object: restore once gave back the first spelling seen ("WayneCorp").
    clients = parse_clients({"names": [
        {"name": "Wayne Enterprises", "aliases": ["WayneCorp", "Wayne"]},
    ]}, "t: clients")
    scanner = Scanner(BUILTIN, ScanSettings(), [ClientDetector(clients)])
    for spelling in spellings:
        vault = Vault.open("wayne", base=tmp_path)
        assert Redactor(scanner, vault).redact(f"{spelling} called").text == "Client A called"
    restorer = Redactor(scanner, Vault.open("wayne", base=tmp_path)).restorer
    assert restorer.restore("Client A's invoice") == "Wayne Enterprises's invoice"


def test_one_spelling_restores_as_written() -> None:
    r = redactor()
    assert r.redact("ask zorbex, then Zorbex again").text == "ask Client A, then Client A again"
    # Two case forms are two spellings: the configured name.
    assert r.restore("Client A") == "Zorbex Dynamics"
    r = redactor()
    r.redact("Zorbex and Zorbex")
    assert r.restore("Client A") == "Zorbex"


def test_same_value_same_placeholder_across_calls() -> None:
    r = redactor()
    first = r.redact(f"key {AWS_KEY}, mail dana.w@zorbex-mail.example, Quantavo").text
    second = r.redact(f"again: Quantavo Foods / dana.w@zorbex-mail.example / {AWS_KEY}").text
    assert first == "key <AWS_ACCESS_KEY_ID_1>, mail <EMAIL_1>, Client A"
    assert second == "again: Client A / <EMAIL_1> / <AWS_ACCESS_KEY_ID_1>"


def test_placeholders_already_in_the_text_are_never_issued() -> None:
    r = redactor()
    text = "Client A and <EMAIL_1> are from the template; Quantavo wrote x@corp.example"
    red = r.redact(text).text
    assert red == "Client A and <EMAIL_1> are from the template; Client B wrote <EMAIL_2>"
    assert r.restore(red) == text


@pytest.mark.parametrize("answer", [
    "Client Alpha and Person Aaron are fine",
    "we gave the client a new login",
    "CLIENT A, client A and Client_A",
    "<EMAIL_9> was never issued",
    "<EMAIL_1 and EMAIL_1>",
])
def test_restore_leaves_ordinary_text_alone(answer: str) -> None:
    r = redactor()
    r.redact("Quantavo, x@corp.example")
    assert r.restore(answer) == answer


def test_restore_handles_echoed_placeholders() -> None:
    r = redactor()
    r.redact(f"Quantavo and Dana Whitfield, x@corp.example, {AWS_KEY}")
    answer = ("Client A's contract: ask Person A (<EMAIL_1>). Rotate <AWS_ACCESS_KEY_ID_1>.\n"
              "Client A.")
    assert r.restorer.restore_counted(answer) == (
        "Quantavo's contract: ask Dana Whitfield (x@corp.example). "
        "Rotate <AWS_ACCESS_KEY_ID_1>.\nQuantavo.", 4, 1,
    )


def test_restorable_secrets_when_configured() -> None:
    r = redactor(RedactionSettings(restorable=frozenset({"secret", "pii", "client"})))
    red = r.redact(f"key={AWS_KEY}").text
    assert red == "key=<AWS_ACCESS_KEY_ID_1>"
    assert r.restore(red) == f"key={AWS_KEY}"


def test_should_redact_selects_findings() -> None:
    r = redactor(should_redact=lambda f: f.category == "secret")
    result = r.redact(f"Quantavo: {AWS_KEY}")
    assert result.text == "Quantavo: <AWS_ACCESS_KEY_ID_1>"
    assert [(f.rule_id, f.start) for f in result.kept] == [("client-name", 0)]


def test_incomplete_redaction_is_refused() -> None:
    slow = Rule(id="pgtest-slow", name="slow", description="", category="secret",
                severity="high", confidence="prefix", regex=r"(?:a|aa)+$", keywords=("aa",))
    scanner = Scanner(RuleSet.from_rules([slow]), ScanSettings(regex_timeout=0.01))
    text = "a" * 5000 + "b"
    result = Redactor(scanner, Vault.memory()).redact(text)
    assert not result.complete
    assert result.diagnostics[0].rule_id == "pgtest-slow"
    with pytest.raises(IncompleteRedaction) as excinfo:
        promptguard.redact(text, vault=Vault.memory(), scanner=scanner)
    assert "pgtest-slow" in str(excinfo.value)
    assert "a" * 10 not in str(excinfo.value)


def test_pass_limit_is_reported() -> None:
    result = redactor(RedactionSettings(max_passes=0)).redact(f"key {AWS_KEY}")
    assert not result.complete
    assert "still present" in result.diagnostics[0].message


def test_library_functions_use_the_session_vault(tmp_path: Path) -> None:
    red = promptguard.redact(f"mail x@corp.example key {AWS_KEY}", session="lib",
                             clients=CLIENTS)
    assert AWS_KEY not in red and "<AWS_ACCESS_KEY_ID_1>" in red
    assert promptguard.restore("Rotate <AWS_ACCESS_KEY_ID_1>", session="lib") == (
        "Rotate <AWS_ACCESS_KEY_ID_1>"
    )
    assert promptguard.restore("Quantavo?", session="lib") == "Quantavo?"


def test_reprs_never_show_values() -> None:
    r = redactor(should_redact=lambda f: f.category != "pii")
    result = r.redact(EXAMPLE)
    text = repr(result) + repr(r) + repr(r.vault) + repr(r.vault.entries) + repr(r.stream())
    for value in (AWS_KEY, GH_TOKEN, CARD[:8], "Zorbex", "Dana", "dana.w@"):
        assert value not in text


@pytest.mark.parametrize(("raw", "message"), [
    ({"restorable": ["secrets"]}, "f.toml: redaction.restorable: must be a list of categories"),
    ({"restorable": "pii"}, "f.toml: redaction.restorable: must be a list of categories"),
    ({"ttl_hours": 0}, "f.toml: redaction.ttl_hours: must be a positive number"),
    ({"ttl_hours": True}, "f.toml: redaction.ttl_hours: must be a positive number"),
    ({"ttl": 3}, "f.toml: redaction.ttl: unknown key"),
])
def test_redaction_config_errors(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as excinfo:
        parse_redaction(raw, "f.toml: redaction")
    assert str(excinfo.value).startswith(message)


def test_redaction_tables_merge_in_precedence_order() -> None:
    merged = settings_from_tables([
        ("org.toml", {"restorable": ["pii"], "ttl_hours": 24}),
        ("project.toml", {"ttl_hours": 2}),
    ])
    assert merged == RedactionSettings(restorable=frozenset({"pii"}), ttl_hours=2.0)
    assert parse_redaction({}, "x") == RedactionSettings()
    with pytest.raises(ConfigError, match=r"^project\.toml: redaction\.ttl_hours"):
        settings_from_tables([("project.toml", {"ttl_hours": -1})])


# -- streaming restore ----------------------------------------------------------

def _stream(r: Redactor, chunks: list[str]) -> str:
    s = r.stream()
    return "".join(s.feed(c) for c in chunks) + s.flush()


def test_stream_restore_every_split_point() -> None:
    r = redactor()
    r.redact("Quantavo, Pelmarra Logistics, Dana Whitfield, x@corp.example, y@corp.example")
    answer = "Client A met Person A; mail <EMAIL_2>. Client Alpha, xClient A, Client B."
    whole = r.restore(answer)
    assert whole == ("Quantavo met Dana Whitfield; mail y@corp.example. Client Alpha, "
                     "xClient A, Pelmarra Logistics.")
    for i in range(len(answer) + 1):
        for j in range(i, len(answer) + 1):
            assert _stream(r, [answer[:i], answer[i:j], answer[j:]]) == whole, (i, j)


# -- properties (issue 5 acceptance) ---------------------------------------------

WORDS = (
    "the", "renewal", "invoice", "please", "check", "our", "team", "on", "Tuesday", "and",
    "fails", "Client", "A", "Person", "B", "Project", "Client A", "Person B", "client a",
    "<EMAIL_1>", "<AWS_ACCESS_KEY_ID_2>", "Client AB", "cafés", "日本", "x",
)
SEPARATORS = (" ", "\n", ", ", ". ", " (", ") ", ": ", "'s ", " - ")
SECRET_MAKERS: tuple[Callable[[random.Random], str], ...] = (
    fakes.aws_key_id, fakes.github_token, fakes.stripe_live_key, fakes.anthropic_key,
    fakes.slack_bot_token,
)


def _card(seed: int) -> str:
    card = fakes.luhn_card(random.Random(seed))
    return f"{card[:4]} {card[4:8]} {card[8:12]} {card[12:]}"


secrets_ = st.builds(lambda make, seed: make(random.Random(seed)),
                     st.sampled_from(SECRET_MAKERS), st.integers(0, 2**32))
emails = st.builds(
    lambda user, host, tld: f"{user}@{host}.{tld}",
    st.from_regex(r"[a-z][a-z0-9._]{0,10}[a-z0-9]", fullmatch=True),
    st.from_regex(r"[a-z][a-z0-9]{1,12}", fullmatch=True),
    st.sampled_from(["com", "org", "example", "co.uk"]),
)
cards = st.integers(0, 2**32).map(_card)
hosts = st.from_regex(r"[a-z][a-z0-9]{0,8}", fullmatch=True).map(
    lambda h: f"{h}.corp-internal.example")
account_ids = st.integers(0, 10**8 - 1).map(lambda n: f"AC-{n:08d}")


def _forms(entity_index: int) -> list[str]:
    e = CLIENTS.entities[entity_index]
    forms = list(e.literals)
    if e.ignore_case:
        forms += [e.name.upper(), e.name.lower()]
    if e.kind == "client":
        forms.append(f"{e.name} GmbH")
    return forms


@st.composite
def documents(draw: st.DrawFn, *, free_text: bool = False) -> tuple[str, list[str]]:
    """A text with embedded secrets, PII and client identifiers.

    Each client appears in ONE surface form per document: aliases of one
    client share a pseudonym, so restore can give back only one form.
    Returns the text and the embedded one-way (secret) values.
    """
    forms = [draw(st.sampled_from(_forms(i))) for i in range(len(CLIENTS.entities))]
    pieces = [
        st.sampled_from(WORDS), st.sampled_from(WORDS), secrets_, emails, cards, hosts,
        account_ids, st.sampled_from(forms),
    ]
    if free_text:
        pieces.append(st.text(max_size=15))
    segments = draw(st.lists(st.one_of(pieces), min_size=1, max_size=14))
    seps = draw(st.lists(st.sampled_from(SEPARATORS), min_size=len(segments),
                         max_size=len(segments)))
    text = "".join(s + sep for s, sep in zip(segments, seps, strict=True))
    secret_values = [s for s in segments if any(s.startswith(p) for p in
                                                ("AKIA", "ghp_", "sk_live_", "sk-ant-", "xoxb-"))]
    return text, secret_values


@PROPERTY
@given(documents(free_text=True))
def test_property_redacting_everything_leaves_nothing_to_find(doc: tuple[str, list[str]]) -> None:
    text, secrets = doc
    red = redactor().redact(text)
    assert red.complete
    assert SCANNER.scan(red.text) == []
    for secret in secrets:
        if any(f.start <= text.index(secret) < f.end for f in SCANNER.scan(text)):
            assert secret not in red.text


@pytest.fixture(scope="module")
def policy() -> Policy:
    from promptguard import config

    return config.load(Path.cwd()).policy


@PROPERTY
@given(doc=documents(), surface=st.sampled_from(["cli", "clipboard", "claude-code", "gateway"]))
def test_property_rescan_finds_nothing_the_policy_blocks(
    policy: Policy, doc: tuple[str, list[str]], surface: str,
) -> None:
    def decide(f: Finding) -> str:
        return policy.decide(f, surface)

    red = redactor(should_redact=lambda f: decide(f) in ("redact", "block")).redact(doc[0])
    assert [f.rule_id for f in SCANNER.scan(red.text) if decide(f) == "block"] == []


@PROPERTY
@given(documents(free_text=True))
def test_property_redact_is_idempotent(doc: tuple[str, list[str]]) -> None:
    r = redactor()
    once = r.redact(doc[0]).text
    assert r.redact(once).text == once
    # Placeholders are not findings, even for a vault that never issued them.
    assert redactor().redact(once).text == once


@PROPERTY
@given(documents(free_text=True))
def test_property_restore_inverts_redact_when_everything_is_restorable(
    doc: tuple[str, list[str]],
) -> None:
    r = redactor(ALL_CATEGORIES)
    assert r.restore(r.redact(doc[0]).text) == doc[0]


@PROPERTY
@given(documents())
def test_property_restore_inverts_redact_for_restorable_categories(
    doc: tuple[str, list[str]],
) -> None:
    text, secrets = doc
    r = redactor()
    red = r.redact(text).text
    expected = text
    for secret in secrets:
        entry = r.vault.find(secret)  # one-way: found by keyed hash only
        if entry is not None:
            assert entry.value is None
            expected = expected.replace(secret, entry.placeholder)
    assert r.restore(red) == expected


@PROPERTY
@given(st.lists(st.one_of(emails, secrets_, hosts, account_ids), min_size=1, max_size=30))
def test_property_placeholders_never_collide(values: list[str]) -> None:
    r = redactor(ALL_CATEGORIES)
    issued: dict[str, str] = {}
    for value in values + values[::-1]:
        red = r.redact(f"value: {value} .")
        for rep in red.replacements:
            # One placeholder per value, one value per placeholder.
            assert issued.setdefault(rep.placeholder, value) == value
    assert len(set(issued.values())) == len(issued)
    placeholders = [e.placeholder for e in r.vault.entries]
    assert len(placeholders) == len(set(placeholders))


@PROPERTY
@given(doc=documents(free_text=True), cuts=st.lists(st.integers(0, 400), max_size=6))
def test_property_stream_restore_equals_restore(
    doc: tuple[str, list[str]], cuts: list[int],
) -> None:
    r = redactor(ALL_CATEGORIES)
    red = r.redact(doc[0]).text
    points = sorted({min(c, len(red)) for c in cuts})
    chunks = [red[a:b] for a, b in zip([0, *points], [*points, len(red)], strict=True)]
    assert _stream(r, chunks) == r.restore(red) == doc[0]


# -- command line ---------------------------------------------------------------

@pytest.fixture
def clients_file(tmp_path: Path) -> Path:
    path = tmp_path / "clients.toml"
    path.write_text(
        "[clients]\n"
        'names = [{ name = "Zorbex Dynamics", aliases = ["Zorbex", "ZORBEX Inc."] }, '
        '"Quantavo"]\n'
        'people = ["Dana Whitfield", "Marek Olsen"]\n'
        'domains = ["corp-internal.example"]\n'
        "ids = [{ label = \"ACCOUNT_ID\", regex = '''\\bAC-\\d{8}\\b''' }]\n",
    )
    return path


def test_cli_redact_and_restore_round_trip(tmp_path: Path, clients_file: Path, capsys) -> None:
    src = tmp_path / "email.txt"
    src.write_text(EXAMPLE)
    out = tmp_path / "redacted.txt"
    assert main(["redact", "--all", "--session", "t1", "--clients", str(clients_file),
                 "-o", str(out), str(src)]) == 0
    captured = capsys.readouterr()
    redacted = out.read_text()
    assert "Client A's account <ACCOUNT_ID_1>" in redacted
    assert "<AWS_ACCESS_KEY_ID_1>" in redacted and AWS_KEY not in redacted
    assert captured.out == ""
    assert "replaced" in captured.err and "<AWS_ACCESS_KEY_ID_1>  aws-access-key-id" in captured.err
    for value in (AWS_KEY, GH_TOKEN, "Zorbex", "Dana", "AC-2048"):
        assert value not in captured.err

    answer = tmp_path / "answer.txt"
    answer.write_text("Tell Person B that Client A's <ACCOUNT_ID_1> is fixed; "
                      "rotate <AWS_ACCESS_KEY_ID_1>.\n")
    assert main(["restore", "--session", "t1", str(answer)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ("Tell Dana Whitfield that Zorbex Dynamics's AC-20481234 is fixed; "
                            "rotate <AWS_ACCESS_KEY_ID_1>.\n")
    assert "restored 3 placeholder(s)" in captured.err
    assert "1 one-way placeholder(s) left" in captured.err


def test_cli_redact_defaults_to_the_chat_policy(
    tmp_path: Path, clients_file: Path, capsys,
) -> None:
    # Redaction prepares text for a chat: without --all, the chat surface's
    # policy redacts client names and a Luhn-valid card, not only secrets.
    src = tmp_path / "email.txt"
    src.write_text(f"Quantavo's key is {AWS_KEY}, card {CARD}\n")
    assert main(["redact", "--session", "chat1", "--clients", str(clients_file),
                 str(src)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "Client A's key is <AWS_ACCESS_KEY_ID_1>, card <CARD_1>\n"
    assert CARD not in captured.out + captured.err
    assert "left in place" not in captured.err


def test_cli_redact_surface_option(tmp_path: Path, clients_file: Path, capsys) -> None:
    src = tmp_path / "email.txt"
    src.write_text(f"Quantavo's key is {AWS_KEY}\n")
    # On the cli surface secrets block (so they are redacted) and client
    # names only warn (left, and reported).
    assert main(["redact", "--surface", "cli", "--session", "cli1", "--clients",
                 str(clients_file), str(src)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "Quantavo's key is <AWS_ACCESS_KEY_ID_1>\n"
    assert "left in place: client-name (warn on cli); --all redacts it" in captured.err


def test_cli_redact_honours_config_allowlists(tmp_path: Path, capsys) -> None:
    # An allowlisted value is left alone by redact exactly as scan accepts it.
    (tmp_path / ".promptguard.toml").write_text(
        f'[allowlist]\nregexes = ["^{AWS_KEY}$"]\n',
    )
    src = tmp_path / "in.txt"
    src.write_text(f"key {AWS_KEY} and token {GH_TOKEN}\n")
    assert main(["scan", "--no-audit", str(src)]) == 1
    out = capsys.readouterr().out
    assert "aws-access-key-id" not in out
    assert main(["redact", "--no-audit", "--session", "al1", str(src)]) == 0
    assert capsys.readouterr().out == (
        f"key {AWS_KEY} and token <GITHUB_PERSONAL_ACCESS_TOKEN_1>\n"
    )


def test_cli_redact_stdin(monkeypatch: pytest.MonkeyPatch, capsysbinary) -> None:
    import io
    import sys

    data = f"token {GH_TOKEN}\n".encode()
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["redact", "-"]) == 0
    assert capsysbinary.readouterr().out == b"token <GITHUB_PERSONAL_ACCESS_TOKEN_1>\n"


def test_cli_redact_incomplete_writes_nothing(tmp_path: Path, capsys) -> None:
    pack = tmp_path / "slow.toml"
    pack.write_text(
        "schema_version = 1\n[[rules]]\n"
        'id = "pgtest-slow"\nname = "slow"\ndescription = "catastrophic backtracking"\n'
        'category = "secret"\nseverity = "high"\nconfidence = "prefix"\n'
        "regex = '''(?:a|aa)+$'''\nkeywords = [\"aa\"]\n"
        'examples = ["aa"]\nnegative_examples = ["b"]\nreferences = ["https://example.org"]\n',
    )
    src = tmp_path / "in.txt"
    src.write_text(f"{AWS_KEY}\n" + "a" * 5000 + "b\n")
    out = tmp_path / "out.txt"
    assert main(["redact", "--rules", str(pack), "--regex-timeout", "0.01", "-o", str(out),
                 str(src)]) == 1
    assert not out.exists()
    err = capsys.readouterr().err
    assert "pgtest-slow" in err and "nothing written" in err and AWS_KEY not in err


def test_cli_errors(tmp_path: Path, capsys) -> None:
    assert main(["restore", "--session", "never-used", "-"]) == 2
    assert "no vault for session 'never-used'" in capsys.readouterr().err
    src = tmp_path / "x.txt"
    src.write_text("hi")
    assert main(["redact", "--clipboard", str(src)]) == 2
    assert "not both" in capsys.readouterr().err
    assert main(["redact", "--session", "../x", str(src)]) == 2
    assert "invalid session name" in capsys.readouterr().err
    assert main(["redact", "--clients", str(tmp_path / "nope.toml"), str(src)]) == 2
    assert "no such file" in capsys.readouterr().err


def test_cli_vault_list_and_clear(tmp_path: Path, capsys) -> None:
    src = tmp_path / "in.txt"
    src.write_text(f"mail me at dana@zorbex.example, key {AWS_KEY}\n")
    assert main(["redact", "--session", "listme", str(src)]) == 0
    capsys.readouterr()
    assert main(["vault", "list"]) == 0
    out = capsys.readouterr().out
    assert "listme" in out and "one-way" in out and AWS_KEY not in out
    assert main(["vault", "list", "--format", "json"]) == 0
    assert '"session": "listme"' in capsys.readouterr().out
    assert main(["vault", "clear", "--session", "listme"]) == 0
    assert "deleted 1 vault(s)" in capsys.readouterr().err
    assert main(["vault", "list"]) == 0
    assert "no sessions" in capsys.readouterr().out


def test_docs_worked_example_is_what_the_cli_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, repo_root: Path, capsys,
) -> None:
    import re

    doc = (repo_root / "docs" / "redaction.md").read_text()
    blocks = re.findall(r"```(\w+)\n(.*?)```", doc, re.S)
    config = next(body for lang, body in blocks if lang == "toml")
    email, answer = [body for lang, body in blocks if lang == "text"][:2]
    redact_console, restore_console = [body for lang, body in blocks if lang == "console"][:2]
    (tmp_path / ".promptguard.toml").write_text(config)
    (tmp_path / "email.txt").write_text(email)
    (tmp_path / "answer.txt").write_text(answer)
    monkeypatch.chdir(tmp_path)

    out = tmp_path / "redacted.txt"
    assert main(["redact", "--session", "zorbex-1234", "-o", str(out), "email.txt"]) == 0
    summary, _, redacted = redact_console.partition("$ cat redacted.txt\n")
    assert out.read_text() == redacted
    assert capsys.readouterr().err == summary.split("\n", 1)[1]

    assert main(["restore", "--session", "zorbex-1234", "answer.txt"]) == 0
    captured = capsys.readouterr()
    restored, _, note = restore_console.split("\n", 1)[1].partition("promptguard: answer.txt")
    assert captured.out == restored
    assert captured.err == "promptguard: answer.txt" + note
