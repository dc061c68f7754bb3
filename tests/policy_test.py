from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from promptguard.config import CliOverrides
from promptguard.config import build
from promptguard.config import parse_file
from promptguard.models import ACTIONS
from promptguard.models import CATEGORIES
from promptguard.models import CONFIDENCES
from promptguard.models import SEVERITIES
from promptguard.models import Finding
from promptguard.policy import ACTION_RANK
from promptguard.policy import AGENT_SURFACES
from promptguard.policy import PROFILES
from promptguard.policy import SURFACES
from promptguard.policy import Policy


def _policy(*files: tuple[str, dict[str, Any]], profile: str | None = None) -> Policy:
    parsed = [parse_file(raw, Path(f"/cfg/{kind}.toml"), kind) for kind, raw in files]  # type: ignore[arg-type]
    cfg = build(parsed, CliOverrides(profile=profile), root=Path("/nonexistent"),
                default_audit_log=Path("/nonexistent/audit.jsonl"))
    return cfg.policy


def _finding(category: str = "secret", rule_id: str = "some-rule", severity: str = "high",
             confidence: str = "prefix") -> Finding:
    return Finding(rule_id, "name", category, severity, confidence,  # type: ignore[arg-type]
                   0, 1, 1, 1, "0" * 20, "x…(1 chars)")


DEFAULT_CASES = [
    # Secrets block everywhere, whatever the surface.
    *((s, "secret", "prefix", "block") for s in SURFACES),
    *((s, "credential", "context", "block") for s in SURFACES),
    # PII: warn where a person is looking, redact where text leaves for a model.
    ("cli", "pii", "checksum", "warn"),
    ("pre-commit", "pii", "checksum", "warn"),
    *((s, "pii", "checksum", "redact") for s in (*AGENT_SURFACES, "clipboard", "gateway")),
    # Client names: allowed in the client's own repository, redacted on the way out.
    ("pre-commit", "client", "prefix", "allow"),
    ("cli", "client", "prefix", "warn"),
    *((s, "client", "prefix", "redact") for s in (*AGENT_SURFACES, "clipboard", "gateway")),
    # A heuristic guess never blocks: warn locally, redact on the way out.
    ("cli", "secret", "generic", "warn"),
    ("pre-commit", "credential", "generic", "warn"),
    ("clipboard", "secret", "generic", "redact"),
    ("claude-code", "secret", "generic", "redact"),
    # A cap never raises: generic PII on the command line stays warn.
    ("cli", "pii", "generic", "warn"),
    ("pre-commit", "client", "generic", "allow"),
]


@pytest.mark.parametrize(("surface", "category", "confidence", "expected"), DEFAULT_CASES)
def test_default_profile(surface: str, category: str, confidence: str, expected: str) -> None:
    policy = _policy()
    assert policy.decide(_finding(category, confidence=confidence), surface) == expected


def test_every_profile_covers_every_surface_and_category() -> None:
    for name in PROFILES:
        policy = _policy(profile=name)
        for surface in SURFACES:
            assert policy.on_error(surface) in ("block", "allow")
            for category in CATEGORIES:
                r = policy.resolve(surface, category)
                # Every category is set by the profile itself, never by the fallback.
                assert r.base.layer == "built-in profile", (name, surface, category)


def test_strict_blocks_pii_and_generic_everywhere() -> None:
    policy = _policy(profile="strict")
    for surface in SURFACES:
        assert policy.decide(_finding("pii", confidence="generic"), surface) == "block"
    assert policy.decide(_finding("client"), "pre-commit") == "warn"
    assert policy.decide(_finding("client"), "clipboard") == "block"


def test_enterprise_api_is_destination_aware() -> None:
    policy = _policy(profile="enterprise-api")
    pii = _finding("pii")
    assert policy.decide(pii, "gateway") == "warn"
    assert policy.decide(pii, "claude-code") == "warn"
    # The clipboard may end in a consumer chat: stricter than the gateway.
    assert ACTION_RANK[policy.decide(pii, "clipboard")] > ACTION_RANK[policy.decide(pii, "gateway")]
    assert policy.decide(_finding("secret"), "gateway") == "block"
    assert policy.on_error("gateway") == "allow"
    assert policy.on_error("clipboard") == "block"


def test_prompts_profile_blocks_client_names_in_agent_files() -> None:
    policy = _policy(profile="prompts")
    assert policy.decide(_finding("client"), "pre-commit") == "block"
    assert policy.decide(_finding("pii"), "pre-commit") == "block"
    assert policy.decide(_finding("secret", confidence="generic"), "pre-commit") == "warn"


def test_on_error_defaults_fail_closed_for_agents_and_clipboard() -> None:
    policy = _policy()
    for surface in (*AGENT_SURFACES, "clipboard", "gateway"):
        assert policy.on_error(surface) == "block"


def test_rule_setting_beats_category_and_is_not_capped() -> None:
    policy = _policy(("project", {"policy": {
        "rule": {"generic-password": "block", "aws-access-key-id": "warn"},
    }}))
    generic = _finding("credential", "generic-password", confidence="generic")
    assert policy.decide(generic, "cli") == "block"  # no cap on an explicit rule setting
    assert policy.decide(_finding("secret", "aws-access-key-id"), "cli") == "warn"
    assert policy.decide(_finding("secret", "other"), "cli") == "block"


def test_severity_cap() -> None:
    policy = _policy(("user", {"policy": {"severity": {"low": "warn"}}}))
    assert policy.decide(_finding("secret", severity="low"), "cli") == "warn"
    assert policy.decide(_finding("secret", severity="high"), "cli") == "block"
    # A cap above the action changes nothing.
    assert policy.decide(_finding("pii", severity="low"), "clipboard") == "warn"
    assert policy.decide(_finding("pii", severity="high"), "clipboard") == "redact"


def test_precedence_project_over_user_over_org_over_profile() -> None:
    org = ("org", {"policy": {"category": {
        "pii": "block", "client": "block", "credential": "redact",
    }}})
    user = ("user", {"policy": {"category": {"pii": "allow", "client": "allow"}}})
    project = ("project", {"policy": {"category": {"pii": "redact"}}})
    policy = _policy(org, user, project)
    assert policy.decide(_finding("pii"), "cli") == "redact"
    assert policy.decide(_finding("client"), "cli") == "allow"
    assert policy.decide(_finding("credential"), "cli") == "redact"
    assert policy.resolve("cli", "pii").base.layer == "project"
    assert policy.resolve("cli", "credential").base.layer == "org policy"


def test_surface_table_beats_general_within_a_layer_but_not_a_higher_layer() -> None:
    user = ("user", {"policy": {"surfaces": {"clipboard": {"category": {"pii": "block"}}}}})
    project = ("project", {"policy": {"category": {"pii": "warn"}}})
    assert _policy(user).decide(_finding("pii"), "clipboard") == "block"
    assert _policy(user).decide(_finding("pii"), "cli") == "warn"
    assert _policy(user, project).decide(_finding("pii"), "clipboard") == "warn"


def test_lock_overrides_a_downgrade_and_says_why() -> None:
    org = ("org", {"locks": {"category": {"secret": "block"}}})
    project = ("project", {"policy": {"category": {"secret": "warn"}}})
    policy = _policy(org, project)
    r = policy.resolve("cli", "secret", "aws-access-key-id", "high", "prefix")
    assert r.action == "block"
    assert r.requested == "warn"
    assert r.lock is not None and r.lock.source == "/cfg/org.toml"
    assert "locked by org policy /cfg/org.toml" in r.explain()
    assert "/cfg/project.toml" in r.explain()


def test_lock_beats_caps_rule_settings_and_profile() -> None:
    org = ("org", {"locks": {
        "category": {"pii": "redact"},
        "rule": {"generic-password": "block"},
        "surfaces": {"clipboard": {"category": {"client": "block"}}},
    }})
    project = ("project", {"policy": {
        "rule": {"generic-password": "allow"}, "confidence": {"generic": "allow"},
    }})
    policy = _policy(org, project, profile="enterprise-api")
    assert policy.decide(_finding("credential", "generic-password", confidence="generic"),
                         "cli") == "block"
    assert policy.decide(_finding("pii", confidence="generic"), "gateway") == "redact"
    assert policy.decide(_finding("client"), "clipboard") == "block"
    assert policy.decide(_finding("client"), "gateway") == "warn"  # lock is clipboard-only


def test_locked_on_error() -> None:
    org = ("org", {"locks": {"on_error": "block"}})
    user = ("user", {"policy": {"on_error": "allow"}})
    assert _policy(user).on_error("gateway") == "allow"
    assert _policy(org, user).on_error("gateway") == "block"


# -- property: nothing weakens a lock -------------------------------------------
actions = st.sampled_from(ACTIONS)


def _tables(selectors: dict[str, st.SearchStrategy[str]]) -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries({}, optional={
        sel: st.dictionaries(keys, actions, max_size=3) for sel, keys in selectors.items()
    })


_RULE_IDS = st.sampled_from(["aws-access-key-id", "generic-password", "email-address"])
_POLICY_SELECTORS = {
    "category": st.sampled_from(CATEGORIES),
    "rule": _RULE_IDS,
    "severity": st.sampled_from(SEVERITIES),
    "confidence": st.sampled_from(CONFIDENCES),
}
_policy_table = _tables(_POLICY_SELECTORS).flatmap(
    lambda general: st.dictionaries(st.sampled_from(SURFACES), _tables(_POLICY_SELECTORS),
                                    max_size=3).map(
        lambda surfaces: {**general, "surfaces": surfaces},
    ),
)
_lock_table = _tables({"category": st.sampled_from(CATEGORIES), "rule": _RULE_IDS}).flatmap(
    lambda general: st.dictionaries(
        st.sampled_from(SURFACES),
        _tables({"category": st.sampled_from(CATEGORIES), "rule": _RULE_IDS}), max_size=3,
    ).map(lambda surfaces: {**general, "surfaces": surfaces}),
)


@given(
    org_policy=_policy_table,
    locks=_lock_table,
    user=_policy_table,
    project=_policy_table,
    profile=st.sampled_from([None, *PROFILES]),
    surface=st.sampled_from(SURFACES),
    category=st.sampled_from(CATEGORIES),
    rule_id=_RULE_IDS,
    severity=st.sampled_from(SEVERITIES),
    confidence=st.sampled_from(CONFIDENCES),
)
def test_no_config_weakens_a_lock(org_policy, locks, user, project, profile, surface, category,
                                  rule_id, severity, confidence) -> None:
    policy = _policy(("org", {"policy": org_policy, "locks": locks}), ("user", {"policy": user}),
                     ("project", {"policy": project}), profile=profile)
    action = policy.decide(_finding(category, rule_id, severity, confidence), surface)
    floors = [
        t.get(sel, {}).get(key)
        for t in (locks, locks.get("surfaces", {}).get(surface, {}))
        for sel, key in (("category", category), ("rule", rule_id))
    ]
    for floor in filter(None, floors):
        assert ACTION_RANK[action] >= ACTION_RANK[floor]
    # And without locks, the same layers give exactly the unlocked answer,
    # which the lock can only have raised.
    unlocked = _policy(("org", {"policy": org_policy}), ("user", {"policy": user}),
                       ("project", {"policy": project}), profile=profile)
    free = unlocked.decide(_finding(category, rule_id, severity, confidence), surface)
    assert ACTION_RANK[action] >= ACTION_RANK[free]
    if not any(floors):
        assert action == free


@given(category=st.sampled_from(CATEGORIES), surface=st.sampled_from(SURFACES),
       project_action=actions, user_action=actions)
def test_project_setting_wins_without_locks(category, surface, project_action, user_action) -> None:
    policy = _policy(("user", {"policy": {"category": {category: user_action}}}),
                     ("project", {"policy": {"category": {category: project_action}}}))
    # Highest severity and checksum confidence: no built-in cap applies.
    assert policy.decide(_finding(category, severity="critical", confidence="checksum"),
                         surface) == project_action
