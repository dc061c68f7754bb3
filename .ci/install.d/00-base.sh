#!/usr/bin/env bash
# System packages for the real-component tests: git for the pre-commit
# tests, Xvfb + xclip for the clipboard tests.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
apt_install git xvfb xclip
