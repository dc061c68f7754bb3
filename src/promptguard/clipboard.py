"""Read and write the system clipboard through the platform's own tools.

One-shot access for `promptguard redact --clipboard`; the clipboard watcher
(`promptguard watch`, surfaces/clipboard/) adds change detection on top and
writes through this module on Wayland. The tools, in the order tried:

* Wayland (WAYLAND_DISPLAY set): wl-paste / wl-copy (wl-clipboard);
* X11 (DISPLAY set): xclip, else xsel, on the CLIPBOARD selection (what
  Ctrl+C / Ctrl+V use; PRIMARY is left alone);
* macOS: pbpaste / pbcopy;
* Windows: PowerShell's Get-Clipboard / Set-Clipboard.

No Python dependency: these tools are on most desktops, and xclip and
wl-copy keep serving the selection after we exit (a process that owns an
X selection must stay alive to answer pastes).
"""
from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from collections.abc import Sequence
from typing import TYPE_CHECKING
from typing import NamedTuple

from promptguard.errors import InputError

if TYPE_CHECKING:
    import subprocess

# A clipboard owner that hangs (or dies mid-transfer) must not hang us:
# `xclip -o` waits forever in that case.
DEFAULT_TIMEOUT = 5.0


class Backend(NamedTuple):
    name: str
    read_cmd: tuple[str, ...]
    write_cmd: tuple[str, ...]
    # Exit codes of the read command that mean "the clipboard is empty".
    empty_codes: tuple[int, ...] = ()
    # Extra environment, e.g. a UTF-8 locale for pbcopy/pbpaste.
    env: tuple[tuple[str, str], ...] = ()


# PowerShell's console encoding is not UTF-8 by default; set it both ways
# and write without the trailing newline Write-Output would add.
_PS_READ = (
    "[Console]::OutputEncoding=[Text.Encoding]::UTF8;"
    "$t=Get-Clipboard -Raw; if ($t) { [Console]::Out.Write($t) }"
)
_PS_WRITE = (
    "[Console]::InputEncoding=[Text.Encoding]::UTF8;"
    "Set-Clipboard -Value ([Console]::In.ReadToEnd())"
)


def _candidates(env: Mapping[str, str], platform: str) -> list[Backend]:
    out: list[Backend] = []
    if platform == "win32":
        shell = "powershell"
        ps = (shell, "-NoProfile", "-NonInteractive", "-Command")
        return [Backend("powershell", (*ps, _PS_READ), (*ps, _PS_WRITE))]
    if platform == "darwin":
        # pbcopy/pbpaste transcode with the locale; force UTF-8.
        return [Backend("pbcopy", ("pbpaste",), ("pbcopy",), env=(("LANG", "en_US.UTF-8"),))]
    if env.get("WAYLAND_DISPLAY"):
        # wl-paste exits 1 with "Nothing is copied" on an empty clipboard.
        out.append(Backend("wl-clipboard", ("wl-paste", "--no-newline"), ("wl-copy",),
                           empty_codes=(1,)))
    if env.get("DISPLAY"):
        # xclip -o exits 1 when no owner offers text ("target ... not available").
        out.append(Backend("xclip", ("xclip", "-selection", "clipboard", "-o"),
                           ("xclip", "-selection", "clipboard", "-i"), empty_codes=(1,)))
        out.append(Backend("xsel", ("xsel", "--clipboard", "--output"),
                           ("xsel", "--clipboard", "--input")))
    return out


def find_backend(
    env: Mapping[str, str] | None = None,
    platform: str | None = None,
) -> Backend:
    """The first clipboard tool usable here; InputError saying what to install."""
    import shutil

    env = os.environ if env is None else env
    platform = sys.platform if platform is None else platform
    candidates = _candidates(env, platform)
    for backend in candidates:
        if shutil.which(backend.read_cmd[0], path=env.get("PATH")) and shutil.which(
            backend.write_cmd[0], path=env.get("PATH"),
        ):
            return backend
    if platform in ("win32", "darwin"):
        hint = "PowerShell" if platform == "win32" else "pbcopy/pbpaste"
        raise InputError(f"no clipboard available: {hint} not found")
    if not (env.get("WAYLAND_DISPLAY") or env.get("DISPLAY")):
        raise InputError(
            "no clipboard available: no graphical session (neither WAYLAND_DISPLAY nor "
            "DISPLAY is set); pass the text as a file or on stdin instead",
        )
    raise InputError(
        "no clipboard available: install wl-clipboard (Wayland) or xclip or xsel (X11)",
    )


def _run(
    backend: Backend,
    cmd: Sequence[str],
    data: bytes | None,
    timeout: float,
) -> subprocess.CompletedProcess[bytes]:
    import subprocess

    env = {**os.environ, **dict(backend.env)} if backend.env else None
    try:
        return subprocess.run(
            cmd,
            input=data,
            # Writers fork a server that inherits our stdout/stderr: with
            # pipes there we would wait for it to exit, i.e. forever.
            stdout=subprocess.PIPE if data is None else subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            stdin=None if data is not None else subprocess.DEVNULL,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired:
        raise InputError(f"clipboard: {cmd[0]} did not answer within {timeout}s") from None
    except OSError as e:
        raise InputError(f"clipboard: cannot run {cmd[0]}: {e.strerror}") from None


def read(backend: Backend | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> str:
    """The clipboard's text ("" when it holds none)."""
    backend = backend or find_backend()
    proc = _run(backend, backend.read_cmd, None, timeout)
    if proc.returncode in backend.empty_codes and not proc.stdout:
        return ""
    if proc.returncode != 0:
        raise InputError(f"clipboard: {backend.read_cmd[0]} failed (exit {proc.returncode})")
    # Whatever the owner offered, keep every byte (as pasting would).
    return proc.stdout.decode("utf-8", "surrogateescape")


def write(text: str, backend: Backend | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Replace the clipboard's content with `text`."""
    backend = backend or find_backend()
    proc = _run(backend, backend.write_cmd, text.encode("utf-8", "surrogateescape"), timeout)
    if proc.returncode != 0:
        raise InputError(f"clipboard: {backend.write_cmd[0]} failed (exit {proc.returncode})")
