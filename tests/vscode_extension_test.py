"""The VS Code / Cursor extension's .vsix, as built by editors/vscode/build.sh.

VS Code itself cannot run here (it is not installable from the registries
this project reaches), so the test checks what was packaged and runs the
compiled extension's own functions under Node with a stand-in for the
`vscode` module (which only exists inside the editor). The server side of
the conversation is covered by the pygls-client and Neovim tests.
"""
from __future__ import annotations

import json
import subprocess
import zipfile
from pathlib import Path

import pytest
from testing import realtools

EXT = Path(__file__).resolve().parents[1] / "editors" / "vscode"
VSIX = EXT / "dist" / "promptguard-vscode.vsix"
HINT = "editors/vscode/build.sh (CI: .ci/install.d/41-vscode-ext.sh)"
# Any property is a class, so `vscode.X`, `new vscode.X()` and
# `class Y extends vscode.X` all work at import time.
STUB = """
const handler = { get: (t, p) => (p in t ? t[p] : (t[p] = new Proxy(class {}, handler))) };
module.exports = new Proxy({}, handler);
"""


@pytest.fixture(scope="module")
def vsix() -> Path:
    if not VSIX.exists():
        realtools.missing(str(VSIX), HINT)
    sources = [EXT / "package.json", EXT / "package-lock.json", *EXT.glob("src/*.ts")]
    if VSIX.stat().st_mtime < max(p.stat().st_mtime for p in sources):
        realtools.missing(f"a {VSIX.name} newer than the extension's sources", HINT)
    return VSIX


def test_vsix_packages_the_compiled_client_and_its_runtime_dependency(vsix: Path) -> None:
    with zipfile.ZipFile(vsix) as z:
        names = set(z.namelist())
        manifest = json.loads(z.read("extension/package.json"))
        client = json.loads(z.read("extension/node_modules/vscode-languageclient/package.json"))
        main_js = z.read("extension/out/extension.js").decode()
    source = json.loads((EXT / "package.json").read_text())
    assert manifest["contributes"] == source["contributes"]
    assert manifest["main"] == "./out/extension.js"
    assert client["version"] == source["dependencies"]["vscode-languageclient"]
    assert "extension.vsixmanifest" in names
    assert not any(n.startswith(("extension/src/", "extension/node_modules/typescript/"))
                   for n in names)
    settings = manifest["contributes"]["configuration"]["properties"]
    for key in ("promptguard.path", "promptguard.interpreter", "promptguard.fileTypes",
                "promptguard.filePatterns", "promptguard.debounceMs"):
        assert key in settings
        assert f'"{key.split(".", 1)[1]}"' in main_js  # the client reads every setting


def _node(vsix: Path, tmp_path: Path, script: str) -> object:
    node = realtools.which("node", "apt-get install nodejs")
    with zipfile.ZipFile(vsix) as z:
        z.extractall(tmp_path / "vsix")
    stub = tmp_path / "stub" / "vscode"
    stub.mkdir(parents=True)
    (stub / "index.js").write_text(STUB)
    prelude = ('const ext = require("./extension/out/extension.js");\n'
               'const cfg = (o) => ({ get: (k, d) => (k in o ? o[k] : d) });\n')
    proc = subprocess.run([node, "-e", prelude + script], cwd=tmp_path / "vsix",
                          env={"NODE_PATH": str(tmp_path / "stub"), "PATH": "/usr/bin:/bin"},
                          capture_output=True, text=True, timeout=30, check=True)
    return json.loads(proc.stdout)


@pytest.mark.parametrize(("settings", "python", "expected"), [
    ({}, {}, ["promptguard", "lsp", "--debounce-ms", "150"]),
    ({"path": "/opt/pg/bin/promptguard", "debounceMs": 40}, {},
     ["/opt/pg/bin/promptguard", "lsp", "--debounce-ms", "40"]),
    ({"interpreter": "/w/.venv/bin/python", "extraArgs": ["--no-audit"]}, {},
     ["/w/.venv/bin/python", "-m", "promptguard", "lsp", "--debounce-ms", "150", "--no-audit"]),
    ({}, {"defaultInterpreterPath": "/usr/bin/python3.11"},
     ["/usr/bin/python3.11", "-m", "promptguard", "lsp", "--debounce-ms", "150"]),
])
def test_the_extension_starts_the_configured_server(
    vsix: Path, tmp_path: Path, settings: dict[str, object], python: dict[str, object],
    expected: list[str],
) -> None:
    got = _node(vsix, tmp_path, f"const c = ext.serverCommand(cfg({json.dumps(settings)}), "
                                f"cfg({json.dumps(python)}));\n"
                                "console.log(JSON.stringify([c.command, ...c.args]));")
    assert got == expected
    # vscode-languageclient appends --stdio for a stdio transport.
    from promptguard.cli import build_parser

    args = build_parser("lsp").parse_args([*expected[expected.index("lsp"):], "--stdio"])
    assert args.command == "lsp" and args.stdio


def test_the_extension_watches_the_configured_file_types(vsix: Path, tmp_path: Path) -> None:
    got = _node(vsix, tmp_path, 'console.log(JSON.stringify(ext.documentSelector(cfg({'
                                'fileTypes: ["markdown", "python"], '
                                'filePatterns: ["**/CLAUDE.md"]}))));')
    assert got == [{"language": "markdown"}, {"language": "python"}, {"pattern": "**/CLAUDE.md"}]
