"""Allowlists from config (paths, regexes, stopwords, fingerprints) and the
lint that rejects blanket inline allows.

Inline pragmas themselves (`promptguard: allow[rule-id]`) are honoured by
the engine (filters.pragma_allows). A pragma that names no rule is never
honoured; `blanket_pragmas` finds them so the scan can say so instead of
leaving the author to believe the line is allowed (flake8's `# noqa`
without codes, and pygrep-hooks' python-check-blanket-noqa, are the model).
"""
# ruff: noqa: I002
# No postponed annotations: the records below are NamedTuples on the scan
# path (see policy.py).
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING
from typing import NamedTuple

from promptguard.models import Finding

if TYPE_CHECKING:
    import regex

# Any pragma-looking comment: its verb, and the bracketed list if present.
_PRAGMA_LIKE = r"promptguard:[ \t]*(allow|ignore|disable|skip|noqa)\b(\[[^\]\n]*\])?"
_ID = r"[ \t]*[a-z0-9]+(?:-[a-z0-9]+)*[ \t]*"
_RULE_LIST = rf"\[{_ID}(?:,{_ID})*\]"
_BLANKET_IDS = frozenset({"all", "any", "everything"})


class BlanketPragma(NamedTuple):
    line: int
    column: int


def blanket_pragmas(text: str) -> list[BlanketPragma]:
    """Pragmas that would allow everything, or that the engine ignores.

    Only `promptguard: allow[rule-id, ...]` in lower case is honoured; any
    other spelling is reported so it cannot silently do nothing.
    """
    out: list[BlanketPragma] = []
    # The case-insensitive regex runs at ~150 MB/s and lower-casing a large
    # chunk costs as much; plain finds of the spellings people write
    # (promptguard, Promptguard, PROMPTGUARD, PromptGuard: three tails)
    # skip both for text with no marker (nearly all of it).
    # Written out, not any() over a generator: this runs once per file.
    if not ("romptguard" in text or "ROMPTGUARD" in text or "romptGuard" in text):
        return out
    for m in re.finditer(_PRAGMA_LIKE, text, re.IGNORECASE):
        verb, ids = m.group(1), m.group(2)
        ok = (
            m.group(0).startswith("promptguard:")
            and verb == "allow"
            and ids is not None
            and re.fullmatch(_RULE_LIST, ids) is not None
            and not _BLANKET_IDS & {i.strip() for i in ids[1:-1].split(",")}
        )
        if not ok:
            start = m.start()
            line = text.count("\n", 0, start) + 1
            out.append(BlanketPragma(line, start - (text.rfind("\n", 0, start) + 1) + 1))
    return out


class AllowlistSpec(NamedTuple):
    """What config files allow, merged across files (allowlists only add up)."""

    # Globs over paths relative to the project root, read as in .gitignore:
    # without an inner "/" they match at any depth, a leading "/" anchors to
    # the root, a trailing "/" matches a folder's contents, `**` any depth.
    paths: tuple[str, ...] = ()
    # Searched in the secret itself.
    regexes: tuple[str, ...] = ()
    # Searched in the whole line holding the secret.
    line_regexes: tuple[str, ...] = ()
    # Lower-case substrings of the secret.
    stopwords: tuple[str, ...] = ()
    # Finding fingerprints (as printed by `scan --format json`).
    fingerprints: frozenset[str] = frozenset()

    def merged(self, other: "AllowlistSpec") -> "AllowlistSpec":
        return AllowlistSpec(
            paths=self.paths + other.paths,
            regexes=self.regexes + other.regexes,
            line_regexes=self.line_regexes + other.line_regexes,
            stopwords=self.stopwords + other.stopwords,
            fingerprints=self.fingerprints | other.fingerprints,
        )

    @property
    def needs_secret(self) -> bool:
        return bool(self.regexes or self.line_regexes or self.stopwords)


def glob_to_regex(glob: str) -> str:
    """Translate a path glob (`**`, `*`, `?`, `[...]`) to a regex over posix paths."""
    anchored = glob.startswith("/")
    directory = glob.endswith("/")
    g = glob.strip("/")
    out: list[str] = []
    i = 0
    while i < len(g):
        c = g[i]
        if g.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif g.startswith("**", i):
            out.append(".*")
            i += 2
        elif c == "*":
            out.append("[^/]*")
            i += 1
        elif c == "?":
            out.append("[^/]")
            i += 1
        elif c == "[" and "]" in g[i + 2:]:
            end = g.index("]", i + 2)
            body = g[i + 1:end]
            if body.startswith("!"):
                body = "^" + body[1:]
            out.append(f"[{body.replace(chr(92), chr(92) * 2)}]")
            i = end + 1
        else:
            out.append(re.escape(c))
            i += 1
    prefix = "" if anchored or "/" in g else "(?:.*/)?"
    suffix = "(?:/.*)?" if not directory else "/.*"
    return rf"\A{prefix}{''.join(out)}{suffix}\Z"


def relative_label(label: str, root: Path) -> str:
    """`label` as a posix path relative to `root` when it lies inside it."""
    path = Path(label)
    try:
        return (path if path.is_absolute() else Path.cwd() / path).resolve().relative_to(
            root.resolve(),
        ).as_posix()
    except (ValueError, OSError):
        return path.as_posix()


class Matcher:
    """Applies an AllowlistSpec; compiled once per run."""

    def __init__(self, spec: AllowlistSpec, root: Path) -> None:
        self.spec = spec
        self.root = root
        self._paths = [re.compile(glob_to_regex(g)) for g in spec.paths]
        self._regexes: list[regex.Pattern[str]] | None = None
        self._line_regexes: list[regex.Pattern[str]] | None = None

    def skips_path(self, label: str) -> bool:
        if not self._paths:
            return False
        rel = relative_label(label, self.root)
        return any(p.match(rel) for p in self._paths)

    def _compiled(self) -> "tuple[list[regex.Pattern[str]], list[regex.Pattern[str]]]":
        if self._regexes is None or self._line_regexes is None:
            import regex

            self._regexes = [regex.compile(p) for p in self.spec.regexes]
            self._line_regexes = [regex.compile(p) for p in self.spec.line_regexes]
        return self._regexes, self._line_regexes

    def reason(self, finding: Finding, secret: str | None, line: str | None) -> str | None:
        """Which allowlist suppresses the finding, or None.

        `secret` and `line` are None when the text is no longer available
        (huge streamed stdin); only fingerprints apply then.
        """
        if finding.fingerprint in self.spec.fingerprints:
            return "allowlist.fingerprints"
        if not self.spec.needs_secret:
            return None
        regexes, line_regexes = self._compiled()
        if secret is not None:
            lowered = secret.lower()
            if any(sw in lowered for sw in self.spec.stopwords):
                return "allowlist.stopwords"
            if any(_search(r, secret) for r in regexes):
                return "allowlist.regexes"
        if line is not None and any(_search(r, line) for r in line_regexes):
            return "allowlist.line_regexes"
        return None


def _search(pattern: "regex.Pattern[str]", text: str) -> bool:
    try:
        return pattern.search(text, timeout=1.0) is not None
    except TimeoutError:
        return False  # a runaway allowlist regex must not hide a finding


def line_at(text: str, pos: int) -> str:
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    return text[start:] if end < 0 else text[start:end]


def check_regexes(patterns: Iterable[str]) -> Iterable[tuple[int, str]]:
    """(index, error) for each pattern that does not compile."""
    patterns = list(patterns)
    if not patterns:
        return  # the regex module costs ~10 ms to import; most configs have none
    import regex

    for i, pattern in enumerate(patterns):
        try:
            regex.compile(pattern)
        except (regex.error, ValueError, OverflowError) as e:
            yield i, str(e)
