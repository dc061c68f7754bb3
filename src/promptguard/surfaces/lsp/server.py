"""The language server: pygls wiring over the guard service (surface `editor`).

Threading: pygls runs handlers on its asyncio loop. Every call into the
guard (scan, redact, baseline) runs on one worker thread (`Worker`), so
the loop keeps answering while a 5 MB file is scanned and the guard is
never used from two threads. A change schedules a scan after a short
debounce; a newer change cancels the pending one, and a running scan of a
large document is cancelled between chunks (`check_stream` reads our
chunk iterator, which stops when the document moved on). Results for an
outdated version are dropped, never published.
"""
from __future__ import annotations

import asyncio
import hashlib
import threading
from collections.abc import Callable
from collections.abc import Coroutine
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING
from typing import Any
from typing import NamedTuple
from typing import TypeVar

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path
from pygls.workspace import TextDocument

from promptguard.surfaces.lsp import comments
from promptguard.surfaces.lsp import render
from promptguard.surfaces.lsp.guards import CONFIG_NAMES
from promptguard.surfaces.lsp.guards import GuardCache
from promptguard.surfaces.lsp.guards import Loaded
from promptguard.surfaces.lsp.positions import units

if TYPE_CHECKING:
    from promptguard.guard import GuardOptions
    from promptguard.guard import Verdict

T = TypeVar("T")
CMD_BASELINE = "promptguard.addToBaseline"
CMD_EXPLAIN = "promptguard.explain"
TITLE_PLACEHOLDER = "Replace with a placeholder"
TITLE_ALL = "Replace every finding in this file with a placeholder"
TITLE_ALLOW = "Allow here"
TITLE_BASELINE = "Add to baseline"
TITLE_EXPLAIN = "Explain"


class ServerSettings(NamedTuple):
    """Fixed for the server's life (command line, then initializationOptions)."""

    options: GuardOptions
    # Seconds between the last change and the scan.
    debounce: float = 0.15
    # Documents longer than this (characters) are scanned as a stream of
    # `chunk`-sized pieces, so a newer edit can stop the scan part way.
    stream_threshold: int = 2 * 1024 * 1024
    chunk: int = 256 * 1024
    # Log scan timings and cancellations (window/logMessage, type Log).
    verbose: bool = False
    # Vault session for placeholders; default: one per project root.
    session: str | None = None


class Cancelled(Exception):
    """A newer version of the document superseded this scan."""


class Snapshot(NamedTuple):
    uri: str
    version: int
    text: str
    path: Path | None
    language_id: str | None
    # Where config discovery starts: the file's folder; for a notebook cell
    # (vscode-notebook-cell:/path/nb.ipynb#...) the notebook's; for an
    # untitled buffer the workspace root.
    folder: Path

    @property
    def source(self) -> str:
        return str(self.path) if self.path is not None else self.uri


class _Pending:
    """A scheduled scan: cancelled through `event` once it has started."""

    task: asyncio.Future[None]

    def __init__(self, event: threading.Event) -> None:
        self.event = event
        self.started = False


class Published(NamedTuple):
    """What the client was last shown for a document, for code actions."""

    snapshot: Snapshot
    root: Path
    entries: tuple[render.Entry, ...]
    verdict: Verdict


class Worker:
    """The one thread that calls the guard."""

    def __init__(self) -> None:
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="promptguard-scan")

    async def run(self, fn: Callable[[], T]) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn)

    def shutdown(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)


def _chunks(text: str, size: int, cancel: threading.Event) -> Iterator[str]:
    for i in range(0, len(text), size):
        if cancel.is_set():
            raise Cancelled
        yield text[i:i + size]


def _overlaps(a: types.Range, b: types.Range) -> bool:
    def key(p: types.Position) -> tuple[int, int]:
        return (p.line, p.character)
    return key(a.start) <= key(b.end) and key(b.start) <= key(a.end)


class PromptguardServer(LanguageServer):
    def __init__(self, settings: ServerSettings) -> None:
        from promptguard._version import __version__

        super().__init__("promptguard", __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.settings = settings
        self.worker = Worker()
        self.guards = GuardCache(settings.options, on_reload=self._reloaded)
        self.published: dict[str, Published] = {}
        # The newest scheduled scan of each document.
        self._pending: dict[str, _Pending] = {}
        self._redactions: dict[tuple[str, int], Verdict] = {}
        self.resolve_edits = False
        self._tasks: set[asyncio.Future[None]] = set()
        self._loop: asyncio.AbstractEventLoop | None = None

    def _background(self, coro: Coroutine[Any, Any, None]) -> None:
        # The loop keeps only weak references to tasks: hold them until done.
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # -- messages ------------------------------------------------------------
    def report_server_error(self, error: Exception, source: Any) -> None:
        # pygls' default shows the exception's text, which could quote a
        # document; the type is enough to report a bug.
        from pygls.exceptions import FeatureRequestError

        if source is FeatureRequestError:
            return
        self.window_show_message(types.ShowMessageParams(
            types.MessageType.Error, f"promptguard: internal error ({type(error).__name__})"))

    def log(self, text: str, kind: types.MessageType = types.MessageType.Log) -> None:
        if kind != types.MessageType.Log or self.settings.verbose:
            self.window_log_message(types.LogMessageParams(type=kind, message=text))

    def _reloaded(self, root: Path, error: str | None) -> None:
        # Called on the worker thread; pygls writes are not thread-safe.
        if self._loop is None:
            return
        what = f"config error: {error}" if error else "reloaded configuration"
        self._loop.call_soon_threadsafe(self.log, f"promptguard: {root}: {what}",
                                       types.MessageType.Info)

    # -- documents -----------------------------------------------------------
    def document(self, uri: str) -> TextDocument | None:
        from urllib.parse import unquote

        # pygls files documents under the unquoted URI (spaces, notebook cells).
        return self.workspace.text_documents.get(unquote(uri))

    def snapshot(self, uri: str) -> Snapshot | None:
        doc = self.document(uri)
        if doc is None:
            return None
        fs = to_fs_path(uri) if uri.startswith("file:") else None
        path = Path(fs) if fs else None
        return Snapshot(uri, doc.version or 0, doc.source, path, doc.language_id,
                        path.parent if path is not None else self._folder_of(uri))

    def _folder_of(self, uri: str) -> Path:
        from urllib.parse import unquote
        from urllib.parse import urlparse

        where = Path(unquote(urlparse(uri).path))
        if where.is_absolute() and where.parent.is_dir():
            return where.parent
        root = self.workspace.root_path
        return Path(root) if root else Path.cwd()

    def schedule(self, uri: str, delay: float | None = None) -> None:
        """Scan the document after the debounce, cancelling any older scan."""
        doc = self.document(uri)
        if doc is None:
            return
        self._loop = asyncio.get_running_loop()
        self.cancel(uri)
        cancel = threading.Event()
        wait = self.settings.debounce if delay is None else delay
        pending = _Pending(cancel)
        pending.task = asyncio.ensure_future(self._scan_later(uri, pending, wait))
        self._pending[uri] = pending

    def cancel(self, uri: str) -> None:
        old = self._pending.pop(uri, None)
        if old is not None:
            old.event.set()
            # A scan still in its debounce is dropped; a running one stops
            # at its next chunk (and says so) through the event.
            if not old.started and not old.task.done():
                old.task.cancel()

    def reload_config(self) -> None:
        """Drop every cached Guard (on the worker, before later scans), then rescan."""
        async def go() -> None:
            await self.worker.run(self.guards.invalidate)
            self.rescan_all()

        self._background(go())

    def rescan_all(self) -> None:
        self._redactions.clear()
        # The client's own URIs (pygls keys its table by unquoted URI).
        for uri in [d.uri for d in self.workspace.text_documents.values()]:
            self.schedule(uri, delay=0)

    async def _scan_later(self, uri: str, pending: _Pending, wait: float) -> None:
        cancel = pending.event
        try:
            await asyncio.sleep(wait)
        except asyncio.CancelledError:
            return
        snap = self.snapshot(uri)
        if snap is None or cancel.is_set():
            return
        pending.started = True
        import time

        started = time.perf_counter()
        self.log(f"scan of {uri} version {snap.version} started")
        try:
            result = await self.worker.run(lambda: self._scan(snap, cancel))
        except Cancelled:
            self.log(f"scan of {uri} version {snap.version} cancelled: superseded")
            return
        except Exception as e:
            # Only the type: an exception's message could quote the text.
            self.log(f"promptguard: internal error scanning {uri} ({type(e).__name__})",
                     types.MessageType.Error)
            self._publish(snap, None, [render.problem(
                f"promptguard: internal error ({type(e).__name__}); the file was not checked")])
            return
        if cancel.is_set():
            self.log(f"scan of {uri} version {snap.version} finished but was superseded")
            return
        loaded, verdict = result
        elapsed = (time.perf_counter() - started) * 1000
        self.log(f"scanned {uri} version {snap.version} ({len(snap.text)} chars) "
                 f"in {elapsed:.1f} ms")
        if verdict is None or loaded.guard is None:
            self._publish(snap, None, [render.problem(
                f"promptguard: {loaded.error}; this file is not being checked")])
            return
        encoding = str(self.workspace.position_encoding or "utf-16")
        rules = loaded.guard.scanner.rule_index()
        entries, problems = render.diagnostics(verdict, snap.text, rules, encoding,
                                               loaded.guard.on_error)
        self._publish(snap, Published(snap, loaded.root, tuple(entries), verdict), problems)

    def _scan(self, snap: Snapshot, cancel: threading.Event) -> tuple[Loaded, Verdict | None]:
        """On the worker thread."""
        if cancel.is_set():
            raise Cancelled
        loaded = self.guards.get(snap.folder)
        if loaded.guard is None:
            return loaded, None
        if len(snap.text) > self.settings.stream_threshold:
            chunks = _chunks(snap.text, self.settings.chunk, cancel)
            return loaded, loaded.guard.check_stream(chunks, source=snap.source, audit=False)
        # Scans on typing are not audited (one record per pause in typing
        # would drown the log); a save records the saved version's verdict.
        return loaded, loaded.guard.check(snap.text, source=snap.source, audit=False)

    def _publish(self, snap: Snapshot, published: Published | None,
                 problems: list[types.Diagnostic]) -> None:
        if published is None:
            self.published.pop(snap.uri, None)
            diags = problems
        else:
            self.published[snap.uri] = published
            diags = [e.diagnostic for e in published.entries] + problems
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=snap.uri, version=snap.version, diagnostics=diags))

    def forget(self, uri: str) -> None:
        self.cancel(uri)
        self.published.pop(uri, None)
        for key in [k for k in self._redactions if k[0] == uri]:
            del self._redactions[key]
        self.text_document_publish_diagnostics(
            types.PublishDiagnosticsParams(uri=uri, diagnostics=[]))

    def audit_saved(self, uri: str) -> None:
        """Append the saved version's decisions to the audit log (if enabled)."""
        pub = self.current(uri)
        if pub is None:
            return
        folder = pub.snapshot.folder

        def work() -> None:
            loaded = self.guards.get(folder)
            if loaded.guard is not None:
                note = loaded.guard.audit([pub.verdict])
                if note is not None:
                    self._loop_log(f"promptguard: {note.message}", types.MessageType.Warning)

        async def go() -> None:
            await self.worker.run(work)

        self._background(go())

    def _loop_log(self, text: str, kind: types.MessageType) -> None:
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self.log, text, kind)

    # -- code actions --------------------------------------------------------
    def current(self, uri: str) -> Published | None:
        """The published result, if it still describes the document's text."""
        pub = self.published.get(uri)
        doc = self.document(uri)
        if pub is None or doc is None or (doc.version or 0) != pub.snapshot.version:
            return None
        return pub

    def session(self, root: Path) -> str:
        if self.settings.session:
            return self.settings.session
        return "editor-" + hashlib.sha256(str(root).encode()).hexdigest()[:12]

    async def redaction(self, pub: Published) -> Verdict | None:
        key = (pub.snapshot.uri, pub.snapshot.version)
        if key not in self._redactions:
            snap = pub.snapshot

            def work() -> Verdict | None:
                loaded = self.guards.get(snap.folder)
                if loaded.guard is None:
                    return None
                return loaded.guard.redact(snap.text, source=snap.source, audit=False,
                                           session=self.session(pub.root), everything=True)

            verdict = await self.worker.run(work)
            if verdict is None:
                return None
            # Keep one per document: code actions ask again on every cursor move.
            for k in [k for k in self._redactions if k[0] == key[0]]:
                del self._redactions[k]
            self._redactions[key] = verdict
        return self._redactions[key]

    def actions(self, pub: Published, wanted: types.Range) -> list[types.CodeAction]:
        hits = [e for e in pub.entries if _overlaps(e.diagnostic.range, wanted)]
        out: list[types.CodeAction] = []
        snap = pub.snapshot
        syntax = comments.syntax_for(snap.language_id,
                                     snap.path.name if snap.path else snap.uri.rsplit("/", 1)[-1])
        for e in hits:
            f = e.finding
            data = {"uri": snap.uri, "version": snap.version, "start": f.start, "end": f.end,
                    "rule_id": f.rule_id}
            out.append(types.CodeAction(
                title=f"{TITLE_PLACEHOLDER} ({f.rule_id})", kind=types.CodeActionKind.QuickFix,
                diagnostics=[e.diagnostic], is_preferred=e.decision.action == "block",
                data={**data, "kind": "placeholder"}))
            if syntax is not None:
                out.append(types.CodeAction(
                    title=f"{TITLE_ALLOW}: {comments.pragma(f.rule_id)}",
                    kind=types.CodeActionKind.QuickFix, diagnostics=[e.diagnostic],
                    edit=self._allow_edit(snap, f.start, f.rule_id, syntax)))
            if snap.path is not None:
                out.append(types.CodeAction(
                    title=f"{TITLE_BASELINE} ({f.rule_id})", kind=types.CodeActionKind.QuickFix,
                    diagnostics=[e.diagnostic],
                    command=types.Command(TITLE_BASELINE, CMD_BASELINE,
                                          arguments=[snap.uri, f.rule_id, f.fingerprint])))
            out.append(types.CodeAction(
                title=f"{TITLE_EXPLAIN} {f.rule_id}", kind=types.CodeActionKind.Empty,
                diagnostics=[e.diagnostic],
                command=types.Command(
                    TITLE_EXPLAIN, CMD_EXPLAIN,
                    arguments=[snap.uri, snap.version, f.start, f.end, f.rule_id])))
        if len(pub.entries) > 1 and hits:
            out.append(types.CodeAction(
                title=f"{TITLE_ALL} ({len(pub.entries)})", kind=types.CodeActionKind.QuickFix,
                data={"uri": snap.uri, "version": snap.version, "kind": "all"}))
        return out

    def _allow_edit(self, snap: Snapshot, start: int, rule_id: str,
                    syntax: comments.CommentSyntax) -> types.WorkspaceEdit:
        line_no = snap.text.count("\n", 0, start)
        lo = snap.text.rfind("\n", 0, start) + 1
        prev = snap.text.rfind("\n", 0, max(lo - 1, 0)) + 1 if lo else 0
        hi = snap.text.find("\n", start)
        region = snap.text[prev:hi if hi >= 0 else len(snap.text)].split("\n")
        first = line_no - (len(region) - 1)
        edit = comments.pragma_edit(region, len(region) - 1, rule_id, syntax)
        row = region[edit.line] if edit.line < len(region) else ""
        encoding = str(self.workspace.position_encoding or "utf-16")
        s = units(row[:edit.start], encoding)
        t = units(row[:edit.end], encoding)
        line = first + edit.line
        rng = types.Range(types.Position(line, s), types.Position(line, t))
        return types.WorkspaceEdit(changes={snap.uri: [types.TextEdit(rng, edit.text)]})

    async def resolve(self, action: types.CodeAction) -> types.CodeAction:
        data = action.data if isinstance(action.data, dict) else {}
        pub = self.current(str(data.get("uri", "")))
        if pub is None or pub.snapshot.version != data.get("version"):
            return action  # the document changed: no edit rather than a wrong one
        verdict = await self.redaction(pub)
        if verdict is None:
            return action
        shown = {(e.finding.rule_id, e.finding.start, e.finding.end): e for e in pub.entries}
        if data.get("kind") == "all":
            chosen = [r for r in verdict.replacements
                      if (r.finding.rule_id, r.finding.start, r.finding.end) in shown]
        else:
            want = (data.get("rule_id"), data.get("start"), data.get("end"))
            chosen = [r for r in verdict.replacements
                      if (r.finding.rule_id, r.finding.start, r.finding.end) == want]
        edits = [types.TextEdit(shown[(r.finding.rule_id, r.finding.start, r.finding.end)]
                                .diagnostic.range, r.placeholder) for r in chosen]
        if edits:
            action.edit = types.WorkspaceEdit(changes={pub.snapshot.uri: edits})
        return action

    # -- commands ------------------------------------------------------------
    async def add_to_baseline(self, uri: str, rule_id: str, fingerprint: str) -> str:
        snap = self.snapshot(uri)
        if snap is None or snap.path is None:
            return "not a file on disk"
        path = snap.path

        def work() -> str:
            from promptguard import baseline
            from promptguard import cachekey
            from promptguard.allowlist import relative_label
            from promptguard.dirs import data_dir
            from promptguard.filelock import locked

            loaded = self.guards.get(path.parent)
            if loaded.guard is None:
                return f"not added: {loaded.error}"
            cfg = loaded.guard.config
            target: Path = cfg.baseline_target
            entry = baseline.Entry(relative_label(str(path), cfg.root), rule_id, fingerprint)
            # Two editors on one project must not lose each other's entries.
            locks = data_dir()
            locks.mkdir(parents=True, exist_ok=True)
            with locked(locks / f"baseline-{cachekey.key(str(target.resolve()))}.lock"):
                entries: set[baseline.Entry] = set()
                ds: frozenset[baseline.DetectSecretsEntry] = frozenset()
                if target.exists():
                    if "plugins_used" in target.read_text(encoding="utf-8", errors="replace"):
                        return (f"not added: {target} is a detect-secrets baseline; import it "
                                "with `promptguard baseline create --import-detect-secrets`")
                    old = baseline.load(target, cfg.root)
                    entries, ds = set(old.entries), old.detect_secrets
                entries.add(entry)
                baseline.write(target, entries, ds)
            self.guards.invalidate()
            return f"added {rule_id} in {path.name} to {target}"

        message = await self.worker.run(work)
        self.log(f"promptguard: {message}", types.MessageType.Info)
        self.rescan_all()
        return message

    def explain(self, uri: str, version: int, start: int, end: int, rule_id: str) -> str | None:
        pub = self.current(uri)
        if pub is None or pub.snapshot.version != version:
            return None
        entry = next((e for e in pub.entries if (e.finding.start, e.finding.end,
                                                 e.finding.rule_id) == (start, end, rule_id)),
                     None)
        return None if entry is None else self.explanation(pub, entry)

    def explanation(self, pub: Published, entry: render.Entry) -> str:
        loaded = self.guards.get(pub.snapshot.folder)
        rule = None
        reason = entry.decision.reason
        if loaded.guard is not None:
            rule = loaded.guard.scanner.rule_index().get(entry.finding.rule_id)
            f = entry.finding
            if reason == "policy":
                reason = loaded.guard.config.policy.resolve(
                    "editor", f.category, f.rule_id, f.severity, f.confidence).explain()
        return render.explain(entry.decision, rule, reason)

    def hover(self, uri: str, position: types.Position) -> types.Hover | None:
        pub = self.current(uri)
        if pub is None:
            return None
        at = types.Range(position, position)
        entry = next((e for e in pub.entries if _overlaps(e.diagnostic.range, at)), None)
        if entry is None:
            return None
        return types.Hover(
            contents=types.MarkupContent(types.MarkupKind.Markdown,
                                         self.explanation(pub, entry)),
            range=entry.diagnostic.range)


F = TypeVar("F", bound=Callable[..., Any])


def _contained(fn: F) -> F:
    """Errors leave a handler as their type only.

    pygls answers a failed request with the exception's text, which for a
    validation error can quote the values involved; that text never leaves.
    """
    import functools

    from pygls.exceptions import JsonRpcException
    from pygls.exceptions import JsonRpcInternalError

    def replaced(e: Exception) -> JsonRpcInternalError:
        return JsonRpcInternalError(f"promptguard: internal error ({type(e).__name__})")

    if asyncio.iscoroutinefunction(fn):
        @functools.wraps(fn)
        async def wrapper_async(*args: Any, **kwargs: Any) -> Any:
            try:
                return await fn(*args, **kwargs)
            except JsonRpcException:
                raise
            except Exception as e:
                raise replaced(e) from None
        return wrapper_async  # type: ignore[return-value]

    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return fn(*args, **kwargs)
        except JsonRpcException:
            raise
        except Exception as e:
            raise replaced(e) from None
    return wrapper  # type: ignore[return-value]


def build(settings: ServerSettings) -> PromptguardServer:
    server = PromptguardServer(settings)

    @server.feature(types.INITIALIZE)
    @_contained
    def initialize(ls: PromptguardServer, params: types.InitializeParams) -> None:
        opts = params.initialization_options
        if isinstance(opts, dict):
            changes: dict[str, Any] = {}
            if isinstance(opts.get("debounceMs"), (int, float)):
                changes["debounce"] = max(0.0, float(opts["debounceMs"]) / 1000)
            if isinstance(opts.get("verbose"), bool):
                changes["verbose"] = opts["verbose"]
            ls.settings = ls.settings._replace(**changes)
        text = params.capabilities.text_document
        action = text.code_action if text is not None else None
        support = action.resolve_support if action is not None else None
        ls.resolve_edits = support is not None and "edit" in support.properties

    @server.feature(types.INITIALIZED)
    @_contained
    async def initialized(ls: PromptguardServer, params: types.InitializedParams) -> None:
        ws = ls.client_capabilities.workspace
        watch = ws.did_change_watched_files if ws is not None else None
        if watch is None or not watch.dynamic_registration:
            return  # we still reload: stamps are checked before every scan
        watchers = [types.FileSystemWatcher(glob_pattern=f"**/{name}")
                    for name in sorted(CONFIG_NAMES)]
        await ls.client_register_capability_async(types.RegistrationParams(registrations=[
            types.Registration(
                id="promptguard-config", method=types.WORKSPACE_DID_CHANGE_WATCHED_FILES,
                register_options=types.DidChangeWatchedFilesRegistrationOptions(watchers)),
        ]))

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    @_contained
    def did_open(ls: PromptguardServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri, delay=0)

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    @_contained
    def did_change(ls: PromptguardServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.schedule(params.text_document.uri)

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    @_contained
    def did_save(ls: PromptguardServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.audit_saved(params.text_document.uri)
        if params.text_document.uri.rsplit("/", 1)[-1] in CONFIG_NAMES:
            ls.reload_config()

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    @_contained
    def did_close(ls: PromptguardServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)

    @server.feature(types.WORKSPACE_DID_CHANGE_WATCHED_FILES)
    @_contained
    def watched(ls: PromptguardServer, params: types.DidChangeWatchedFilesParams) -> None:
        if any(c.uri.rsplit("/", 1)[-1] in CONFIG_NAMES for c in params.changes):
            ls.reload_config()

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix], resolve_provider=True))
    @_contained
    async def code_action(ls: PromptguardServer,
                          params: types.CodeActionParams) -> list[types.CodeAction] | None:
        pub = ls.current(params.text_document.uri)
        if pub is None:
            return None
        actions = ls.actions(pub, params.range)
        if not ls.resolve_edits:
            actions = [await ls.resolve(a) if a.data else a for a in actions]
        return actions or None

    @server.feature(types.CODE_ACTION_RESOLVE)
    @_contained
    async def code_action_resolve(ls: PromptguardServer,
                                  action: types.CodeAction) -> types.CodeAction:
        return await ls.resolve(action)

    @server.feature(types.TEXT_DOCUMENT_HOVER)
    @_contained
    def hover(ls: PromptguardServer, params: types.HoverParams) -> types.Hover | None:
        return ls.hover(params.text_document.uri, params.position)

    @server.command(CMD_BASELINE)
    @_contained
    async def add_to_baseline(ls: PromptguardServer, uri: str, rule_id: str,
                              fingerprint: str) -> str:
        return await ls.add_to_baseline(uri, rule_id, fingerprint)

    @server.command(CMD_EXPLAIN)
    @_contained
    def explain(ls: PromptguardServer, uri: str, version: int, start: int, end: int,
                rule_id: str) -> str | None:
        text = ls.explain(uri, version, start, end, rule_id)
        if text is not None:
            ls.window_show_message(types.ShowMessageParams(types.MessageType.Info, text))
        return text

    @server.feature(types.SHUTDOWN)
    @_contained
    def shutdown(ls: PromptguardServer, params: None) -> None:
        ls.worker.shutdown()

    return server

