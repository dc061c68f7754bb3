"""Options shared by the commands that load rules and scan."""
from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from promptguard.guard import GuardOptions
from promptguard.policy import PROFILE_NAMES

if TYPE_CHECKING:
    from promptguard.config import Config
    from promptguard.engine import Scanner
    from promptguard.guard import Guard


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


def guard_options(
    args: argparse.Namespace, *, baselines: Sequence[Path] = (), no_audit: bool = False,
) -> GuardOptions:
    """GuardOptions from the options a command added (missing ones default)."""
    return GuardOptions(
        rules=tuple(getattr(args, "rules", ())),
        builtin_rules=not getattr(args, "no_builtin_rules", False),
        backend=getattr(args, "backend", "auto"),
        regex_timeout=getattr(args, "regex_timeout", 1.0),
        clients=tuple(getattr(args, "clients", ())),
        config=getattr(args, "config", None),
        profile=getattr(args, "profile", None),
        baselines=tuple(baselines),
        audit=not no_audit,
    )


def build_scanner(args: argparse.Namespace) -> Scanner:
    """The rules the command's options name (no client lists)."""
    from promptguard.guard import build_scanner as build

    return build(guard_options(args))


def load_guard(
    args: argparse.Namespace,
    surface: str,
    start: Path | None = None,
    *,
    baselines: Sequence[Path] = (),
    no_audit: bool = False,
) -> Guard:
    """The guard for a command's options; config discovery starts at `start`
    (default: the first PATH argument, else the working directory)."""
    from promptguard.guard import Guard

    return Guard.load(surface, start=_start(args, start),
                      options=guard_options(args, baselines=baselines, no_audit=no_audit))


def _start(args: argparse.Namespace, start: Path | None) -> Path:
    if start is None:
        first = next((p for p in getattr(args, "paths", []) if str(p) != "-"), None)
        start = first if first is not None else Path.cwd()
    return start


def add_config_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", type=Path, metavar="PATH",
                        help="project config to use instead of discovering one")
    parser.add_argument("--profile", choices=PROFILE_NAMES,
                        help="built-in policy profile (overrides the config's `profile`)")


def load_config(
    args: argparse.Namespace,
    start: Path | None = None,
    *,
    baselines: Sequence[Path] = (),
    no_audit: bool = False,
) -> Config:
    """The config for a command with `add_config_options`; discovery starts at `start`."""
    from promptguard import config

    cli = config.CliOverrides(
        profile=args.profile, config=args.config, baselines=tuple(baselines), no_audit=no_audit,
    )
    return config.load(_start(args, start), cli)


def use_color(choice: str) -> bool:
    if choice == "always":
        return True
    if choice == "never" or os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def add_client_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--clients", action="append", type=Path, default=[], metavar="PATH",
        help="client list: a TOML file with a [clients] table, added to the config's "
             "(compiled once and cached); repeatable",
    )
