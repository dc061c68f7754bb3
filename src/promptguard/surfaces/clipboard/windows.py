"""Windows: AddClipboardFormatListener on a message-only window (ctypes).

A thread owns a message-only window registered as a clipboard format
listener; each WM_CLIPBOARDUPDATE it receives becomes a byte on a
socketpair the daemon's selector waits on. Changes are identified by
GetClipboardSequenceNumber: our own write is the number it leaves behind,
and the write is effectively a compare-and-swap because while we hold
OpenClipboard no other process can write, so the number is checked inside
it, just before EmptyClipboard. Entries carrying the exclusion formats
password managers set (ExcludeClipboardContentFromMonitorProcessing,
Clipboard Viewer Ignore) are not read. Windows' clipboard history (Win+V)
and cloud clipboard keep the original even after a redaction: turn them
off.

UNTESTED ON REAL HARDWARE: CI runs Linux only; the logic is unit-tested
against a fake of the `ClipboardApi` below (tests/clipboard_platforms_test.py).
"""
from __future__ import annotations

import socket
import threading
import time
from typing import Any
from typing import Protocol

from promptguard.errors import InputError
from promptguard.surfaces.clipboard.base import BackendError
from promptguard.surfaces.clipboard.base import Change
from promptguard.surfaces.clipboard.base import Content
from promptguard.surfaces.clipboard.base import Selection
from promptguard.surfaces.clipboard.base import concealed

CF_UNICODETEXT = 13
WM_CLIPBOARDUPDATE = 0x031D
WM_QUIT = 0x0012
HWND_MESSAGE = -3
GMEM_MOVEABLE = 0x0002
# OpenClipboard fails while another process holds it; retry briefly.
OPEN_RETRIES = 10
OPEN_BACKOFF = 0.05


class ClipboardApi(Protocol):
    def sequence_number(self) -> int: ...
    def open(self) -> bool: ...
    def close(self) -> None: ...
    def format_names(self) -> list[str]: ...
    def text_size(self) -> int | None: ...
    def get_text(self) -> str | None: ...
    def set_text(self, text: str) -> None: ...


class WindowsBackend:
    name = "windows"
    poll_interval: float | None = None

    def __init__(self, api: ClipboardApi) -> None:
        self.api = api
        self._r, self._w = socket.socketpair()
        self._r.setblocking(False)
        self._seen = api.sequence_number()
        self._own: int | None = None
        self._listener: _Listener | None = None

    @classmethod
    def open(cls) -> WindowsBackend:
        backend = cls(_User32Api())
        backend._listener = _Listener(backend.notify_update)
        backend._listener.start()
        return backend

    def notify_update(self) -> None:
        """Called on the listener thread for each WM_CLIPBOARDUPDATE."""
        try:
            self._w.send(b"x")
        except OSError:
            pass  # closing down

    def fileno(self) -> int:
        return self._r.fileno()

    def changes(self) -> list[Change]:
        try:
            while self._r.recv(64):
                pass
        except (BlockingIOError, OSError):
            pass
        seq = self.api.sequence_number()
        if seq == self._seen:
            return []
        self._seen = seq
        return [Change("clipboard", seq, own=seq == self._own)]

    def _open(self) -> None:
        for _ in range(OPEN_RETRIES):
            if self.api.open():
                return
            time.sleep(OPEN_BACKOFF)
        raise InputError("another program keeps the clipboard open")

    def read(self, change: Change, max_bytes: int) -> Content:
        self._open()
        try:
            names = tuple(self.api.format_names())
            if concealed(names):
                return Content(None, names, "password manager entry")
            if "CF_UNICODETEXT" not in names:
                return Content(None, names, "non-text")
            size = self.api.text_size()
            if size is not None and size > 2 * max_bytes:
                return Content(None, names, f"too large (over {max_bytes} bytes)")
            text = self.api.get_text()
        finally:
            self.api.close()
        if text is None:
            return Content(None, names, "non-text")
        return Content(text, names)

    def replace(self, change: Change, text: str) -> bool:
        self._open()
        try:
            # Nobody can write while we hold the clipboard open: checking
            # the number here makes the write a compare-and-swap.
            if self.api.sequence_number() != change.token:
                return False
            self.api.set_text(text)
            self._own = self.api.sequence_number()
        finally:
            self.api.close()
        return True

    def write(self, selection: Selection, text: str) -> None:
        self._open()
        try:
            self.api.set_text(text)
            self._own = self.api.sequence_number()
        finally:
            self.api.close()

    def close(self) -> None:
        if self._listener is not None:
            self._listener.stop()
        self._r.close()
        self._w.close()


class _User32Api:  # pragma: no cover (Windows only)
    """The Win32 clipboard calls, through ctypes."""

    def __init__(self) -> None:
        import ctypes
        from ctypes import wintypes

        try:
            self.user32: Any = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined]
            self.kernel32: Any = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        except (AttributeError, OSError):
            raise BackendError("the Windows backend runs on Windows only") from None
        self.ctypes = ctypes
        u, k = self.user32, self.kernel32
        u.GetClipboardSequenceNumber.restype = wintypes.DWORD
        u.OpenClipboard.argtypes = [wintypes.HWND]
        u.GetClipboardData.restype = ctypes.c_void_p
        u.SetClipboardData.argtypes = [wintypes.UINT, ctypes.c_void_p]
        u.SetClipboardData.restype = ctypes.c_void_p
        u.EnumClipboardFormats.argtypes = [wintypes.UINT]
        u.EnumClipboardFormats.restype = wintypes.UINT
        u.GetClipboardFormatNameW.argtypes = [wintypes.UINT, wintypes.LPWSTR, ctypes.c_int]
        k.GlobalAlloc.argtypes = [wintypes.UINT, ctypes.c_size_t]
        k.GlobalAlloc.restype = ctypes.c_void_p
        k.GlobalLock.argtypes = [ctypes.c_void_p]
        k.GlobalLock.restype = ctypes.c_void_p
        k.GlobalUnlock.argtypes = [ctypes.c_void_p]
        k.GlobalSize.argtypes = [ctypes.c_void_p]
        k.GlobalSize.restype = ctypes.c_size_t

    def sequence_number(self) -> int:
        return int(self.user32.GetClipboardSequenceNumber())

    def open(self) -> bool:
        return bool(self.user32.OpenClipboard(None))

    def close(self) -> None:
        self.user32.CloseClipboard()

    def format_names(self) -> list[str]:
        names: list[str] = []
        buf = self.ctypes.create_unicode_buffer(256)
        fmt = self.user32.EnumClipboardFormats(0)
        while fmt:
            if fmt == CF_UNICODETEXT:
                names.append("CF_UNICODETEXT")
            elif self.user32.GetClipboardFormatNameW(fmt, buf, 256):
                names.append(buf.value)
            fmt = self.user32.EnumClipboardFormats(fmt)
        return names

    def text_size(self) -> int | None:
        handle = self.user32.GetClipboardData(CF_UNICODETEXT)
        return int(self.kernel32.GlobalSize(handle)) if handle else None

    def get_text(self) -> str | None:
        handle = self.user32.GetClipboardData(CF_UNICODETEXT)
        if not handle:
            return None
        ptr = self.kernel32.GlobalLock(handle)
        try:
            return str(self.ctypes.wstring_at(ptr))
        finally:
            self.kernel32.GlobalUnlock(handle)

    def set_text(self, text: str) -> None:
        data = self.ctypes.create_unicode_buffer(text)
        size = self.ctypes.sizeof(data)
        handle = self.kernel32.GlobalAlloc(GMEM_MOVEABLE, size)
        ptr = self.kernel32.GlobalLock(handle)
        self.ctypes.memmove(ptr, data, size)
        self.kernel32.GlobalUnlock(handle)
        self.user32.EmptyClipboard()
        # The system owns the memory once SetClipboardData succeeds.
        if not self.user32.SetClipboardData(CF_UNICODETEXT, handle):
            raise InputError("SetClipboardData failed")


class _Listener(threading.Thread):  # pragma: no cover (Windows only)
    """A message-only window registered with AddClipboardFormatListener."""

    def __init__(self, on_update: Any) -> None:
        super().__init__(name="promptguard-clipboard-listener", daemon=True)
        self.on_update = on_update
        self._thread_id = 0

    def run(self) -> None:
        import ctypes
        from ctypes import wintypes

        user32: Any = ctypes.WinDLL("user32", use_last_error=True)  # type: ignore[attr-defined]
        kernel32: Any = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
        self._thread_id = kernel32.GetCurrentThreadId()
        user32.CreateWindowExW.restype = wintypes.HWND
        user32.CreateWindowExW.argtypes = [
            wintypes.DWORD, wintypes.LPCWSTR, wintypes.LPCWSTR, wintypes.DWORD,
            ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_int,
            wintypes.HWND, wintypes.HMENU, wintypes.HINSTANCE, wintypes.LPVOID]
        # The predefined STATIC class needs no window procedure of ours;
        # WM_CLIPBOARDUPDATE is posted, so GetMessage sees it.
        hwnd = user32.CreateWindowExW(0, "STATIC", "promptguard", 0, 0, 0, 0, 0,
                                      wintypes.HWND(HWND_MESSAGE), None, None, None)
        if not hwnd or not user32.AddClipboardFormatListener(hwnd):
            return
        msg = wintypes.MSG()
        try:
            while user32.GetMessageW(ctypes.byref(msg), None, 0, 0) > 0:
                if msg.message == WM_CLIPBOARDUPDATE:
                    self.on_update()
                user32.TranslateMessage(ctypes.byref(msg))
                user32.DispatchMessageW(ctypes.byref(msg))
        finally:
            user32.RemoveClipboardFormatListener(hwnd)
            user32.DestroyWindow(hwnd)

    def stop(self) -> None:
        import ctypes

        if self._thread_id:
            user32: Any = ctypes.WinDLL("user32")  # type: ignore[attr-defined]
            user32.PostThreadMessageW(self._thread_id, WM_QUIT, 0, 0)
