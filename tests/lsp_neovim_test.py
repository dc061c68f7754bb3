"""Real Neovim (headless) as the client of `promptguard lsp`.

`.ci/install.d/40-neovim.sh` installs Debian's `neovim`; the Lua side is
tests/data/nvim_lsp.lua: it starts the server with `vim.lsp.start_client`
on a buffer holding a fake key, reads `vim.diagnostic.get()`, and applies
the placeholder fix through `vim.lsp.buf.code_action()` (choosing it in
`vim.ui.select` as a user would), which resolves the edit over LSP.
"""
from __future__ import annotations

import json
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

from testing import realtools

SCRIPT = Path(__file__).parent / "data" / "nvim_lsp.lua"


def test_neovim_shows_the_key_and_applies_the_placeholder(tmp_path: Path) -> None:
    nvim = realtools.which("nvim", "apt-get install neovim")
    (tmp_path / ".git").mkdir()
    key = "AKIA" + "".join(secrets.choice(string.ascii_uppercase + "234567") for _ in range(16))
    path = tmp_path / "settings.py"
    path.write_text(f"REGION = 'eu-west-1'\nAWS_ACCESS_KEY_ID = '{key}'\n")
    result = tmp_path / "result.json"
    env = dict(os.environ)
    env["XDG_CACHE_HOME"] = str(tmp_path / "nvim-cache")  # lsp.log, per test
    env["XDG_STATE_HOME"] = str(tmp_path / "nvim-state")
    env["PG_NVIM_CONFIG"] = json.dumps({
        "cmd": [sys.executable, "-m", "promptguard", "lsp"],
        "file": str(path), "root": str(tmp_path), "result": str(result),
    })
    proc = subprocess.run(
        [nvim, "--headless", "--clean", "-u", "NONE", "-i", "NONE", "-c", f"luafile {SCRIPT}"],
        env=env, cwd=tmp_path, capture_output=True, timeout=120, stdin=subprocess.DEVNULL,
    )
    assert result.exists(), proc.stderr.decode(errors="replace")[-2000:]
    out = json.loads(result.read_text())
    assert "error" not in out, out.get("error")

    [diag] = out["diagnostics"]
    assert diag["code"] == "aws-access-key-id"
    assert diag["severity"] == 1  # vim.diagnostic.severity.ERROR
    assert diag["source"] == "promptguard"
    assert (diag["lnum"], diag["col"], diag["end_col"]) == (1, 21, 41)
    assert "AKIA…(20 chars)" in diag["message"]
    assert any(t.startswith("Replace with a placeholder") for t in out["titles"])
    assert any(t.startswith("Allow here: promptguard: allow[aws-access-key-id]")
               for t in out["titles"])

    assert out["lines"] == ["REGION = 'eu-west-1'", "AWS_ACCESS_KEY_ID = '<AWS_ACCESS_KEY_ID_1>'"]
    assert out["cleared"] and out["after"] == []

    # Neovim's own RPC log: everything the server sent ("rpc.receive").
    log = Path(out["log_path"]).read_text(encoding="utf-8", errors="replace")
    received = [line for line in log.splitlines() if '"rpc.receive"' in line]
    assert any("textDocument/publishDiagnostics" in line for line in received)
    assert all(key not in line for line in received), "the server sent the key to Neovim"
    assert key not in json.dumps(out["diagnostics"])
