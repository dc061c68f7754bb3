"""Result records and the Markdown report built from them."""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from typing import NamedTuple

from peers import Check

MB = 1_000_000  # decimal megabytes everywhere: MB/s and RSS alike

# The product targets (see the project brief).
LATENCY_RATIO_TARGET = 1 / 8  # promptguard median / gitleaks median
THROUGHPUT_RATIO_TARGET = 5.0  # promptguard MB/s / gitleaks MB/s
THROUGHPUT_TARGET_MBPS = 100.0
BIG_RSS_TARGET_MB = 100.0


class Latency(NamedTuple):
    tool: str
    walls_s: tuple[float, ...]
    first_s: float | None  # the first warm-up: cold caches (kingfisher builds its rule cache)
    found: bool | None
    returncode: int | None
    failure: str | None


class Throughput(NamedTuple):
    tool: str
    size: int
    walls_s: tuple[float, ...]
    warmup_s: float | None
    maxrss_kib: int
    findings: str
    failure: str | None


class ImportCost(NamedTuple):
    cumulative_us: int
    self_us: int
    module: str


class ImportTime(NamedTuple):
    python: str
    top: tuple[ImportCost, ...]
    bare_start_ms: float | None
    import_start_ms: float | None
    failure: str | None


class Report(NamedTuple):
    date: str
    machine: tuple[tuple[str, str], ...]
    settings: tuple[tuple[str, str], ...]
    versions: tuple[tuple[str, str, str], ...]  # tool, version, invocation
    prompt_size: int
    corpus_desc: str
    checks: tuple[Check, ...]
    latency: tuple[Latency, ...]
    throughput: tuple[Throughput, ...]
    big: Throughput | None
    big_desc: str
    imports: ImportTime | None
    notes: tuple[str, ...]
    # The many-file corpus (pinned site-packages as a tree), when measured.
    packages_desc: str = ""
    packages: tuple[Throughput, ...] = ()


# ---------------------------------------------------------------- statistics


def median(values: Sequence[float]) -> float:
    return statistics.median(values)


def p90(values: Sequence[float]) -> float:
    """Nearest-rank 90th percentile."""
    ordered = sorted(values)
    return ordered[max(0, math.ceil(0.9 * len(ordered)) - 1)]


def mbps(size: int, seconds: float) -> float:
    return size / MB / seconds


def rss_mb(kib: int) -> float:
    return kib * 1024 / MB


def _by_tool(
    rows: Sequence[Latency] | Sequence[Throughput], name: str
) -> Latency | Throughput | None:
    for row in rows:
        if row.tool == name and not row.failure and row.walls_s:
            return row
    return None


# ---------------------------------------------------------------- targets


class Target(NamedTuple):
    metric: str
    promptguard: str
    gitleaks: str
    ratio: str
    target: str
    verdict: str


def _verdict(ok: bool | None) -> str:
    return "n/a" if ok is None else ("PASS" if ok else "MISS")


def targets(report: Report) -> list[Target]:
    rows = []
    pg_lat = _by_tool(report.latency, "promptguard")
    gl_lat = _by_tool(report.latency, "gitleaks")
    if pg_lat and gl_lat:
        ratio = median(pg_lat.walls_s) / median(gl_lat.walls_s)
        rows.append(
            Target(
                "cold latency, 2 KB prompt (median)",
                f"{median(pg_lat.walls_s) * 1000:.0f} ms",
                f"{median(gl_lat.walls_s) * 1000:.0f} ms",
                f"{ratio:.3f} (1/{1 / ratio:.1f})",
                "<= 1/8 (0.125)",
                _verdict(ratio <= LATENCY_RATIO_TARGET),
            )
        )
    else:
        rows.append(Target("cold latency, 2 KB prompt (median)", "-", "-", "-", "<= 1/8", "n/a"))
    pg_tp = _by_tool(report.throughput, "promptguard")
    gl_tp = _by_tool(report.throughput, "gitleaks")
    pg_rate = mbps(pg_tp.size, median(pg_tp.walls_s)) if isinstance(pg_tp, Throughput) else None
    gl_rate = mbps(gl_tp.size, median(gl_tp.walls_s)) if isinstance(gl_tp, Throughput) else None
    if pg_rate is not None and gl_rate is not None:
        rows.append(
            Target(
                "throughput, stdlib corpus (median)",
                f"{pg_rate:.1f} MB/s",
                f"{gl_rate:.1f} MB/s",
                f"{pg_rate / gl_rate:.2f}x",
                ">= 5x",
                _verdict(pg_rate / gl_rate >= THROUGHPUT_RATIO_TARGET),
            )
        )
    else:
        rows.append(Target("throughput, stdlib corpus (median)", "-", "-", "-", ">= 5x", "n/a"))
    rows.append(
        Target(
            "throughput, absolute",
            f"{pg_rate:.1f} MB/s" if pg_rate is not None else "-",
            "",
            "",
            ">= 100 MB/s",
            _verdict(None if pg_rate is None else pg_rate >= THROUGHPUT_TARGET_MBPS),
        )
    )
    for label, rows_tp in (("stdlib file", report.throughput), ("packages tree", report.packages)):
        if rows_tp:
            rows.extend(_peer_targets(label, rows_tp))
    big = report.big
    if big is not None and not big.failure:
        rss = rss_mb(big.maxrss_kib)
        rows.append(
            Target(
                f"peak RSS, {report.big_desc}",
                f"{rss:.1f} MB",
                "",
                "",
                "<= 100 MB",
                _verdict(rss <= BIG_RSS_TARGET_MB),
            )
        )
    else:
        why = "failed" if big is not None else "not run (use --big)"
        rows.append(Target("peak RSS, 1 GiB file", why, "", "", "<= 100 MB", "n/a"))
    return rows


PEER_RATIO_TARGET = 1.5
RSS_TARGET_MB = 100.0


def _peer_targets(label: str, rows_tp: Sequence[Throughput]) -> list[Target]:
    """promptguard against the fastest peer that ran (issue 8: >= 1.5x), and its RSS."""
    pg = _by_tool(rows_tp, "promptguard")
    if not isinstance(pg, Throughput) or pg.failure or not pg.walls_s:
        return [Target(f"throughput vs fastest peer, {label}", "-", "-", "-", ">= 1.5x", "n/a")]
    pg_rate = mbps(pg.size, median(pg.walls_s))
    peers = [
        (mbps(tp.size, median(tp.walls_s)), tp.tool)
        for tp in rows_tp
        if tp.tool != "promptguard" and not tp.failure and tp.walls_s
    ]
    out = []
    if peers:
        best, name = max(peers)
        out.append(Target(
            f"throughput vs fastest peer ({name}), {label}",
            f"{pg_rate:.1f} MB/s",
            f"{best:.1f} MB/s ({name})",
            f"{pg_rate / best:.2f}x",
            ">= 1.5x",
            _verdict(pg_rate / best >= PEER_RATIO_TARGET),
        ))
    rss = rss_mb(pg.maxrss_kib)
    out.append(Target(f"peak RSS, {label}", f"{rss:.1f} MB", "", "", "<= 100 MB",
                      _verdict(rss <= RSS_TARGET_MB)))
    return out


def missed_targets(report: Report) -> list[str]:
    return [row.metric for row in targets(report) if row.verdict == "MISS"]


# ---------------------------------------------------------------- rendering


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> list[str]:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return lines


def _ms(seconds: float | None) -> str:
    return "-" if seconds is None else f"{seconds * 1000:.0f}"


def _latency_rows(report: Report) -> list[list[str]]:
    rows = []
    pg = _by_tool(report.latency, "promptguard")
    for lat in report.latency:
        if lat.failure or not lat.walls_s:
            rows.append([lat.tool, "FAILED", "", "", "", "", f"{lat.failure}"])
            continue
        rel = f"{median(lat.walls_s) / median(pg.walls_s):.1f}x" if pg else "-"
        found = "-" if lat.found is None else ("yes" if lat.found else "**no**")
        rows.append(
            [
                lat.tool,
                _ms(median(lat.walls_s)),
                _ms(p90(lat.walls_s)),
                _ms(min(lat.walls_s)),
                _ms(lat.first_s),
                rel,
                f"{found} (exit {lat.returncode})",
            ]
        )
    return rows


def _throughput_rows(throughput: Sequence[Throughput]) -> list[list[str]]:
    rows = []
    pg = _by_tool(throughput, "promptguard")
    pg_rate = mbps(pg.size, median(pg.walls_s)) if isinstance(pg, Throughput) else None
    for tp in throughput:
        if tp.failure or not tp.walls_s:
            status = "skipped" if (tp.failure or "").startswith("skipped") else "FAILED"
            rows.append([tp.tool, status, "", "", "", "", "", tp.failure or ""])
            continue
        rate = mbps(tp.size, median(tp.walls_s))
        rows.append(
            [
                tp.tool,
                f"{median(tp.walls_s):.2f}",
                f"{rate:.1f}",
                f"{pg_rate / rate:.1f}x" if pg_rate else "-",
                f"{rss_mb(tp.maxrss_kib):.1f}",
                str(len(tp.walls_s)),
                "-" if tp.warmup_s is None else f"{tp.warmup_s:.2f}",
                tp.findings,
            ]
        )
    return rows


def render(report: Report) -> str:
    out = ["# promptguard performance", ""]
    out += [
        f"Run on {report.date} by `benchmarks/performance.py`; see `benchmarks/README.md`.",
        "",
    ]
    out += ["## Machine and settings", ""]
    out += _table(["what", "value"], [list(kv) for kv in report.machine + report.settings])
    out += ["", "## Tools", ""]
    out += _table(
        ["tool", "version", "invocation (PATH = file or directory)"],
        [[t, v, f"`{inv}`"] for t, v, inv in report.versions],
    )
    out += ["", "## Targets", ""]
    out += _table(
        ["metric", "promptguard", "gitleaks", "ratio", "target", "verdict"],
        [list(row) for row in targets(report)],
    )
    out += [
        "",
        f"## Cold-process latency: {report.prompt_size} B prompt with one planted AWS key id",
        "",
    ]
    out += ["Wall time of one whole process (start, load rules, scan, report, exit), in ms.", ""]
    out += _table(
        ["tool", "median", "p90", "min", "first run", "vs promptguard", "reported the key"],
        _latency_rows(report),
    )
    corpora = [(report.corpus_desc, report.throughput)]
    if report.packages:
        corpora.append((report.packages_desc, report.packages))
    for desc, rows_tp in corpora:
        out += ["", f"## Throughput and peak RSS: {desc}", ""]
        out += [
            "Median wall time of whole-process runs; MB = 10^6 bytes;"
            " peak RSS = `ru_maxrss` from `os.wait4`.",
            "",
        ]
        out += _table(
            [
                "tool",
                "median s",
                "MB/s",
                "promptguard is",
                "peak RSS MB",
                "runs",
                "warm-up s",
                "findings",
            ],
            _throughput_rows(rows_tp),
        )
    out += ["", f"## Peak memory: {report.big_desc}", ""]
    if report.big is None:
        out += ["Not run; pass `--big`."]
    elif report.big.failure:
        out += [f"FAILED: {report.big.failure}"]
    else:
        big = report.big
        out += _table(
            ["tool", "bytes", "wall s", "MB/s", "peak RSS MB", "findings"],
            [
                [
                    big.tool,
                    f"{big.size:,}",
                    f"{big.walls_s[0]:.2f}",
                    f"{mbps(big.size, big.walls_s[0]):.1f}",
                    f"{rss_mb(big.maxrss_kib):.1f}",
                    big.findings,
                ]
            ],
        )
    out += ["", '## Import time: `python -X importtime -c "import promptguard.cli"`', ""]
    out += _render_imports(report.imports)
    out += ["", "## Peer invocations verified this run", ""]
    out += [
        "Each tool scanned a file and a directory, both holding a fake AWS key id"
        " and secret access key.",
        "",
    ]
    out += _table(
        ["tool", "mode", "exit", "result"],
        [
            [c.tool, c.mode, str(c.returncode), ("ok: " if c.ok else "**FAILED**: ") + c.detail]
            for c in report.checks
        ],
    )
    if report.notes:
        out += ["", "## Notes", ""]
        out += [f"- {note}" for note in report.notes]
    return "\n".join(out) + "\n"


def _render_imports(imports: ImportTime | None) -> list[str]:
    if imports is None:
        return ["Not run."]
    if imports.failure:
        return [f"FAILED with `{imports.python}`: {imports.failure}"]
    lines = [f"Interpreter: `{imports.python}`.", ""]
    if imports.bare_start_ms is not None and imports.import_start_ms is not None:
        lines += [
            f"Median wall of `python -c pass`: {imports.bare_start_ms:.0f} ms; "
            f'of `python -c "import promptguard.cli"`: {imports.import_start_ms:.0f} ms '
            f"(import costs {imports.import_start_ms - imports.bare_start_ms:.0f} ms).",
            "",
        ]
    lines += ["Top 10 by cumulative time (one process; includes its children):", ""]
    lines += _table(
        ["module", "cumulative ms", "self ms"],
        [
            [f"`{c.module}`", f"{c.cumulative_us / 1000:.1f}", f"{c.self_us / 1000:.1f}"]
            for c in imports.top
        ],
    )
    return lines
