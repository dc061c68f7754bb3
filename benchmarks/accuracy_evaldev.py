"""The development set in ``/work/shared/eval-dev/``: read, score, and report misses.

Cases are scored whole: a ``secret`` case is detected when a tool reports
anything in its text; a ``benign`` case is a false positive when it does. The
set is only *read* here; nothing from it is written into the repository except
case ids, kinds, origins, source paths and rule ids (the misses file never
holds case text).
"""

from __future__ import annotations

import gzip
import json
import re
from collections import Counter
from collections import defaultdict
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import NamedTuple

EVAL_DEV = Path("/work/shared/eval-dev/peer-cases-dev.jsonl.gz")
# Deliberately tricky negatives; the target excludes them (README of the set).
EXCLUDED_FLAGS = frozenset(("near-miss", "placeholder", "placeholder-like", "low-entropy"))


class Case(NamedTuple):
    id: str
    text: str
    secret: bool
    kind: str
    source: str
    origin: str
    flags: tuple[str, ...]

    @property
    def flagged(self) -> bool:
        return bool(EXCLUDED_FLAGS & set(self.flags))

    def file_name(self, index: int) -> str:
        return f"{index:05d}.txt"


def load(path: Path = EVAL_DEV) -> list[Case]:
    cases = []
    with gzip.open(path, "rt", encoding="utf-8") as f:
        for line in f:
            row = json.loads(line)
            cases.append(Case(row["id"], row["text"], row["label"] == "secret", row["kind"],
                              row["source"], row["origin"], tuple(row.get("flags") or ())))
    return cases


class Rate(NamedTuple):
    n: int
    k: int

    def pct(self) -> float:
        return 100.0 * self.k / self.n if self.n else 0.0


class DevScore(NamedTuple):
    recall: Rate
    fp_all: Rate
    fp_unflagged: Rate
    by_origin: dict[str, tuple[Rate, Rate, Rate]]  # recall, fp all, fp unflagged
    by_kind: dict[str, tuple[Rate, Rate]]  # recall, fp all


def _rate(cases: Sequence[Case], flagged: Mapping[str, Sequence[str]]) -> Rate:
    return Rate(len(cases), sum(1 for c in cases if flagged.get(c.id)))


def score(cases: Sequence[Case], flagged: Mapping[str, Sequence[str]]) -> DevScore:
    """``flagged`` maps case id to the rule ids a tool reported on it (empty: clean)."""

    def split(group: Sequence[Case]) -> tuple[Rate, Rate, Rate]:
        secrets = [c for c in group if c.secret]
        benign = [c for c in group if not c.secret]
        unflagged = [c for c in benign if not c.flagged]
        return _rate(secrets, flagged), _rate(benign, flagged), _rate(unflagged, flagged)

    overall = split(cases)
    origins: dict[str, list[Case]] = defaultdict(list)
    kinds: dict[str, list[Case]] = defaultdict(list)
    for c in cases:
        origins[c.origin].append(c)
        kinds[c.kind].append(c)
    by_origin = {o: split(group) for o, group in sorted(origins.items())}
    by_kind = {k: split(group)[:2] for k, group in sorted(kinds.items())}
    return DevScore(*overall, by_origin, by_kind)


class ViewScore(NamedTuple):
    """One view (what is reported, or what blocks) on the cases with no flag at all."""

    recall: Rate
    fp: Rate
    by_origin: dict[str, tuple[Rate, Rate]]
    by_kind: dict[str, tuple[Rate, Rate]]


def score_unflagged(cases: Sequence[Case], flagged: Mapping[str, Sequence[str]]) -> ViewScore:
    """Recall and benign flagged on the cases without any flag (placeholder-like,
    low-entropy, sequential, near-miss): the set the targets are read on."""
    clean = [c for c in cases if not c.flags]

    def split(group: Sequence[Case]) -> tuple[Rate, Rate]:
        return (_rate([c for c in group if c.secret], flagged),
                _rate([c for c in group if not c.secret], flagged))

    origins: dict[str, list[Case]] = defaultdict(list)
    kinds: dict[str, list[Case]] = defaultdict(list)
    for c in clean:
        origins[c.origin].append(c)
        kinds[c.kind].append(c)
    return ViewScore(*split(clean), {o: split(g) for o, g in sorted(origins.items())},
                     {k: split(g) for k, g in sorted(kinds.items())})


# ---------------------------------------------------------------- misses file

_TOKEN = re.compile(r"[A-Za-z0-9_\-+/=.~:$]{12,}")


def _shape(text: str) -> str:
    """Length and character classes of the longest token-like run (never its text)."""
    runs = _TOKEN.findall(text)
    if not runs:
        return "no token-like run >= 12 chars"
    run = max(runs, key=len)
    classes = "".join(
        tag for tag, test in (
            ("A", str.isupper), ("a", str.islower), ("9", str.isdigit),
        ) if any(test(c) for c in run)
    )
    symbols = "".join(sorted({c for c in run if not c.isalnum()}))
    return f"longest token-like run: {len(run)} chars [{classes}{symbols}]"


# Rule-id prefixes of format-agnostic rules (a keyword hit from them says little).
_BROAD = frozenset((
    "generic", "http", "url", "oauth", "json", "cli", "code", "curl", "email", "phone", "date",
    "ipv4", "us", "uk", "iban", "payment", "passport", "drivers", "medical", "bank", "card",
    "swift", "database", "private",
))  # fmt: skip


def _keyword_hits(text: str, rules: Sequence[tuple[str, tuple[str, ...]]]) -> list[str]:
    low = text.lower()
    return [rid for rid, keywords in rules if any(k in low for k in keywords)]


def _own_rule_tried(case: Case, rules: Sequence[tuple[str, tuple[str, ...]]]) -> bool:
    """A rule whose id starts with the case's kind (e.g. kind "slack", rule "slack-bot-token")
    had a keyword hit: the format is covered but the regex, validator or a filter said no."""
    kind = re.sub(r"[^a-z0-9]", "", case.kind.lower())
    return bool(kind) and any(
        re.sub(r"[^a-z0-9]", "", rid.split("-")[0]) == kind or rid.replace("-", "").startswith(kind)
        for rid in _keyword_hits(case.text, rules)
    )


def keyword_rules(text: str, rules: Sequence[tuple[str, tuple[str, ...]]], limit: int = 6) -> str:
    """Rules whose prefilter keyword occurs in the text (the rules that *tried*)."""
    hits = _keyword_hits(text, rules)
    if not hits:
        return "no rule keyword in text"
    more = f" +{len(hits) - limit} more" if len(hits) > limit else ""
    return "keyword rules: " + ",".join(hits[:limit]) + more


def write_misses(
    path: Path,
    cases: Sequence[Case],
    ours: Mapping[str, Sequence[str]],
    peers: Mapping[str, Mapping[str, Sequence[str]]],
    rules: Sequence[tuple[str, tuple[str, ...]]],
    header: str,
) -> tuple[int, int]:
    """Write per-kind counts, missed secrets and flagged benign cases. Returns counts."""
    kinds: dict[str, Counter[str]] = defaultdict(Counter)
    for c in cases:
        k = kinds[c.kind]
        k["secret" if c.secret else "benign"] += 1
        if c.secret and not ours.get(c.id):
            k["missed"] += 1
        if not c.secret and ours.get(c.id):
            k["flagged"] += 1
    missed_cases = [c for c in cases if c.secret and not ours.get(c.id)]
    tried = [c for c in missed_cases if keyword_rules(c.text, rules).startswith("keyword")]
    vendor_tried = [c for c in tried if any(
        rid.split("-")[0] not in _BROAD for rid in _keyword_hits(c.text, rules))]
    own_rule = Counter(c.kind for c in tried if _own_rule_tried(c, rules))
    lines = [
        f"# {header}",
        "# Case ids, kinds, origins, source paths and rule ids only: never the case text.",
        "",
        "## Summary",
        f"missed secret cases: {len(missed_cases)} of {sum(c.secret for c in cases)}",
        f"  no rule keyword occurs in the text (no rule for this format): "
        f"{len(missed_cases) - len(tried)}",
        f"  some rule's keyword occurs but nothing matched (regex, validator or filter): "
        f"{len(tried)} ({len(vendor_tried)} with a vendor-specific rule, the rest only "
        "generic/PII rules)",
        f"  of those, a rule named after the case's kind tried and did not match: "
        f"{sum(own_rule.values())} ("
        + ", ".join(f"{k} {n}" for k, n in own_rule.most_common(15)) + ")",
        f"  missed cases that at least one peer detects: "
        f"{sum(1 for c in missed_cases if any(got.get(c.id) for got in peers.values()))}",
        "",
        "## Per kind (kinds with a miss or a false positive)",
        "# kind\tsecrets\tmissed\tbenign\tbenign_flagged",
    ]
    for kind, k in sorted(kinds.items(), key=lambda kv: (-kv[1]["missed"] - kv[1]["flagged"],
                                                         kv[0])):
        if k["missed"] or k["flagged"]:
            lines.append(f"{kind}\t{k['secret']}\t{k['missed']}\t{k['benign']}\t{k['flagged']}")
    lines += ["", "## Missed secret cases",
              "# kind\tcase id\torigin\tsource\thints (our keyword rules | peers that detect it)"]
    missed = 0
    for c in sorted(cases, key=lambda c: (c.kind, c.id)):
        if not c.secret or ours.get(c.id):
            continue
        missed += 1
        peer_note = "; ".join(
            f"{name}:{'/'.join(sorted(set(got[c.id])))}" for name, got in peers.items()
            if got.get(c.id)
        ) or "none"
        flags = f" flags={','.join(c.flags)}" if c.flags else ""
        lines.append(f"{c.kind}\t{c.id}\t{c.origin}\t{c.source}\t"
                     f"{keyword_rules(c.text, rules)} | {_shape(c.text)} | "
                     f"peers: {peer_note}{flags}")
    lines += ["", "## Benign cases we flag", "# kind\tcase id\torigin\tflags\tour rules"]
    fps = 0
    for c in sorted(cases, key=lambda c: (c.kind, c.id)):
        if c.secret or not ours.get(c.id):
            continue
        fps += 1
        lines.append(f"{c.kind}\t{c.id}\t{c.origin}\t{','.join(c.flags) or '-'}\t"
                     f"{','.join(sorted(set(ours[c.id])))}")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(lines) + "\n")
    return missed, fps
