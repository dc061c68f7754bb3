#!/usr/bin/env bash
# Real Neovim for the language-server test (tests/lsp_neovim_test.py):
# Debian's package, driven headless with its built-in LSP client.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
apt_install neovim
