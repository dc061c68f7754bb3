"""`promptguard lsp` over stdio, driven by pygls' own LanguageClient."""
from __future__ import annotations

import asyncio
import secrets
import string
import time
from collections.abc import Awaitable
from collections.abc import Callable
from pathlib import Path

import pytest
from lsprotocol import types
from testing.lsp_client import Session
from testing.lsp_client import apply_edits
from testing.lsp_client import server_env

EMAIL = "dana.whitfield@zorbex-corp.com"


def fake_aws_key() -> str:
    """A format-valid, obviously fake AWS access key id, new for every test."""
    alphabet = string.ascii_uppercase + "234567"
    return "AKIA" + "".join(secrets.choice(alphabet) for _ in range(16))


def run(tmp_path: Path, body: Callable[[Session], Awaitable[None]], *, args: tuple[str, ...] = (),
        init: dict[str, object] | None = None, timeout: float = 60) -> Session:
    (tmp_path / ".git").mkdir(exist_ok=True)  # the project root for config discovery
    session = Session(tmp_path, server_env(), ["--debounce-ms", "20", *args])

    async def main() -> None:
        await session.start(init=init)
        try:
            await asyncio.wait_for(body(session), timeout)
        finally:
            await session.stop()

    asyncio.run(main())
    return session


def assert_clean(session: Session, *values: str) -> None:
    """No message, log line or stderr output of the server holds any of `values`."""
    for value in values:
        for raw in session.received:
            assert value not in raw, "a server message holds the secret"
        assert value not in session.stderr
        assert all(value not in m for m in session.logs + session.shown)


def test_open_publishes_errors_for_secrets_and_warnings_for_pii(tmp_path: Path) -> None:
    key = fake_aws_key()
    # Non-ASCII text before the key: columns are UTF-16 code units.
    text = f"# notes 😀\nkey = 'é{key}'\nmail {EMAIL}\n"
    path = tmp_path / "notes.py"
    path.write_text(text)
    got: list[types.Diagnostic] = []

    async def body(s: Session) -> None:
        uri = s.open(path, text, "python")
        got.extend(await s.diagnostics(uri, 1))

    session = run(tmp_path, body)
    by_code = {d.code: d for d in got}
    assert set(by_code) == {"aws-access-key-id", "email-address"}
    aws = by_code["aws-access-key-id"]
    assert aws.severity == types.DiagnosticSeverity.Error
    assert aws.source == "promptguard"
    assert (aws.range.start.line, aws.range.start.character) == (1, 8)
    assert (aws.range.end.line, aws.range.end.character) == (1, 28)
    assert "AWS access key ID" in aws.message and "AKIA…(20 chars)" in aws.message
    assert aws.code_description is not None and aws.code_description.href.startswith("https://")
    mail = by_code["email-address"]
    assert mail.severity == types.DiagnosticSeverity.Warning
    assert mail.range.start.line == 2
    assert_clean(session, key, EMAIL)


def test_incremental_changes_rescan_only_the_newest_version(tmp_path: Path) -> None:
    key = fake_aws_key()
    path = tmp_path / "prompt.md"
    text = "# Prompt\n\nSummarise the log.\n"
    seen: dict[int, list[types.Diagnostic]] = {}

    async def body(s: Session) -> None:
        uri = s.open(path, text, "markdown")
        seen[1] = await s.diagnostics(uri, 1)
        s.change(uri, 2, (2, 0), (2, 0), f"Use {key} for S3.\n")
        seen[2] = await s.diagnostics(uri, 2)
        # Delete the inserted line again: diagnostics clear.
        s.change(uri, 3, (2, 0), (3, 0), "")
        seen[3] = await s.diagnostics(uri, 3)

    session = run(tmp_path, body)
    assert seen[1] == []
    assert [d.code for d in seen[2]] == ["aws-access-key-id"]
    rng = seen[2][0].range
    assert (rng.start.line, rng.start.character, rng.end.character) == (2, 4, 24)
    assert seen[3] == []
    assert_clean(session, key)


def _action(actions: list[types.CodeAction], title: str) -> types.CodeAction:
    found = [a for a in actions if a.title.startswith(title)]
    assert found, f"no {title!r} action in {[a.title for a in actions]}"
    return found[0]


def test_code_actions_fix_the_finding(tmp_path: Path) -> None:
    key = fake_aws_key()
    text = f"import os\n\n    aws_access_key_id = '{key}'\n"
    path = tmp_path / "app.py"
    path.write_text(text)
    out: dict[str, object] = {}

    async def body(s: Session) -> None:
        uri = s.open(path, text, "python")
        diags = await s.diagnostics(uri, 1)
        assert len(diags) == 1
        actions = await s.code_actions(uri, diags[0].range, diags)
        out["titles"] = [a.title for a in actions]

        # Replace with a placeholder: the edit arrives on resolve.
        placeholder = _action(actions, "Replace with a placeholder")
        assert placeholder.edit is None and placeholder.is_preferred
        resolved = await s.resolve(placeholder)
        assert resolved.edit is not None and resolved.edit.changes is not None
        fixed = apply_edits(text, resolved.edit.changes[uri])
        out["fixed"] = fixed
        s.replace_all(uri, 2, fixed)
        out["after_placeholder"] = await s.diagnostics(uri, 2)

        # Allow here: a rule-named pragma in the file's comment syntax.
        s.replace_all(uri, 3, text)
        diags = await s.diagnostics(uri, 3)
        actions = await s.code_actions(uri, diags[0].range, diags)
        allow = _action(actions, "Allow here")
        assert allow.edit is not None and allow.edit.changes is not None
        allowed = apply_edits(text, allow.edit.changes[uri])
        out["allowed"] = allowed
        s.replace_all(uri, 4, allowed)
        out["after_allow"] = await s.diagnostics(uri, 4)

        # Explain: a message about the rule, never the value.
        s.replace_all(uri, 5, text)
        diags = await s.diagnostics(uri, 5)
        actions = await s.code_actions(uri, diags[0].range, diags)
        explain = _action(actions, "Explain")
        assert explain.command is not None
        out["explained"] = await s.execute(explain.command)
        hover = await s.client.text_document_hover_async(types.HoverParams(
            types.TextDocumentIdentifier(uri), diags[0].range.start))
        out["hover"] = hover

        # Add to baseline: writes the project's baseline; the rescan is clean.
        baseline = _action(actions, "Add to baseline")
        assert baseline.command is not None
        mark = len(s.published)
        out["baselined"] = await s.execute(baseline.command)
        out["after_baseline"] = await s.diagnostics(uri, 5, after=mark)

    session = run(tmp_path, body)
    fixed = str(out["fixed"])
    assert key not in fixed
    assert "aws_access_key_id = '<AWS_ACCESS_KEY_ID_1>'" in fixed
    assert out["after_placeholder"] == []
    assert str(out["allowed"]).splitlines()[2] == "    # promptguard: allow[aws-access-key-id]"
    assert out["after_allow"] == []
    explained = str(out["explained"])
    assert "aws-access-key-id" in explained and "AKIA…(20 chars)" in explained
    assert any("aws-access-key-id" in m for m in session.shown)
    hover = out["hover"]
    assert isinstance(hover, types.Hover) and "aws-access-key-id" in str(hover.contents)
    assert "added aws-access-key-id" in str(out["baselined"])
    baseline_file = tmp_path / ".promptguard-baseline.json"
    assert '"path": "app.py", "rule_id": "aws-access-key-id"' in baseline_file.read_text()
    assert out["after_baseline"] == []
    assert_clean(session, key)
    assert key not in baseline_file.read_text()


def test_pragma_uses_the_comment_syntax_of_the_language(tmp_path: Path) -> None:
    key = fake_aws_key()
    cases = {
        "a.md": ("markdown", f"Key: {key}\n", "<!-- promptguard: allow[aws-access-key-id] -->"),
        "b.ts": ("typescript", f"const k = '{key}';\n", "// promptguard: allow[aws-access-key-id]"),
        "c.sql": ("sql", f"SELECT '{key}';\n", "-- promptguard: allow[aws-access-key-id]"),
    }
    out: dict[str, tuple[str, list[types.Diagnostic]]] = {}

    async def body(s: Session) -> None:
        for name, (lang, text, _) in cases.items():
            uri = s.open(tmp_path / name, text, lang)
            diags = await s.diagnostics(uri, 1)
            actions = await s.code_actions(uri, diags[0].range, diags)
            allow = _action(actions, "Allow here")
            assert allow.edit is not None and allow.edit.changes is not None
            new = apply_edits(text, allow.edit.changes[uri])
            s.replace_all(uri, 2, new)
            out[name] = (new, await s.diagnostics(uri, 2))

    run(tmp_path, body)
    for name, (_, _, pragma) in cases.items():
        new, diags = out[name]
        assert new.splitlines()[0] == pragma
        assert diags == [], name


def test_json_gets_no_pragma_action(tmp_path: Path) -> None:
    key = fake_aws_key()
    text = f'{{"aws_access_key_id": "{key}"}}\n'
    titles: list[str] = []

    async def body(s: Session) -> None:
        uri = s.open(tmp_path / "creds.json", text, "json")
        diags = await s.diagnostics(uri, 1)
        titles.extend(a.title for a in await s.code_actions(uri, diags[0].range, diags))

    run(tmp_path, body)
    assert any(t.startswith("Replace with a placeholder") for t in titles)
    assert not any(t.startswith("Allow here") for t in titles)


def test_config_reload_on_watched_file_change_and_on_next_scan(tmp_path: Path) -> None:
    text = f"Ask {EMAIL} about the export.\n"
    path = tmp_path / "CLAUDE.md"
    severities: dict[str, object] = {}

    async def body(s: Session) -> None:
        uri = s.open(path, text, "markdown")
        severities["before"] = [d.severity for d in await s.diagnostics(uri, 1)]
        # 1. Editors that watch files tell the server: it reloads and rescans.
        (tmp_path / ".promptguard.toml").write_text(
            '[policy.surfaces.editor.category]\npii = "block"\n')
        mark = len(s.published)
        s.client.workspace_did_change_watched_files(types.DidChangeWatchedFilesParams([
            types.FileEvent((tmp_path / ".promptguard.toml").as_uri(),
                            types.FileChangeType.Created)]))
        severities["watched"] = [d.severity for d in await s.diagnostics(uri, 1, after=mark)]
        # 2. Without a notification, the next scan notices the new mtime.
        time.sleep(0.01)
        (tmp_path / ".promptguard.toml").write_text(
            '[policy.surfaces.editor.category]\npii = "allow"\n')
        s.change(uri, 2, (0, 0), (0, 0), " ")
        severities["stamp"] = await s.diagnostics(uri, 2)
        # 3. A broken config: one error diagnostic naming the file.
        (tmp_path / ".promptguard.toml").write_text("[policy.category]\npii = 3\n")
        s.change(uri, 3, (0, 0), (0, 0), " ")
        severities["broken"] = await s.diagnostics(uri, 3)

    session = run(tmp_path, body)
    assert severities["before"] == [types.DiagnosticSeverity.Warning]
    assert severities["watched"] == [types.DiagnosticSeverity.Error]
    assert severities["stamp"] == []
    broken = severities["broken"]
    assert isinstance(broken, list) and len(broken) == 1
    assert broken[0].severity == types.DiagnosticSeverity.Error
    assert ".promptguard.toml" in broken[0].message and "pii" in broken[0].message
    assert_clean(session, EMAIL)


def test_pyproject_config_is_respected(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[project]\nname = "x"\n\n[tool.promptguard.policy.rule]\naws-access-key-id = "warn"\n')
    key = fake_aws_key()
    got: list[types.Diagnostic] = []

    async def body(s: Session) -> None:
        sub = tmp_path / "src" / "pkg"
        sub.mkdir(parents=True)
        uri = s.open(sub / "settings.py", f"KEY = '{key}'\n", "python")
        got.extend(await s.diagnostics(uri, 1))

    run(tmp_path, body)
    assert [(d.code, d.severity) for d in got] == [
        ("aws-access-key-id", types.DiagnosticSeverity.Warning)]


def test_a_newer_edit_cancels_the_scan_of_a_large_document(tmp_path: Path) -> None:
    key = fake_aws_key()
    # Keyword-dense lines make the scan slow enough (~1-2 s) to be caught
    # running; the rest is a plain 5 MB log.
    dense = "ghp_ token akia secret key=value sk- xoxb-\n" * (1536 * 1024 // 43)
    plain = "INFO request served in 12 ms from cache node 7, nothing to report here\n"
    big = dense + plain * ((5 * 1024 * 1024 - len(dense)) // len(plain))
    text = big + f"aws_access_key_id = {key}\n"
    out: dict[str, object] = {}

    async def body(s: Session) -> None:
        uri = s.open(tmp_path / "big.log", text, "log")
        await s.wait_for(lambda: any("version 1 started" in m for m in s.logs))
        await asyncio.sleep(0.2)  # the scan of version 1 is under way
        started = time.monotonic()
        hover = await s.client.text_document_hover_async(types.HoverParams(
            types.TextDocumentIdentifier(uri), types.Position(0, 0)))
        out["hover_s"] = time.monotonic() - started
        out["hover"] = hover
        s.change(uri, 2, (0, 0), (0, 0), "x")
        s.change(uri, 3, (0, 0), (0, 0), "y")
        out["diags"] = await s.diagnostics(uri, 3, timeout=60)
        await asyncio.sleep(0.2)

    session = run(tmp_path, body, args=("--verbose",), timeout=90)
    # The loop answered while a 5 MB scan was running on the worker.
    assert out["hover"] is None
    assert float(str(out["hover_s"])) < 1.0
    versions = [p.version for p in session.published if p.uri.endswith("big.log")]
    assert versions == [3], versions
    assert any("version 1 cancelled" in m for m in session.logs), session.logs
    diags = out["diags"]
    assert isinstance(diags, list) and [d.code for d in diags] == ["aws-access-key-id"]
    n_lines = big.count("\n")
    assert diags[0].range.start.line == n_lines
    assert diags[0].range.start.character == len("aws_access_key_id = ")
    assert_clean(session, key)


def test_close_clears_diagnostics(tmp_path: Path) -> None:
    key = fake_aws_key()
    out: list[list[types.Diagnostic]] = []

    async def body(s: Session) -> None:
        uri = s.open(tmp_path / "t.txt", f"token {key}\n")
        out.append(await s.diagnostics(uri, 1))
        mark = len(s.published)
        s.client.text_document_did_close(types.DidCloseTextDocumentParams(
            types.TextDocumentIdentifier(uri)))
        out.append(await s.diagnostics(uri, None, after=mark))

    run(tmp_path, body)
    assert len(out[0]) == 1 and out[1] == []


@pytest.mark.parametrize("argv", [["lsp", "--help"]])
def test_lsp_command_is_registered(argv: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    from promptguard.cli import main

    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 0
    assert "--debounce-ms" in capsys.readouterr().out


def test_saving_audits_the_saved_version_and_typing_does_not(tmp_path: Path) -> None:
    import json
    import os

    log = Path(os.environ["PROMPTGUARD_AUDIT_LOG"])
    key = fake_aws_key()
    path = tmp_path / "deploy.sh"
    counts: list[int] = []

    def records() -> list[dict[str, object]]:
        if not log.exists():
            return []
        return [json.loads(line) for line in log.read_text().splitlines() if line.strip()]

    async def body(s: Session) -> None:
        uri = s.open(path, "echo hi\n", "shellscript")
        await s.diagnostics(uri, 1)
        s.change(uri, 2, (1, 0), (1, 0), f"export AWS_ACCESS_KEY_ID={key}\n")
        await s.diagnostics(uri, 2)
        counts.append(len(records()))
        s.client.text_document_did_save(types.DidSaveTextDocumentParams(
            types.TextDocumentIdentifier(uri)))
        await s.wait_for(lambda: len(records()) > 0, timeout=10)

    run(tmp_path, body)
    assert counts == [0]
    got = records()
    assert [(r["surface"], r["action"]) for r in got] == [("editor", "block")]
    assert "aws-access-key-id" in json.dumps(got)
    assert key not in log.read_text()


def test_replace_every_finding_in_the_file(tmp_path: Path) -> None:
    keys = [fake_aws_key(), fake_aws_key()]
    text = f"a = '{keys[0]}'\nmail = '{EMAIL}'\nb = '{keys[1]}'\nc = '{keys[0]}'\n"
    out: dict[str, object] = {}

    async def body(s: Session) -> None:
        uri = s.open(tmp_path / "cfg.py", text, "python")
        diags = await s.diagnostics(uri, 1)
        assert len(diags) == 4
        actions = await s.code_actions(uri, diags[0].range, diags[:1])
        every = _action(actions, "Replace every finding in this file")
        resolved = await s.resolve(every)
        assert resolved.edit is not None and resolved.edit.changes is not None
        out["fixed"] = fixed = apply_edits(text, resolved.edit.changes[uri])
        s.replace_all(uri, 2, fixed)
        out["after"] = await s.diagnostics(uri, 2)

    session = run(tmp_path, body)
    lines = str(out["fixed"]).splitlines()
    # Same value, same placeholder; PII gets its own kind of placeholder.
    assert lines[0] == lines[3].replace("c = ", "a = ") == "a = '<AWS_ACCESS_KEY_ID_1>'"
    assert lines[2] == "b = '<AWS_ACCESS_KEY_ID_2>'"
    assert lines[1].startswith("mail = '<") and EMAIL not in lines[1]
    assert out["after"] == []
    assert_clean(session, *keys, EMAIL)


def test_one_guard_per_project_root(tmp_path: Path) -> None:
    strict, plain = tmp_path / "strict", tmp_path / "plain"
    for project in (strict, plain):
        (project / "my docs").mkdir(parents=True)
        (project / ".git").mkdir()
    (strict / ".promptguard.toml").write_text('[policy.category]\npii = "block"\n')
    text = f"Owner: {EMAIL}\n"
    got: dict[str, list[types.Diagnostic]] = {}

    async def body(s: Session) -> None:
        for name, project in (("strict", strict), ("plain", plain)):
            uri = s.open(project / "my docs" / "README.md", text, "markdown")
            got[name] = await s.diagnostics(uri, 1)
        # A notebook cell finds its notebook's project; an untitled buffer the workspace's.
        cell = f"vscode-notebook-cell:{strict.as_posix()}/analysis.ipynb#W0sZmlsZQ%3D%3D"
        s.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri=cell, language_id="python", version=1, text=text)))
        got["cell"] = await s.diagnostics(cell, 1)
        s.client.text_document_did_open(types.DidOpenTextDocumentParams(
            types.TextDocumentItem(uri="untitled:Untitled-1", language_id="plaintext",
                                   version=1, text=text)))
        got["untitled"] = await s.diagnostics("untitled:Untitled-1", 1)

    run(tmp_path, body)
    assert [d.severity for d in got["strict"]] == [types.DiagnosticSeverity.Error]
    assert [d.severity for d in got["plain"]] == [types.DiagnosticSeverity.Warning]
    assert [d.severity for d in got["cell"]] == [types.DiagnosticSeverity.Error]
    assert [d.code for d in got["untitled"]] == ["email-address"]


def test_clients_without_resolve_get_the_edit_up_front(tmp_path: Path) -> None:
    key = fake_aws_key()
    text = f"token = '{key}'\n"
    out: list[types.CodeAction] = []
    plain = types.ClientCapabilities(text_document=types.TextDocumentClientCapabilities(
        code_action=types.CodeActionClientCapabilities()))

    async def body(s: Session) -> None:
        uri = s.open(tmp_path / "a.py", text, "python")
        diags = await s.diagnostics(uri, 1)
        out.extend(await s.code_actions(uri, diags[0].range, diags))

    tmp_path.joinpath(".git").mkdir()
    session = Session(tmp_path, server_env(), ["--debounce-ms", "20"])

    async def main() -> None:
        await session.start(capabilities=plain)
        try:
            await asyncio.wait_for(body(session), 60)
        finally:
            await session.stop()

    asyncio.run(main())
    placeholder = _action(out, "Replace with a placeholder")
    assert placeholder.edit is not None and placeholder.edit.changes is not None
    [edit] = next(iter(placeholder.edit.changes.values()))
    assert edit.new_text == "<AWS_ACCESS_KEY_ID_1>"
    assert_clean(session, key)
