"""The normalized hook event every host parses into, and what the core answers.

Kept free of promptguard imports beyond typing-only ones: every hook call
imports this module, and the guard is loaded only after the payload parsed.
"""
# ruff: noqa: I002
# No `from __future__ import annotations`: typing.NamedTuple would compile
# every postponed field annotation at import (2 ms here; see models.py).

from collections.abc import Iterator
from collections.abc import Mapping
from typing import TYPE_CHECKING
from typing import Any
from typing import Literal
from typing import NamedTuple

if TYPE_CHECKING:
    from promptguard.guard import Verdict

# prompt: text the user sends (check; a `redact` verdict is offered as a
#   redacted copy, since no host lets a hook rewrite a typed prompt);
# pre-tool: a tool call about to run (check; block -> deny);
# post-tool: a tool's output before the model sees it (redact);
# config-change: the host's settings changed (the tamper guard);
# other: an event we know and have nothing to do for (allow, silently).
Kind = Literal["prompt", "pre-tool", "post-tool", "config-change", "other"]
# One step into a JSON document: a key of an object or an index of a list.
Key = str | int
JsonPath = tuple[Key, ...]


class Text(NamedTuple):
    """One piece of text to scan, with a label the user recognises."""

    label: str  # "prompt", "@config/prod.env", "Bash command", "Bash output (stdout)"
    text: str
    # Where the text sits in the payload (post-tool: in the tool's output),
    # so the host can put the redacted text back in the same place.
    path: JsonPath = ()


class Event(NamedTuple):
    host: str  # the Host.name that parsed it
    kind: Kind
    name: str  # the host's own event name ("UserPromptSubmit", "beforeSubmitPrompt")
    texts: tuple[Text, ...] = ()
    tool: str = ""
    session: str = ""  # the host's session id ("" when it sends none)
    cwd: str = ""  # where the guard discovers the project config
    # A reason to block found by the host itself, not by scanning (the
    # tamper guard: "the change removes promptguard's hooks").
    problem: str = ""
    # Notes for the user that are not findings ("@docs/: a directory, not read").
    notes: tuple[str, ...] = ()
    payload: Mapping[str, Any] = {}


# What a text becomes when its scan did not finish and on_error blocks.
WITHHELD = "[promptguard: withheld, the scan did not finish]"


class Scanned(NamedTuple):
    text: Text
    verdict: "Verdict"  # the guard's; a string so the guard is not imported


class Outcome(NamedTuple):
    """What the guard decided for an event; the host renders it."""

    # Strongest action over all texts ("block" > "redact" > "warn" > "allow");
    # "block" also when a scan failed and on_error is "block", or on a problem.
    action: str
    scanned: tuple[Scanned, ...] = ()
    # prompt events whose verdict is `redact`: the prompt with placeholders,
    # for the user to resend; and whether it was put on the clipboard.
    redacted_prompt: str | None = None
    clipboard: bool = False
    clipboard_error: str = ""
    # A detector did not finish on some text (its verdict has failed=True).
    failed: bool = False
    on_error: str = "block"

    @property
    def replaced(self) -> int:
        return sum(len(s.verdict.replacements) for s in self.scanned)

    def has(self, action: str) -> bool:
        """Some finding in some text was decided `action`."""
        return any(d.action == action for s in self.scanned for d in s.verdict.decisions)

    def rewrites(self) -> "tuple[dict[JsonPath, str], list[str]]":
        """What to put back where each text came from: its redacted copy, or
        WITHHELD when its scan did not finish and on_error blocks; and the
        labels of the texts withheld."""
        new: dict[JsonPath, str] = {}
        withheld: list[str] = []
        for s in self.scanned:
            if s.verdict.failed and self.on_error == "block":
                new[s.text.path] = WITHHELD
                withheld.append(s.text.label)
            elif s.verdict.replacements and s.verdict.text is not None:
                new[s.text.path] = s.verdict.text
        return new, withheld


class Answer(NamedTuple):
    """Exactly what the hook process writes and how it exits."""

    stdout: str = ""
    stderr: str = ""
    exit_code: int = 0


def reply(doc: Mapping[str, Any], exit_code: int = 0, stderr: str = "") -> Answer:
    """The hook's answer: `doc` as the one JSON line the host reads from stdout."""
    import json

    return Answer(json.dumps(doc, ensure_ascii=False) + "\n", stderr, exit_code)


# -- helpers for payloads -----------------------------------------------------

def payload_str(payload: Mapping[str, Any], key: str) -> str:
    """A string field of the payload ("" when absent); anything else is bad input."""
    value = payload.get(key, "")
    if not isinstance(value, str):
        from promptguard.errors import InputError

        raise InputError(f"hook payload: {key!r} is {type(value).__name__}, expected a string")
    return value


def string_leaves(
    value: Any, path: JsonPath = (), min_len: int = 1,
) -> Iterator[tuple[JsonPath, str]]:
    """Every string in a JSON value, with its path, in document order."""
    if isinstance(value, str):
        if len(value) >= min_len:
            yield path, value
    elif isinstance(value, Mapping):
        for k, v in value.items():
            yield from string_leaves(v, (*path, k), min_len)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from string_leaves(v, (*path, i), min_len)


def replace_leaves(value: Any, new: Mapping[JsonPath, str], path: JsonPath = ()) -> Any:
    """A copy of `value` with the strings at the given paths replaced.

    Everything else (key order, numbers, booleans, nulls, other strings) is
    kept as is, so the host gets back exactly the shape it sent.
    """
    if path in new:
        return new[path]
    if isinstance(value, Mapping):
        return {k: replace_leaves(v, new, (*path, k)) for k, v in value.items()}
    if isinstance(value, list):
        return [replace_leaves(v, new, (*path, i)) for i, v in enumerate(value)]
    return value


def label_path(path: JsonPath) -> str:
    """`("file", "content")` -> "file.content", `("content", 0, "text")` -> "content[0].text"."""
    out = ""
    for k in path:
        out += f"[{k}]" if isinstance(k, int) else (f".{k}" if out else str(k))
    return out
