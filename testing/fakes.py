"""Fake, format-valid secrets generated at test time (never real, never stored)."""
from __future__ import annotations

import random
import string
import zlib

B62 = string.digits + string.ascii_uppercase + string.ascii_lowercase
ALNUM = string.ascii_letters + string.digits


def rand(rng: random.Random, n: int, alphabet: str = ALNUM) -> str:
    return "".join(rng.choice(alphabet) for _ in range(n))


def _base62(n: int, width: int) -> str:
    out = ""
    while n:
        n, r = divmod(n, 62)
        out = B62[r] + out
    return out.rjust(width, "0")


def github_token(rng: random.Random, prefix: str = "ghp_") -> str:
    """A classic GitHub token with a valid CRC32 checksum (github.blog 2021-04-05)."""
    body = rand(rng, 30)
    return prefix + body + _base62(zlib.crc32(body.encode()), 6)


def aws_key_id(rng: random.Random) -> str:
    return "AKIA" + rand(rng, 16, string.ascii_uppercase + "234567")


def aws_secret(rng: random.Random) -> str:
    return rand(rng, 40, ALNUM + "+/")


def luhn_card(rng: random.Random, prefix: str = "4", length: int = 16) -> str:
    """A Luhn-valid card number that is not a published network test card."""
    while True:
        body = length - len(prefix) - 1
        digits = prefix + "".join(rng.choice(string.digits) for _ in range(body))
        total = 0
        for i, d in enumerate(reversed(digits)):
            v = int(d)
            if i % 2 == 0:
                v *= 2
                if v > 9:
                    v -= 9
            total += v
        card = digits + str((10 - total % 10) % 10)
        if card not in {"4111111111111111", "4242424242424242", "4012888888881881"}:
            return card


def anthropic_key(rng: random.Random) -> str:
    return "sk-ant-api03-" + rand(rng, 93, ALNUM + "-_") + "AA"


def openai_project_key(rng: random.Random) -> str:
    seg = ALNUM + "-_"
    return "sk-proj-" + rand(rng, 74, seg) + "T3BlbkFJ" + rand(rng, 74, seg)


def slack_bot_token(rng: random.Random) -> str:
    d = string.digits
    return f"xoxb-{rand(rng, 12, d)}-{rand(rng, 13, d)}-{rand(rng, 24)}"


def stripe_live_key(rng: random.Random) -> str:
    return "sk_live_" + rand(rng, 24)


def postgres_url(rng: random.Random) -> tuple[str, str]:
    password = rand(rng, 6) + "-" + rand(rng, 6)
    return f"postgresql://app_user:{password}@db.internal.corp:5432/orders", password
