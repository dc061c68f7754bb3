"""Report formatters, one module each, registered explicitly below."""
# No `from __future__ import annotations` here: typing.NamedTuple would
# compile every postponed field annotation at import (~17 ms per process).

from collections.abc import Callable
from collections.abc import Mapping
from typing import NamedTuple

from promptguard.engine import Diagnostic
from promptguard.models import Action
from promptguard.models import Finding
from promptguard.models import Rule
from promptguard.sources import Note


class Decision(NamedTuple):
    finding: Finding
    action: Action


class Report(NamedTuple):
    decisions: list[Decision]
    rules: Mapping[str, Rule]
    notes: list[Note]
    diagnostics: list[Diagnostic]
    sources_scanned: int

    @property
    def blocking(self) -> list[Decision]:
        return [d for d in self.decisions if d.action == "block"]


Formatter = Callable[[Report, bool], str]

# name -> (module, one-line help), as cli.COMMANDS registers the commands.
# Each module provides `format_report(report, color) -> str`. Modules load
# on demand: a hook printing text never loads the SARIF code. A new format
# is a module plus one line here.
FORMATTERS: dict[str, tuple[str, str]] = {
    "text": ("promptguard.output.text", "path:line:col, what was found, how to allow it"),
    "json": ("promptguard.output.json_", "one JSON document"),
    "sarif": ("promptguard.output.sarif", "SARIF 2.1.0 (GitHub code scanning)"),
}
NAMES = tuple(FORMATTERS)


def get(name: str) -> Formatter:
    """The formatter registered as `name`; KeyError if there is none."""
    import importlib

    module = importlib.import_module(FORMATTERS[name][0])
    formatter: Formatter = module.format_report
    return formatter
