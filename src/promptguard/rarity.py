"""How "rare" a value is: the cost of spelling it with word-like pieces.

Plain Shannon entropy measures a value's character *distribution*, so
`user_profile_cache_key` and `9fQ2xL7vRk` can score alike. What separates a
generated secret from an identifier is that identifiers are made of words:
under a character-bigram model of natural identifiers (see _bigrams.py)
they are cheap to encode, while random tokens cost ~5+ bits per character.
This is the idea behind betterleaks' "token efficiency" (random strings
tokenize badly), without shipping a BPE vocabulary or its load time.
"""
from __future__ import annotations

import re

from promptguard._bigrams import ALPHABET
from promptguard._bigrams import SURPRISAL

_INDEX = {c: i for i, c in enumerate(ALPHABET)}


def bits_per_char(value: str) -> float:
    """Mean surprisal (bits) of the value's adjacent alphanumeric pairs.

    Case changes inside a run of letters add a bit each: generated tokens
    flip case at random, identifiers only at word starts (camelCase).
    """
    total = 0
    pairs = 0
    flips = 0
    prev = -1
    prev_char = ""
    for char in value:
        index = _INDEX.get(char.lower(), -1)
        if index >= 0 and prev >= 0:
            total += SURPRISAL[prev][index]
            pairs += 1
            if prev_char.islower() and char.isupper():
                flips += 1
        prev = index
        prev_char = char
    if not pairs:
        return 0.0
    return total / 10 / pairs + flips / pairs * 2


# Values assigned to secret-looking names that are still not secrets.
_NOT_SECRETS = frozenset({
    "true", "false", "null", "none", "nil", "undefined", "required", "optional",
    "string", "str", "text", "hidden", "input", "bool", "boolean", "int", "env",
    "password", "passwd", "secret", "token", "apikey", "api_key", "empty", "default",
    "unknown", "test", "testing", "admin", "root", "guest", "user", "username",
})
_DIGEST_PREFIXES = ("sha1:", "sha256:", "sha384:", "sha512:", "sha1-", "sha256-", "sha384-",
                    "sha512-", "md5:", "sha-256=", "data:", "http://", "https://", "file://")
_HEX = frozenset("0123456789abcdefABCDEF")
# Keys that are public by design (shipped to browsers and apps).
_PUBLIC_PREFIXES = ("pk_live_", "pk_test_", "pk.ey", "phc_", "sb_publishable_", "pk-lf-")
# Words test fixtures and docs build dummy passwords from ("testpass",
# "badpass", "doesnotexist", "python"). A value spelled only with these
# (digits and symbols aside) is a fixture, not a credential.
# Weak but real passwords ("Welcome2024!") are not on this list: a person
# pasting one still leaks a credential.
_DUMMY_WORDS = frozenset({
    "test", "testing", "tests", "pass", "passwd", "password", "pwd", "secret", "dummy", "fake",
    "foo", "bar", "baz", "qux", "spam", "eggs", "python", "example", "sample", "demo",
    "bad", "wrong", "incorrect", "invalid", "some", "my", "your", "changeit",
    "does", "not", "exist", "nope", "none", "null", "mypass", "yourpass",
    # Self-describing documentation values: "mynewpassword", "top secret",
    # "SomeKindOfPassword123!", "PassWordMustBeAtLeast6Chars.", "open sesame"
    # (the RFC 7617 Basic-auth example).
    "new", "old", "top", "kind", "of", "must", "be", "at", "least", "chars", "char", "word",
    "pasword", "pswd", "open", "sesame", "super", "ecret",
})
_TIMESTAMP = re.compile(
    r"\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2})?(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})?)?"
)
_PROSE_WORDS = frozenset({
    "the", "a", "an", "your", "to", "of", "is", "are", "please", "enter", "must", "be",
    "for", "and", "not", "with", "this", "that", "you", "at", "least", "new", "invalid",
    "characters", "required", "confirm", "incorrect", "wrong", "here",
    "doesnt", "dont", "isnt", "cant", "wont",
})
# "#add-password", ".login-field": a CSS selector or DOM id, not a value.
_SELECTOR = re.compile(r"[#.][A-Za-z][\w-]*")
# '"+new Buffer("feast")': the tail of a string concatenation, not a value.
_CONCAT_TAIL = re.compile(r"\+\s*(?:new\s+)?[A-Za-z_][\w.]*\s*\(")
# "jjwt-jackson-0.11.2", "lodash@4.17.21": a package and its version.
_VERSIONED = re.compile(r".*[A-Za-z][\w.-]*[-@:]v?\d+(?:\.\d+)+(?:[-.][\w.]+)?")


def _is_uuid(v: str) -> bool:
    parts = v.split("-")
    return [len(p) for p in parts] == [8, 4, 4, 4, 12] and all(c in _HEX for p in parts for c in p)


def _is_code_reference(v: str) -> bool:
    """`self.password`, `config.get(...)`, `params[:token]`, `$VAR`, `&ref`.

    Brackets alone do not make code (a Django key may contain "(" and
    "]"); a dotted name followed by a call or subscript does.
    """
    if v.startswith(("$", "@", "&", "*", "!")):
        return True
    head = v
    for opener in "([{":
        i = head.find(opener)
        if i >= 0:
            head = head[:i]
    parts = head.split(".")
    if head != v:  # something(...) / something[...], closed at the end
        return v.endswith((")", "]", "}")) and all(p.isidentifier() for p in parts)
    return len(parts) > 1 and all(p.isidentifier() for p in parts)


def _dummy(value: str) -> bool:
    """Whether the value's letters split entirely into dummy words."""
    letters = "".join(c for c in value.lower() if c.isalpha())
    if not letters:
        return True  # digits and symbols only: a PIN-like fixture at most
    # Word-break DP over at most ~128 letters: cheap, and it runs only on
    # values that already matched a password rule.
    ok = [True] + [False] * len(letters)
    for end in range(1, len(letters) + 1):
        ok[end] = any(ok[start] and letters[start:end] in _DUMMY_WORDS
                      for start in range(max(0, end - 10), end))
    return ok[-1]


# A word in brackets stands in for a hidden value: "(sensitive)", "[MASKED]".
_WRAPPED_WORD = re.compile(r"[(\[{<][A-Za-z][A-Za-z _-]{1,30}[)\]}>]")
# An upper-case constant of three or more words is a name or an error code.
_CONSTANT = re.compile(r"[A-Z]{2,}(?:_[A-Z]{2,}){2,}")
_FORMAT_SPEC = re.compile(r"%[-#+ 0-9.]*[sdifrxX]|%\([a-z_]+\)")
_STEMS = ("pass", "pwd", "secret", "token", "key", "cred")
_CAMEL_WORDS = re.compile(r"[a-z]*(?:[A-Z][a-z]+)+|[a-z]+")


def generic_key(value: str) -> bool:
    """generic_token, plus UUIDs: many vendors (Heroku, ...) issue UUID keys."""
    v = value.strip()
    return _is_uuid(v) or generic_token(v)


def _names_a_secret(identifier: str) -> bool:
    """Whether a snake_case / camelCase name has a word like pass*, token*."""
    words = re.findall(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+", identifier)
    return any(w.lower().startswith(_STEMS) for w in words)


def generic_token(value: str) -> bool:
    """A value assigned to a secret/token/key name that looks generated."""
    from promptguard.filters import is_placeholder

    v = value.strip()
    if len(v) < 16 or v.lower() in _NOT_SECRETS or is_placeholder(v):
        return False
    if v.startswith(_PUBLIC_PREFIXES):
        return False
    # UUIDs under token names are mostly request and idempotency ids (AWS
    # examples are full of them); generic_key accepts them under *_KEY.
    if _is_uuid(v):
        return False
    if _CAMEL_WORDS.fullmatch(v):
        return False  # "ClientVpnEndpoints": an identifier, not a token
    if v.lower().startswith(_DIGEST_PREFIXES) or _is_code_reference(v):
        return False
    if _VERSIONED.fullmatch(v) or _encoded_text(v):
        return False  # a package version, or base64 of plain words
    if any(t in v for t in ("%s", "%d", "%r", "{}", "{0}")) or _FORMAT_SPEC.search(v):
        return False  # a format string, not a value
    if "/" in v and bits_per_char(v.replace("/", "")) < 5.0:
        return False  # a path or MIME type, not a key
    return bits_per_char(v) >= 5.0


def generic_password(value: str) -> bool:
    """A quoted value assigned to a password-like name.

    People choose passwords from words, so rarity cannot be required here;
    we only reject placeholders, references and obvious non-values.
    """
    from promptguard.filters import is_placeholder

    v = value.strip()
    if len(v) < 6 or v.lower() in _NOT_SECRETS or is_placeholder(v):
        return False
    if v.startswith(("/", "~/", "./", "../")) or v[1:3] in (":\\", ":/"):
        return False  # a path (pwd is also "print working directory")
    if " " in v and not _PROSE_WORDS.isdisjoint(v.lower().split()):
        return False  # prose such as a UI prompt; a passphrase has no "the"
    if _SELECTOR.fullmatch(v) or _CONCAT_TAIL.match(v):
        return False  # a selector, or the tail of a string concatenation ("+new ...")
    if "/" in v and bits_per_char(v.replace("/", "")) < 4.5:
        return False  # a route or path: "cms/sites/passwords#edit"
    if _dummy(v) or _TIMESTAMP.fullmatch(v):
        return False
    if _WRAPPED_WORD.fullmatch(v) or _CONSTANT.fullmatch(v):
        return False  # "(sensitive)", "[MASKED]"; "TOKEN_GRANT_TYPE_NOT_SUPPORTED"

    return not _is_code_reference(v)


# The dummy words that make a value a filler rather than a password at all
# ("foobar", "testtest", "dummy123"): the weak tier drops these too. The rest
# of _DUMMY_WORDS ("open sesame", "super$ecret", "mypass") are documentation
# passwords: real values someone typed, reported at warn.
_FILLER_WORDS = frozenset({
    "test", "testing", "tests", "dummy", "fake", "foo", "bar", "baz", "qux", "spam", "eggs",
    "example", "sample", "demo", "some", "your", "changeit", "none", "null", "nope",
    "invalid", "wrong", "incorrect", "bad", "does", "not", "exist",
})
# The bare password words and non-values the weak tier never reports.
_NOT_VALUES = _NOT_SECRETS | {"pass", "pwd", "pw", "passwort", "todo", "tbd", "n/a"}
# "PASSWORD", "DB_PASS", "TODO": an upper-case name standing in for a value.
_UPPER_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)*")


def _only_filler(value: str) -> bool:
    letters = "".join(c for c in value.lower() if c.isalpha())
    if not letters:
        return True
    ok = [True] + [False] * len(letters)
    for end in range(1, len(letters) + 1):
        ok[end] = any(ok[start] and letters[start:end] in _FILLER_WORDS
                      for start in range(max(0, end - 10), end))
    return ok[-1]


def weak_password(value: str) -> bool:
    """The weak tier of generic_password: a real value, if a weak or doc-like one.

    Accepts what generic_password drops only as a documentation value
    ("open sesame", "super$ecret", "myPassword", "pass123"); still rejects
    placeholders, bare password words, upper-case names, fillers, prose,
    paths and code (the benchmark's look-alikes).
    """
    from promptguard.filters import is_placeholder

    v = value.strip()
    if len(v) < 4 or v != value or v.lower() in _NOT_VALUES or is_placeholder(v):
        return False
    if _UPPER_NAME.fullmatch(v) or (v[0] in "[{(<" and v[-1] in "]})>"):
        return False
    if v.startswith(("/", "~/", "./", "../")) or v[1:3] in (":\\", ":/"):
        return False
    if " " in v and not _PROSE_WORDS.isdisjoint(v.lower().split()):
        return False
    if _SELECTOR.fullmatch(v) or _CONCAT_TAIL.match(v):
        return False
    if _FORMAT_SPEC.search(v) and len(v) < 24:
        return False  # "%s:%d"; a long generated secret may hold "%r" by chance
    if _only_filler(v) or _TIMESTAMP.fullmatch(v) or _is_code_reference(v):
        return False
    return "/" not in v or bits_per_char(v.replace("/", "")) >= 4.5


def weak_password_bare(value: str) -> bool:
    """weak_password for an unquoted value: a name holding a password is code."""
    if not weak_password(value):
        return False
    return not (value.isidentifier() and _names_a_secret(value))


def generic_password_bare(value: str) -> bool:
    """An unquoted value after a password-like name (env, YAML, INI, CLI).

    Unquoted, the right-hand side may be code (`password = user_password`),
    so plain identifiers must also look generated to count.
    """
    if not generic_password(value):
        return False
    if value.replace("_", "a").replace("-", "a").isalpha() or value.isidentifier():
        if _names_a_secret(value):
            return False  # a variable holding the password: `passwd = password_mgr`
        return bits_per_char(value) >= 4.5
    return True


# -- the confident generic tier ------------------------------------------------
# A generic finding blocks (is promoted to `context` confidence) only when the
# *name* it is assigned to says "credential" unambiguously and the value is
# rare enough. The threshold is a rule param (`promote_rarity`, bits/char):
# identifiers cost 3-5 bits/char under the bigram model, random 16-char hex
# 5.3+ (1st percentile), 32-char base62 7.7+; see rules/generic.toml.

_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.")
_NAME_WORDS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
# The last word of a strong name: what the value *is*.
_STRONG_LAST = frozenset({
    "token", "secret", "key", "apikey", "accesskey", "secretkey", "privatekey", "authkey",
    "accesstoken", "authtoken", "apitoken", "clientsecret", "appsecret", "apisecret",
    "credential", "credentials", "pat",
})
# Last words that are a strong name on their own, written as one word.
_COMPOUNDS = ("apikey", "accesskey", "secretkey", "privatekey", "accesstoken", "authtoken",
              "apitoken", "clientsecret", "appsecret", "apisecret")
# Words before the last one that make the name something other than a
# credential: pagination cursors (NextToken), CSRF tokens, public keys, ids.
_WEAK_QUALIFIERS = frozenset({
    "next", "page", "continuation", "pagination", "cursor", "marker", "sync", "start",
    "resume", "state", "csrf", "xsrf", "anti", "request", "idempotency", "nonce", "public",
    "publishable", "pub", "site", "cache", "sort", "partition", "primary", "foreign",
    "lookup", "hash", "hashed", "dummy", "fake", "mock", "example", "sample", "placeholder",
    "encrypted", "id", "kid", "ref", "activation", "serial", "product", "reference", "device",
    "push", "registration", "change", "lifecycle", "confirmation", "upload", "execution",
})
_ENCODED_TEXT = re.compile(r"[A-Za-z0-9+/]{16,}={0,2}")


# Words that may stand before a bare `token =` without naming what it is for:
# declarations, types and articles ("const token = ...", "the token: ...").
_NOT_QUALIFIERS = frozenset({
    "const", "let", "var", "val", "def", "export", "public", "private", "protected",
    "static", "final", "readonly", "string", "str", "char", "int", "auto", "local", "my",
    "our", "set", "declare", "dim", "the", "an", "your", "new", "this", "self", "is", "of",
    "for", "with", "and", "or", "not", "if", "else", "return", "bearer", "basic", "to",
    "in", "at", "as", "global", "mut", "pub", "fn", "func", "void", "type", "default",
    "optional", "required", "some", "any", "their", "its", "his", "her", "no",
})


def _name_before(text: str, pos: int) -> str:
    """The identifier the rule's match starts in (the regex anchors on its stem).

    A bare stem written after another word, "zenrows token = '...'", is named
    by that word, as ZENROWS_TOKEN would be; declarations ("const token")
    are not.
    """
    start = pos
    while start > 0 and text[start - 1] in _NAME_CHARS:
        start -= 1
    end = pos
    n = len(text)
    while end < n and text[end] in _NAME_CHARS:
        end += 1
    name = text[start:end]
    if start >= 2 and text[start - 1] in " \t" and name.lower() in _STRONG_LAST:
        before = start - 1
        while before > 0 and text[before - 1] in _NAME_CHARS:
            before -= 1
        word = text[before:start - 1]
        line_start = before == 0 or text[before - 1] in "\n\r\t "
        if line_start and len(word) >= 3 and word.isalnum() and word.lower() not in _NOT_QUALIFIERS:
            return f"{word}_{name}"
    return name


def strong_name(name: str) -> bool:
    """`PAYMENT_API_KEY`, `client_secret`, `stripeToken`, `openweatherapikey`; not
    `token`, `NextToken`, `token3`, `public_key`, `sessionKey_id`."""
    words = [w.lower() for w in _NAME_WORDS.findall(name)]
    if len(words) == 1:
        # One word: "apikey", or a vendor glued to one ("openweatherapikey").
        return words[0].endswith(_COMPOUNDS)
    if not words or words[-1] not in _STRONG_LAST:
        return False
    return not _WEAK_QUALIFIERS.intersection(words[:-1])


def _encoded_text(value: str) -> bool:
    """Base64 of plain words ("ZHVtbXkgdGV4dA==" is "dummy text"): data, not a key."""
    if len(value) % 4 or not _ENCODED_TEXT.fullmatch(value):
        return False
    import base64
    import binascii

    try:
        raw = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    # Words: printable, mostly letters, and at least one space between them.
    return bool(raw) and b" " in raw and all(32 <= b < 127 or b in (9, 10, 13) for b in raw) and (
        sum(chr(b).isalpha() or b == 32 for b in raw) >= 0.8 * len(raw)
    )


# Name words that make a generic match something other than a secret:
# pagination cursors and paginator fields (NextContinuationToken,
# "result_key": "Reservations"), CSRF tokens.
_NOT_SECRET_NAME_WORDS = frozenset({
    "continuation", "pagination", "cursor", "marker", "result", "results", "csrf", "xsrf",
    "next", "page",
})


# AWS secret access keys are exactly 40 characters of base64's alphabet; a
# value under that name in any other shape is an encrypted blob, a digest or
# a fixture, and the vendor rule (aws-secret-access-key) judges the real ones.
_AWS_SECRET = re.compile(r"[A-Za-z0-9/+]{40}")


def not_a_secret_name(text: str, match_start: int, secret: str = "") -> bool:
    """Whether the name says the generic match is no secret, or no secret of this shape.

    A UUID is a key only under a name that says so (JENKINS_TOKEN, "bugsnag
    secret"); after a bare "token" it is as often a request or session id.
    """
    name = _name_before(text, match_start)
    words = {w.lower() for w in _NAME_WORDS.findall(name)}
    if not _NOT_SECRET_NAME_WORDS.isdisjoint(words):
        return True
    if secret and _is_uuid(secret) and not strong_name(name):
        return True
    return bool(secret) and {"aws", "secret"} <= words and "session" not in words and (
        not _AWS_SECRET.fullmatch(secret)
    )


def named_strongly(text: str, match_start: int) -> bool:
    """Whether the generic match's name is a strong one (see strong_name)."""
    return strong_name(_name_before(text, match_start))


def short_token(value: str) -> bool:
    """An 8-15 character generated token: letters and digits, rare bigrams.

    Only for rules that also require a strong name (`strong_name` param):
    alone, such a short value could be anything.
    """
    from promptguard.filters import is_placeholder

    v = value.strip()
    if not 8 <= len(v) <= 15 or not v.isascii() or not v.isalnum():
        return False
    if v.isdigit() or v.isalpha() or v.lower() in _NOT_SECRETS or is_placeholder(v):
        return False
    return bits_per_char(v) >= 8.0


def promotes(text: str, match_start: int, secret: str, threshold: float) -> bool:
    """Whether a generic match is confident enough to block (see module notes)."""
    if not strong_name(_name_before(text, match_start)):
        return False
    if _encoded_text(secret):
        return False
    if _is_uuid(secret):
        return False  # accepted as a key, but as often an id: keep it a warning
    return bits_per_char(secret) >= threshold
