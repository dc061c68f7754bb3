"""Running the watcher at login: the service files, and installing them.

* Linux with systemd: a user unit bound to the graphical session
  (PartOf/After/WantedBy=graphical-session.target, the cross-desktop
  convention), restarted on failure; the session must have imported
  DISPLAY / WAYLAND_DISPLAY into the user manager (GNOME and KDE do; sway
  users add `exec systemctl --user import-environment DISPLAY
  WAYLAND_DISPLAY` to their config).
* Linux without systemd: an XDG autostart entry.
* macOS: a launchd agent in the gui/ domain (the pasteboard and
  notifications need the Aqua session), kept alive when it fails.
* Windows: a value under HKCU\\...\\Run starting pythonw.exe (no console).

The rendering functions are pure, so every format is unit-tested here; the
macOS and Windows installers have not been run on real hardware.
"""
from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from collections.abc import Mapping
from collections.abc import Sequence
from pathlib import Path
from typing import Any
from typing import Literal
from typing import NamedTuple

Kind = Literal["systemd", "autostart", "launchd", "windows"]
KINDS: tuple[Kind, ...] = ("systemd", "autostart", "launchd", "windows")
UNIT_NAME = "promptguard-clipboard.service"
DESKTOP_NAME = "promptguard-clipboard.desktop"
LAUNCHD_LABEL = "dev.promptguard.clipboard"
RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
RUN_VALUE = "promptguard-clipboard"
DESCRIPTION = "promptguard clipboard watcher"


def watch_command(python: str, extra: Sequence[str] = ()) -> list[str]:
    return [python, "-m", "promptguard", "watch", *extra]


# -- systemd ------------------------------------------------------------------

def _systemd_quote(arg: str) -> str:
    """One ExecStart= word (systemd.service(5) "Command lines", systemd.unit specifiers)."""
    escaped = arg.replace("%", "%%").replace("$", "$$")
    if escaped and not any(c in escaped for c in ' \t\n"\'\\;'):
        return escaped
    escaped = escaped.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def systemd_unit(argv: Sequence[str]) -> str:
    return "\n".join([
        "[Unit]",
        f"Description={DESCRIPTION}",
        "Documentation=https://github.com/promptguard/promptguard#clipboard-watcher",
        "PartOf=graphical-session.target",
        "After=graphical-session.target",
        "",
        "[Service]",
        "Type=simple",
        "ExecStart=" + " ".join(_systemd_quote(a) for a in argv),
        "Restart=on-failure",
        "RestartSec=2",
        "NoNewPrivileges=yes",
        "",
        "[Install]",
        "WantedBy=graphical-session.target",
        "",
    ])


# -- XDG autostart ------------------------------------------------------------

def _desktop_quote(arg: str) -> str:
    """One Exec= argument (Desktop Entry Specification, "The Exec key")."""
    arg = arg.replace("%", "%%")
    if arg and not any(c in arg for c in ' \t\n"\'\\><~|&;$*?#()`'):
        return arg
    inner = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    # The file format unescapes once more before Exec is parsed.
    return '"' + inner.replace("\\", "\\\\") + '"'


def autostart_entry(argv: Sequence[str]) -> str:
    return "\n".join([
        "[Desktop Entry]",
        "Type=Application",
        f"Name={DESCRIPTION}",
        "Comment=Redacts secrets copied to the clipboard before they are pasted",
        "Exec=" + " ".join(_desktop_quote(a) for a in argv),
        "Terminal=false",
        "NoDisplay=true",
        "X-GNOME-Autostart-enabled=true",
        "",
    ])


# -- launchd ------------------------------------------------------------------

def launchd_plist(argv: Sequence[str], log_path: Path) -> bytes:
    return plistlib.dumps({
        "Label": LAUNCHD_LABEL,
        "ProgramArguments": list(argv),
        "RunAtLoad": True,
        # Restarted when it fails, not when it is stopped on purpose; it
        # must not fork and exit (launchd.plist(5)).
        "KeepAlive": {"SuccessfulExit": False},
        "ProcessType": "Interactive",
        "StandardOutPath": str(log_path),
        "StandardErrorPath": str(log_path),
    })


# -- Windows ------------------------------------------------------------------

def windows_command(python: str, extra: Sequence[str] = ()) -> str:
    """The Run-key value: pythonw.exe, so no console window opens at login."""
    from pathlib import PureWindowsPath

    exe = PureWindowsPath(python)
    if exe.name.lower() == "python.exe":
        exe = exe.with_name("pythonw.exe")
    return subprocess.list2cmdline(watch_command(str(exe), extra))


# -- where things go ------------------------------------------------------------

class Paths(NamedTuple):
    systemd: Path
    autostart: Path
    launchd: Path
    launchd_log: Path


def paths(env: Mapping[str, str], home: Path) -> Paths:
    from promptguard.dirs import xdg_config_home

    config = xdg_config_home(env, home)
    return Paths(
        systemd=config / "systemd" / "user" / UNIT_NAME,
        autostart=config / "autostart" / DESKTOP_NAME,
        launchd=home / "Library" / "LaunchAgents" / f"{LAUNCHD_LABEL}.plist",
        launchd_log=home / "Library" / "Logs" / "promptguard-clipboard.log",
    )


def default_kind(platform: str, has_systemd: bool) -> Kind:
    if platform == "win32":
        return "windows"
    if platform == "darwin":
        return "launchd"
    return "systemd" if has_systemd else "autostart"


def has_systemd() -> bool:
    """A systemd-managed machine with systemctl (sd_booted(3)'s test)."""
    return os.path.isdir("/run/systemd/system") and shutil.which("systemctl") is not None


class Step(NamedTuple):
    """One thing install/uninstall did or would do, for the user to read."""

    what: str
    argv: tuple[str, ...] = ()
    remove: Path | None = None


def _run(argv: Sequence[str]) -> tuple[int, str]:
    try:
        proc = subprocess.run(list(argv), capture_output=True, text=True, timeout=30,
                              check=False)
    except (OSError, subprocess.TimeoutExpired) as e:
        return 1, f"{argv[0]}: {e}"
    return proc.returncode, (proc.stderr or proc.stdout).strip()


class Installer:
    """Writes and removes the service; `start` runs the service manager too."""

    def __init__(self, kind: Kind, where: Paths, *, start: bool = True,
                 winreg: Any = None) -> None:
        self.kind = kind
        self.where = where
        self.start = start
        self._winreg = winreg

    def _winreg_module(self) -> Any:
        if self._winreg is None:
            import winreg

            self._winreg = winreg
        return self._winreg

    def file(self) -> Path | None:
        return {"systemd": self.where.systemd, "autostart": self.where.autostart,
                "launchd": self.where.launchd}.get(self.kind)

    def install(self, python: str, extra: Sequence[str]) -> list[Step]:
        argv = watch_command(python, extra)
        steps: list[Step] = []
        if self.kind == "windows":
            reg = self._winreg_module()
            with reg.CreateKey(reg.HKEY_CURRENT_USER, RUN_KEY) as key:
                reg.SetValueEx(key, RUN_VALUE, 0, reg.REG_SZ, windows_command(python, extra))
            return [Step(f"HKCU\\{RUN_KEY}\\{RUN_VALUE} set (starts at next login)")]
        path = self.file()
        assert path is not None
        if self.kind == "systemd":
            content = systemd_unit(argv).encode()
        elif self.kind == "autostart":
            content = autostart_entry(argv).encode()
        else:
            self.where.launchd_log.parent.mkdir(parents=True, exist_ok=True)
            content = launchd_plist(argv, self.where.launchd_log)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        steps.append(Step(f"wrote {path}"))
        if self.kind == "systemd":
            steps.append(Step("reload", ("systemctl", "--user", "daemon-reload")))
            steps.append(Step("enable", ("systemctl", "--user", "enable",
                                         *(("--now",) if self.start else ()), UNIT_NAME)))
        elif self.kind == "launchd" and self.start:
            steps.append(Step("load", ("launchctl", "bootstrap", f"gui/{os.getuid()}",
                                       str(path))))
        elif self.kind == "autostart":
            steps.append(Step("starts at next login (or run `promptguard watch` now)"))
        return steps

    def uninstall(self) -> list[Step]:
        steps: list[Step] = []
        if self.kind == "windows":
            reg = self._winreg_module()
            try:
                with reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY, 0, reg.KEY_SET_VALUE) as key:
                    reg.DeleteValue(key, RUN_VALUE)
            except FileNotFoundError:
                return [Step("not installed")]
            return [Step(f"HKCU\\{RUN_KEY}\\{RUN_VALUE} removed")]
        path = self.file()
        assert path is not None
        if self.kind == "systemd":
            steps.append(Step("disable", ("systemctl", "--user", "disable", "--now", UNIT_NAME)))
        elif self.kind == "launchd":
            steps.append(Step("unload", ("launchctl", "bootout",
                                         f"gui/{os.getuid()}/{LAUNCHD_LABEL}")))
        if path.exists():
            steps.append(Step(f"removed {path}", remove=path))
        else:
            steps.append(Step("not installed"))
        if self.kind == "systemd":
            steps.append(Step("reload", ("systemctl", "--user", "daemon-reload")))
        return steps

    def installed(self) -> str | None:
        """Where the service is installed, or None."""
        if self.kind == "windows":
            reg = self._winreg_module()
            try:
                with reg.OpenKey(reg.HKEY_CURRENT_USER, RUN_KEY) as key:
                    value, _ = reg.QueryValueEx(key, RUN_VALUE)
            except FileNotFoundError:
                return None
            return f"HKCU\\{RUN_KEY}\\{RUN_VALUE} = {value}"
        path = self.file()
        return str(path) if path is not None and path.exists() else None


def execute(steps: Sequence[Step], run: Any = _run) -> list[str]:
    """Run the steps' commands and removals; messages about what failed."""
    problems: list[str] = []
    for step in steps:
        if step.remove is not None:
            step.remove.unlink(missing_ok=True)
        if not step.argv:
            continue
        rc, out = run(step.argv)
        if rc != 0:
            problems.append(f"`{' '.join(step.argv)}` failed (exit {rc}): {out[:300]}")
    return problems


def python_executable() -> str:
    return sys.executable
