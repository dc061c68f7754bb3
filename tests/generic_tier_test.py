"""The confident generic tier: which generic findings block, and which only warn."""
from __future__ import annotations

import random
import string
import sys
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from promptguard import rarity
from promptguard.config import profile_layer
from promptguard.engine import Scanner
from promptguard.engine import ScanSettings
from promptguard.models import Finding
from promptguard.policy import Policy
from promptguard.policy import Setting
from promptguard.ruleset import load_ruleset

SCANNER = Scanner(load_ruleset(cache_dir=None), ScanSettings())
POLICY = Policy(Setting("default", "built-in", "promptguard", "(default profile)"),
                (profile_layer("default"),))
ROOT = Path(__file__).resolve().parent.parent
B62 = string.ascii_letters + string.digits


def _token(seed: int, n: int = 32) -> str:
    rng = random.Random(seed)
    while True:
        value = "".join(rng.choice(B62) for _ in range(n))
        if any(c.isdigit() for c in value) and any(c.isupper() for c in value):
            return value


def _only(text: str) -> Finding:
    found = SCANNER.scan(text)
    assert len(found) == 1, [f.rule_id for f in found]
    return found[0]


@pytest.mark.parametrize("name", [
    "PAYMENT_API_KEY", "client_secret", "stripeToken", "openweatherapikey", "AUTH_TOKEN",
    "billing-service.apiKey", "zenrows_token",
])
def test_strong_names(name: str) -> None:
    assert rarity.strong_name(name)


@pytest.mark.parametrize("name", [
    "token", "secret", "NextToken", "token3", "public_key", "csrf_token", "sessionKey_id",
    "page_token", "idempotency_key", "dummy_api_key",
])
def test_weak_names(name: str) -> None:
    assert not rarity.strong_name(name)


@pytest.mark.parametrize("template", [
    'PAYMENT_API_KEY = "{v}"',
    "export BILLING_SERVICE_TOKEN={v}",
    '{{"client_secret": "{v}"}}',
    "partner_api_key: {v}",
    "ledgerly token = '{v}'",
])
def test_strong_name_and_rare_value_blocks(template: str) -> None:
    f = _only(template.format(v=_token(7)))
    assert f.rule_id.startswith("generic-")
    assert f.confidence == "context"
    assert POLICY.decide(f, "cli") == "block"
    assert POLICY.decide(f, "pre-commit") == "block"


@pytest.mark.parametrize("template", [
    'token = "{v}"',
    'const token = "{v}"',
    "secret: {v}",
])
def test_weak_name_only_warns(template: str) -> None:
    f = _only(template.format(v=_token(11)))
    assert f.confidence == "generic"
    assert POLICY.decide(f, "cli") == "warn"


def test_uuid_under_a_key_name_warns() -> None:
    f = _only('SERVICE_API_KEY = "3fa85f64-5717-4562-b3fc-2c963f66afa6"')
    assert f.confidence == "generic"


@pytest.mark.parametrize("text", [
    '"NextContinuationToken": "1w41l63U0xa8q7smH50vCxyTQqdxo69O3EmK28Bi5PcROI4wI/EyIJg=="',
    '"result_key": "Reservations1ab2c3d4e5f6"',
    'ANY_KEY = "ZHVtbXkgdGV4dCBkYXRhIGRhdGEgZGF0YQ=="',  # base64 of "dummy text data data"
    'notes = "io.jsonwebtoken:jjwt-jackson-0.11.2"',
    'toolskey = "VS%0.f0COMNTOOLS"',
])
def test_not_secrets(text: str) -> None:
    assert SCANNER.scan(text) == []


def test_sequential_filler_is_still_dropped() -> None:
    assert SCANNER.scan('PAYMENT_API_KEY = "1234567890abcdef1234567890abcdef"') == []
    assert SCANNER.scan('PAYMENT_API_KEY = "abcdefghijklmnopqrstuvwxyz012345"') == []


@settings(max_examples=60, deadline=None)
@given(st.text(alphabet=B62, min_size=20, max_size=60))
def test_a_bare_token_name_never_blocks(value: str) -> None:
    for f in SCANNER.scan(f'token = "{value}"'):
        assert POLICY.decide(f, "cli") != "block" or not f.rule_id.startswith("generic-")


def test_vendor_packs_are_up_to_date() -> None:
    """rules/vendors-*.toml are exactly what tools/gen_vendor_rules.py makes of the table."""
    sys.path.insert(0, str(ROOT / "tools"))
    try:
        import gen_vendor_rules  # type: ignore[import-not-found]
    finally:
        sys.path.pop(0)
    assert gen_vendor_rules.main(["--check"]) == 0
