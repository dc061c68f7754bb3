"""Command line: argparse and dispatch only; the work lives in commands/."""
from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence
from types import ModuleType

from promptguard import error_handler

# name -> (module, one-line help). Each module provides HELP,
# add_arguments(parser) and run(args) -> int. Modules load lazily: hooks
# start a process per prompt and should only import the command they run.
COMMANDS: dict[str, tuple[str, str]] = {
    "scan": ("promptguard.commands.scan", "scan files, directories or stdin"),
    "rules": ("promptguard.commands.rules", "list rules, or check packs against their examples"),
    "config": ("promptguard.commands.config", "show or check the effective configuration"),
    "baseline": ("promptguard.commands.baseline", "create, update or audit a baseline"),
    "report": ("promptguard.commands.report", "summarise the audit log"),
    "redact": ("promptguard.commands.redact", "replace findings with placeholders kept in a vault"),
    "restore": ("promptguard.commands.restore", "put a vault's values back into a model's answer"),
    "vault": ("promptguard.commands.vault", "list or delete the local placeholder vaults"),
    "hook": ("promptguard.commands.hook", "answer one coding-agent hook event (JSON on stdin)"),
    "install": ("promptguard.commands.install", "register promptguard's hooks with an agent"),
    "uninstall": ("promptguard.commands.uninstall", "remove promptguard's hooks from an agent"),
    "doctor": ("promptguard.commands.doctor", "check every installed hook really protects you"),
    "history": ("promptguard.commands.history", "find or scrub secrets in agents' transcripts"),
    "watch": ("promptguard.commands.watch", "watch the clipboard; redact secrets before a paste"),
    "service": ("promptguard.commands.service",
                "install, remove or check the clipboard watcher as a login service"),
    "gateway": ("promptguard.commands.gateway",
                "redacting proxy for the Claude and OpenAI APIs (ANTHROPIC_BASE_URL)"),
    "lsp": ("promptguard.commands.lsp", "language server (stdio) for editors"),
}


def _module(name: str) -> ModuleType:
    return importlib.import_module(COMMANDS[name][0])


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, sized without importing shutil.

    argparse builds a formatter for every add_argument (to check metavars)
    and the default one asks shutil for the terminal width: importing
    shutil pulls in bz2 and lzma, ~2.5 ms of every hook process.
    """

    def __init__(self, prog: str, indent_increment: int = 2, max_help_position: int = 24,
                 width: int | None = None) -> None:
        if width is None:
            width = _columns() - 2
        super().__init__(prog, indent_increment, max_help_position, width)


def _columns() -> int:
    # shutil.get_terminal_size's rules: $COLUMNS, else the terminal, else 80.
    import os

    try:
        return int(os.environ["COLUMNS"])
    except (KeyError, ValueError):
        pass
    stdout = sys.__stdout__
    if stdout is None:
        return 80
    try:
        return os.get_terminal_size(stdout.fileno()).columns or 80
    except (AttributeError, ValueError, OSError):
        return 80


def _untranslated_argparse() -> None:
    """Skip argparse's per-message catalogue search when there is no catalogue.

    argparse translates each of its messages with gettext, and a lookup
    that finds no catalogue is not cached: every message searches the
    locale directories again (~0.5 ms each, 3 ms of every hook process).
    One search tells; where a catalogue exists argparse keeps using it.
    """
    import gettext
    import os

    # No locale directory at all (a venv's or pyenv's Python): no catalogue
    # to find, and the search itself (locale alias tables) costs 2 ms.
    localedir = getattr(gettext, "_default_localedir", None)
    if (isinstance(localedir, str) and not os.path.isdir(localedir)) or type(
        gettext.translation("messages", fallback=True),
    ) is gettext.NullTranslations:
        argparse._ = str  # type: ignore[attr-defined]
        argparse.ngettext = lambda s, p, n: s if n == 1 else p  # type: ignore[attr-defined]


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The parser; with `only` (a command name), just that command's.

    The command is then already known, so the others would only appear in
    the top-level help, which `main` builds in full; each stub cost a hook
    ~0.25 ms (argparse looks up its message catalogues per parser).
    """
    from promptguard._version import __version__

    _untranslated_argparse()
    parser = argparse.ArgumentParser(
        prog="promptguard",
        description="Keep secrets, personal data and client identifiers out of AI prompts.",
        formatter_class=_Formatter,
    )
    parser.add_argument("--version", action="version", version=f"promptguard {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    for name, (_, help_text) in COMMANDS.items():
        if only is not None and name != only:
            continue
        cmd = sub.add_parser(name, help=help_text, description=help_text,
                             formatter_class=_Formatter)
        _module(name).add_arguments(cmd)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if not a.startswith("-")), None)
    args = build_parser(command if command in COMMANDS else None).parse_args(argv)
    module = _module(args.command)
    return error_handler.run(lambda: int(module.run(args)))
