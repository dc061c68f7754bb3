"""A fake org.freedesktop.Notifications server for the tests (jeepney).

Owns the name on the session bus in DBUS_SESSION_BUS_ADDRESS, appends one
JSON line per Notify call to argv[1] (app, summary, body, urgency), answers
GetCapabilities and GetServerInformation, and touches argv[2] once the name
is owned. Stands in for a desktop's notification daemon (dunst, GNOME
Shell, Plasma), which needs a display; the bus and the protocol are real.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from jeepney import HeaderFields
from jeepney import MessageType
from jeepney import new_error
from jeepney import new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection

NAME = "org.freedesktop.Notifications"


def main(argv: list[str]) -> int:
    record, ready = Path(argv[1]), Path(argv[2])
    conn = open_dbus_connection(bus="SESSION")
    # 4: DBUS_NAME_FLAG_DO_NOT_QUEUE; reply 1: we are the primary owner.
    (code,) = conn.send_and_get_reply(message_bus.RequestName(NAME, 4)).body
    if code != 1:
        print(f"could not own {NAME} ({code})", file=sys.stderr)
        return 1
    ready.touch()
    next_id = 1
    while True:
        msg = conn.receive()
        if msg.header.message_type != MessageType.method_call:
            continue
        member = msg.header.fields.get(HeaderFields.member)
        if member == "Notify":
            app, replaces, _icon, summary, body, _actions, hints, _timeout = msg.body
            urgency = hints.get("urgency", ("y", 1))[1]
            with record.open("a") as f:
                f.write(json.dumps({"app": app, "replaces": replaces, "summary": summary,
                                    "body": body, "urgency": urgency}) + "\n")
            conn.send(new_method_return(msg, "u", (replaces or next_id,)))
            next_id += 1
        elif member == "GetCapabilities":
            conn.send(new_method_return(msg, "as", (["body"],)))
        elif member == "GetServerInformation":
            conn.send(new_method_return(msg, "ssss", ("fake", "promptguard", "0", "1.2")))
        else:
            conn.send(new_error(msg, "org.freedesktop.DBus.Error.UnknownMethod", "s",
                                (f"no method {member}",)))


if __name__ == "__main__":
    raise SystemExit(main(sys.argv))
