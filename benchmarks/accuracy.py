"""Accuracy benchmark: recall and false alarms of promptguard, side by side with peers.

    python benchmarks/accuracy.py [--quick] [--skip-peers] [--skip-corpus]

Three parts, all in one run (see benchmarks/README.md, "Accuracy"):

1. a labelled corpus generated at run time (seeded): fake, format-valid secrets
   and personal data planted in prompt-shaped text, and hard look-alikes;
2. the development set in /work/shared/eval-dev/ (read only; the per-kind misses
   go to benchmarks/results/eval-dev-misses.txt as ids and rule hints);
3. findings per MB on pinned site-packages and node_modules.

Prints a Markdown report and writes it to benchmarks/results/accuracy.md. Exit
status: 0 when every tool ran, 1 when a tool failed; with --check, also 1 when
a promptguard target is missed.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path

import accuracy_bulk
import accuracy_dataset
import accuracy_evaldev
import accuracy_peers
import accuracy_report as report
import peers
from accuracy_dataset import Hit
from accuracy_dataset import Score
from accuracy_evaldev import Case
from accuracy_evaldev import DevScore
from accuracy_evaldev import ViewScore
from accuracy_peers import DirScan
from accuracy_report import BulkResult

RESULTS = peers.BENCH_DIR / "results"
DEFAULT_OUTPUT = RESULTS / "accuracy.md"
DEFAULT_MISSES = RESULTS / "eval-dev-misses.txt"
TMP_ROOT = Path(tempfile.gettempdir()) / f"promptguard-accuracy-{os.getuid()}"
OUT_DIR = peers.WORK_DIR / "out" / "accuracy"
DEFAULT_SEED = 2026
QUICK_SCALE = 0.35  # share of the generated corpus in --quick
QUICK_CORPUS = 0.1  # share of the corpus files in --quick
# Surfaces whose default-policy "block" view the dev-set report shows.
BLOCK_SURFACES = ("cli", "pre-commit")
# CredSweeper needs ~25 minutes for the 131 MB corpus on 2 cores: parts 1-2 only.
BULK_SKIP = frozenset({"credsweeper"})


def log(message: str) -> None:
    print(f"[accuracy] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------- promptguard in-process


class Ours:
    """promptguard as a library: the default rules, every finding counted."""

    def __init__(self) -> None:
        from promptguard.engine import Scanner
        from promptguard.engine import ScanSettings
        from promptguard.ruleset import load_ruleset

        self.ruleset = load_ruleset(cache_dir=None)
        self.scanner = Scanner(self.ruleset, ScanSettings())

        from promptguard.config import profile_layer
        from promptguard.policy import Policy
        from promptguard.policy import Setting

        # The built-in default profile alone: no project, user or org config
        # may change what "blocked at the default policy" means here.
        self.policy = Policy(Setting("default", "built-in", "promptguard", "(default profile)"),
                             (profile_layer("default"),))

    def hits(self, text: str) -> list[Hit]:
        return [Hit(f.start, f.end, f.rule_id) for f in self.scanner.scan(text)]

    def views(self, text: str) -> dict[str, list[str]]:
        """Rule ids reported, and those that block on the cli and pre-commit surfaces."""
        found = self.scanner.scan(text)
        out: dict[str, list[str]] = {"reported": [f.rule_id for f in found]}
        for surface in BLOCK_SURFACES:
            out[surface] = [f.rule_id for f in found
                            if self.policy.decide(f, surface) == "block"]
        return out

    def rule_keywords(self) -> list[tuple[str, tuple[str, ...]]]:
        return [(r.id, r.keywords) for r in self.ruleset.rules if r.keywords]

    def describe(self) -> str:
        import promptguard

        cats = Counter(r.category for r in self.ruleset.rules)
        parts = ", ".join(f"{n} {c}" for c, n in sorted(cats.items()))
        return f"promptguard {promptguard.__version__}: {len(self.ruleset.rules)} rules ({parts})"


# ---------------------------------------------------------------- part 1


def run_generated(
    ours: Ours, tools: Sequence[str], seed: int, scale: float, promptguard: str
) -> tuple[dict[str, Score], tuple[int, int, int, int], dict[str, str | None]]:
    samples = accuracy_dataset.build(seed, scale)
    pos = [s for s in samples if s.positive]
    neg = [s for s in samples if not s.positive]
    counts = (len(pos), sum(len(s.plants) for s in pos), len(neg),
              sum(len(s.plants) for s in neg))
    log(f"generated {len(samples)} prompts ({counts[1]} planted values, {counts[3]} look-alikes)")
    start = time.perf_counter()
    scores = {"promptguard": accuracy_dataset.score(samples, {s.id: ours.hits(s.text)
                                                              for s in samples})}
    log(f"promptguard (library) scored them in {time.perf_counter() - start:.1f}s")
    failures: dict[str, str | None] = {}
    peer_names = [t for t in tools if t != "promptguard"]
    if peer_names:
        root = TMP_ROOT / "generated"
        accuracy_peers.write_tree(root, {f"{s.id}.txt": s.text for s in samples})
        scans = accuracy_peers.scan_with(peer_names, root, OUT_DIR, promptguard=promptguard,
                                         label="generated", log=log)
        for name, scan in scans.items():
            failures[name] = scan.failure
            scores[name] = accuracy_dataset.score(samples, _by_stem(scan))
    return scores, counts, failures


def _by_stem(scan: DirScan) -> dict[str, list[Hit]]:
    return {Path(name).stem: hits for name, hits in scan.hits.items()}


# ---------------------------------------------------------------- part 2


def run_evaldev(
    ours: Ours, tools: Sequence[str], promptguard: str, source: Path, misses_path: Path,
    header: str,
) -> tuple[dict[str, DevScore], list[Case], dict[str, dict[str, list[str]]],
           dict[str, str | None]]:
    cases = accuracy_evaldev.load(source)
    views = {c.id: ours.views(c.text) for c in cases}
    flagged: dict[str, dict[str, list[str]]] = {
        "promptguard": {cid: v["reported"] for cid, v in views.items()}
    }
    for surface in BLOCK_SURFACES:
        flagged[f"promptguard:{surface}"] = {cid: v[surface] for cid, v in views.items()}
    failures: dict[str, str | None] = {}
    peer_names = [t for t in tools if t != "promptguard"]
    if peer_names:
        root = TMP_ROOT / "evaldev"
        names = {c.file_name(i): c.id for i, c in enumerate(cases)}
        accuracy_peers.write_tree(root, {c.file_name(i): c.text for i, c in enumerate(cases)})
        # Reports quote the matched text, so they stay in the temporary directory
        # (never under the repository) and go away with the case files.
        reports = TMP_ROOT / "evaldev-reports"
        scans = accuracy_peers.scan_with(peer_names, root, reports, promptguard=promptguard,
                                         label="evaldev", log=log)
        for name, scan in scans.items():
            failures[name] = scan.failure
            flagged[name] = {names[f]: [h.rule for h in hits] for f, hits in scan.hits.items()
                             if f in names}
        shutil.rmtree(root, ignore_errors=True)
        shutil.rmtree(reports, ignore_errors=True)
    scores = {name: accuracy_evaldev.score(cases, got) for name, got in flagged.items()
              if ":" not in name}
    peer_flags = {n: got for n, got in flagged.items() if not n.startswith("promptguard")}
    missed, fps = accuracy_evaldev.write_misses(misses_path, cases, flagged["promptguard"],
                                                peer_flags, ours.rule_keywords(), header)
    log(f"eval-dev: promptguard misses {missed} secret cases, flags {fps} benign; "
        f"details in {misses_path}")
    return scores, cases, flagged, failures


def top_kinds(cases: Sequence[Case], flagged: Mapping[str, Sequence[str]], n: int = 25
              ) -> list[tuple[str, int, int, int, int]]:
    stats: dict[str, list[int]] = {}
    for c in cases:
        s = stats.setdefault(c.kind, [0, 0, 0, 0])
        if c.secret:
            s[0] += 1
            s[1] += not flagged.get(c.id)
        else:
            s[2] += 1
            s[3] += bool(flagged.get(c.id))
    ranked = sorted(stats.items(), key=lambda kv: (-(kv[1][1] + kv[1][3]), kv[0]))
    return [(k, v[0], v[1], v[2], v[3]) for k, v in ranked[:n] if v[1] or v[3]]


# ---------------------------------------------------------------- part 3


def _promptguard_details(path: Path, corpus: accuracy_bulk.Corpus
                         ) -> tuple[Counter[str], Counter[str], dict[str, list[str]]]:
    try:
        data = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return Counter(), Counter(), {}
    actions: Counter[str] = Counter()
    categories: Counter[str] = Counter()
    examples: dict[str, list[str]] = {}
    for f in data.get("findings", []):
        actions[f.get("action", "?")] += 1
        categories[f.get("category", "?")] += 1
        seen = examples.setdefault(f["rule_id"], [])
        if len(seen) < 3:
            where = accuracy_bulk.original_path(corpus, f["source"])
            seen.append(f"`{where}:{f['line']}` {f['preview']}")
    return actions, categories, examples


def run_bulk(tools: Sequence[str], promptguard: str, quick: bool
             ) -> tuple[list[BulkResult], dict[str, str]]:
    try:
        corpora = accuracy_bulk.build_corpora(TMP_ROOT, log)
    except (OSError, RuntimeError, subprocess.CalledProcessError) as exc:
        log(f"could not install the real-world corpora: {exc}")
        failed = BulkResult("corpora", "install", 0, 0, 0, Counter(), Counter(), Counter(), {},
                            0.0, f"install failed: {exc}")
        return [failed], {}
    if quick:
        accuracy_bulk.select_files(corpora, QUICK_CORPUS)
    results = []
    descriptions = {}
    for corpus in corpora:
        files, size = accuracy_bulk.mirror_bytes(corpus)
        descriptions[corpus.name] = (f"{corpus.description}; {files} text files, "
                                     f"{size / 1e6:.1f} MB" + (" (quick: every 10th file)"
                                                               if quick else ""))
        scans = accuracy_peers.scan_with([t for t in tools if t not in BULK_SKIP], corpus.mirror,
                                         OUT_DIR, promptguard=promptguard,
                                         label=f"bulk-{corpus.name}", log=log, timeout_s=900)
        for name, scan in scans.items():
            by_rule = Counter(h.rule for hits in scan.hits.values() for h in hits)
            actions: Counter[str] = Counter()
            categories: Counter[str] = Counter()
            examples: dict[str, list[str]] = {}
            if name == "promptguard":
                out = OUT_DIR / f"bulk-{corpus.name}-promptguard.json"
                actions, categories, examples = _promptguard_details(out, corpus)
            findings = sum(by_rule.values())
            results.append(BulkResult(corpus.name, name, files, size, findings, by_rule, actions,
                                      categories, examples, scan.wall_s, scan.failure))
    descriptions["installed"] = accuracy_bulk.python_versions()
    return results, descriptions


# ---------------------------------------------------------------- report


def targets(scores: Mapping[str, Score] | None, views: Mapping[str, ViewScore] | None,
            bulk: Sequence[BulkResult]) -> list[tuple[str, str, bool | None]]:
    lines: list[tuple[str, str, bool | None]] = []
    if scores:
        s = scores["promptguard"]
        lines.append(("generated prompts: recall >= 98%", f"{100 * s.pos_total.rate():.1f}%",
                      s.pos_total.rate() >= report.RECALL_TARGET))
        lines.append(("generated prompts: look-alike false alarms <= 2%",
                      f"{100 * s.neg_total.rate():.1f}% (whole prompts: "
                      f"{100 * s.neg_sample_total.rate():.1f}%)",
                      s.neg_total.rate() <= report.LOOKALIKE_TARGET))
    if views:
        rep, blk = views["promptguard"], views["promptguard:cli"]
        lines.append(("eval-dev unflagged: reported recall >= 85%", f"{rep.recall.pct():.1f}%",
                      rep.recall.pct() >= report.DEV_RECALL_TARGET))
        lines.append(("eval-dev unflagged: benign flagged <= 10%", f"{rep.fp.pct():.1f}%",
                      rep.fp.pct() <= report.DEV_FP_TARGET))
        lines.append(("eval-dev unflagged: blocked recall (cli) >= 70%",
                      f"{blk.recall.pct():.1f}%", blk.recall.pct() >= report.DEV_BLOCK_TARGET))
        lines.append(("eval-dev unflagged: benign blocked (cli) <= 8%", f"{blk.fp.pct():.1f}%",
                      blk.fp.pct() <= report.DEV_BLOCK_FP_TARGET))
    ours = [r for r in bulk if r.tool == "promptguard" and not r.failure]
    if ours:
        size = sum(r.text_bytes for r in ours)
        count = sum(r.findings - r.by_action.get("allow", 0) for r in ours)
        lines.append(("(for reference) every finding/MB, PII warnings included",
                      f"{count / (size / 1e6):.3f}", None))
        secrets = sum(r.findings - r.by_category.get("pii", 0) for r in ours)
        lines.append(("benign real-world text: secret+credential findings/MB <= 0.1 (any action)",
                      f"{secrets / (size / 1e6):.3f}",
                      secrets / (size / 1e6) <= report.SECRET_PER_MB_TARGET))
        blocking = sum(r.by_action.get("block", 0) for r in ours)
        lines.append(("benign real-world text: blocking findings/MB <= 0.05",
                      f"{blocking / (size / 1e6):.3f}",
                      blocking / (size / 1e6) <= report.PER_MB_TARGET))
    return lines


def header(args: argparse.Namespace, ours: Ours, peer_versions: Mapping[str, str],
           started: float) -> list[str]:
    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    lines = [
        "# promptguard accuracy benchmark",
        "",
        f"- date: {now}; wall time {time.perf_counter() - started:.0f} s",
        f"- {ours.describe()} (scanned in-process for parts 1-2, `{args.promptguard} scan` for "
        "part 3)",
    ]
    for name, version in peer_versions.items():
        lines.append(f"- {name}: {version}")
    lines += [
        f"- machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.platform()}",
        f"- run: seed {args.seed}{', --quick' if args.quick else ''}"
        f"{', --skip-peers' if args.skip_peers else ''}"
        f"{', --skip-corpus' if args.skip_corpus else ''}",
        "",
    ]
    return lines


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true",
                        help="a third of the generated corpus and a tenth of the real-world one")
    parser.add_argument("--skip-peers", action="store_true",
                        help="only promptguard (no gitleaks / kingfisher / detect-secrets)")
    parser.add_argument("--skip-corpus", action="store_true",
                        help="skip part 3 (findings per MB on site-packages and node_modules)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"seed of the generated corpus (default {DEFAULT_SEED})")
    parser.add_argument("--promptguard", default=accuracy_peers.default_promptguard(),
                        help="promptguard console script for part 3 (default: next to python)")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT,
                        help="Markdown report (default benchmarks/results/accuracy.md)")
    parser.add_argument("--eval-dev", type=Path, default=accuracy_evaldev.EVAL_DEV,
                        help="the development set (part 2 is skipped when it is absent)")
    parser.add_argument("--misses", type=Path, default=DEFAULT_MISSES,
                        help="where the eval-dev misses go")
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    started = time.perf_counter()
    TMP_ROOT.mkdir(parents=True, exist_ok=True)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    tools = ["promptguard"]
    peer_versions: dict[str, str] = {}
    if not args.skip_peers:
        peers.ensure_installed()
        accuracy_peers.ensure_extra_installed()
        tools += list(accuracy_peers.PEER_NAMES)
        peer_versions = accuracy_peers.peer_versions()
    ours = Ours()
    log(ours.describe())

    scale = QUICK_SCALE if args.quick else 1.0
    gen_scores, gen_counts, gen_failures = run_generated(ours, tools, args.seed, scale,
                                                         args.promptguard)
    when = datetime.date.today().isoformat()
    misses_header = (f"eval-dev misses of {ours.describe()}, {when} "
                     "(python benchmarks/accuracy.py)")
    dev_scores: dict[str, DevScore] = {}
    cases: list[Case] = []
    flagged: dict[str, dict[str, list[str]]] = {}
    dev_failures: dict[str, str | None] = {}
    if args.eval_dev.is_file():
        dev_scores, cases, flagged, dev_failures = run_evaldev(
            ours, tools, args.promptguard, args.eval_dev, args.misses, misses_header
        )
    else:
        log(f"no development set at {args.eval_dev}: part 2 skipped")
    bulk: list[BulkResult] = []
    descriptions: dict[str, str] = {}
    if not args.skip_corpus:
        bulk, descriptions = run_bulk(tools, args.promptguard, args.quick)

    pos_kinds, neg_kinds = accuracy_dataset.kind_order()
    try:
        misses_name = os.fspath(args.misses.resolve().relative_to(peers.BENCH_DIR.parent))
    except ValueError:
        misses_name = os.fspath(args.misses)
    lines = header(args, ours, peer_versions, started)
    views = {name: accuracy_evaldev.score_unflagged(cases, got) for name, got in flagged.items()}
    target_lines = targets(gen_scores, views, bulk)
    lines += report.render_targets(target_lines)
    lines += report.render_generated(gen_scores, pos_kinds, neg_kinds, gen_counts, gen_failures)
    if cases:
        n_secret = sum(c.secret for c in cases)
        lines += report.render_views(views, cases, BLOCK_SURFACES, dev_failures)
        lines += report.render_evaldev(dev_scores, (len(cases), n_secret, len(cases) - n_secret),
                                       misses_name, top_kinds(cases, flagged["promptguard"]),
                                       dev_failures)
    if bulk:
        lines += report.render_bulk(bulk, descriptions)
    text = "\n".join(lines)
    print(text)
    args.output.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.output.with_suffix(".md.tmp")
    tmp.write_text(text)
    tmp.replace(args.output)
    log(f"report written to {args.output}")
    failed = [n for n, f in {**gen_failures, **dev_failures}.items() if f]
    failed += [f"{r.tool}@{r.corpus}" for r in bulk if r.failure]
    if failed:
        log(f"tools that failed: {', '.join(failed)}")
        return 1
    if args.check and any(ok is False for _, _, ok in target_lines):
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
