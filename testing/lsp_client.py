"""Drive `promptguard lsp` over stdio with pygls' own LanguageClient.

Every message the server sends is kept raw (`Session.received`) so tests
can assert that no byte of it holds a secret, and its stderr is kept too.
"""
from __future__ import annotations

import asyncio
import json
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.lsp.client import LanguageClient
from pygls.protocol import LanguageServerProtocol


class _Recording(LanguageServerProtocol):
    received: list[str]

    def structure_message(self, data: dict[str, Any]) -> Any:
        if "jsonrpc" in data:
            self.received.append(json.dumps(data, ensure_ascii=False))
        return super().structure_message(data)


def _fix_code_action_union(converter: Any) -> None:
    """lsprotocol reads any result with a `command` key as a Command, even a
    CodeAction whose `command` is an object; decide by that key's type."""
    from typing import Union

    def hook(obj: Any, _: Any) -> types.Command | types.CodeAction:
        if isinstance(obj.get("command"), str):
            return converter.structure(obj, types.Command)
        return converter.structure(obj, types.CodeAction)

    # A runtime type, not an annotation, so no `X | Y` rewrite.
    either = Union[types.Command, types.CodeAction]  # noqa: UP007
    converter.register_structure_hook(either, hook)


class Session:
    """One server process and the client talking to it."""

    def __init__(self, cwd: Path, env: dict[str, str], args: Sequence[str] = ()) -> None:
        self.cwd = cwd
        self.env = env
        self.args = list(args)
        self.client = LanguageClient("promptguard-tests", "1", protocol_cls=_Recording)
        self.protocol: _Recording = self.client.protocol  # type: ignore[assignment]
        self.protocol.received = []
        _fix_code_action_union(self.protocol._converter)
        self.published: list[types.PublishDiagnosticsParams] = []
        self.logs: list[str] = []
        self.shown: list[str] = []
        self.stderr = ""
        self._changed = asyncio.Event()

        @self.client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
        def _diagnostics(params: types.PublishDiagnosticsParams) -> None:
            self.published.append(params)
            self._changed.set()

        @self.client.feature(types.WINDOW_LOG_MESSAGE)
        def _log(params: types.LogMessageParams) -> None:
            self.logs.append(params.message)
            self._changed.set()

        @self.client.feature(types.WINDOW_SHOW_MESSAGE)
        def _show(params: types.ShowMessageParams) -> None:
            self.shown.append(params.message)
            self._changed.set()

        @self.client.feature(types.CLIENT_REGISTER_CAPABILITY)
        def _register(params: types.RegistrationParams) -> None:
            return None

    @property
    def received(self) -> list[str]:
        return self.protocol.received

    async def start(self, capabilities: types.ClientCapabilities | None = None,
                    init: dict[str, Any] | None = None) -> types.InitializeResult:
        await self.client.start_io(sys.executable, "-m", "promptguard", "lsp", *self.args,
                                   cwd=str(self.cwd), env=self.env)
        if capabilities is None:
            capabilities = types.ClientCapabilities(
                workspace=types.WorkspaceClientCapabilities(
                    did_change_watched_files=types.DidChangeWatchedFilesClientCapabilities(
                        dynamic_registration=True)),
                text_document=types.TextDocumentClientCapabilities(
                    code_action=types.CodeActionClientCapabilities(
                        resolve_support=types.ClientCodeActionResolveOptions(
                            properties=["edit"]),
                        data_support=True)),
            )
        result = await self.client.initialize_async(types.InitializeParams(
            capabilities=capabilities, root_uri=self.cwd.as_uri(),
            initialization_options=init or {}))
        self.client.initialized(types.InitializedParams())
        return result

    async def stop(self) -> None:
        try:
            await asyncio.wait_for(self.client.shutdown_async(None), 10)
            self.client.exit(None)
        finally:
            server = self.client._server
            try:
                await asyncio.wait_for(self.client.stop(), 10)
            except asyncio.TimeoutError:
                if server is not None:
                    server.kill()
            if server is not None and server.stderr is not None:
                self.stderr = (await server.stderr.read()).decode("utf-8", "replace")

    # -- documents -----------------------------------------------------------
    def open(self, path: Path, text: str, language: str = "plaintext", version: int = 1) -> str:
        uri = path.as_uri()
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=uri, language_id=language, version=version, text=text)))
        return uri

    def change(self, uri: str, version: int, start: tuple[int, int], end: tuple[int, int],
               text: str) -> None:
        rng = types.Range(types.Position(*start), types.Position(*end))
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [types.TextDocumentContentChangePartial(range=rng, text=text)]))

    def replace_all(self, uri: str, version: int, text: str) -> None:
        self.client.text_document_did_change(types.DidChangeTextDocumentParams(
            types.VersionedTextDocumentIdentifier(uri=uri, version=version),
            [types.TextDocumentContentChangeWholeDocument(text=text)]))

    async def diagnostics(self, uri: str, version: int | None = None,
                          timeout: float = 20.0, after: int = 0) -> list[types.Diagnostic]:
        """The first diagnostics published for `uri` (at `version`) after index `after`."""
        deadline = time.monotonic() + timeout
        while True:
            for p in self.published[after:]:
                if p.uri == uri and (version is None or p.version == version):
                    return list(p.diagnostics)
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError(f"no diagnostics for {uri} version {version} "
                                     f"within {timeout}s")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), left)
            except asyncio.TimeoutError:
                pass

    async def wait_for(self, predicate: Any, timeout: float = 20.0) -> None:
        deadline = time.monotonic() + timeout
        while not predicate():
            left = deadline - time.monotonic()
            if left <= 0:
                raise AssertionError("condition not met in time")
            self._changed.clear()
            try:
                await asyncio.wait_for(self._changed.wait(), min(left, 0.2))
            except asyncio.TimeoutError:
                pass

    async def code_actions(self, uri: str, rng: types.Range,
                           diagnostics: Sequence[types.Diagnostic] = ()) -> list[types.CodeAction]:
        got = await self.client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri), range=rng,
            context=types.CodeActionContext(diagnostics=list(diagnostics))))
        return [a for a in got or () if isinstance(a, types.CodeAction)]

    async def resolve(self, action: types.CodeAction) -> types.CodeAction:
        return await self.client.code_action_resolve_async(action)

    async def execute(self, command: types.Command) -> Any:
        return await self.client.workspace_execute_command_async(types.ExecuteCommandParams(
            command=command.command, arguments=command.arguments))


def server_env() -> dict[str, str]:
    """The test's environment (conftest points config, data and audit at temp dirs)."""
    return dict(os.environ)


def apply_edits(text: str, edits: Sequence[types.TextEdit]) -> str:
    """Apply LSP text edits (UTF-16 positions) to `text`, as an editor would."""
    from promptguard.surfaces.lsp.positions import units

    def offset(pos: types.Position) -> int:
        lines = text.split("\n")
        base = sum(len(line) + 1 for line in lines[:pos.line])
        row = lines[pos.line] if pos.line < len(lines) else ""
        count = 0
        for i, ch in enumerate(row):
            if count >= pos.character:
                return base + i
            count += units(ch, "utf-16")
        return base + len(row)

    spans = sorted(((offset(e.range.start), offset(e.range.end), e.new_text) for e in edits),
                   reverse=True)
    for s, e, new in spans:
        text = text[:s] + new + text[e:]
    return text
