"""`promptguard service`: the unit, autostart entry, launchd plist and Run key.

The systemd unit is checked by the real `systemd-analyze --user verify`
(which exits 0 even on warnings, so stderr must be empty; a deliberately
broken unit proves the check can fail). launchd and the Windows registry
cannot run here: the plist is parsed back with plistlib and the Run key is
written through a fake winreg module; both are untested on real hardware.
"""
from __future__ import annotations

import configparser
import json
import os
import plistlib
import shlex
import subprocess
import sys
from pathlib import Path

import pytest
from testing import realtools

from promptguard.cli import main
from promptguard.surfaces.clipboard import service


def verify(unit: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    tool = realtools.which("systemd-analyze", "apt-get install systemd")
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700, exist_ok=True)
    return subprocess.run([tool, "--user", "verify", str(unit)], capture_output=True, text=True,
                          env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)}, timeout=60,
                          check=False)


@pytest.mark.parametrize("extra", [(), ("--selection", "both", "--action", "warn")])
def test_the_unit_passes_systemd_analyze_verify_without_warnings(tmp_path, extra):
    unit = tmp_path / service.UNIT_NAME
    unit.write_text(service.systemd_unit(service.watch_command(sys.executable, extra)))
    result = verify(unit, tmp_path)
    assert result.returncode == 0 and result.stderr == "", result.stderr
    text = unit.read_text()
    for line in ("PartOf=graphical-session.target", "After=graphical-session.target",
                 "WantedBy=graphical-session.target", "Restart=on-failure"):
        assert line in text


def test_systemd_analyze_does_catch_a_broken_unit(tmp_path):
    unit = tmp_path / service.UNIT_NAME
    unit.write_text(service.systemd_unit([sys.executable, "-m", "promptguard", "watch"])
                    .replace("Restart=on-failure", "Restart=sometimes"))
    assert verify(unit, tmp_path).stderr != ""


@pytest.mark.parametrize("arg", ["plain", "with space", 'quo"te', "back\\slash", "100%", "$HOME"])
def test_exec_start_quoting_round_trips_through_systemd(tmp_path, arg):
    unit = tmp_path / service.UNIT_NAME
    unit.write_text(service.systemd_unit([sys.executable, "-m", "promptguard", "watch",
                                          "--session", arg]))
    assert verify(unit, tmp_path).stderr == ""
    # systemd's own parser, via --dump of the loaded unit, would need a
    # running manager; check our quoting inverts the documented rules.
    line = next(x for x in unit.read_text().splitlines() if x.startswith("ExecStart="))
    words = shlex.split(line[len("ExecStart="):].replace("%%", "%").replace("$$", "$"))
    assert words[-1] == arg


def test_autostart_entry(tmp_path):
    entry = service.autostart_entry([sys.executable, "-m", "promptguard", "watch", "--keep", "5"])
    parser = configparser.ConfigParser(interpolation=None)
    parser.read_string(entry)
    desktop = parser["Desktop Entry"]
    assert desktop["Type"] == "Application" and desktop["NoDisplay"] == "true"
    assert desktop["Exec"].endswith("-m promptguard watch --keep 5")
    tool = realtools.which("desktop-file-validate", "apt-get install desktop-file-utils")
    path = tmp_path / service.DESKTOP_NAME
    path.write_text(entry)
    out = subprocess.run([tool, str(path)], capture_output=True, text=True, check=False)
    assert out.returncode == 0 and out.stdout == "", out.stdout + out.stderr


def test_launchd_plist(tmp_path):
    data = service.launchd_plist(["/usr/bin/python3", "-m", "promptguard", "watch"],
                                 tmp_path / "log")
    plist = plistlib.loads(data)
    assert plist["Label"] == service.LAUNCHD_LABEL
    assert plist["ProgramArguments"] == ["/usr/bin/python3", "-m", "promptguard", "watch"]
    assert plist["RunAtLoad"] is True and plist["KeepAlive"] == {"SuccessfulExit": False}
    assert plist["ProcessType"] == "Interactive"
    assert plist["StandardErrorPath"] == str(tmp_path / "log")


def test_windows_run_key_uses_pythonw():
    value = service.windows_command(r"C:\Program Files\Python312\python.exe", ("--keep", "5"))
    assert value == r'"C:\Program Files\Python312\pythonw.exe" -m promptguard watch --keep 5'


class FakeWinreg:
    HKEY_CURRENT_USER = "HKCU"
    REG_SZ = 1
    KEY_SET_VALUE = 2

    def __init__(self) -> None:
        self.values: dict[tuple[str, str], object] = {}

    class _Key:
        def __init__(self, path: str) -> None:
            self.path = path

        def __enter__(self):
            return self

        def __exit__(self, *exc) -> None:
            pass

    def CreateKey(self, root, path):
        return self._Key(path)

    def OpenKey(self, root, path, reserved=0, access=0):
        return self._Key(path)

    def SetValueEx(self, key, name, reserved, kind, value):
        assert kind == self.REG_SZ
        self.values[(key.path, name)] = value

    def QueryValueEx(self, key, name):
        try:
            return self.values[(key.path, name)], self.REG_SZ
        except KeyError:
            raise FileNotFoundError(name) from None

    def DeleteValue(self, key, name):
        try:
            del self.values[(key.path, name)]
        except KeyError:
            raise FileNotFoundError(name) from None


def test_windows_install_status_uninstall_through_winreg(tmp_path):
    reg = FakeWinreg()
    inst = service.Installer("windows", service.paths({}, tmp_path), winreg=reg)
    assert inst.installed() is None
    inst.install(r"C:\Py\python.exe", ())
    assert reg.values == {(service.RUN_KEY, service.RUN_VALUE):
                          r"C:\Py\pythonw.exe -m promptguard watch"}
    assert "pythonw.exe" in (inst.installed() or "")
    inst.uninstall()
    assert reg.values == {} and inst.installed() is None
    assert inst.uninstall() == [service.Step("not installed")]


def test_systemd_install_runs_systemctl_and_uninstall_reverses_it(tmp_path):
    where = service.paths({"XDG_CONFIG_HOME": str(tmp_path / "cfg")}, tmp_path)
    inst = service.Installer("systemd", where)
    ran: list[tuple[str, ...]] = []

    def run(argv):
        ran.append(tuple(argv))
        return 0, ""

    assert service.execute(inst.install(sys.executable, ("--keep", "5")), run) == []
    assert where.systemd.read_text().count("--keep 5") == 1
    assert ran == [("systemctl", "--user", "daemon-reload"),
                   ("systemctl", "--user", "enable", "--now", service.UNIT_NAME)]
    ran.clear()
    assert service.execute(inst.uninstall(), run) == []
    assert not where.systemd.exists()
    assert ran == [("systemctl", "--user", "disable", "--now", service.UNIT_NAME),
                   ("systemctl", "--user", "daemon-reload")]


def test_a_failing_service_manager_is_reported(tmp_path):
    where = service.paths({"XDG_CONFIG_HOME": str(tmp_path)}, tmp_path)
    problems = service.execute(service.Installer("systemd", where).install("py", ()),
                               lambda argv: (1, "Failed to connect to bus"))
    assert len(problems) == 2 and "Failed to connect to bus" in problems[0]


def test_cli_install_status_uninstall_autostart(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(tmp_path / "run"))
    (tmp_path / "run").mkdir(mode=0o700)
    entry = tmp_path / "cfg" / "autostart" / service.DESKTOP_NAME
    assert main(["service", "install", "--kind", "autostart",
                 "--watch-args", "--selection both"]) == 0
    assert "--selection both" in entry.read_text()
    capsys.readouterr()
    assert main(["service", "status", "--kind", "autostart", "--format", "json"]) == 1
    status = json.loads(capsys.readouterr().out)
    assert status == {"kind": "autostart", "installed": str(entry), "running": None}
    assert main(["service", "uninstall", "--kind", "autostart"]) == 0
    assert not entry.exists()
    assert main(["service", "status", "--kind", "autostart"]) == 1
    assert "not installed" in capsys.readouterr().out


def test_cli_rejects_bad_watch_args_before_installing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert main(["service", "install", "--kind", "autostart",
                 "--watch-args", "--action maybe"]) == 2
    assert "invalid watch arguments" in capsys.readouterr().err
    assert not (tmp_path / "autostart").exists()


def test_cli_print_changes_nothing(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path))
    assert main(["service", "install", "--kind", "systemd", "--print"]) == 0
    assert "ExecStart=" in capsys.readouterr().out
    assert not (tmp_path / "systemd").exists()
