"""Desktop notifications: rule ids and the action taken, never content.

Linux and the BSDs: `org.freedesktop.Notifications.Notify` on the session
bus, through jeepney (pure Python, no C library, blocking API; one
connection kept open). Each notification replaces the previous one, so a
burst of copies leaves one bubble, not a stack. macOS: `osascript display
notification` (an unbundled Python process cannot use
UNUserNotificationCenter). Elsewhere, and when no notification service
answers, the log line on stderr is the feedback. Notification daemons keep
history (dunst, GNOME's tray, Notification Center), which is why the text
never holds a secret, not even a masked preview.
"""
from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from typing import Any

BUS_NAME = "org.freedesktop.Notifications"
OBJECT_PATH = "/org/freedesktop/Notifications"
TIMEOUT = 1.0
URGENCY_NORMAL = 1
URGENCY_CRITICAL = 2


class DBusNotifier:
    def __init__(self, log: Callable[[str], None]) -> None:
        self._log = log
        self._conn: Any = None
        self._last_id = 0
        self._broken = False

    def __call__(self, summary: str, body: str, urgent: bool) -> None:
        if self._broken:
            return
        try:
            from jeepney import DBusAddress
            from jeepney import new_method_call
            from jeepney.io.blocking import open_dbus_connection
            from jeepney.wrappers import unwrap_msg

            if self._conn is None:
                self._conn = open_dbus_connection(bus="SESSION")
            addr = DBusAddress(OBJECT_PATH, bus_name=BUS_NAME, interface=BUS_NAME)
            hints = {"urgency": ("y", URGENCY_CRITICAL if urgent else URGENCY_NORMAL),
                     "category": ("s", "security")}
            msg = new_method_call(addr, "Notify", "susssasa{sv}i", (
                "promptguard", self._last_id, "dialog-warning", summary, body, [], hints, -1,
            ))
            reply = self._conn.send_and_get_reply(msg, timeout=TIMEOUT)
            (self._last_id,) = unwrap_msg(reply)
        except ImportError:
            self._give_up("jeepney is not installed (pip install 'promptguard[clipboard]')")
        except Exception as e:
            # No session bus, no notification daemon, a daemon that does
            # not answer: the watcher goes on, the log says why once.
            self._give_up(f"{type(e).__name__}: {e}"[:200])

    def _give_up(self, why: str) -> None:
        self._broken = True
        self._log(f"desktop notifications unavailable ({why}); logging only")
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def _applescript_string(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


class OsascriptNotifier:
    """macOS; untested on real hardware (no Mac in CI)."""

    def __init__(self, log: Callable[[str], None]) -> None:
        self._log = log

    def __call__(self, summary: str, body: str, urgent: bool) -> None:
        script = (f"display notification {_applescript_string(body)} "
                  f"with title {_applescript_string(summary)}")
        try:
            subprocess.run(["osascript", "-e", script], stdout=subprocess.DEVNULL,
                           stderr=subprocess.DEVNULL, timeout=5, check=False)
        except (OSError, subprocess.TimeoutExpired) as e:
            self._log(f"notification failed ({type(e).__name__})")

    def close(self) -> None:
        pass


class NullNotifier:
    """No notifications; the daemon's log line on stderr is the feedback."""

    def __call__(self, summary: str, body: str, urgent: bool) -> None:
        pass

    def close(self) -> None:
        pass


def make(kind: str, log: Callable[[str], None]) -> DBusNotifier | OsascriptNotifier | NullNotifier:
    """`kind`: auto, dbus, osascript or none (log only)."""
    if kind == "auto":
        kind = {"darwin": "osascript", "win32": "none"}.get(sys.platform, "dbus")
    if kind == "dbus":
        return DBusNotifier(log)
    if kind == "osascript":
        return OsascriptNotifier(log)
    return NullNotifier()
