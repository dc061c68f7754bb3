"""The error types the library raises; only the CLI turns them into exit codes."""
from __future__ import annotations


class PromptguardError(Exception):
    """Base class: a problem the user can fix (exit code 2 in the CLI)."""


class RuleError(PromptguardError):
    """A rule pack is malformed; the message names the file and rule id."""


class ConfigError(PromptguardError):
    """A config or policy file is malformed; the message names file and key."""


class InputError(PromptguardError):
    """Input that cannot be scanned (unreadable path, malformed hook JSON...)."""
