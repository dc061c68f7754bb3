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


def get(name: str) -> Formatter:
    # Imported on demand: a hook printing text never loads the SARIF code.
    if name == "text":
        from promptguard.output import text

        return text.format_report
    elif name == "json":
        from promptguard.output import json_

        return json_.format_report
    elif name == "sarif":
        from promptguard.output import sarif

        return sarif.format_report
    raise KeyError(name)


NAMES = ("text", "json", "sarif")
