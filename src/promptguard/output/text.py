"""Human output: `path:line:col`, what was found, and how to allow it."""
from __future__ import annotations

from promptguard.output import Report

_COLORS = {"block": "\033[1;31m", "warn": "\033[33m", "redact": "\033[35m", "allow": "\033[2m"}
_RESET = "\033[0m"
_DIM = "\033[2m"


def format_report(report: Report, color: bool) -> str:
    lines: list[str] = []
    for d in report.decisions:
        f = d.finding
        action = d.action.upper()
        if color:
            action = f"{_COLORS[d.action]}{action}{_RESET}"
        lines.append(
            f"{f.source}:{f.line}:{f.column}: {action} {f.rule_id}: {f.rule_name} "
            f"{f.preview} [{f.category}, {f.severity}, {f.confidence}]",
        )
    for note in report.notes:
        lines.append(f"{note.source}: note: {note.message}")
    for diag in report.diagnostics:
        lines.append(f"warning: rule {diag.rule_id}: {diag.message}")
    blocking = report.blocking
    if report.decisions:
        shown = blocking or report.decisions
        ids = sorted({d.finding.rule_id for d in shown})
        hint = (
            f"To allow a finding that is not a secret, add `promptguard: allow[{ids[0]}]` "
            "on its line (or the line above), or record it with `promptguard baseline create`."
        )
        lines.append(f"{_DIM}{hint}{_RESET}" if color else hint)
    n = len(report.decisions)
    summary = (
        f"{n} finding{'s' if n != 1 else ''} ({len(blocking)} blocking) "
        f"in {report.sources_scanned} source{'s' if report.sources_scanned != 1 else ''}"
    )
    lines.append(summary)
    return "\n".join(lines) + "\n"
