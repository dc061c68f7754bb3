"""Client identifiers: config validation, matching rules, aliases, caching."""
from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from promptguard.clients import ClientDetector
from promptguard.clients import ClientDirectory
from promptguard.clients import compile_file
from promptguard.clients import fold
from promptguard.clients import load_clients_file
from promptguard.clients import parse_clients
from promptguard.engine import Scanner
from promptguard.errors import ConfigError
from promptguard.models import ScanSettings
from promptguard.ruleset import RuleSet

CONFIG = {
    "names": [
        "Globex",
        {"name": "Acme Corp", "aliases": ["Acme", "ACME Inc.", "acme.com"]},
        {"name": "IBM", "ignore_case": False},
        {"name": "Müller Logistik", "aliases": ["Müller"]},
    ],
    "people": ["Jane Doe", {"name": "Robert Smith", "aliases": ["Bob Smith"]}],
    "codenames": ["Bluebird"],
    "domains": ["corp.example.com", "*.intra.example", "internal"],
    "ids": [r"\bAC-\d{8}\b", {"label": "TICKET", "regex": r"\bSUP-\d{5}\b"}],
}


@pytest.fixture(scope="module")
def detector() -> ClientDetector:
    return ClientDetector(parse_clients(CONFIG, "test.toml: clients"))


def found(det: ClientDetector, text: str) -> list[tuple[str, str]]:
    return sorted((rule.id, text[s:e]) for rule, s, e, _ in det.detect(text))


@pytest.mark.parametrize(("text", "expected"), [
    pytest.param("Acme renewed.", [("client-name", "Acme")], id="plain"),
    pytest.param("Acme's renewal", [("client-name", "Acme")], id="possessive"),
    pytest.param("Acme’s renewal", [("client-name", "Acme")], id="possessive-curly"),
    pytest.param("ACME is late", [("client-name", "ACME")], id="case-insensitive"),
    pytest.param("Acme GmbH pays", [("client-name", "Acme GmbH")], id="legal-suffix"),
    pytest.param("Acme, Inc. pays", [("client-name", "Acme, Inc.")], id="comma-suffix"),
    pytest.param("ACME Inc.'s CFO", [("client-name", "ACME Inc.")], id="alias-with-suffix"),
    pytest.param("Acme Corp. said", [("client-name", "Acme Corp.")], id="abbreviation-dot"),
    pytest.param("Acme S.A. said", [("client-name", "Acme S.A.")], id="dotted-suffix"),
    pytest.param("paid by Acme GmbH.", [("client-name", "Acme GmbH")], id="sentence-dot"),
    pytest.param("Acme Incorporated", [("client-name", "Acme Incorporated")], id="long-form"),
    pytest.param("Acme as a client", [("client-name", "Acme")], id="as-is-not-a-suffix"),
    pytest.param("Acmes and NotAcme and acme_x", [], id="word-boundaries"),
    pytest.param("see acme.com now", [("client-name", "acme.com")], id="alias-domain"),
    pytest.param("ibm and IBM", [("client-name", "IBM")], id="case-sensitive-entry"),
    pytest.param("MÜLLER and müller", [("client-name", "MÜLLER"), ("client-name", "müller")],
                 id="non-ascii-fold"),
    pytest.param("İİ Müller Logistik", [("client-name", "Müller Logistik")],
                 id="expanding-lowercase-keeps-offsets"),
    pytest.param("Jane Doe’s and Bob Smith", [("client-person", "Bob Smith"),
                                              ("client-person", "Jane Doe")], id="people"),
    pytest.param("Project Bluebird ships", [("client-codename", "Bluebird")], id="codename"),
    pytest.param("ping db1.corp.example.com:5432", [("client-domain", "db1.corp.example.com")],
                 id="subdomain"),
    pytest.param("ssh corp.example.com", [("client-domain", "corp.example.com")], id="domain"),
    pytest.param("notcorp.example.com corp.example.community corp.example.com.evil.org", [],
                 id="domain-lookalikes"),
    pytest.param("jenkins.intra.example", [("client-domain", "jenkins.intra.example")],
                 id="wildcard-domain"),
    pytest.param("build.internal and internal and the internal wiki",
                 [("client-domain", "build.internal")], id="single-label-needs-host"),
    pytest.param("acct AC-12345678, ticket SUP-12345",
                 [("client-id", "AC-12345678"), ("client-ticket", "SUP-12345")], id="ids"),
    pytest.param("Client A and Person B wrote <HOST_1>", [], id="placeholders-not-found"),
])
def test_detect(detector: ClientDetector, text: str, expected: list[tuple[str, str]]) -> None:
    assert found(detector, text) == expected


def test_scanner_picks_the_whole_host_over_a_name_inside_it() -> None:
    directory = parse_clients({"names": ["Acme"], "domains": ["acme-internal.net"]}, "t")
    scanner = Scanner(RuleSet.from_rules([]), ScanSettings(), [ClientDetector(directory)])
    text = "see db.acme-internal.net"
    assert [(f.rule_id, text[f.start:f.end]) for f in scanner.scan(text)] == [
        ("client-domain", "db.acme-internal.net"),
    ]


@pytest.mark.parametrize(("value", "rule_id", "identity"), [
    ("Acme", "client-name", "client:Acme Corp"),
    ("ACME Inc.", "client-name", "client:Acme Corp"),
    ("ACME Inc", "client-name", "client:Acme Corp"),
    ("acme Corp.", "client-name", "client:Acme Corp"),
    ("acme GmbH", "client-name", "client:Acme Corp"),
    ("acme.com", "client-name", "client:Acme Corp"),
    ("Bob Smith", "client-person", "person:Robert Smith"),
    ("DB1.Corp.Example.com", "client-domain", "domain:db1.corp.example.com"),
    ("AC-12345678", "client-id", None),
    ("anything", "aws-access-key-id", None),
])
def test_aliases_share_an_identity(
    detector: ClientDetector, value: str, rule_id: str, identity: str | None,
) -> None:
    assert detector.identity(rule_id, value) == identity


@pytest.mark.parametrize(("raw", "message"), [
    ({"nmes": []}, "t.toml: clients.nmes: unknown key"),
    ({"names": "Acme"}, "t.toml: clients.names: must be a list"),
    ({"names": [3]}, "t.toml: clients.names[0]: must be a string or a table"),
    ({"names": ["A"]}, "t.toml: clients.names[0]: must be at least 2 characters"),
    ({"names": [{"aliases": ["x"]}]}, "t.toml: clients.names[0].name: missing"),
    ({"names": [{"name": "Acme", "aliases": ["ok", 5]}]},
     "t.toml: clients.names[0].aliases[1]: must be a string"),
    ({"people": [{"name": "Jo Doe", "ignore_case": "yes"}]},
     "t.toml: clients.people[0].ignore_case: must be true or false"),
    ({"domains": ["bad domain"]}, "t.toml: clients.domains[0]: must be a domain"),
    ({"ids": ["("]}, "t.toml: clients.ids[0]: regex does not compile"),
    ({"ids": ["x*"]}, "t.toml: clients.ids[0]: regex matches the empty string"),
    ({"ids": [{"label": "acct", "regex": "A-\\d+"}]},
     "t.toml: clients.ids[0].label: must be UPPER_SNAKE_CASE"),
    ({"files": ["missing.toml"]}, "t.toml: clients.files[0]: no such file"),
])
def test_config_errors_name_file_and_key(raw: dict[str, object], message: str) -> None:
    with pytest.raises(ConfigError) as excinfo:
        parse_clients(raw, "t.toml: clients")
    assert str(excinfo.value).startswith(message)


def test_repr_shows_counts_not_names(detector: ClientDetector) -> None:
    for text in (repr(detector), repr(detector.directory)):
        assert "Acme" not in text and "Jane" not in text
        assert "entities=7" in text


def test_fold_keeps_length() -> None:
    for text in ("İstanbul", "ẞtraße", "ΣΑΣ", "ﬃ", "plain"):
        assert len(fold(text)) == len(text)


def _write_list(path: Path, names: list[str]) -> None:
    quoted = ",\n".join(f'  "{n}"' for n in names)
    path.write_text(f"[clients]\nnames = [\n{quoted}\n]\nids = ['''\\bK-\\d{{4}}\\b''']\n")


def test_big_list_file_is_cached_by_mtime(tmp_path: Path) -> None:
    names = [f"Client{i:05d} Holdings" for i in range(10_000)]
    list_file = tmp_path / "clients.toml"
    _write_list(list_file, names)
    cache = tmp_path / "cache"
    directory = parse_clients({"files": ["clients.toml"]}, f"{tmp_path / 'cfg.toml'}: clients")
    text = "Renewal for Client05000 Holdings' and client09999 holdings (K-1234)."
    first = found(ClientDetector(directory, cache_dir=cache), text)
    assert first == [("client-id", "K-1234"), ("client-name", "Client05000 Holdings"),
                     ("client-name", "client09999 holdings")]
    [cached] = list(cache.glob("*.clients.cache"))
    assert stat.S_IMODE(cached.stat().st_mode) == 0o600  # client names are confidential
    assert found(ClientDetector(directory, cache_dir=cache), text) == first
    # Editing the file (new mtime and size) invalidates the cache.
    _write_list(list_file, ["Initech Systems"])
    os.utime(list_file, ns=(1, 1))
    assert found(ClientDetector(directory, cache_dir=cache), text) == [("client-id", "K-1234")]
    assert found(ClientDetector(directory, cache_dir=cache), "Initech Systems") == [
        ("client-name", "Initech Systems"),
    ]


def test_big_inline_list_is_cached_by_content(tmp_path: Path) -> None:
    directory = parse_clients({"names": [f"Org{i:05d} Ltd" for i in range(3000)]}, "t")
    cache = tmp_path / "cache"
    assert found(ClientDetector(directory, cache_dir=cache), "Org00042 Ltd") == [
        ("client-name", "Org00042 Ltd"),
    ]
    assert len(list(cache.glob("*.clients.cache"))) == 1
    assert found(ClientDetector(directory, cache_dir=cache), "org02999 ltd.") == [
        ("client-name", "org02999 ltd"),
    ]


def test_corrupt_cache_is_rebuilt(tmp_path: Path) -> None:
    list_file = tmp_path / "clients.toml"
    _write_list(list_file, ["Initech Systems"])
    cache = tmp_path / "cache"
    compile_file(list_file, cache)
    [cached] = list(cache.glob("*.clients.cache"))
    cached.write_bytes(b"not a cache")
    directory = ClientDirectory(files=(list_file,))
    assert found(ClientDetector(directory, cache_dir=cache), "Initech Systems") == [
        ("client-name", "Initech Systems"),
    ]


def test_list_file_errors(tmp_path: Path) -> None:
    no_table = tmp_path / "a.toml"
    no_table.write_text("names = ['Acme']\n")
    with pytest.raises(ConfigError, match="no \\[clients\\] table"):
        load_clients_file(no_table)
    nested = tmp_path / "b.toml"
    nested.write_text(f"[clients]\nfiles = ['{no_table.name}']\n")
    with pytest.raises(ConfigError, match="cannot name more files"):
        load_clients_file(nested)
    broken = tmp_path / "c.toml"
    broken.write_text("[clients\n")
    with pytest.raises(ConfigError, match="invalid TOML"):
        load_clients_file(broken)


def test_id_pattern_timeout_is_a_diagnostic_not_a_crash() -> None:
    directory = parse_clients({"ids": [{"label": "SLOW", "regex": r"(?:a|aa)+$"}]}, "t")
    detector = ClientDetector(directory, regex_timeout=0.01)
    scanner = Scanner(RuleSet.from_rules([]), ScanSettings(regex_timeout=0.01), [detector])
    text = "a" * 5000 + "b"
    result = scanner.run(text)
    assert [d.rule_id for d in result.diagnostics] == ["client-slow"]
    assert "a" * 20 not in result.diagnostics[0].message


def test_merged_directories_keep_both_lists() -> None:
    org = parse_clients({"names": ["Globex"], "domains": ["corp.example"]}, "org: clients")
    project = parse_clients({"names": ["Initech"], "domains": ["corp.example"]}, "p: clients")
    merged = org.merged(project)
    assert [e.name for e in merged.entities] == ["Globex", "Initech"]
    assert merged.domains == ("corp.example",)
    assert not merged.empty and ClientDirectory().empty


def test_candidate_table_is_read_only_on_a_hit(tmp_path: Path) -> None:
    list_file = tmp_path / "clients.toml"
    _write_list(list_file, [f"Client{i:05d} Holdings" for i in range(50)])
    cache = tmp_path / "cache"
    compile_file(list_file, cache)  # build and store
    detector = ClientDetector(ClientDirectory(files=(list_file,)), cache_dir=cache)
    assert found(detector, "nothing to see here") == []
    [compiled] = [c for c in detector._lists() if c.entities]
    assert compiled._shards == {}  # a prompt without clients reads no candidates
    assert found(detector, "Client00007 Holdings") == [("client-name", "Client00007 Holdings")]
    assert list(compiled._shards) == [0]
