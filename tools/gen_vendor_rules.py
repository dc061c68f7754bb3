"""Generate the long-tail vendor packs (rules/vendors-*.toml) from tools/vendors.txt.

    python tools/gen_vendor_rules.py            # rewrite the packs
    python tools/gen_vendor_rules.py --check    # exit 1 if a pack is out of date

Each line of the table is one rule:

    pack | id | Name | kind | names | value | reference [| prefix]

- pack: the pack stem after "vendors-" (ai, observability, payments, ...).
- kind: what the value is, for the description and the example names
  (key, token, secret).
- names: comma-separated vendor names and env-var stems as they appear in
  code (lower case; each is a prefilter keyword, so pick distinctive ones:
  "box_" rather than "box"). A name ending in "=" is a bare identifier
  that holds the value by itself (`owm = '...'`, `netcore_api=...`): it
  matches only as a whole identifier directly followed by an assignment,
  with no key word needed.
- value: the documented alphabet and length of the value:
  hex32, alnum40, lower30, upper20, b64url43, b64-88, uuid, digits10,
  alnum32-40 (a range), key (any 16-80 token characters: used where the
  vendor documents no exact shape; such rules also require the value to look
  generated, validator generic_key), jwt (a JWT-shaped token: base64url
  segments joined by dots, the first starting with "ey", the base64 of "{").
- prefix (optional): the vendor's documented literal prefix; the rule is then
  a prefix rule that needs no name nearby.

Context rules match the vendor name, then a key word (key, token, secret,
...) within a short identifier, an assignment (=, :, =>, or in notes a space,
dash, dot or line break), and a value of the documented shape; they are
`confidence = "context"` and block under the default profile. Examples are
fake values drawn from a generator seeded by the rule id, so regeneration is
stable.
"""

from __future__ import annotations

import argparse
import base64
import math
import random
import string
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

from promptguard.filters import is_placeholder
from promptguard.filters import shannon_entropy

ROOT = Path(__file__).resolve().parent.parent
TABLE = ROOT / "tools" / "vendors.txt"
RULES = ROOT / "rules"

PACKS = {
    "ai": "AI model providers, inference platforms and LLM tooling (long tail)",
    "observability": "Monitoring, logging, tracing, uptime and analytics services (long tail)",
    "payments": "Payment processors, billing, banking and crypto exchanges (long tail)",
    "messaging": "Email, SMS, push, chat and voice APIs (long tail)",
    "ci": "CI/CD, code quality, testing, hosting and deployment services (long tail)",
    "maps": "Maps, geocoding, IP geolocation, weather and location data APIs (long tail)",
    "auth": "Identity, SSO, authentication and secrets-management services (long tail)",
    "data": "Databases-as-a-service, search, vector stores and data platforms (long tail)",
    "saas": ("SaaS APIs: CRM, project management, marketing, documents, scraping, finance "
             "data (long tail)"),
}

ALPHABETS = {
    "hex": "0123456789abcdef",
    "alnum": string.ascii_letters + string.digits,
    "lower": string.ascii_lowercase + string.digits,
    "upper": string.ascii_uppercase + string.digits,
    "b64url": string.ascii_letters + string.digits + "_-",
    "b64": string.ascii_letters + string.digits + "+/",
    "digits": string.digits,
}
CLASSES = {
    "hex": "[a-fA-F0-9]",
    "alnum": "[A-Za-z0-9]",
    "lower": "[a-z0-9]",
    "upper": "[A-Z0-9]",
    "b64url": "[A-Za-z0-9_-]",
    "b64": "[A-Za-z0-9+/]",
    "digits": "[0-9]",
}
UUID = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
# A JWT: base64url segments joined by dots; the header, JSON, starts "ey".
# The dots delimit the segments, so the nested repetition cannot backtrack.
JWT = r"ey[A-Za-z0-9_-]{10,1000}(?:\.[A-Za-z0-9_-]{2,2000}){1,4}"
JWT_HEADER = '{"alg":"HS256","typ":"JWT"}'
KEY_CLASS = "[A-Za-z0-9_-]"
STEMS = "(?:api[_.-]?key|apikey|key|token|secret|pat|auth|credential|access|private)"
# Right after the key word: names that hold an id, a URL or a type, not the value.
NOT_VALUE = (r"(?![_.-]?(?:id|name|url|uri|path|file|type|header|prefix|len|length|size|"
             r"version|expir\w*|format)\b)")
# An assignment (=, :, =>), or, in notes, chat and logs, a space, dash or dot,
# or a line break (the name on one line, the value alone on the next).
ASSIGN = r"""["']?\s{0,5}(?:=>|:=|[:=])\s{0,5}["']?"""
SEPARATOR = rf"""(?:{ASSIGN}|[ \t]{{1,3}}|[ \t]?[-.][ \t]?|[ \t]{{0,3}}\r?\n[ \t]{{0,8}})"""
SEVERITY = {"ai": "high", "payments": "critical", "auth": "critical", "data": "critical"}


def _b64url(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode().rstrip("=")


class Spec(NamedTuple):
    alphabet: str  # key into ALPHABETS, or "uuid" / "key"
    low: int
    high: int
    b64_pad: bool = False

    def regex(self) -> str:
        if self.alphabet == "uuid":
            return UUID
        if self.alphabet == "jwt":
            return JWT
        if self.alphabet == "key":
            return f"{KEY_CLASS}{{{self.low},{self.high}}}"
        counts = f"{{{self.low}}}" if self.low == self.high else f"{{{self.low},{self.high}}}"
        body = CLASSES[self.alphabet] + counts
        return body + ("={0,2}" if self.b64_pad else "")

    def sample(self, rng: random.Random, length: int | None = None) -> str:
        if self.alphabet == "uuid":
            h = "".join(rng.choice(ALPHABETS["hex"]) for _ in range(32))
            return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:]}"
        if self.alphabet == "jwt":
            sub, iat = rng.randrange(10**9, 10**10), rng.randrange(16 * 10**8, 18 * 10**8)
            claims = f'{{"sub":"{sub}","iat":{iat}}}'
            signature = "".join(rng.choice(ALPHABETS["b64url"]) for _ in range(43))
            return f"{_b64url(JWT_HEADER)}.{_b64url(claims)}.{signature}"
        n = length if length is not None else rng.randint(self.low, self.high)
        alphabet = ALPHABETS["b64url" if self.alphabet == "key" else self.alphabet]
        while True:
            value = "".join(rng.choice(alphabet) for _ in range(n))
            # Every example must look generated: at least one digit and one
            # letter where the alphabet has both, and no accidental word.
            if self.alphabet in ("digits", "hex") or (
                any(c.isdigit() for c in value) and any(c.isalpha() for c in value)
            ):
                if not any(w in value.lower() for w in ("your", "xxxx", "test", "exam", "fake")) \
                        and shannon_entropy(value) >= min(self.entropy() + 0.2,
                                                          0.8 * math.log2(n)) \
                        and not is_placeholder(value):
                    return value

    def entropy(self) -> float:
        """Minimum Shannon entropy: rejects fillers; short values cannot reach 3 bits."""
        if self.alphabet in ("uuid", "digits") or self.low < 12:
            return 0.0
        return 3.0 if self.low >= 24 else 2.5

    def describe(self) -> str:
        if self.alphabet == "uuid":
            return "a UUID"
        if self.alphabet == "jwt":
            return "a JWT (base64url segments joined by dots)"
        if self.alphabet == "key":
            return f"a generated-looking token of {self.low}-{self.high} characters"
        names = {"hex": "hex", "alnum": "alphanumeric", "lower": "lower-case alphanumeric",
                 "upper": "upper-case alphanumeric", "b64url": "URL-safe base64",
                 "b64": "base64", "digits": "digit"}
        n = str(self.low) if self.low == self.high else f"{self.low}-{self.high}"
        return f"{n} {names[self.alphabet]} characters"


def parse_spec(text: str) -> Spec:
    if text == "uuid":
        return Spec("uuid", 36, 36)
    if text == "key":
        return Spec("key", 16, 80)
    if text == "jwt":
        return Spec("jwt", 30, 4000)
    pad = text.endswith("=")
    text = text.rstrip("=")
    for name in sorted(ALPHABETS, key=len, reverse=True):
        if text.startswith(name):
            rest = text[len(name):].lstrip("-")
            low, _, high = rest.partition("-")
            return Spec(name, int(low), int(high or low), pad)
    raise ValueError(f"unknown value spec {text!r}")


class Vendor(NamedTuple):
    pack: str
    id: str
    name: str
    kind: str
    names: tuple[str, ...]
    spec: Spec
    reference: str
    prefix: str = ""


def read_table(path: Path = TABLE) -> list[Vendor]:
    vendors = []
    for number, line in enumerate(path.read_text().splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        parts = [p.strip() for p in line.split("|")]
        if len(parts) not in (7, 8):
            raise ValueError(f"{path}:{number}: expected 7 or 8 fields, got {len(parts)}")
        pack, rid, name, kind, names, value, ref = parts[:7]
        if pack not in PACKS:
            raise ValueError(f"{path}:{number}: unknown pack {pack!r}")
        vendors.append(Vendor(pack, rid, name, kind, tuple(n for n in names.split(",") if n),
                              parse_spec(value), ref, parts[7] if len(parts) == 8 else ""))
    ids = [v.id for v in vendors]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise ValueError(f"duplicate ids in {path}: {sorted(dupes)}")
    return vendors


def _lit(value: str) -> str:
    """A TOML literal string (no escapes), or a basic one if it holds a quote."""
    if "'" not in value and "\n" not in value:
        return f"'{value}'"
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def _esc(text: str) -> str:
    import re

    return re.escape(text)


def _env(name: str, kind: str) -> str:
    base = name.strip("_-.").upper().replace("-", "_").replace(".", "_")
    suffix = {"token": "TOKEN", "secret": "SECRET"}.get(kind, "API_KEY")
    return f"{base}_{suffix}"


def render_rule(v: Vendor) -> str:
    rng = random.Random(v.id)
    bare = tuple(n.rstrip("=") for n in v.names if n.endswith("="))
    v = v._replace(names=tuple(n for n in v.names if not n.endswith("=")))
    spec = v.spec
    severity = SEVERITY.get(v.pack, "high")
    lines = ["[[rules]]", f"id = {_lit(v.id)}", f"name = {_lit(v.name)}"]
    weak_prefix = v.prefix.startswith("~")
    prefix = v.prefix.lstrip("~")
    if weak_prefix:
        # A short or common prefix ("sk_", "live_", "api-"): the value must
        # carry it, but the vendor's name must be nearby too.
        v = v._replace(prefix="")
    if v.prefix:
        desc = (f"{v.name}: the documented {v.prefix} prefix followed by {spec.describe()}. "
                "Grants API access to the owner's account.")
        regex = f"(?<![\\w-])({_esc(v.prefix)}{spec.regex()})(?![\\w+/=-])"
        keywords = [v.prefix.lower()]
        value = v.prefix + spec.sample(rng)
        value2 = v.prefix + spec.sample(rng)
        env = _env(v.names[0], v.kind)
        examples = [f"{env}={value}", f'curl -H "Authorization: Bearer {value2}" https://api.example.net/v1']
        short = (v.prefix + spec.sample(rng, max(1, spec.low - 6))
                 if spec.alphabet != "uuid" else v.prefix + "0f3a")
        negatives = [f"{env}={short}", f"{env}={v.prefix}{'x' * max(spec.low, 8)}",
                     f"{env}=${{{env}}}"]
        confidence = "prefix"
    else:
        names = "|".join(_esc(n) for n in v.names)
        shape = f"{prefix} followed by {spec.describe()}" if prefix else spec.describe()
        desc = (f"{v.name}: {shape}, recognised next to the vendor's name "
                f"({', '.join(v.names)}) and a key word in an assignment"
                + (f", or assigned to {', '.join(bare)}." if bare else "."))
        key_word = f"[\\w .-]{{0,20}}?{STEMS}{NOT_VALUE}"
        if spec.alphabet == "jwt":
            # A JWT is a token by its shape: the vendor's name alone suffices.
            key_word = f"(?:{key_word}[\\w.-]{{0,12}})?"
        else:
            key_word += "[\\w.-]{0,12}"
        named = f"(?<![A-Za-z0-9])(?:{names}){key_word}{SEPARATOR}"
        if bare:
            # The identifier alone names the value: it must be the whole name.
            named += "|(?<![A-Za-z0-9_])(?:" + "|".join(_esc(n) for n in bare) + f"){ASSIGN}"
        regex = f"(?i:{named})({_esc(prefix)}{spec.regex()})(?![\\w+/=-])"
        keywords = sorted({n.lower() for n in v.names + bare})
        examples = []
        for i, n in enumerate(v.names):
            value = prefix + spec.sample(rng)
            env = _env(n, v.kind)
            form = i % 3
            if form == 0:
                examples.append(f"{env}={value}")
            elif form == 1:
                examples.append(f'"{n}_{v.kind}": "{value}"')
            else:
                examples.append(f"{n} {v.kind}: '{value}'")
        examples.append(f"{v.names[0]} {v.kind.upper()} {prefix}{spec.sample(rng)}")
        value = prefix + spec.sample(rng)
        examples.append(f'{v.names[0]}_{v.kind} = "{value}"')
        env = _env(v.names[0], v.kind)
        other = prefix + spec.sample(rng)
        negatives = [f"{env}=${{{env}}}", f"API_KEY={other}",
                     f"{v.names[0]}_{v.kind}_id = \"{prefix}{spec.sample(rng)}\""]
        # A match ends at its keyword window's end: no "too long" case for long tokens.
        if spec.alphabet not in ("uuid", "key", "jwt") and spec.high < 1000:
            negatives.append(f"{env}={prefix}{spec.sample(rng, spec.high + 3)}")
        if prefix:
            negatives.append(f"{env}={spec.sample(rng)}")
        # Drawn last, so the values above stay what they were before these forms.
        examples.append(f"{v.names[0]} {v.kind}\n{prefix}{spec.sample(rng)}")
        if spec.alphabet == "jwt":
            examples.append(f"{v.names[0]} {prefix}{spec.sample(rng)}")
        for n in bare:
            examples.append(f"{n} = '{prefix}{spec.sample(rng)}'")
            negatives.append(f"my{n} = '{prefix}{spec.sample(rng)}'")
        confidence = "context"
    lines += [
        f"description = {_lit(desc)}",
        "category = 'secret'",
        f"severity = {_lit(severity)}",
        f"confidence = {_lit(confidence)}",
        f"regex = '''{regex}'''",
        "secret_group = 1",
    ]
    if spec.entropy():
        lines.append(f"entropy = {spec.entropy()}")
    if spec.alphabet == "key" and not v.prefix:
        lines.append("validate = 'generic_key'")
    lines.append("keywords = [" + ", ".join(_lit(k) for k in keywords) + "]")
    lines.append(f"references = [{_lit(v.reference)}]")
    lines.append("examples = [")
    lines += [f"  {_lit(e)}," for e in examples]
    lines.append("]")
    lines.append("negative_examples = [")
    lines += [f"  {_lit(e)}," for e in negatives]
    lines.append("]")
    return "\n".join(lines) + "\n"


def render_pack(pack: str, vendors: Sequence[Vendor]) -> str:
    head = [
        "# GENERATED by tools/gen_vendor_rules.py from tools/vendors.txt: edit the table and",
        "# rerun the generator, do not edit this file by hand.",
        "schema_version = 1",
        "",
        "[pack]",
        f"name = 'vendors-{pack}'",
        f"description = {_lit(PACKS[pack])}",
        "",
    ]
    return "\n".join(head) + "\n".join(render_rule(v) for v in vendors)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if a pack is out of date")
    args = parser.parse_args(argv)
    vendors = read_table()
    stale = []
    for pack in PACKS:
        group = [v for v in vendors if v.pack == pack]
        if not group:
            continue
        path = RULES / f"vendors-{pack}.toml"
        text = render_pack(pack, group)
        if path.is_file() and path.read_text() == text:
            continue
        stale.append(path)
        if not args.check:
            path.write_text(text)
    if args.check and stale:
        print("out of date: " + ", ".join(str(p) for p in stale), file=sys.stderr)
        return 1
    print(f"{len(vendors)} vendor rules in {len({v.pack for v in vendors})} packs", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
