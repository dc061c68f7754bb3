"""Machine output: one JSON document; never holds a secret value."""
from __future__ import annotations

import json

from promptguard.output import Report


def format_report(report: Report, color: bool) -> str:
    doc = {
        "version": 1,
        "findings": [{**d.finding.to_dict(), "action": d.action} for d in report.decisions],
        "blocking": len(report.blocking),
        "sources_scanned": report.sources_scanned,
        "notes": [{"source": n.source, "message": n.message} for n in report.notes],
        "diagnostics": [{"rule_id": d.rule_id, "message": d.message} for d in report.diagnostics],
    }
    return json.dumps(doc, indent=2) + "\n"
