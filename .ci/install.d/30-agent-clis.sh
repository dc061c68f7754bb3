#!/usr/bin/env bash
# The real coding-agent CLIs the hook and gateway tests drive, pinned
# (../shared/reference/agent-hooks.md 0.1-0.3). Each npm package brings its
# native binary through a platform optional dependency.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
npm_install claude-code @anthropic-ai/claude-code@2.1.328
npm_install codex @openai/codex@0.169.0
