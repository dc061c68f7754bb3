#!/usr/bin/env bash
# Build the VS Code / Cursor extension into dist/promptguard-vscode.vsix.
# Needs Node >= 20 and npm (packages come from the npm registry, pinned by
# package-lock.json). Usage: editors/vscode/build.sh [OUT.vsix]
set -euo pipefail
cd "$(dirname "$0")"
out="${1:-dist/promptguard-vscode.vsix}"
mkdir -p "$(dirname "$out")"
npm ci --no-audit --no-fund --loglevel=error
npx --no-install tsc -p .
npx --no-install vsce package --no-update-package-json --out "$out"
echo "built $out"
