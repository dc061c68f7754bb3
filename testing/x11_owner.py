"""Own the X CLIPBOARD as a password manager does (KeePassXC, KDE apps).

Reads the text from stdin and offers it as UTF8_STRING together with the
`x-kde-passwordManagerHint` target (value "secret"), then serves pastes
until another client takes the selection. Prints "owned" once it owns it.
xclip can offer only one target, hence this small real X client.
"""
from __future__ import annotations

import sys

from Xlib import X
from Xlib import Xatom
from Xlib import display
from Xlib.protocol import event


def main() -> int:
    text = sys.stdin.buffer.read()
    d = display.Display()
    win = d.screen().root.create_window(0, 0, 1, 1, 0, X.CopyFromParent)
    atom = {n: d.intern_atom(n) for n in ("CLIPBOARD", "TARGETS", "UTF8_STRING",
                                          "x-kde-passwordManagerHint")}
    values = {atom["UTF8_STRING"]: text, atom["x-kde-passwordManagerHint"]: b"secret"}
    win.set_selection_owner(atom["CLIPBOARD"], X.CurrentTime)
    if d.get_selection_owner(atom["CLIPBOARD"]) != win:
        return 1
    print("owned", flush=True)
    while True:
        e = d.next_event()
        if e.type == X.SelectionClear:
            return 0
        if e.type != X.SelectionRequest:
            continue
        prop = e.property or e.target
        if e.target == atom["TARGETS"]:
            e.requestor.change_property(prop, Xatom.ATOM, 32,
                                        [atom["TARGETS"], *values])
        elif e.target in values:
            e.requestor.change_property(prop, atom["UTF8_STRING"], 8, values[e.target])
        else:
            prop = X.NONE
        e.requestor.send_event(event.SelectionNotify(
            time=e.time, requestor=e.requestor, selection=e.selection, target=e.target,
            property=prop))
        d.flush()


if __name__ == "__main__":
    raise SystemExit(main())
