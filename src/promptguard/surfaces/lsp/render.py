"""A verdict as LSP diagnostics, hovers and explanations; never a finding's value.

Everything here is built from a Finding's fields (rule id and name,
category, span, masked preview) and the rule's own description, so no
message can hold what was found.
"""
from __future__ import annotations

from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import NamedTuple

from lsprotocol import types

from promptguard.surfaces.lsp import comments
from promptguard.surfaces.lsp.positions import Position
from promptguard.surfaces.lsp.positions import positions

if TYPE_CHECKING:
    from promptguard.guard import Decision
    from promptguard.guard import Verdict
    from promptguard.models import Finding
    from promptguard.models import Rule

SOURCE = "promptguard"
RULES_DOC = "https://github.com/promptguard/promptguard/blob/main/rules/README.md"
SEVERITY: Mapping[str, types.DiagnosticSeverity] = {
    "block": types.DiagnosticSeverity.Error,
    "redact": types.DiagnosticSeverity.Warning,
    "warn": types.DiagnosticSeverity.Warning,
}
VERB: Mapping[str, str] = {
    "block": "blocked by policy",
    "redact": "would be redacted before reaching a model",
    "warn": "warning",
}


class Entry(NamedTuple):
    """One published diagnostic and the decision behind it."""

    diagnostic: types.Diagnostic
    decision: Decision

    @property
    def finding(self) -> Finding:
        return self.decision.finding


def to_range(start: Position, end: Position) -> types.Range:
    return types.Range(types.Position(*start), types.Position(*end))


def message(finding: Finding, action: str) -> str:
    return (f"{finding.rule_name} {finding.preview}: {VERB.get(action, action)} "
            f"({finding.category}, {finding.severity}, {finding.confidence})")


def reference(rule: Rule | None) -> str:
    if rule is not None and rule.references:
        return rule.references[0]
    return RULES_DOC


def diagnostics(
    verdict: Verdict, text: str, rules: Mapping[str, Rule], encoding: str, on_error: str,
) -> tuple[list[Entry], list[types.Diagnostic]]:
    """Diagnostics for every finding not allowed, plus any scan problems."""
    shown: Sequence[Decision] = [d for d in verdict.decisions if d.action in SEVERITY]
    where = positions(text, [o for d in shown for o in (d.finding.start, d.finding.end)],
                      encoding)
    entries = []
    for d in sorted(shown, key=lambda d: (d.finding.start, d.finding.end)):
        f = d.finding
        diag = types.Diagnostic(
            range=to_range(where[max(0, min(f.start, len(text)))],
                           where[max(0, min(f.end, len(text)))]),
            message=message(f, d.action),
            severity=SEVERITY[d.action],
            code=f.rule_id,
            code_description=types.CodeDescription(href=reference(rules.get(f.rule_id))),
            source=SOURCE,
            data={"rule_id": f.rule_id, "fingerprint": f.fingerprint, "action": d.action},
        )
        entries.append(Entry(diag, d))
    problems = []
    top = to_range(Position(0, 0), Position(0, 0))
    for trouble in verdict.diagnostics:
        problems.append(types.Diagnostic(
            range=top, message=f"{trouble.rule_id}: {trouble.message}",
            severity=types.DiagnosticSeverity.Information, source=SOURCE,
        ))
    if verdict.failed:
        problems.append(types.Diagnostic(
            range=top,
            message="the scan did not finish, so this file was not fully checked"
                    + (" (on_error = block)" if on_error == "block" else ""),
            severity=(types.DiagnosticSeverity.Error if on_error == "block"
                      else types.DiagnosticSeverity.Warning),
            source=SOURCE,
        ))
    return entries, problems


def problem(text: str) -> types.Diagnostic:
    """A diagnostic at the top of the file for a config or internal error."""
    return types.Diagnostic(
        range=to_range(Position(0, 0), Position(0, 0)), message=text,
        severity=types.DiagnosticSeverity.Error, source=SOURCE,
    )


def explain(decision: Decision, rule: Rule | None, policy_reason: str) -> str:
    """Markdown: what the rule matched, why it matters, what to do."""
    f = decision.finding
    lines = [f"**{f.rule_name}** (`{f.rule_id}`)", ""]
    if rule is not None and rule.description:
        lines += [rule.description, ""]
    lines += [
        f"Matched `{f.preview}` at line {f.line}, column {f.column}: "
        f"category {f.category}, severity {f.severity}, confidence {f.confidence}.",
        "",
        f"On the editor surface this is **{decision.action}** ({policy_reason}).",
        "",
        "Fix: replace it with a placeholder (and rotate it if it was ever real); if it is "
        f"not a secret, allow it with `{comments.pragma(f.rule_id)}`, or add it to the "
        "project's baseline once reviewed.",
    ]
    if rule is not None and rule.references:
        lines += ["", "References: " + ", ".join(rule.references)]
    return "\n".join(lines)
