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


@pytest.mark.parametrize("text", [
    # Documentation and default passwords in connection strings: reported,
    # but only as a warning (issue 14).
    "redis://user:secret@localhost:6379",
    "amqp://myuser:mypassword@localhost:5672/myvhost",
    "Server=myServerAddress;Database=myDataBase;User Id=myUsername;Password=myPassword;",
    "Driver={ODBC Driver 18 for SQL Server};Server=myServer;Database=myDB;UID=myUser;"
    "PWD=myPassword;",
    "ldaps://cn=admin,dc=example,dc=org:admin@localhost",
    "machine ftp.acme.io login jdoe password pass123",
    "Authorization: Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ==",  # RFC 7617's Aladdin:open sesame
])
def test_documentation_passwords_warn(text: str) -> None:
    f = _only(text)
    assert f.confidence == "generic"
    assert POLICY.decide(f, "cli") == "warn"


@pytest.mark.parametrize("text", [
    # The prompt benchmark's look-alikes: placeholders, not passwords.
    "postgres://user:password@localhost:5432/mydb",
    "postgresql://USER:PASSWORD@HOST:5432/DATABASE",
    "redis://:changeme@localhost:6379",
    "amqp://guest:guest@localhost:5672/",
    "mysql://root:<password>@db:3306/app",
    "curl -u <user:password> https://api.acme-corp.io/v1",
    "postgresql://app:Ld8vQ2mZx7Rk@[2001:db8::1234]/database",
    "postgresql://app:Ld8vQ2mZx7Rk@192.0.2.14/database",
    # Oracle's demo account: every SQLAlchemy/ORM doc page has it (benign bulk corpus).
    "postgresql+psycopg2://scott:tiger@localhost/mydatabase",
    "mysql+mysqldb://scott:tiger@localhost/foo",
    "mssql+pyodbc://scott:tiger@mydsn",
    "jdbc:oracle:thin:scott/tiger@myhost:1521:orcl",
    "oracle+oracledb://scott:tiger@127.0.0.1:1521/?service_name=freepdb1",
    # An AWS idempotency token is a UUID under a "...Token" name, not a secret.
    '"ChangeToken": "abcd1234-5678-90ab-cdef-EXAMPLE11111"',
    '"ChangeToken": "7d5f2b0c-93e1-4a6d-b8c2-0f4e9a1d3c57"',
    '"LifecycleActionToken": "bcd2f1b8-9a78-44d3-8a7a-4dd07d7cf635"',
])
def test_placeholder_passwords_stay_unreported(text: str) -> None:
    assert SCANNER.scan(text) == []


@pytest.mark.parametrize("value", [
    "ded7db27a4558e2ea9bbf0bf36ae0e8521618f366c",  # 42 hex: no AWS secret has this shape
    "R6WCNd0erkAuZyD+Fe8C4IwjpYQtniKqnHAzE7Pk5fPrBRpwOnuYxA==",
])
def test_aws_secret_name_with_a_non_aws_value(value: str) -> None:
    assert not [f for f in SCANNER.scan(f"export AWS_SECRET_ACCESS_KEY={value}")
                if f.rule_id.startswith("generic-")]


def test_uuid_under_a_strong_token_name_warns_and_after_a_bare_token_is_an_id() -> None:
    uuid = "7e30d135-abaf-46da-93bb-5e970768ea73"
    f = _only(f'readonly static string jenkinsToken = "{uuid}";')
    assert f.confidence == "generic"
    assert _only(f"bugsnag secret {uuid}").confidence == "generic"
    assert SCANNER.scan(f"retrying request with token {uuid}") == []


@pytest.mark.parametrize("text", [
    'let db_password = "(sensitive)";',
    '"password": "REFRESH_TOKEN_GRANT_TYPE_NOT_SUPPORTED",',
    '"api_key": "sk-ant-api03-\u20263zhY",',
])
def test_masked_and_constant_values_are_not_passwords(text: str) -> None:
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
