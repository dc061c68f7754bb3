"""Markdown for the accuracy benchmark (tables only; numbers come from accuracy.py)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from collections.abc import Sequence
from typing import Any
from typing import NamedTuple

from accuracy_dataset import Score
from accuracy_dataset import Tally
from accuracy_evaldev import DevScore
from accuracy_evaldev import Rate
from accuracy_formats import PII_KINDS

RECALL_TARGET = 0.98
LOOKALIKE_TARGET = 0.02
DEV_RECALL_TARGET = 85.0  # reported, unflagged dev cases
DEV_FP_TARGET = 10.0
DEV_BLOCK_TARGET = 70.0  # blocked at the default cli / pre-commit policy
DEV_BLOCK_FP_TARGET = 8.0
PER_MB_TARGET = 0.05  # blocking findings
SECRET_PER_MB_TARGET = 0.1  # secret + credential findings of any action


class BulkResult(NamedTuple):
    corpus: str
    tool: str
    files: int
    text_bytes: int
    findings: int
    by_rule: Counter[str]
    by_action: Counter[str]  # promptguard only
    by_category: Counter[str]  # promptguard only
    examples: dict[str, list[str]]  # rule -> "path:line preview" (promptguard only)
    wall_s: float
    failure: str | None

    def per_mb(self, count: int | None = None) -> float:
        n = self.findings if count is None else count
        return n / (self.text_bytes / 1e6) if self.text_bytes else 0.0


def table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    out = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    out += ["| " + " | ".join(row) + " |" for row in rows]
    return out


def pct(t: Tally | None, *, mark_below: float | None = None, mark_above: float | None = None
        ) -> str:
    if t is None or not t.n:
        return "–"
    text = f"{100 * t.rate():.1f}%"
    if (mark_below is not None and t.rate() < mark_below) or (
        mark_above is not None and t.rate() > mark_above
    ):
        text = f"**{text}**"
    return text


def rate(r: Rate, *, mark_below: float | None = None, mark_above: float | None = None) -> str:
    if not r.n:
        return "–"
    text = f"{r.pct():.1f}% ({r.k}/{r.n})"
    if (mark_below is not None and r.pct() < mark_below) or (
        mark_above is not None and r.pct() > mark_above
    ):
        text = f"**{text}**"
    return text


def _sum(by_kind: Mapping[str, Tally], pii: bool) -> Tally:
    parts = [t for kind, t in by_kind.items() if (kind in PII_KINDS) == pii]
    return Tally(sum(t.n for t in parts), sum(t.hit for t in parts))


def _fails(name: str, failures: Mapping[str, str | None]) -> str:
    return f"failed: {failures[name]}" if failures.get(name) else ""


# ---------------------------------------------------------------- part 1


def render_generated(
    scores: Mapping[str, Score],
    pos_kinds: Sequence[str],
    neg_kinds: Sequence[str],
    samples: tuple[int, int, int, int],
    failures: Mapping[str, str | None],
) -> list[str]:
    tools = list(scores)
    ours = scores["promptguard"]
    n_pos_samples, n_pos, n_neg_samples, n_neg = samples
    out = [
        "## 1. Generated prompts: planted secrets and hard look-alikes",
        "",
        f"{n_pos} planted secrets/PII values in {n_pos_samples} prompts, {n_neg} look-alikes in "
        f"{n_neg_samples} prompts (seeded, regenerated every run). Found = some finding's span "
        "overlaps the planted value. Look-alike FP = some finding overlaps the look-alike; "
        "sample FP = the look-alike prompt has any finding at all. **Bold** = promptguard "
        f"misses the target (recall >= {100 * RECALL_TARGET:.0f}%, look-alike FP <= "
        f"{100 * LOOKALIKE_TARGET:.0f}%).",
        "",
    ]
    for name in tools:
        if failures.get(name):
            out += [f"- {name}: {_fails(name, failures)}", ""]
    out += ["### Recall per kind", ""]
    rows = []
    for kind in pos_kinds:
        n = ours.pos_kind.get(kind, Tally(0, 0)).n
        cells = [pct(ours.pos_kind.get(kind), mark_below=RECALL_TARGET)]
        cells += [pct(scores[t].pos_kind.get(kind)) for t in tools[1:]]
        rows.append([kind, str(n), *cells])
    for label, keep in (("secrets only", False), ("PII only", True)):
        subtotal = {t: _sum(scores[t].pos_kind, keep) for t in tools}
        cells = [pct(subtotal[t]) for t in tools]
        rows.append([f"*{label}*", str(subtotal["promptguard"].n), *cells])
    cells = [pct(ours.pos_total, mark_below=RECALL_TARGET)]
    cells += [pct(scores[t].pos_total) for t in tools[1:]]
    rows.append(["**all**", str(ours.pos_total.n), *cells])
    out += [*table(["kind", "n", *tools], rows), ""]

    out += ["### False alarms on hard look-alikes per kind", ""]
    rows = []
    for kind in neg_kinds:
        t = ours.neg_kind.get(kind)
        cells = [pct(t, mark_above=LOOKALIKE_TARGET), pct(ours.neg_sample_kind.get(kind))]
        cells += [pct(scores[x].neg_kind.get(kind)) for x in tools[1:]]
        rows.append([kind, str(t.n if t else 0), *cells])
    cells = [pct(ours.neg_total, mark_above=LOOKALIKE_TARGET), pct(ours.neg_sample_total)]
    cells += [pct(scores[x].neg_total) for x in tools[1:]]
    rows.append(["**all**", str(ours.neg_total.n), *cells])
    header = ["look-alike kind", "n", "promptguard", "promptguard (sample)",
              *[f"{t}" for t in tools[1:]]]
    out += [*table(header, rows), ""]
    if len(tools) > 1:
        sample_rows = [[t, pct(scores[t].neg_sample_total)] for t in tools]
        out += ["Whole-sample false alarm rate on look-alike prompts:", ""]
        out += [*table(["tool", "prompts with any finding"], sample_rows), ""]

    out += ["### promptguard: formats below target", ""]
    rows = []
    for fmt, t in ours.pos_fmt.items():
        if t.rate() < RECALL_TARGET:
            shapes = ", ".join(f"{s} {n}" for s, n in ours.missed_shapes.get(fmt, Counter())
                               .most_common())
            rows.append([fmt, f"{t.hit}/{t.n}", pct(t), shapes])
    out += (table(["format", "found", "recall", "missed in (shape: count)"], rows)
            if rows else ["(none)"]) + [""]
    out += ["### promptguard: look-alikes it flags", ""]
    rows = []
    for fmt, t in ours.neg_fmt.items():
        if t.hit:
            rules = ", ".join(f"{r} {n}" for r, n in ours.fp_rules.get(fmt, Counter())
                              .most_common())
            rows.append([fmt, f"{t.hit}/{t.n}", rules])
    out += (table(["look-alike", "flagged", "rules"], rows) if rows else ["(none)"]) + [""]
    return out


# ---------------------------------------------------------------- part 2


def render_views(
    views: Mapping[str, Any],
    cases: Sequence[Any],
    surfaces: Sequence[str],
    failures: Mapping[str, str | None],
) -> list[str]:
    """Reported vs blocked on the unflagged dev cases, per origin and per kind."""
    clean = [c for c in cases if not c.flags]
    n_secret = sum(c.secret for c in clean)
    peers = [n for n in views if not n.startswith("promptguard")]
    blocked = [f"promptguard:{s}" for s in surfaces]
    out = [
        "## 2a. Development set, unflagged cases: what is reported and what blocks",
        "",
        f"{len(clean)} cases with no flag at all ({n_secret} secret, {len(clean) - n_secret} "
        "benign; placeholder-like, low-entropy, sequential and near-miss cases left out). "
        "\"Reported\": any finding; \"blocked\": a finding whose action is `block` under the "
        "built-in default profile on that surface. The peers have no policy: what they report "
        "fails a commit. Targets: reported recall >= "
        f"{DEV_RECALL_TARGET:.0f}% with benign flagged <= {DEV_FP_TARGET:.0f}%; blocked recall "
        f">= {DEV_BLOCK_TARGET:.0f}% with benign blocked <= {DEV_BLOCK_FP_TARGET:.0f}%.",
        "",
    ]
    for name in peers:
        if failures.get(name):
            out += [f"- {name}: {_fails(name, failures)}", ""]
    rep = views["promptguard"]
    rows = [["promptguard", rate(rep.recall, mark_below=DEV_RECALL_TARGET),
             rate(rep.fp, mark_above=DEV_FP_TARGET)]]
    for name in blocked:
        b = views[name]
        rows[0] += [rate(b.recall, mark_below=DEV_BLOCK_TARGET),
                    rate(b.fp, mark_above=DEV_BLOCK_FP_TARGET)]
    for name in peers:
        v = views[name]
        cells = [rate(v.recall), rate(v.fp)]
        rows.append([name, *cells, *(cells * len(blocked))])
    head = ["tool", "reported: recall", "benign flagged"]
    for s in surfaces:
        head += [f"blocked ({s}): recall", "benign blocked"]
    out += [*table(head, rows), ""]

    def cell(name: str, group: str, key: str) -> str:
        rec, fp = getattr(views[name], group)[key]
        return f"{rec.pct():.0f}% / {fp.pct():.0f}%" if rec.n else f"– / {fp.pct():.0f}%"

    tools = ["promptguard", blocked[0], *peers]
    labels = ["promptguard reported", f"promptguard blocked ({surfaces[0]})", *peers]
    out += ["### By origin (recall / benign flagged)", ""]
    rows = []
    for origin, (rec, fp) in rep.by_origin.items():
        rows.append([origin, str(rec.n), str(fp.n), *(cell(t, "by_origin", origin)
                                                      for t in tools)])
    out += [*table(["origin", "secret", "benign", *labels], rows), ""]
    out += ["### By kind (kinds with >= 4 unflagged cases; recall / benign flagged)", ""]
    rows = []
    for kind, (rec, fp) in sorted(rep.by_kind.items(), key=lambda kv: -(kv[1][0].n + kv[1][1].n)):
        if rec.n + fp.n < 4:
            continue
        rows.append([kind, str(rec.n), str(fp.n), *(cell(t, "by_kind", kind) for t in tools)])
    out += [*table(["kind", "secret", "benign", *labels], rows), ""]
    return out


def render_evaldev(
    scores: Mapping[str, DevScore],
    n_cases: tuple[int, int, int],
    misses_path: str,
    top_kinds: Sequence[tuple[str, int, int, int, int]],
    failures: Mapping[str, str | None],
) -> list[str]:
    tools = list(scores)
    n_all, n_secret, n_benign = n_cases
    out = [
        "## 2. Development set (`/work/shared/eval-dev/`)",
        "",
        f"{n_all} cases ({n_secret} secret, {n_benign} benign) from the peers' own test suites; "
        "a case counts as flagged when the tool reports anything in it. \"Benign excl. flagged\""
        " leaves out cases marked near-miss / placeholder-like / low-entropy. Target: recall >= "
        f"{DEV_RECALL_TARGET:.0f}% with <= {DEV_FP_TARGET:.0f}% of unflagged benign cases "
        "flagged. Each origin's own tool is at home on its cases, so compare rows, not just "
        "totals.",
        "",
    ]
    for name in tools:
        if failures.get(name):
            out += [f"- {name}: {_fails(name, failures)}", ""]
    rows = []
    for name in tools:
        s = scores[name]
        own = name == "promptguard"
        rows.append([
            name,
            rate(s.recall, mark_below=DEV_RECALL_TARGET if own else None),
            rate(s.fp_all),
            rate(s.fp_unflagged, mark_above=DEV_FP_TARGET if own else None),
        ])
    head = ["tool", "recall (secret)", "benign flagged", "benign excl. flagged flagged"]
    out += [*table(head, rows), ""]
    out += ["### By origin (recall / benign excl. flagged flagged)", ""]
    origins = list(scores["promptguard"].by_origin)
    rows = []
    for origin in origins:
        cells = []
        for name in tools:
            rec, _, fp = scores[name].by_origin[origin]
            cells.append(f"{rec.pct():.0f}% / {fp.pct():.0f}%")
        rec, fp_all, fp = scores["promptguard"].by_origin[origin]
        rows.append([origin, str(rec.n), str(fp_all.n), *cells])
    out += [*table(["origin", "secret", "benign", *tools], rows), ""]
    out += [
        "### promptguard: kinds with the most misses",
        "",
        f"All {len(scores['promptguard'].by_kind)} kinds, with every missed case id and hints, "
        f"are in `{misses_path}`.",
        "",
    ]
    rows = [[k, str(s), str(m), str(b), str(f)] for k, s, m, b, f in top_kinds]
    out += [*table(["kind", "secret", "missed", "benign", "benign flagged"], rows), ""]
    return out


# ---------------------------------------------------------------- part 3


def render_bulk(results: Sequence[BulkResult], descriptions: Mapping[str, str]) -> list[str]:
    out = [
        "## 3. Findings per MB on benign real-world text",
        "",
        "MB = 10^6 bytes of text files (no NUL in the first 8000 bytes). Every tool scans the "
        "same flat mirror of the text files (see `accuracy_bulk.py` for why). promptguard "
        "counts every finding (the default `cli` policy allows none of them: PII and generic "
        "findings warn, the rest block); \"secret+credential\" leaves out the `pii` category, "
        "which the peers do not detect; \"block\" = blocking findings only. Target: <= "
        f"{PER_MB_TARGET} findings/MB at the default policy.",
        "",
    ]
    for corpus, desc in descriptions.items():
        if corpus == "installed":
            out.append(f"- Python distributions actually installed: {desc}")
        else:
            out.append(f"- **{corpus}**: {desc}")
    out.append("")
    rows = []
    for r in results:
        if r.failure:
            rows.append([r.corpus, r.tool, str(r.files), f"{r.text_bytes / 1e6:.1f}", "–", "–",
                         "–", f"{r.wall_s:.1f}", r.failure[:80]])
            continue
        secrets = r.findings - r.by_category.get("pii", 0)
        blocking = r.by_action.get("block", 0)
        extra = (f"{r.per_mb(secrets):.3f}", f"{r.per_mb(blocking):.3f}"
                 ) if r.tool == "promptguard" else ("", "")
        rows.append([r.corpus, r.tool, str(r.files), f"{r.text_bytes / 1e6:.1f}",
                     str(r.findings), f"{r.per_mb():.3f}", *extra, f"{r.wall_s:.1f}", ""])
    head = ["corpus", "tool", "files", "MB", "findings", "per MB", "secret+credential /MB",
            "block /MB", "wall s", "note"]
    out += [*table(head, rows), ""]
    totals: dict[str, list[int]] = {}
    for r in results:
        if not r.failure:
            t = totals.setdefault(r.tool, [0, 0, 0, 0])
            t[0] += r.findings
            t[1] += r.text_bytes
            t[2] += r.findings - r.by_category.get("pii", 0)
            t[3] += r.by_action.get("block", 0)
    rows = [[tool, str(t[0]), f"{t[1] / 1e6:.1f}", f"{t[0] / (t[1] / 1e6):.3f}",
             f"{t[2] / (t[1] / 1e6):.3f}" if tool == "promptguard" else "",
             f"{t[3] / (t[1] / 1e6):.3f}" if tool == "promptguard" else ""]
            for tool, t in totals.items() if t[1]]
    out += ["Both corpora together:", ""]
    out += table(["tool", "findings", "MB", "per MB", "secret+credential /MB", "block /MB"], rows)
    out += [""]
    for r in results:
        if r.tool == "promptguard" and not r.failure and r.by_category:
            cats = ", ".join(f"{c} {n}" for c, n in r.by_category.most_common())
            acts = ", ".join(f"{a} {n}" for a, n in r.by_action.most_common())
            out.append(f"- promptguard on {r.corpus}: by category {cats}; by action {acts}")
    out += ["", "### Top rules per tool", ""]
    rows = []
    for r in results:
        for rule, n in r.by_rule.most_common(8):
            example = "; ".join(r.examples.get(rule, [])[:2])
            rows.append([r.corpus, r.tool, rule, str(n), f"{r.per_mb(n):.3f}", example])
    head = ["corpus", "tool", "rule", "findings", "per MB", "examples (promptguard)"]
    out += [*table(head, rows), ""]
    return out


def render_targets(lines: Sequence[tuple[str, str, bool | None]]) -> list[str]:
    rows = [[what, value, "–" if ok is None else ("yes" if ok else "**no**")]
            for what, value, ok in lines]
    return ["## Targets", "", *table(["target", "promptguard", "met"], rows), ""]
