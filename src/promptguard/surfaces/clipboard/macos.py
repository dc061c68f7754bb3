"""macOS: NSPasteboard.changeCount, polled at a modest interval (pyobjc).

macOS has no pasteboard change notification; every clipboard tool polls
`changeCount`, which transfers no data. Our own write is recognised by the
count it leaves behind; before writing we check the count is still the one
we read (a small window remains between that check and the write).
Entries marked by password managers (org.nspasteboard.ConcealedType and
friends) are not read at all. macOS 15.4+ may ask the user once before a
background process reads the pasteboard ("paste from other apps").

UNTESTED ON REAL HARDWARE: CI has no Mac; the logic is unit-tested against
a fake pasteboard with the same methods (tests/clipboard_platforms_test.py).
"""
from __future__ import annotations

from typing import Any

from promptguard.surfaces.clipboard.base import BackendError
from promptguard.surfaces.clipboard.base import Change
from promptguard.surfaces.clipboard.base import Content
from promptguard.surfaces.clipboard.base import Selection
from promptguard.surfaces.clipboard.base import concealed

POLL_INTERVAL = 0.5
# NSPasteboardTypeString's value.
STRING_TYPE = "public.utf8-plain-text"
# NSPasteboardAccessBehavior.alwaysDeny (macOS 15.4+; value from the SDK
# headers, not verified on a Mac).
ACCESS_ALWAYS_DENY = 3


class MacBackend:
    name = "macos"
    poll_interval: float | None = POLL_INTERVAL

    def __init__(self, pasteboard: Any, string_type: str = STRING_TYPE) -> None:
        self.pb = pasteboard
        self.string_type = string_type
        self._count = int(pasteboard.changeCount())
        self._own_count: int | None = None

    @classmethod
    def open(cls) -> MacBackend:
        try:
            from AppKit import NSPasteboard
            from AppKit import NSPasteboardTypeString
        except ImportError:
            raise BackendError("the macOS backend needs pyobjc: "
                               "pip install 'promptguard[clipboard]'") from None
        pb = NSPasteboard.generalPasteboard()
        behavior = getattr(pb, "accessBehavior", None)
        if callable(behavior) and behavior() == ACCESS_ALWAYS_DENY:
            raise BackendError("pasteboard access is denied for this program; allow it in "
                               "System Settings > Privacy & Security > Paste from Other Apps")
        return cls(pb, str(NSPasteboardTypeString))

    def fileno(self) -> int | None:
        return None

    def changes(self) -> list[Change]:
        count = int(self.pb.changeCount())
        if count == self._count:
            return []
        self._count = count
        return [Change("clipboard", count, own=count == self._own_count)]

    def read(self, change: Change, max_bytes: int) -> Content:
        types = tuple(str(t) for t in (self.pb.types() or ()))
        if concealed(types):
            return Content(None, types, "password manager entry")
        if self.string_type not in types:
            return Content(None, types, "non-text")
        value = self.pb.stringForType_(self.string_type)
        if value is None:
            return Content(None, types, "no text (access denied?)")
        text = str(value)
        if len(text.encode("utf-8", "surrogateescape")) > max_bytes:
            return Content(None, types, f"too large (over {max_bytes} bytes)")
        return Content(text, types)

    def replace(self, change: Change, text: str) -> bool:
        if int(self.pb.changeCount()) != change.token:
            return False
        self.write(change.selection, text)
        return True

    def write(self, selection: Selection, text: str) -> None:
        self.pb.clearContents()
        self.pb.setString_forType_(text, self.string_type)
        self._own_count = int(self.pb.changeCount())

    def close(self) -> None:
        pass
