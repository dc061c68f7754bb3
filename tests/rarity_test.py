from __future__ import annotations

import random
import string

import pytest

from promptguard import rarity
from promptguard.filters import shannon_entropy

IDENTIFIERS = [
    "user_profile_cache_key", "getUserProfileCacheKey", "DEFAULT_CONNECTION_TIMEOUT",
    "application/json", "correcthorsebatterystaple", "tokenize.generate_tokens",
]


def _random(n: int, alphabet: str, seed: int) -> str:
    rng = random.Random(seed)
    return "".join(rng.choice(alphabet) for _ in range(n))


TOKENS = [
    _random(40, string.ascii_letters + string.digits, 1),
    _random(32, "0123456789abcdef", 2),
    _random(24, string.ascii_lowercase + string.digits, 3),
    _random(43, string.ascii_letters + string.digits + "-_", 4),
]


@pytest.mark.parametrize("value", IDENTIFIERS)
def test_identifiers_are_cheap(value: str) -> None:
    assert rarity.bits_per_char(value) < 4.5


@pytest.mark.parametrize("value", TOKENS)
def test_generated_tokens_are_rare(value: str) -> None:
    assert rarity.bits_per_char(value) > 6.5


def test_rarity_separates_where_entropy_does_not() -> None:
    # Entropy barely tells this identifier from a token; rarity does.
    ident, token = "getUserProfileCacheKey", _random(20, string.ascii_letters + string.digits, 9)
    assert abs(shannon_entropy(ident) - shannon_entropy(token)) < 0.5
    assert rarity.bits_per_char(token) > rarity.bits_per_char(ident) + 3


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param(TOKENS[0], True, id="token"),
        pytest.param("3fa85f64-5717-4562-b3fc-2c963f66afa6", False, id="uuid"),
        pytest.param("ClientVpnEndpoints", False, id="camel-words"),
        pytest.param("get_secret(vault)", False, id="call-with-arg"),
        pytest.param("Zq9(x]Lm4#vR7sT1wZ8yB3kD!p", True, id="django-like-brackets"),
        pytest.param("sha512-" + TOKENS[0], False, id="integrity"),
        pytest.param("self.settings.secret_token", False, id="attribute"),
        pytest.param("get_secret_from_vault()", False, id="call"),
        pytest.param("https://example.org/oauth/token", False, id="url"),
        pytest.param("tokenize.generate_tokens", False, id="dotted"),
        pytest.param("short", False, id="short"),
    ],
)
def test_generic_token(value: str, expected: bool) -> None:
    assert rarity.generic_token(value) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("Summer2024!", True, id="chosen-password"),
        pytest.param("correct horse battery", True, id="passphrase"),
        pytest.param("Please enter the password", False, id="prose"),
        pytest.param("/home/deploy/app", False, id="path"),
        pytest.param("changeme", False, id="placeholder"),
        pytest.param("None", False, id="none"),
        pytest.param("testPass", False, id="fixture-testpass"),
        pytest.param("doesnotexist", False, id="fixture-words"),
        pytest.param("test123", False, id="fixture-digits"),
        pytest.param("MyDbPass2024", True, id="real-with-pass"),
    ],
)
def test_generic_password(value: str, expected: bool) -> None:
    assert rarity.generic_password(value) is expected


def test_generic_key_accepts_uuid_keys() -> None:
    assert rarity.generic_key("3fa85f64-5717-4562-b3fc-2c963f66afa6")
    assert not rarity.generic_key("user_profile_cache_key")


def test_bare_password_rejects_plain_identifiers() -> None:
    assert not rarity.generic_password_bare("user_password")
    assert not rarity.generic_password_bare("passwordMgr")
    # "pwd" inside a random value is not a name segment.
    assert rarity.generic_password_bare("mlzhZYyf8lB4ytqSktpKMqDBMbjPwDNf")
    assert rarity.generic_password_bare("hunter2zq")
