"""Names that moved to smaller modules stay importable from where they were.

The splits (config, clients, redaction, audit) and the one-of-each helpers
(dirs, atomic, filelock, tomlload, cachekey) keep the old import paths, so
callers on other branches keep working; the new home is the second column.
"""
from __future__ import annotations

import importlib

import pytest

MOVED = [
    ("promptguard.config", "Locations", "promptguard.configfiles"),
    ("promptguard.config", "CliOverrides", "promptguard.configfiles"),
    ("promptguard.config", "discover_project", "promptguard.configfiles"),
    ("promptguard.config", "read_file", "promptguard.configfiles"),
    ("promptguard.config", "read_toml", "promptguard.configfiles"),
    ("promptguard.config", "PROJECT_FILE", "promptguard.configfiles"),
    ("promptguard.config", "BASELINE_FILE", "promptguard.configfiles"),
    ("promptguard.config", "ParsedFile", "promptguard.configschema"),
    ("promptguard.config", "parse_file", "promptguard.configschema"),
    ("promptguard.config", "parse_policy", "promptguard.configschema"),
    ("promptguard.config", "profile_layer", "promptguard.configschema"),
    ("promptguard.config", "KIND_LABEL", "promptguard.configschema"),
    ("promptguard.config", "system_policy_path", "promptguard.dirs"),
    ("promptguard.config", "user_config_path", "promptguard.dirs"),
    ("promptguard.clients", "ClientDirectory", "promptguard.clientlist"),
    ("promptguard.clients", "Entity", "promptguard.clientlist"),
    ("promptguard.clients", "IdPattern", "promptguard.clientlist"),
    ("promptguard.clients", "parse_clients", "promptguard.clientlist"),
    ("promptguard.clients", "load_clients_file", "promptguard.clientlist"),
    ("promptguard.clients", "fold", "promptguard.clientlist"),
    ("promptguard.clients", "CompiledList", "promptguard.clientcache"),
    ("promptguard.clients", "compile_file", "promptguard.clientcache"),
    ("promptguard.clients", "compile_inline", "promptguard.clientcache"),
    ("promptguard.redaction", "RedactionSettings", "promptguard.redactconfig"),
    ("promptguard.redaction", "parse_redaction", "promptguard.redactconfig"),
    ("promptguard.redaction", "settings_from_tables", "promptguard.redactconfig"),
    ("promptguard.redaction", "DEFAULT_SETTINGS", "promptguard.redactconfig"),
    ("promptguard.redaction", "label_for", "promptguard.placeholders"),
    ("promptguard.redaction", "letters", "promptguard.placeholders"),
    ("promptguard.redaction", "render", "promptguard.placeholders"),
    ("promptguard.redaction", "placeholder_pattern", "promptguard.placeholders"),
    ("promptguard.redaction", "Restorer", "promptguard.restoring"),
    ("promptguard.redaction", "StreamRestorer", "promptguard.restoring"),
    ("promptguard.audit", "forward", "promptguard.auditforward"),
    ("promptguard.audit", "enqueue", "promptguard.auditforward"),
    ("promptguard.audit", "flush", "promptguard.auditforward"),
    ("promptguard.vault", "data_dir", "promptguard.dirs"),
    ("promptguard", "__version__", "promptguard._version"),
]


@pytest.mark.parametrize(("old", "name", "new"), MOVED)
def test_the_old_import_path_gives_the_same_object(old: str, name: str, new: str) -> None:
    assert getattr(importlib.import_module(old), name) is getattr(
        importlib.import_module(new), name,
    )


def test_renamed_helpers_keep_their_old_names() -> None:
    from promptguard import dirs
    from promptguard import ruleset

    assert ruleset.default_cache_dir() == dirs.cache_dir()
