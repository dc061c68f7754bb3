"""X11 (and XWayland, e.g. on GNOME): XFixes selection-owner events, python-xlib.

`XFixesSelectSelectionInput` makes the server tell us every time any client
takes a selection; between events we sit in select() on the connection. To
read, we convert the selection on our own hidden window (TARGETS first, so
password-manager entries and non-text are never transferred; INCR for big
ones). To write back we become the owner ourselves and serve TARGETS,
UTF8_STRING, STRING, TEXT and TIMESTAMP (INCR above the request size), so:

* our own write is recognised exactly: the new owner is our window;
* the write is a true compare-and-swap: SetSelectionOwner carries the
  timestamp of the copy we scanned, and the server ignores it when the
  selection changed after that time (XSetSelectionOwner(3)), so a newer
  copy the user made meanwhile always wins;
* if the watcher dies the selection reverts to None: pastes get nothing,
  which fails safe.
"""
from __future__ import annotations

import select
import time
from collections import deque
from typing import Any

from promptguard.errors import InputError
from promptguard.surfaces.clipboard.base import CONCEALED_TYPES
from promptguard.surfaces.clipboard.base import BackendError
from promptguard.surfaces.clipboard.base import BackendGone
from promptguard.surfaces.clipboard.base import Change
from promptguard.surfaces.clipboard.base import Content
from promptguard.surfaces.clipboard.base import Selection

READ_TIMEOUT = 2.0
# Targets we read, best first; what a paste of ours offers.
TEXT_TARGETS = ("UTF8_STRING", "text/plain;charset=utf-8", "STRING", "TEXT", "text/plain")
SERVED = ("TARGETS", "TIMESTAMP", "UTF8_STRING", "STRING", "TEXT", "text/plain;charset=utf-8")
ATOMS = (*TEXT_TARGETS, "TARGETS", "TIMESTAMP", "INCR", "MULTIPLE", "ATOM", "INTEGER",
         "CLIPBOARD", "PRIMARY", "PROMPTGUARD_SELECTION", *sorted(CONCEALED_TYPES))


class X11Backend:
    name = "x11"
    poll_interval: float | None = None

    def __init__(
        self,
        display: str | None = None,
        selections: tuple[Selection, ...] = ("clipboard",),
        read_timeout: float = READ_TIMEOUT,
    ) -> None:
        try:
            from Xlib import X
            from Xlib import display as xdisplay
            from Xlib import error as xerror
            from Xlib.ext import xfixes
        except ImportError:
            raise BackendError("the X11 backend needs python-xlib: "
                               "pip install 'promptguard[clipboard]'") from None
        self._X = X
        self._xfixes = xfixes
        self._gone_errors: tuple[type[BaseException], ...] = (xerror.ConnectionClosedError,
                                                               OSError)
        try:
            self.d: Any = xdisplay.Display(display)
        except (xerror.DisplayError, OSError) as e:
            where = display or "$DISPLAY"
            raise BackendError(f"cannot open the X display {where} ({e})") from None
        # Errors from requests to windows that vanished (a requestor that
        # quit mid-paste) are expected; the default handler prints them.
        self.d.set_error_handler(lambda *_: None)
        if not self.d.has_extension("XFIXES"):
            self.d.close()
            raise BackendError("the X server lacks the XFIXES extension")
        self.d.xfixes_query_version()
        # (event type, sub code); python-xlib may load the xfixes module
        # twice, so an isinstance test on its event class is unreliable.
        self._owner_notify = tuple(self.d.extension_event.SetSelectionOwnerNotify)
        self.atom = {name: self.d.intern_atom(name) for name in ATOMS}
        self._names = {v: k for k, v in self.atom.items()}
        root = self.d.screen().root
        self.win = root.create_window(-10, -10, 1, 1, 0, X.CopyFromParent,
                                      event_mask=X.PropertyChangeMask)
        self.selections = selections
        self._sel_atom: dict[Selection, int] = {
            "clipboard": self.atom["CLIPBOARD"], "primary": self.atom["PRIMARY"]}
        for sel in selections:
            self.d.xfixes_select_selection_input(self.win, self._sel_atom[sel],
                                                 xfixes.XFixesSetSelectionOwnerNotifyMask)
        self.d.flush()
        self.read_timeout = read_timeout
        # selection atom -> (data we serve, the time we took it)
        self._owned: dict[int, tuple[bytes, int]] = {}
        # (requestor id, property) -> [window, data, offset] of INCR transfers
        self._incr: dict[tuple[int, int], list[Any]] = {}
        self._queued: deque[Change] = deque()
        # Requests larger than this need INCR (max_request_length is in
        # 4-byte units; leave room for the request header).
        self._chunk = max(4096, self.d.display.info.max_request_length * 4 - 1024)

    def fileno(self) -> int:
        fd: int = self.d.fileno()
        return fd

    # -- events ------------------------------------------------------------

    def _selection_name(self, atom: int) -> Selection | None:
        for sel, a in self._sel_atom.items():
            if a == atom:
                return sel
        return None

    def _dispatch(self, e: Any) -> Change | None:
        X = self._X
        if (e.type, getattr(e, "sub_code", None)) == self._owner_notify:
            sel = self._selection_name(e.selection)
            owner = getattr(e.owner, "id", e.owner)
            if sel is None or not owner:
                return None  # the owner went away; nothing new to look at
            return Change(sel, e.selection_timestamp, own=owner == self.win.id)
        if e.type == X.SelectionRequest:
            self._serve(e)
        elif e.type == X.SelectionClear:
            self._owned.pop(e.atom, None)  # someone copied anew
        elif e.type == X.PropertyNotify and e.state == X.PropertyDelete:
            self._incr_next(e)
        return None

    def changes(self) -> list[Change]:
        out = list(self._queued)
        self._queued.clear()
        try:
            while self.d.pending_events():
                change = self._dispatch(self.d.next_event())
                if change is not None:
                    out.append(change)
        except self._gone_errors as e:
            raise BackendGone(f"X connection closed ({type(e).__name__})") from None
        return out

    def _wait(self, match: Any, deadline: float) -> Any:
        """The first event `match` accepts; others are handled or queued."""
        while True:
            while self.d.pending_events():
                e = self.d.next_event()
                if match(e):
                    return e
                change = self._dispatch(e)
                if change is not None:
                    self._queued.append(change)
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise InputError("the clipboard owner did not answer in time")
            select.select([self.d], [], [], remaining)

    # -- reading -----------------------------------------------------------

    def _convert(self, selection: int, target: int, when: int, max_bytes: int) -> Any:
        """(type atom, bytes or atom list) of a conversion; None if refused.

        Raises _TooLarge past max_bytes.
        """
        X = self._X
        prop = self.atom["PROMPTGUARD_SELECTION"]
        deadline = time.monotonic() + self.read_timeout
        self.win.convert_selection(selection, target, prop, when)
        self.d.flush()
        e = self._wait(lambda e: e.type == X.SelectionNotify and e.selection == selection
                       and e.target == target, deadline)
        if e.property == X.NONE:
            return None
        head = self.win.get_property(prop, X.AnyPropertyType, 0, 0)
        if head is None:
            return None
        if head.property_type == self.atom["INCR"]:
            return head.property_type, self._read_incr(prop, deadline, max_bytes)
        if head.bytes_after > max_bytes:
            self.win.delete_property(prop)
            raise _TooLarge
        full = self.win.get_property(prop, X.AnyPropertyType, 0, (head.bytes_after + 3) // 4,
                                     delete=True)
        return full.property_type, full.value

    def _read_incr(self, prop: int, deadline: float, max_bytes: int) -> bytes:
        X = self._X
        # Deleting the INCR property tells the owner to send the first chunk.
        self.win.delete_property(prop)
        self.d.flush()
        parts: list[bytes] = []
        size = 0
        while True:
            self._wait(lambda e: e.type == X.PropertyNotify and e.window.id == self.win.id
                       and e.atom == prop and e.state == X.PropertyNewValue,
                       deadline + 2 * self.read_timeout)
            head = self.win.get_property(prop, X.AnyPropertyType, 0, 0)
            n = head.bytes_after if head is not None else 0
            if n == 0:
                self.win.delete_property(prop)
                self.d.flush()
                return b"".join(parts)
            size += n
            if size > max_bytes:
                raise _TooLarge
            chunk = self.win.get_property(prop, X.AnyPropertyType, 0, (n + 3) // 4, delete=True)
            parts.append(bytes(chunk.value))
            self.d.flush()

    def read(self, change: Change, max_bytes: int) -> Content:
        sel = self._sel_atom[change.selection]
        try:
            try:
                got = self._convert(sel, self.atom["TARGETS"], change.token, 1 << 16)
                offered = list(got[1]) if got is not None and got[0] == self.atom["ATOM"] else []
                types = tuple(self._names[a] for a in offered if a in self._names)
                if any(t in CONCEALED_TYPES for t in types):
                    return Content(None, types, "password manager entry")
                # An owner without TARGETS (very old clients) may still
                # answer UTF8_STRING; one that lists targets is believed.
                targets = [t for t in TEXT_TARGETS if t in types] if offered else ["UTF8_STRING"]
                if not targets:
                    return Content(None, types, "non-text")
                got = self._convert(sel, self.atom[targets[0]], change.token, max_bytes)
            except _TooLarge:
                return Content(None, (), f"too large (over {max_bytes} bytes)")
        except self._gone_errors as e:
            raise BackendGone(f"X connection closed ({type(e).__name__})") from None
        if got is None:
            return Content(None, types, "the owner refused to convert it")
        kind, value = got
        data = bytes(value) if not isinstance(value, bytes) else value
        encoding = "latin-1" if kind == self.atom["STRING"] else "utf-8"
        return Content(data.decode(encoding, "surrogateescape"), types)

    # -- writing and serving -------------------------------------------------

    def _own(self, sel: int, data: bytes, when: int) -> bool:
        self.win.set_selection_owner(sel, when)
        owner = self.d.get_selection_owner(sel)
        if getattr(owner, "id", owner) != self.win.id:
            return False
        self._owned[sel] = (data, when)
        return True

    def replace(self, change: Change, text: str) -> bool:
        data = text.encode("utf-8", "surrogateescape")
        try:
            # The scanned copy's own timestamp: a no-op if anyone took the
            # selection since (the compare-and-swap).
            return self._own(self._sel_atom[change.selection], data, change.token)
        except self._gone_errors as e:
            raise BackendGone(f"X connection closed ({type(e).__name__})") from None

    def _server_time(self) -> int:
        """A current server timestamp (ICCCM: never CurrentTime for ownership)."""
        X = self._X
        prop = self.atom["PROMPTGUARD_SELECTION"]
        self.win.change_property(prop, self.atom["INTEGER"], 32, [], X.PropModeAppend)
        self.d.flush()
        e = self._wait(lambda e: e.type == X.PropertyNotify and e.window.id == self.win.id
                       and e.atom == prop, time.monotonic() + self.read_timeout)
        when: int = e.time
        return when

    def write(self, selection: Selection, text: str) -> None:
        data = text.encode("utf-8", "surrogateescape")
        try:
            if not self._own(self._sel_atom[selection], data, self._server_time()):
                raise InputError("another program took the clipboard at the same moment")
        except self._gone_errors as e:
            raise BackendGone(f"X connection closed ({type(e).__name__})") from None

    def _serve(self, e: Any) -> None:
        from Xlib.protocol import event as xevent

        X = self._X
        owned = self._owned.get(e.selection)
        # Obsolete clients pass None as the property: use the target (ICCCM 2.2).
        prop = e.property or e.target
        name = self._names.get(e.target)
        ok = owned is not None and name in SERVED
        if owned is not None and ok:
            data, when = owned
            requestor = e.requestor
            if name == "TARGETS":
                requestor.change_property(prop, self.atom["ATOM"], 32,
                                          [self.atom[t] for t in SERVED])
            elif name == "TIMESTAMP":
                requestor.change_property(prop, self.atom["INTEGER"], 32, [when])
            elif len(data) > self._chunk:
                requestor.change_attributes(event_mask=X.PropertyChangeMask)
                requestor.change_property(prop, self.atom["INCR"], 32, [len(data)])
                self._incr[(requestor.id, prop)] = [requestor, data, 0, e.target]
            else:
                kind = self.atom["STRING"] if name == "STRING" else self.atom["UTF8_STRING"]
                requestor.change_property(prop, kind, 8, data)
        notify = xevent.SelectionNotify(time=e.time, requestor=e.requestor, selection=e.selection,
                                        target=e.target, property=prop if ok else X.NONE)
        e.requestor.send_event(notify, event_mask=0, propagate=0)
        self.d.flush()

    def _incr_next(self, e: Any) -> None:
        key = (e.window.id, e.atom)
        transfer = self._incr.get(key)
        if transfer is None:
            return
        window, data, offset, _ = transfer
        chunk = data[offset:offset + self._chunk]
        window.change_property(e.atom, self.atom["UTF8_STRING"], 8, chunk)
        if chunk:
            transfer[2] = offset + len(chunk)
        else:
            del self._incr[key]  # the zero-length chunk ends the transfer
            window.change_attributes(event_mask=0)
        self.d.flush()

    def close(self) -> None:
        try:
            self.d.close()
        except Exception:
            pass


class _TooLarge(Exception):
    pass
