#!/usr/bin/env bash
# Build the VS Code / Cursor extension (.vsix) from the npm registry's pinned
# packages; tests/vscode_extension_test.py checks what it packaged. VS Code
# itself is not installable here, so the extension is built, not run.
set -euo pipefail
cd "$(dirname "$0")/../.."
if ! command -v npm >/dev/null 2>&1; then
    source .ci/install.d/lib.sh
    apt_install nodejs npm
fi
editors/vscode/build.sh >/dev/null
