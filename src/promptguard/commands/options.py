"""Options shared by the commands that load rules and scan."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from promptguard.dirs import cache_dir as default_cache_dir
from promptguard.engine import Scanner
from promptguard.engine import ScanSettings
from promptguard.errors import InputError
from promptguard.ruleset import load_ruleset

if TYPE_CHECKING:
    from promptguard.clients import ClientDirectory
    from promptguard.config import Config


def add_rule_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rules", action="append", type=Path, default=[], metavar="PATH",
        help="extra rule pack (TOML file or directory of them); repeatable",
    )
    parser.add_argument(
        "--no-builtin-rules", action="store_true", help="use only the packs given with --rules",
    )
    parser.add_argument(
        "--backend", choices=("auto", "hyperscan", "aho"), default="auto",
        help="keyword prefilter engine (default: hyperscan for large inputs when installed)",
    )
    parser.add_argument(
        "--regex-timeout", type=float, default=1.0, metavar="SECONDS",
        help="time limit for each rule's regex on one input (default: 1.0)",
    )


def build_scanner(args: argparse.Namespace) -> Scanner:
    cache_dir = default_cache_dir()
    ruleset = load_ruleset(args.rules, builtin=not args.no_builtin_rules, cache_dir=cache_dir)
    settings = ScanSettings(
        regex_timeout=args.regex_timeout, backend=args.backend, cache_dir=cache_dir,
    )
    return Scanner(ruleset, settings)


def use_color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def client_directory(cfg: Config, extra: list[Path]) -> ClientDirectory | None:
    """The config's client lists (org, user, project) plus --clients files."""
    if not cfg.clients and not extra:
        return None  # the common case: skip importing the dictionary code
    from promptguard.clients import ClientDirectory

    merged = ClientDirectory()
    for _, directory in cfg.clients:
        if isinstance(directory, ClientDirectory):
            merged = merged.merged(directory)
    for path in extra:
        if not path.is_file():
            raise InputError(f"--clients {path}: no such file")
        # A list file: the detector caches it compiled, keyed by its mtime.
        merged = merged.merged(ClientDirectory(files=(path.resolve(),)))
    return None if merged.empty else merged


def add_client_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--clients", action="append", type=Path, default=[], metavar="PATH",
        help="client list: a TOML file with a [clients] table, added to the config's "
             "(compiled once and cached); repeatable",
    )


def with_clients(scanner: Scanner, directory: ClientDirectory | None) -> Scanner:
    """The scanner plus a client-identifier detector, when there is a list."""
    if directory is None:
        return scanner
    from promptguard.clients import ClientDetector

    detector = ClientDetector(directory, regex_timeout=scanner.settings.regex_timeout,
                              cache_dir=scanner.settings.cache_dir)
    return Scanner(scanner.ruleset, scanner.settings, (*scanner.detectors, detector))
