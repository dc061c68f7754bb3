#!/usr/bin/env bash
# The real Gemini CLI the hook tests drive (tests/surfaces/hooks/gemini_e2e_test.py),
# pinned; it runs on Node 20 against testing/fake_gemini.py on loopback.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
npm_install gemini-cli @google/gemini-cli@0.61.0
