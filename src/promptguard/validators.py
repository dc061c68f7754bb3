"""Offline checks that turn a regex match into a confident finding.

A rule names one validator in its `validate` field; the engine calls it with
the text of the rule's secret group. Every validator is a pure function
`(value: str) -> bool` that returns True when the value passes and False
otherwise, and never raises: a scanner that crashes on odd input fails open.

This module is imported on every hook start, so it imports nothing heavy at
module level; zlib, base64 and json are imported inside the few functions
that need them.
"""

from __future__ import annotations

from collections.abc import Callable

_DIGITS = "0123456789"
_UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
_LOWER = "abcdefghijklmnopqrstuvwxyz"
_HEX = frozenset("0123456789abcdefABCDEF")
_ALNUM = frozenset(_DIGITS + _UPPER + _LOWER)
_BASE64URL = frozenset(_DIGITS + _UPPER + _LOWER + "-_")


def _is_digits(value: str) -> bool:
    # str.isdigit() alone accepts '²' and Arabic-Indic digits, which int()
    # then either rejects or silently converts.
    return value.isascii() and value.isdigit()


def _crc32(value: str) -> int:
    import zlib

    return zlib.crc32(value.encode("ascii"))


def _strip(value: str, separators: str) -> str:
    for sep in separators:
        value = value.replace(sep, "")
    return value


def _grouped(value: str, groups: tuple[int, ...], separators: str) -> str | None:
    """`value` without separators if it is the groups run together or joined
    by one separator each ("123-45-6789", "123 45 6789", "123456789")."""
    size = sum(groups)
    if len(value) == size:
        return value
    if len(value) != size + len(groups) - 1:
        return None
    parts = []
    pos = 0
    for i, group in enumerate(groups):
        if i:
            if value[pos] not in separators:
                return None
            pos += 1
        parts.append(value[pos : pos + group])
        pos += group
    return "".join(parts)


def _luhn_ok(digits: str) -> bool:
    total = 0
    for i, char in enumerate(reversed(digits)):
        n = ord(char) - 48
        if i % 2:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return total % 10 == 0


def luhn(value: str) -> bool:
    """ISO/IEC 7812 mod-10 over 12-19 digits; spaces and dashes allowed."""
    digits = _strip(value, " -")
    return 12 <= len(digits) <= 19 and _is_digits(digits) and _luhn_ok(digits)


# (lowest prefix, highest prefix, allowed lengths); prefixes compare as
# integers over the first len(str(lowest)) digits. Ranges overlap (UnionPay
# and Discover on 622126-622925, Maestro on 6x) and any hit is enough.
_CARD_ISSUERS: tuple[tuple[int, int, frozenset[int]], ...] = (
    (4, 4, frozenset((13, 16, 19))),  # Visa
    (51, 55, frozenset((16,))),  # Mastercard
    (2221, 2720, frozenset((16,))),  # Mastercard 2-series
    (34, 34, frozenset((15,))),  # American Express
    (37, 37, frozenset((15,))),  # American Express
    (6011, 6011, frozenset(range(16, 20))),  # Discover
    (644, 649, frozenset(range(16, 20))),  # Discover
    (65, 65, frozenset(range(16, 20))),  # Discover
    (622126, 622925, frozenset(range(16, 20))),  # Discover / UnionPay co-brand
    (300, 305, frozenset(range(14, 20))),  # Diners Club
    (36, 36, frozenset(range(14, 20))),  # Diners Club
    (38, 39, frozenset(range(14, 20))),  # Diners Club
    (3528, 3589, frozenset(range(16, 20))),  # JCB
    (62, 62, frozenset(range(16, 20))),  # UnionPay
    (50, 50, frozenset(range(12, 20))),  # Maestro
    (56, 69, frozenset(range(12, 20))),  # Maestro
)


def card(value: str) -> bool:
    """A payment card number: Luhn plus a known issuer prefix and length."""
    if not luhn(value):
        return False
    digits = _strip(value, " -")
    # "4444 4444 ..." style fillers; some of them are Luhn-valid.
    if len(set(digits)) == 1:
        return False
    for low, high, lengths in _CARD_ISSUERS:
        width = len(str(low))
        if len(digits) in lengths and low <= int(digits[:width]) <= high:
            return True
    return False


# IBAN length per country, from the SWIFT IBAN registry (cross-checked
# against python-stdnum's iban.dat generated from iban-registry_1.txt).
_IBAN_LENGTHS = {
    "AD": 24, "AE": 23, "AL": 28, "AT": 20, "AZ": 28, "BA": 20, "BE": 16,
    "BG": 22, "BH": 22, "BI": 27, "BR": 29, "BY": 28, "CH": 21, "CR": 22,
    "CY": 28, "CZ": 24, "DE": 22, "DJ": 27, "DK": 18, "DO": 28, "EE": 20,
    "EG": 29, "ES": 24, "FI": 18, "FK": 18, "FO": 18, "FR": 27, "GB": 22,
    "GE": 22, "GI": 23, "GL": 18, "GR": 27, "GT": 28, "HN": 28, "HR": 21,
    "HU": 28, "IE": 22, "IL": 23, "IQ": 23, "IS": 26, "IT": 27, "JO": 30,
    "KW": 30, "KZ": 20, "LB": 28, "LC": 32, "LI": 21, "LT": 20, "LU": 20,
    "LV": 21, "LY": 25, "MC": 27, "MD": 24, "ME": 22, "MK": 19, "MN": 20,
    "MR": 27, "MT": 31, "MU": 30, "NI": 28, "NL": 18, "NO": 15, "OM": 23,
    "PK": 24, "PL": 28, "PS": 29, "PT": 25, "QA": 29, "RO": 24, "RS": 22,
    "RU": 33, "SA": 24, "SC": 31, "SD": 18, "SE": 24, "SI": 19, "SK": 24,
    "SM": 27, "SO": 23, "ST": 25, "SV": 28, "TL": 23, "TN": 24, "TR": 26,
    "UA": 29, "VA": 22, "VG": 24, "XK": 20, "YE": 30,
}  # fmt: skip


def iban(value: str) -> bool:
    """ISO 13616: known country, its registered length, mod-97 == 1."""
    # Check ASCII before upper(): "\ufb01".upper() is the ASCII "FI".
    if not value.isascii():
        return False
    compact = _strip(value, " ").upper()
    if _IBAN_LENGTHS.get(compact[:2]) != len(compact):
        return False
    if not _is_digits(compact[2:4]) or not all(c in _ALNUM for c in compact[4:]):
        return False
    rearranged = compact[4:] + compact[:4]
    # Letters count as two digits, A=10 ... Z=35.
    remainder = 0
    for char in rearranged:
        n = ord(char) - 48 if char in _DIGITS else ord(char) - 55
        remainder = (remainder * (100 if n > 9 else 10) + n) % 97
    return remainder == 1


_BASE62 = _DIGITS + _UPPER + _LOWER


def _base62(n: int, width: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = _BASE62[r] + out
    return out.rjust(width, "0")


def github_crc32(value: str) -> bool:
    """GitHub classic tokens (gh[pousr]_) and npm tokens (npm_).

    Layout: 4-char prefix, 30 random base62 chars, then CRC32 of those 30
    chars in base62 (alphabet 0-9A-Za-z), left-padded with '0' to 6 chars.
    https://github.blog/2021-04-05-behind-githubs-new-authentication-token-formats/
    says "a 32 bit checksum in the last 6 digits": CRC32, base62, leading
    zeros for padding; it does not print the alphabet. The 0-9A-Za-z order
    and "CRC of the 30 chars only" were confirmed by recomputing the sample
    tokens printed in https://gist.github.com/coolaj86/eb8cddfd3e4251258712dfed03e1f86d
    (ghp_) and https://github.com/secretlint/secretlint/issues/200 (npm_).
    """
    if len(value) != 40:
        return False
    prefix = value[:4]
    if not (prefix == "npm_" or (prefix[:2] == "gh" and prefix[2] in "pousr" and prefix[3] == "_")):
        return False
    body = value[4:]
    if not all(c in _ALNUM for c in body):
        return False
    return _base62(_crc32(body[:30]), 6) == body[30:]


def grafana_sa_crc32(value: str) -> bool:
    """Grafana service account token: glsa_ + 32 alnum + _ + 8 hex.

    The 8 hex chars are CRC32 (IEEE) of the first 37 chars ("glsa_" and the
    secret), written as its 4 bytes little-endian, lower-case hex. Verified
    against grafana/grafana pkg/components/satokengen/tokengen.go
    (CalculateChecksum) and its test vector.
    """
    if len(value) != 46 or not value.startswith("glsa_") or value[37] != "_":
        return False
    if not all(c in _ALNUM for c in value[5:37]):
        return False
    expected = _crc32(value[:37]).to_bytes(4, "little").hex()
    # Grafana's Decode compares the string exactly, so upper case is invalid.
    return value[38:] == expected


def atlassian_crc32(value: str) -> bool:
    """Atlassian API tokens (ATATT3...) and other AT... tokens.

    The last 8 chars are upper-case hex of CRC32 (big-endian, as printed by
    %08X) over everything before them, including the "AT" prefix and the
    "=" that precedes the checksum in ATATT3 tokens. Atlassian publishes no
    spec; this follows CredSweeper's value_atlassian_token_check.py and was
    confirmed on ATATT3 tokens leaked in public repositories (192 chars).
    """
    if len(value) <= 10 or not value.startswith("AT"):
        return False
    payload, checksum = value[:-8], value[-8:]
    if not all(c in _HEX for c in checksum):
        return False
    if not all(c in _BASE64URL or c == "=" for c in payload):
        return False
    return _crc32(payload) == int(checksum, 16)


_BECH32_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_GENERATOR = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _bech32_polymod(values: list[int]) -> int:
    chk = 1
    for v in values:
        top = chk >> 25
        chk = ((chk & 0x1FFFFFF) << 5) ^ v
        for i, gen in enumerate(_BECH32_GENERATOR):
            if (top >> i) & 1:
                chk ^= gen
    return chk


def bech32(value: str) -> bool:
    """BIP-173 Bech32 checksum, e.g. age's AGE-SECRET-KEY-1... identities.

    The human-readable part is everything before the last '1'. Upper or
    lower case is fine, mixed case is not (BIP-173). BIP-173's 90-character
    cap is not enforced: the checksum is what tells a real value from a
    lookalike, and a cap would only add misses.
    """
    if not value.isascii() or (value.lower() != value and value.upper() != value):
        return False
    value = value.lower()
    pos = value.rfind("1")
    hrp, data = value[: max(pos, 0)], value[pos + 1 :]
    if pos < 1 or len(hrp) > 83 or len(data) < 6:
        return False
    if not all(33 <= ord(c) <= 126 for c in hrp):
        return False
    if not all(c in _BECH32_CHARSET for c in data):
        return False
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    return _bech32_polymod(expanded + [_BECH32_CHARSET.index(c) for c in data]) == 1


def _b64url_json(segment: str) -> object:
    import base64
    import json

    raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    return json.loads(raw.decode("utf-8"))


def jwt(value: str) -> bool:
    """A JWS compact token: header.payload.signature (RFC 7515/7519).

    Header and payload must be base64url (no padding) JSON objects and the
    header must name its "alg". An empty signature (alg "none") is False:
    an unsigned token authorises nothing.
    """
    parts = value.split(".")
    if len(parts) != 3 or not all(parts):
        return False
    if not all(c in _BASE64URL for part in parts for c in part):
        return False
    # A length of 1 mod 4 is never valid base64.
    if any(len(part) % 4 == 1 for part in parts):
        return False
    try:
        header = _b64url_json(parts[0])
        payload = _b64url_json(parts[1])
    except (ValueError, RecursionError):  # binascii.Error, JSON and UTF-8 errors
        return False
    return (
        isinstance(header, dict)
        and isinstance(header.get("alg"), str)
        and isinstance(payload, dict)
    )


# Numbers printed on sample cards and in advertising, reused by thousands:
# https://www.ssa.gov/history/ssn/misused.html (078-05-1120, 219-09-9999).
_SSN_SAMPLES = frozenset(("078051120", "219099999", "123456789"))


def us_ssn(value: str) -> bool:
    """US Social Security number AAA-GG-SSSS (dashes, spaces or neither)."""
    digits = _grouped(value, (3, 2, 4), " -")
    if digits is None or not _is_digits(digits):
        return False
    area, group, serial = digits[:3], digits[3:5], digits[5:]
    if area in ("000", "666") or area[0] == "9":
        return False
    return group != "00" and serial != "0000" and digits not in _SSN_SAMPLES


def us_itin(value: str) -> bool:
    """US Individual Taxpayer Identification Number 9XX-GG-XXXX."""
    digits = _grouped(value, (3, 2, 4), " -")
    if digits is None or not _is_digits(digits) or digits[0] != "9":
        return False
    group = int(digits[3:5])
    return 50 <= group <= 65 or 70 <= group <= 88 or 90 <= group <= 92 or 94 <= group <= 99


def uk_nhs(value: str) -> bool:
    """NHS number: 10 digits, mod-11 check digit with weights 10..2."""
    digits = _strip(value, " -")
    if len(digits) != 10 or not _is_digits(digits):
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    # A computed check digit of 10 means the number was never issued.
    return check != 10 and check == int(digits[9])


_NINO_BAD_LETTERS = "DFIQUV"
_NINO_BAD_PREFIXES = frozenset(("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"))


def uk_nino(value: str) -> bool:
    """UK National Insurance number, e.g. "AB 12 34 56 C" (HMRC rules)."""
    if not value.isascii():
        return False
    compact = _strip(value, " -").upper()
    if len(compact) != 9:
        return False
    first, second, digits, suffix = compact[0], compact[1], compact[2:8], compact[8]
    if first not in _UPPER or first in _NINO_BAD_LETTERS:
        return False
    if second not in _UPPER or second in _NINO_BAD_LETTERS or second == "O":
        return False
    if compact[:2] in _NINO_BAD_PREFIXES:
        return False
    return _is_digits(digits) and suffix in "ABCD"


def us_npi(value: str) -> bool:
    """US National Provider Identifier: Luhn over "80840" + the 10 digits.

    80840 is the ISO 7812 issuer prefix CMS assigned to NPIs; its check digit
    is computed as if that prefix were present.
    """
    return len(value) == 10 and _is_digits(value) and _luhn_ok("80840" + value)


def us_dea(value: str) -> bool:
    """DEA registration number: 2 letters + 7 digits with a check digit."""
    if len(value) != 9 or not value.isascii():
        return False
    letters, digits = value[:2].upper(), value[2:]
    if not all(c in _UPPER for c in letters) or not _is_digits(digits):
        return False
    d = [int(c) for c in digits]
    return (d[0] + d[2] + d[4] + 2 * (d[1] + d[3] + d[5])) % 10 == d[6]


def aba_routing(value: str) -> bool:
    """US ABA routing transit number: 3-7-1 weighted mod 10, Fed prefix."""
    if len(value) != 9 or not _is_digits(value):
        return False
    prefix = int(value[:2])
    if not (prefix <= 12 or 21 <= prefix <= 32 or 61 <= prefix <= 72 or prefix == 80):
        return False
    total = sum(int(d) * w for d, w in zip(value, (3, 7, 1) * 3, strict=True))
    return total % 10 == 0


# CMS leaves out S, L, O, I, B, Z so an MBI cannot be misread as digits.
_MBI_LETTERS = frozenset(_UPPER) - frozenset("SLOIBZ")
_MBI_DIGITS = frozenset(_DIGITS)
_MBI_ALNUM = _MBI_LETTERS | _MBI_DIGITS
_MBI_LAYOUT = (
    frozenset("123456789"),
    _MBI_LETTERS,
    _MBI_ALNUM,
    _MBI_DIGITS,
    _MBI_LETTERS,
    _MBI_ALNUM,
    _MBI_DIGITS,
    _MBI_LETTERS,
    _MBI_LETTERS,
    _MBI_DIGITS,
    _MBI_DIGITS,
)


def us_mbi(value: str) -> bool:
    """Medicare Beneficiary Identifier, 11 chars, printed as XXXX-XXX-XXXX."""
    if not value.isascii():
        return False
    compact = _grouped(value.upper(), (4, 3, 4), "-")
    if compact is None:
        return False
    return all(c in allowed for c, allowed in zip(compact, _MBI_LAYOUT, strict=True))


def ipv4_private(value: str) -> bool:
    """Dotted IPv4 in 10/8, 172.16/12, 192.168/16 or 100.64/10 (CGNAT)."""
    parts = value.split(".")
    if len(parts) != 4:
        return False
    octets = []
    for part in parts:
        # "010" is octal to some parsers and decimal to others: refuse it.
        if not 1 <= len(part) <= 3 or not _is_digits(part) or (part[0] == "0" and part != "0"):
            return False
        octets.append(int(part))
    if any(o > 255 for o in octets):
        return False
    a, b = octets[0], octets[1]
    return (
        a == 10
        or (a == 172 and 16 <= b <= 31)
        or (a == 192 and b == 168)
        or (a == 100 and 64 <= b <= 127)
    )


def not_placeholder(value: str) -> bool:
    """False for values that are obviously not a real secret (see filters)."""
    from promptguard.filters import is_placeholder

    return not is_placeholder(value)


Validator = Callable[[str], bool]

def _from_rarity(name: str) -> Validator:
    """A validator that lives with the rarity model, imported on first use
    (the bigram table is not needed on a hook start that finds nothing)."""

    def check(value: str) -> bool:
        from promptguard import rarity

        return bool(getattr(rarity, name)(value))

    check.__name__ = check.__qualname__ = name
    return check


generic_token = _from_rarity("generic_token")
generic_key = _from_rarity("generic_key")
generic_password = _from_rarity("generic_password")
generic_password_bare = _from_rarity("generic_password_bare")
short_token = _from_rarity("short_token")
weak_password = _from_rarity("weak_password")
weak_password_bare = _from_rarity("weak_password_bare")


# The weak form of a validator, for rules with `on_invalid = "weak"`: a value
# that fails the validator but passes its weak form is reported at generic
# confidence (a documentation-like password: warn, never block).
# A rule may name the form itself (`params = { weak_form = "weak_password" }`):
# a connection string's unquoted value is a literal, never a variable.
WEAK: dict[str, Validator] = {
    "generic_password": weak_password,
    "generic_password_bare": weak_password_bare,
    "weak_password": weak_password,
}

VALIDATORS: dict[str, Validator] = {
    "generic_key": generic_key,
    "generic_password": generic_password,
    "generic_password_bare": generic_password_bare,
    "generic_token": generic_token,
    "short_token": short_token,
    "aba_routing": aba_routing,
    "atlassian_crc32": atlassian_crc32,
    "bech32": bech32,
    "card": card,
    "github_crc32": github_crc32,
    "grafana_sa_crc32": grafana_sa_crc32,
    "iban": iban,
    "ipv4_private": ipv4_private,
    "jwt": jwt,
    "luhn": luhn,
    "not_placeholder": not_placeholder,
    "uk_nhs": uk_nhs,
    "uk_nino": uk_nino,
    "us_dea": us_dea,
    "us_itin": us_itin,
    "us_mbi": us_mbi,
    "us_npi": us_npi,
    "us_ssn": us_ssn,
}
