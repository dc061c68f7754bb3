"""Primitives for the accuracy corpus: random strings, checksums, PEM/DER, JWT.

Every value is generated from a seeded ``random.Random`` at run time, so the
corpus is reproducible and the repository holds no secret-shaped literals.
Formats follow the vendors' published facts (see
``/work/shared/reference/peers-and-formats.md`` section 7); checksummed formats
carry a *valid* checksum so a checksum-verifying scanner must accept them.
"""

from __future__ import annotations

import base64
import json
import random
import string
import zlib
from typing import NamedTuple

DIGITS = string.digits
HEX = "0123456789abcdef"
UPPER = string.ascii_uppercase
LOWER = string.ascii_lowercase
LETTERS = string.ascii_letters
ALNUM = string.ascii_letters + string.digits
B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
B64 = ALNUM + "+/"
B64URL = ALNUM + "-_"
BASE32_AWS = UPPER + "234567"


class Value(NamedTuple):
    """Text to plant and the span of the secret inside it (whole text by default)."""

    text: str
    start: int = 0
    end: int = -1

    def span(self) -> tuple[int, int]:
        return self.start, len(self.text) if self.end < 0 else self.end


def whole(text: str) -> Value:
    return Value(text, 0, len(text))


def inner(before: str, secret: str, after: str = "") -> Value:
    """``before + secret + after`` with the secret's span marked."""
    return Value(before + secret + after, len(before), len(before) + len(secret))


def rand(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def rand_bytes(rng: random.Random, n: int) -> bytes:
    return bytes(rng.getrandbits(8) for _ in range(n))


def mixed(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    """A random string holding every character class its alphabet offers
    (a generator's 20+ char output almost always does; an all-letter draw
    would read as a word to any scanner and is not what vendors issue)."""
    classes = [c for c in (UPPER, LOWER, DIGITS) if set(c) & set(alphabet)]
    while True:
        value = rand(rng, n, alphabet)
        if all(set(value) & set(c) for c in classes):
            return value


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def wrap(text: str, width: int = 64) -> str:
    return "\n".join(text[i : i + width] for i in range(0, len(text), width))


# ---------------------------------------------------------------- checksums


def base62(n: int, width: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = B62[r] + out
    return out.rjust(width, "0")


def crc32_base62_token(rng: random.Random, prefix: str) -> str:
    """GitHub classic (gh[pousr]_) and npm (npm_) tokens: 30 random base62
    chars then base62(CRC32(those 30)) padded to 6 (github.blog 2021-04-05)."""
    body = mixed(rng, 30)
    return prefix + body + base62(zlib.crc32(body.encode()), 6)


def grafana_sa_token(rng: random.Random) -> str:
    """glsa_ + 32 alnum + _ + little-endian CRC32 hex of the first 37 chars."""
    head = "glsa_" + mixed(rng, 32)
    return head + "_" + zlib.crc32(head.encode()).to_bytes(4, "little").hex()


def atlassian_token(rng: random.Random) -> str:
    """ATATT3 API token: base64url payload, '=', then upper-hex CRC32 of all
    that precedes the checksum (192 chars in total)."""
    payload = "ATATT3xFfGF0" + rand(rng, 171, B64URL) + "="
    return payload + f"{zlib.crc32(payload.encode()):08X}"


_BECH32 = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_GEN = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)


def _polymod(values: list[int]) -> int:
    chk = 1
    for v in values:
        top = chk >> 25
        chk = ((chk & 0x1FFFFFF) << 5) ^ v
        for i, gen in enumerate(_BECH32_GEN):
            if (top >> i) & 1:
                chk ^= gen
    return chk


def bech32_encode(hrp: str, data: bytes) -> str:
    """BIP-173 Bech32 of 8-bit ``data`` under human-readable part ``hrp``."""
    acc, bits, five = 0, 0, []
    for byte in data:
        acc = (acc << 8) | byte
        bits += 8
        while bits >= 5:
            bits -= 5
            five.append((acc >> bits) & 31)
    if bits:
        five.append((acc << (5 - bits)) & 31)
    expanded = [ord(c) >> 5 for c in hrp] + [0] + [ord(c) & 31 for c in hrp]
    poly = _polymod([*expanded, *five, 0, 0, 0, 0, 0, 0]) ^ 1
    checksum = [(poly >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_BECH32[d] for d in five + checksum)


def age_secret_key(rng: random.Random) -> str:
    """age X25519 identity: Bech32, HRP "age-secret-key-", upper case."""
    return bech32_encode("age-secret-key-", rand_bytes(rng, 32)).upper()


def luhn_digit(body: str) -> str:
    total = 0
    for i, char in enumerate(reversed(body)):
        n = int(char)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return str((10 - total % 10) % 10)


def luhn_ok(number: str) -> bool:
    return luhn_digit(number[:-1]) == number[-1]


# Published network test numbers (Stripe, Adyen, PayPal docs): look-alikes only.
TEST_CARDS = frozenset((
    "4242424242424242", "4000056655665556", "5555555555554444", "2223003122003222",
    "5200828282828210", "5105105105105100", "378282246310005", "371449635398431",
    "6011111111111117", "6011000990139424", "3056930009020004", "36227206271667",
    "3566002020360505", "4111111111111111", "4012888888881881", "4000000000000002",
))  # fmt: skip


def card_number(rng: random.Random, prefix: str, length: int) -> str:
    while True:
        body = prefix + rand(rng, length - len(prefix) - 1, DIGITS)
        number = body + luhn_digit(body)
        if number not in TEST_CARDS and len(set(number)) > 3:
            return number


def card_not_luhn(rng: random.Random, prefix: str, length: int) -> str:
    while True:
        number = prefix + rand(rng, length - len(prefix), DIGITS)
        if not luhn_ok(number):
            return number


def group(digits: str, sizes: tuple[int, ...], sep: str) -> str:
    parts, pos = [], 0
    for size in sizes:
        parts.append(digits[pos : pos + size])
        pos += size
    return sep.join(parts)


def iban_check(country: str, bban: str) -> str:
    """ISO 13616 check digits: 98 - mod97(BBAN + country + "00")."""
    digits = "".join(str(int(c, 36)) for c in bban + country + "00")
    return f"{98 - int(digits) % 97:02d}"


def iban_valid(iban: str) -> bool:
    rearranged = iban[4:] + iban[:4]
    return int("".join(str(int(c, 36)) for c in rearranged)) % 97 == 1


def nhs_number(rng: random.Random, *, valid: bool = True) -> str:
    """UK NHS number: 9 digits + mod-11 check digit (weights 10..2)."""
    while True:
        body = str(rng.randint(4, 7)) + rand(rng, 8, DIGITS)
        total = sum(int(d) * w for d, w in zip(body, range(10, 1, -1), strict=True))
        check = 11 - total % 11
        check = 0 if check == 11 else check
        if check == 10:
            continue
        if valid:
            return body + str(check)
        return body + str((check + rng.randint(1, 9)) % 10)


_NINO_FIRST = "ABCEGHJKLMNOPRSTWXYZ"
_NINO_SECOND = "ABCEGHJKLMNPRSTWXYZ"
_NINO_BAD = frozenset(("BG", "GB", "KN", "NK", "NT", "TN", "ZZ"))


def uk_nino(rng: random.Random) -> str:
    while True:
        prefix = rng.choice(_NINO_FIRST) + rng.choice(_NINO_SECOND)
        if prefix not in _NINO_BAD:
            return prefix + rand(rng, 6, DIGITS) + rng.choice("ABCD")


def us_ssn(rng: random.Random) -> str:
    """Area 001-899 except 666, group 01-99, serial 0001-9999 (SSA rules)."""
    while True:
        area = rng.randint(1, 899)
        if area != 666 and (area, 5) != (78, 5):
            break
    return f"{area:03d}{rng.randint(1, 99):02d}{rng.randint(1, 9999):04d}"


# ---------------------------------------------------------------- keys and tokens


def _der_len(n: int) -> bytes:
    if n < 0x80:
        return bytes([n])
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(raw)]) + raw


def _der(tag: int, body: bytes) -> bytes:
    return bytes([tag]) + _der_len(len(body)) + body


def _der_int(rng: random.Random, nbytes: int) -> bytes:
    raw = bytes([rng.randint(0x80, 0xFF)]) + rand_bytes(rng, nbytes - 1)
    return _der(0x02, b"\x00" + raw)


def rsa_pkcs1_der(rng: random.Random, bits: int = 2048) -> bytes:
    """An RSAPrivateKey SEQUENCE shaped like OpenSSL's (random numbers)."""
    n = bits // 8
    fields = [
        _der(0x02, b"\x00"),
        _der_int(rng, n),
        _der(0x02, b"\x01\x00\x01"),
        _der_int(rng, n),
        *(_der_int(rng, n // 2) for _ in range(5)),
    ]
    return _der(0x30, b"".join(fields))


def pem(label: str, der: bytes, width: int = 64) -> str:
    return f"-----BEGIN {label}-----\n{wrap(b64(der), width)}\n-----END {label}-----"


def rsa_private_pem(rng: random.Random) -> str:
    return pem("RSA PRIVATE KEY", rsa_pkcs1_der(rng, rng.choice((2048, 3072))))


_RSA_ALG = bytes.fromhex("300d06092a864886f70d0101010500")


def pkcs8_private_pem(rng: random.Random) -> str:
    inner_der = rsa_pkcs1_der(rng)
    body = _der(0x02, b"\x00") + _RSA_ALG + _der(0x04, inner_der)
    return pem("PRIVATE KEY", _der(0x30, body))


_P256_OID = bytes.fromhex("a00a06082a8648ce3d030107")


def ec_private_pem(rng: random.Random) -> str:
    body = (
        _der(0x02, b"\x01")
        + _der(0x04, rand_bytes(rng, 32))
        + _P256_OID
        + _der(0xA1, _der(0x03, b"\x00\x04" + rand_bytes(rng, 64)))
    )
    return pem("EC PRIVATE KEY", _der(0x30, body))


def _ssh_string(data: bytes) -> bytes:
    return len(data).to_bytes(4, "big") + data


def openssh_ed25519_pem(rng: random.Random, comment: str) -> str:
    """An unencrypted openssh-key-v1 ed25519 key (PROTOCOL.key layout)."""
    public = rand_bytes(rng, 32)
    blob = _ssh_string(b"ssh-ed25519") + _ssh_string(public)
    check = rand_bytes(rng, 4)
    private = (
        check
        + check
        + _ssh_string(b"ssh-ed25519")
        + _ssh_string(public)
        + _ssh_string(rand_bytes(rng, 32) + public)
        + _ssh_string(comment.encode())
    )
    private += bytes(range(1, 1 + (-len(private) % 8)))
    data = (
        b"openssh-key-v1\0"
        + _ssh_string(b"none")
        + _ssh_string(b"none")
        + _ssh_string(b"")
        + (1).to_bytes(4, "big")
        + _ssh_string(blob)
        + _ssh_string(private)
    )
    return pem("OPENSSH PRIVATE KEY", data, width=70)


def _crc24(data: bytes) -> int:
    crc = 0xB704CE
    for byte in data:
        crc ^= byte << 16
        for _ in range(8):
            crc <<= 1
            if crc & 0x1000000:
                crc ^= 0x1864CFB
    return crc & 0xFFFFFF


def pgp_armor(rng: random.Random, kind: str, size: int) -> str:
    """An ASCII-armored OpenPGP block (RFC 4880 section 6) of random packets."""
    tag = 0x95 if kind == "PRIVATE" else 0x99  # old-format secret / public key packet
    packet = bytes([tag]) + (size - 3).to_bytes(2, "big") + b"\x04" + rand_bytes(rng, size - 4)
    crc = b64(_crc24(packet).to_bytes(3, "big"))
    return (
        f"-----BEGIN PGP {kind} KEY BLOCK-----\n\n{wrap(b64(packet))}\n={crc}\n"
        f"-----END PGP {kind} KEY BLOCK-----"
    )


def putty_ppk(rng: random.Random, comment: str) -> str:
    public = b64(_ssh_string(b"ssh-ed25519") + _ssh_string(rand_bytes(rng, 32)))
    private = b64(_ssh_string(rand_bytes(rng, 32)))
    return (
        "PuTTY-User-Key-File-3: ssh-ed25519\nEncryption: none\n"
        f"Comment: {comment}\nPublic-Lines: 2\n{wrap(public)}\n"
        f"Private-Lines: 1\n{private}\nPrivate-MAC: {rand(rng, 64, HEX)}"
    )


def ssh_public_line(rng: random.Random, comment: str) -> str:
    if rng.random() < 0.5:
        blob = _ssh_string(b"ssh-ed25519") + _ssh_string(rand_bytes(rng, 32))
        return f"ssh-ed25519 {b64(blob)} {comment}"
    modulus = b"\x00" + bytes([rng.randint(0x80, 0xFF)]) + rand_bytes(rng, 255)
    blob = _ssh_string(b"ssh-rsa") + _ssh_string(b"\x01\x00\x01") + _ssh_string(modulus)
    return f"ssh-rsa {b64(blob)} {comment}"


def public_key_pem(rng: random.Random) -> str:
    modulus = _der(0x02, b"\x00" + bytes([rng.randint(0x80, 0xFF)]) + rand_bytes(rng, 255))
    rsa_pub = _der(0x30, modulus + _der(0x02, b"\x01\x00\x01"))
    spki = _der(0x30, _RSA_ALG + _der(0x03, b"\x00" + rsa_pub))
    return pem("PUBLIC KEY", spki)


def certificate_pem(rng: random.Random) -> str:
    """A certificate-shaped DER blob (tbsCertificate is random but framed)."""
    tbs = _der(0x30, _der(0xA0, _der(0x02, b"\x02")) + _der_int(rng, 16) + rand_bytes(rng, 700))
    sig = _der(0x03, b"\x00" + rand_bytes(rng, 256))
    sha256_rsa = _der(0x30, bytes.fromhex("06092a864886f70d01010b0500"))
    return pem("CERTIFICATE", _der(0x30, tbs + sha256_rsa + sig))


def jwt_token(rng: random.Random, *, alg: str = "HS256", claims: dict[str, object]) -> str:
    header = b64url(json.dumps({"alg": alg, "typ": "JWT"}, separators=(",", ":")).encode())
    payload = b64url(json.dumps(claims, separators=(",", ":")).encode())
    sig_len = 32 if alg.startswith("HS") else 256
    return f"{header}.{payload}.{b64url(rand_bytes(rng, sig_len))}"


def uuid4(rng: random.Random) -> str:
    h = rand(rng, 32, HEX)
    variant = rng.choice("89ab")
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{variant}{h[17:20]}-{h[20:]}"
