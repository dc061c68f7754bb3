"""SARIF 2.1.0, in the shape GitHub code scanning accepts.

GitHub reads `security-severity` (a number as a string) to rank alerts and
`partialFingerprints` to track an alert across commits; we give it our
fingerprint, which is a hash and never the secret.
"""
from __future__ import annotations

import json
from pathlib import PurePath
from typing import Any

from promptguard.output import Report

_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
_SECURITY_SEVERITY = {"low": "3.0", "medium": "5.5", "high": "7.5", "critical": "9.5"}
_LEVEL = {"block": "error", "warn": "warning", "redact": "warning", "allow": "note"}


def _uri(source: str) -> str:
    return PurePath(source).as_posix() if source else "stdin"


def format_report(report: Report, color: bool) -> str:
    from promptguard._version import __version__

    used = sorted({d.finding.rule_id for d in report.decisions})
    index = {rid: i for i, rid in enumerate(used)}
    rules: list[dict[str, Any]] = []
    for rid in used:
        rule = report.rules[rid]
        entry: dict[str, Any] = {
            "id": rid,
            "name": "".join(w.capitalize() for w in rid.split("-")),
            "shortDescription": {"text": rule.name},
            "fullDescription": {"text": rule.description},
            "defaultConfiguration": {"level": "error"},
            "properties": {
                "tags": ["security", rule.category, *rule.tags],
                "security-severity": _SECURITY_SEVERITY[rule.severity],
                "precision": {"checksum": "very-high", "prefix": "high",
                              "context": "medium", "generic": "low"}[rule.confidence],
            },
        }
        if rule.references:
            entry["helpUri"] = rule.references[0]
        rules.append(entry)
    results = []
    for d in report.decisions:
        f = d.finding
        results.append({
            "ruleId": f.rule_id,
            "ruleIndex": index[f.rule_id],
            "level": _LEVEL[d.action],
            "message": {"text": f"{f.rule_name} ({f.preview}); action: {d.action}"},
            "locations": [{
                "physicalLocation": {
                    "artifactLocation": {"uri": _uri(f.source)},
                    "region": {"startLine": f.line, "startColumn": f.column},
                },
            }],
            "partialFingerprints": {"promptguardFingerprint/v1": f.fingerprint},
            "properties": {"confidence": f.confidence, "category": f.category},
        })
    doc = {
        "$schema": _SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "promptguard",
                "version": __version__,
                "informationUri": "https://pypi.org/project/promptguard/",
                "rules": rules,
            }},
            "results": results,
        }],
    }
    return json.dumps(doc, indent=2) + "\n"
