#!/usr/bin/env bash
# The gateway tests: openssl makes the CA and certificates of the mTLS test.
# (Claude Code and Codex, which they also drive, come from 30-agent-clis.sh.)
set -euo pipefail
source "$(dirname "$0")/lib.sh"
apt_install openssl ca-certificates
