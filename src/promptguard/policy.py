"""Which action a finding gets on a given surface, and why.

The model, in the order it is applied:

1. a `rule` setting for the finding's rule id is the answer (it is the most
   specific thing anyone can write), otherwise the `category` setting is;
2. `severity` and `confidence` settings are *caps*: "at most this". The
   default profile caps generic (heuristic) findings at `warn`, so a guess
   never blocks a commit. Caps do not apply to a `rule` setting;
3. organisation `locks` are *floors*: "at least this". They apply last, so
   no profile, project, user or command-line setting can weaken them.

Every setting can be written for all surfaces (`[policy]`) or for one
(`[policy.surfaces.<name>]`). Layers are searched from the highest
precedence down (command line, project, user, org policy defaults, built-in
profile); within a layer a surface's own table beats the general one. The
first layer that says anything about a key decides it, which is what makes
`config show` able to name the one file and key behind every value.
"""
# ruff: noqa: I002
# No `from __future__ import annotations`: these records are NamedTuples on
# every scan's path, and postponed annotations make typing compile each one
# at import (see models.py). A dataclass costs more still.
from collections.abc import Iterator
from collections.abc import Mapping
from typing import Any
from typing import Literal
from typing import NamedTuple

from promptguard.models import ACTIONS
from promptguard.models import Action
from promptguard.models import Finding

Surface = Literal[
    "cli", "pre-commit", "editor", "claude-code", "cursor", "codex", "gemini", "copilot",
    "vscode", "windsurf", "agent", "chat", "clipboard", "gateway",
]
AGENT_SURFACES: tuple[Surface, ...] = (
    "claude-code", "cursor", "codex", "gemini", "copilot", "vscode", "windsurf", "agent",
)
SURFACES: tuple[Surface, ...] = (
    "cli", "pre-commit", "editor", *AGENT_SURFACES, "chat", "clipboard", "gateway",
)
# What a surface does when promptguard itself fails: refuse the input or
# let it through unscanned (and say so).
OnError = Literal["block", "allow"]
ON_ERROR: tuple[OnError, ...] = ("block", "allow")
ACTION_RANK: Mapping[str, int] = {a: i for i, a in enumerate(ACTIONS)}
# The tables a [policy] section (or a surface's table inside it) may hold.
SELECTORS = ("category", "rule", "severity", "confidence")
# Selectors whose settings cap the action rather than set it.
CAPS = ("severity", "confidence")

class ActionTable(NamedTuple):
    """The settings one table of one config file holds."""

    # Never mutated, so a shared empty default is safe.
    category: Mapping[str, Action] = {}
    rule: Mapping[str, Action] = {}
    severity: Mapping[str, Action] = {}
    confidence: Mapping[str, Action] = {}
    on_error: OnError | None = None

    def get(self, selector: str) -> Mapping[str, Action]:
        table: Mapping[str, Action] = getattr(self, selector)
        return table


def _tables(
    surfaces: Mapping[str, ActionTable],
    general: ActionTable,
    prefix: str,
    surface: str,
) -> Iterator[tuple[ActionTable, str]]:
    """The surface's own table first, then the general one, with key prefixes."""
    specific = surfaces.get(surface)
    if specific is not None:
        yield specific, f"{prefix}surfaces.{surface}."
    yield general, prefix


class Layer(NamedTuple):
    """The policy settings of one source: a file, the command line or a profile."""

    name: str  # "command line", "project", "user", "org policy", "built-in profile"
    source: str  # a path, or a description for built-in data
    # Written before every key in messages: "policy." or "tool.promptguard.policy.".
    prefix: str
    general: ActionTable
    surfaces: Mapping[str, ActionTable] = {}

    def tables(self, surface: str) -> Iterator[tuple[ActionTable, str]]:
        return _tables(self.surfaces, self.general, self.prefix, surface)


class Locks(NamedTuple):
    """Organisation minimums: the action may only go up from these."""

    source: str
    prefix: str  # "locks."
    general: ActionTable
    surfaces: Mapping[str, ActionTable] = {}
    # on_error locked to "block" on every surface.
    on_error_block: bool = False
    # The audit log cannot be turned off.
    audit: bool = False

    def tables(self, surface: str) -> Iterator[tuple[ActionTable, str]]:
        return _tables(self.surfaces, self.general, self.prefix, surface)


class Setting(NamedTuple):
    """A value and the exact place it was written."""

    value: str
    layer: str
    source: str
    key: str

    def where(self) -> str:
        if self.layer == "built-in":
            return "built-in default"
        if self.layer == "built-in profile":
            return f"{self.source} ({self.key})"
        if self.layer == "command line":
            return f"command line {self.key}"
        return f"{self.layer} {self.source} ({self.key})"


class Resolution(NamedTuple):
    """An action with its reasons, for `config show` and tests."""

    action: Action
    # The rule or category setting the action started from.
    base: Setting
    # Caps that lowered it, in the order applied.
    caps: tuple[Setting, ...] = ()
    # The lock that raised it, and what was asked for before that.
    lock: Setting | None = None
    requested: Action | None = None

    def explain(self) -> str:
        if self.lock is not None:
            return (
                f"locked by org policy {self.lock.source} ({self.lock.key} = {self.lock.value}); "
                f"{self.base.where()} asked for {self.requested}"
            )
        if self.caps:
            capped = ", ".join(c.where() for c in self.caps)
            return f"{self.base.where()} = {self.base.value}, capped by {capped}"
        return self.base.where()


class Policy(NamedTuple):
    profile: Setting
    # Highest precedence first; the last one is the built-in profile.
    layers: tuple[Layer, ...]
    locks: Locks | None = None

    def lookup(self, surface: str, selector: str, key: str) -> Setting | None:
        """The highest-precedence setting of `selector.key` on `surface`."""
        for layer in self.layers:
            for table, prefix in layer.tables(surface):
                value = table.get(selector).get(key)
                if value is not None:
                    return Setting(value, layer.name, layer.source, f"{prefix}{selector}.{key}")
        return None

    def floor(self, surface: str, category: str, rule_id: str) -> Setting | None:
        """The strongest lock that applies, if any."""
        if self.locks is None:
            return None
        best: Setting | None = None
        for table, prefix in self.locks.tables(surface):
            for selector, key in (("category", category), ("rule", rule_id)):
                value = table.get(selector).get(key)
                if value is not None and (
                    best is None or ACTION_RANK[value] > ACTION_RANK[best.value]
                ):
                    best = Setting(value, "org policy", self.locks.source,
                                   f"{prefix}{selector}.{key}")
        return best

    def resolve(
        self,
        surface: str,
        category: str,
        rule_id: str = "",
        severity: str = "",
        confidence: str = "",
    ) -> Resolution:
        base = self.lookup(surface, "rule", rule_id) if rule_id else None
        caps: list[Setting] = []
        if base is not None:
            action: Action = base.value  # type: ignore[assignment]
        else:
            base = self.lookup(surface, "category", category) or Setting(
                "block", "built-in", "promptguard", "(no setting for this category)",
            )
            action = base.value  # type: ignore[assignment]
            for selector, key in (("severity", severity), ("confidence", confidence)):
                cap = self.lookup(surface, selector, key) if key else None
                if cap is not None and ACTION_RANK[cap.value] < ACTION_RANK[action]:
                    action = cap.value  # type: ignore[assignment]
                    caps.append(cap)
        lock = self.floor(surface, category, rule_id)
        if lock is not None and ACTION_RANK[lock.value] > ACTION_RANK[action]:
            return Resolution(lock.value, base, tuple(caps), lock, action)  # type: ignore[arg-type]
        return Resolution(action, base, tuple(caps))

    def decide(self, finding: Finding, surface: str) -> Action:
        return self.resolve(
            surface, finding.category, finding.rule_id, finding.severity, finding.confidence,
        ).action

    def on_error(self, surface: str) -> OnError:
        if self.locks is not None and self.locks.on_error_block:
            return "block"
        return self.on_error_setting(surface).value  # type: ignore[return-value]

    def on_error_setting(self, surface: str) -> Setting:
        for layer in self.layers:
            for table, prefix in layer.tables(surface):
                if table.on_error is not None:
                    return Setting(table.on_error, layer.name, layer.source, f"{prefix}on_error")
        # Fail closed: the scanner is local, so an error is our bug, not an outage.
        return Setting("block", "built-in", "promptguard", "(default)")


# -- built-in profiles ----------------------------------------------------
# Written in the same shape as a config file's [policy] table, and parsed by
# the same code (config.parse_policy_table), so a profile is exactly what a
# user could have written. Documented in docs/policy.md.

_REDACT_SENSITIVE: dict[str, Any] = {
    "category": {"pii": "redact", "client": "redact"},
    # Below a confident match we cannot justify blocking a paste or a
    # prompt, but redacting costs the user little.
    "confidence": {"generic": "redact"},
}
_PERMISSIVE_ENTERPRISE: dict[str, Any] = {
    "category": {"pii": "warn", "client": "warn"},
}

PROFILES: Mapping[str, Mapping[str, Any]] = {
    # Secrets and credentials block everywhere. PII and client names warn
    # where a person is looking (cli) and are redacted where text leaves
    # for a model; client names in a commit are the client's own repo.
    "default": {
        "category": {"secret": "block", "credential": "block", "pii": "warn", "client": "warn"},
        "confidence": {"generic": "warn"},
        "on_error": "block",
        "surfaces": {
            "pre-commit": {"category": {"client": "allow"}},
            # `chat`: text a person prepares for a chat window (`redact`).
            "chat": _REDACT_SENSITIVE,
            "clipboard": _REDACT_SENSITIVE,
            "gateway": _REDACT_SENSITIVE,
            **dict.fromkeys(AGENT_SURFACES, _REDACT_SENSITIVE),
        },
    },
    # Everything blocks, whatever the confidence; client names only warn
    # where they are expected (the client's own code and the terminal).
    "strict": {
        "category": {"secret": "block", "credential": "block", "pii": "block", "client": "block"},
        "on_error": "block",
        "surfaces": {
            "cli": {"category": {"client": "warn"}},
            "pre-commit": {"category": {"client": "warn"}},
        },
    },
    # Agents and the gateway talk to an enterprise API under a data
    # processing agreement: PII and client names may pass (audited as
    # warn). The clipboard may still end in a consumer chat, so it stays
    # strict. A gateway outage must not stop the business: fail open there.
    "enterprise-api": {
        "category": {"secret": "block", "credential": "block", "pii": "warn", "client": "warn"},
        "confidence": {"generic": "warn"},
        "on_error": "block",
        "surfaces": {
            "pre-commit": {"category": {"client": "allow"}},
            "chat": _REDACT_SENSITIVE,
            "clipboard": _REDACT_SENSITIVE,
            "gateway": {**_PERMISSIVE_ENTERPRISE, "on_error": "allow"},
            **dict.fromkeys(AGENT_SURFACES, _PERMISSIVE_ENTERPRISE),
        },
    },
    # Agent prompt and config files (CLAUDE.md, .cursorrules, ...) are sent
    # to the model on every session of every teammate: nothing sensitive
    # belongs there, but a heuristic guess still only warns.
    "prompts": {
        "category": {"secret": "block", "credential": "block", "pii": "block", "client": "block"},
        "confidence": {"generic": "warn"},
        "on_error": "block",
    },
}
PROFILE_NAMES = tuple(PROFILES)
