"""The words of every reason and notice, shared by all hosts.

Only rule ids, rule names, masked previews and locations ever appear here:
these strings end in transcripts and debug logs.
"""
from __future__ import annotations

from promptguard.surfaces.hooks.event import Outcome

# Hosts cap context strings (Claude Code: 10,000 characters); keep the
# finding list short and say how many were left out.
MAX_LINES = 20


def finding_lines(outcome: Outcome, actions: tuple[str, ...] = ("block", "redact")) -> list[str]:
    lines: list[str] = []
    total = 0
    for s in outcome.scanned:
        for d in s.verdict.decisions:
            if d.action not in actions:
                continue
            total += 1
            if len(lines) < MAX_LINES:
                f = d.finding
                lines.append(f"  - {f.rule_id}: {f.rule_name} {f.preview} "
                             f"({s.text.label}, line {f.line}) [{d.action}]")
    if total > len(lines):
        lines.append(f"  - ... and {total - len(lines)} more")
    return lines


def rule_ids(outcome: Outcome, actions: tuple[str, ...] = ("block", "redact")) -> list[str]:
    seen: dict[str, None] = {}
    for s in outcome.scanned:
        for d in s.verdict.decisions:
            if d.action in actions:
                seen[d.finding.rule_id] = None
    return list(seen)


def failed_labels(outcome: Outcome) -> list[str]:
    return [s.text.label for s in outcome.scanned if s.verdict.failed]


def prompt_blocked(outcome: Outcome) -> str:
    """Why a prompt was blocked, and how to send it anyway."""
    head = "promptguard blocked this prompt: it holds " + ", ".join(rule_ids(outcome)) + "."
    parts = [head, *finding_lines(outcome)]
    failed = failed_labels(outcome)
    if failed:
        parts.append(f"Could not finish scanning {', '.join(failed)}; on_error is "
                     f"{outcome.on_error!r}, so it was blocked.")
    if outcome.redacted_prompt is not None:
        where = ("It is on your clipboard: paste it and send."
                 if outcome.clipboard else
                 "Copy it from here and send it"
                 + (f" (no clipboard: {outcome.clipboard_error})." if outcome.clipboard_error
                    else "."))
        parts.append("A redacted copy (placeholders instead of the values) can be sent "
                     f"instead. {where}")
        parts.append("----- redacted prompt -----")
        parts.append(outcome.redacted_prompt)
        parts.append("---------------------------")
    elif any(d.action == "block" for s in outcome.scanned for d in s.verdict.decisions):
        parts.append("Remove the value (or the @-mention) and send again; if it is not "
                     "secret, allow it with `promptguard: allow[rule-id]` or a baseline.")
    return "\n".join(parts)


def tool_denied(tool: str, outcome: Outcome, actions: tuple[str, ...] = ("block",)) -> str:
    ids = rule_ids(outcome, actions)
    parts = [f"promptguard denied this {tool} call: it would expose "
             + (", ".join(ids) if ids else "text that could not be scanned") + "."]
    parts += finding_lines(outcome, actions)
    parts.append("The values were not shown. Do not try to read them another way; ask the "
                 "user if the task needs them.")
    return "\n".join(parts)


def warned(what: str, outcome: Outcome) -> str:
    parts = [f"promptguard: {what} holds possibly sensitive text (allowed, warn):"]
    parts += finding_lines(outcome, ("warn",))
    return "\n".join(parts)


def placeholders(outcome: Outcome) -> list[str]:
    seen: dict[str, None] = {}
    for s in outcome.scanned:
        for r in s.verdict.replacements:
            seen[r.placeholder] = None
    return list(seen)


def output_redacted(tool: str, outcome: Outcome) -> str:
    """For the model: facts, not orders (imperative wording trips injection defences)."""
    shown = placeholders(outcome)
    more = f" and {len(shown) - 8} more" if len(shown) > 8 else ""
    return (f"promptguard replaced {outcome.replaced} sensitive value(s) in the {tool} output "
            f"with placeholders ({', '.join(shown[:8])}{more}; rules: "
            f"{', '.join(rule_ids(outcome))}). A placeholder stands for the real value, which "
            "is intentionally not available in this conversation; reading the source again "
            "returns the same placeholder. Commands run locally can still use the real values "
            "from the files or the environment.")


def output_withheld(tool: str, labels: list[str]) -> str:
    return (f"promptguard could not finish scanning the {tool} output ({', '.join(labels)}), "
            "so that text was withheld.")




def unscanned(what: str, message: str, on_error: str) -> str:
    if on_error == "block":
        return (f"promptguard could not check this {what} ({message}); blocked because "
                "on_error is 'block'.")
    return (f"promptguard could not check this {what} ({message}); it went through "
            "UNSCANNED because on_error is 'allow'.")
