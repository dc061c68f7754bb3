"""No diagnostic, log line or LSP message of `promptguard lsp` holds a value it found.

Every rule's own examples (loaded from the ruleset) go through the server:
one document per rule, then its diagnostics, code actions (resolved, so
the placeholder edits are computed), hovers and explanations. Each value
the guard finds in those documents is then looked for in every message the
server sent, in its stderr and in the audit log written on save.
"""
from __future__ import annotations

import asyncio
import os
from pathlib import Path

from lsprotocol import types
from testing.lsp_client import Session
from testing.lsp_client import server_env

from promptguard.guard import Guard
from promptguard.guard import GuardOptions
from promptguard.models import Rule

# Shorter values can turn up by chance inside a hex fingerprint, a line
# number or a timestamp, so they are looked for in the document's own
# human-readable output (messages, hovers, explanations, edits) instead.
SHORT = 8


def _rules() -> dict[str, Rule]:
    from promptguard.ruleset import load_ruleset

    # Parsed from the packs: the rule cache leaves the examples out.
    rules = load_ruleset([], builtin=True, cache_dir=None).rules
    return {r.id: r for r in rules if r.examples}


def test_no_server_output_holds_a_found_value(tmp_path: Path) -> None:
    (tmp_path / ".git").mkdir()
    rules = _rules()
    docs = {rule_id: "\n".join(r.examples) + "\n" for rule_id, r in rules.items()}
    assert len(docs) > 300  # every built-in rule has examples
    guard = Guard.load("editor", start=tmp_path, options=GuardOptions(audit=False))
    values: dict[str, set[str]] = {}
    for rule_id, text in docs.items():
        verdict = guard.check(text, audit=False)
        values[rule_id] = {text[d.finding.start:d.finding.end] for d in verdict.decisions}
    # A value quoted in a rule's own documentation (the phone rule's
    # description cites +1 (415) 867-5309) is public text that Explain
    # shows on purpose, not something found in the user's document.
    documented = {rule_id: {v for v in vs if any(
        v in f"{r.name} {r.description}" for r in rules.values())}
        for rule_id, vs in values.items()}
    assert sum(len(d) for d in documented.values()) <= 3
    assert sum(len(vs) for vs in values.values()) > 300
    readable: dict[str, list[str]] = {rule_id: [] for rule_id in docs}
    session = Session(tmp_path, server_env(), ["--debounce-ms", "0"])
    counts = {"diagnostics": 0, "resolved": 0, "explained": 0}

    async def body() -> None:
        await session.start()
        uris = {rule_id: session.open(tmp_path / f"{rule_id}.txt", text)
                for rule_id, text in docs.items()}
        async def one(uri: str) -> None:
            diags = await session.diagnostics(uri, 1, timeout=60)
            counts["diagnostics"] += len(diags)
            own = readable[uri.rsplit("/", 1)[-1].removesuffix(".txt")]
            for d in diags:
                own.append(d.message)
                actions = await session.code_actions(uri, d.range, [d])
                for a in actions:
                    own.append(a.title)
                    if a.data is not None:
                        resolved = await session.resolve(a)
                        counts["resolved"] += resolved.edit is not None
                        if resolved.edit is not None:
                            own.extend(e.new_text
                                       for e in (resolved.edit.changes or {}).get(uri, ()))
                    elif a.command is not None and a.command.command == "promptguard.explain":
                        explained = await session.execute(a.command)
                        counts["explained"] += explained is not None
                        own.append(str(explained))
                    elif a.edit is not None:
                        own.extend(e.new_text for e in (a.edit.changes or {}).get(uri, ()))
                hover = await session.client.text_document_hover_async(types.HoverParams(
                    types.TextDocumentIdentifier(uri), d.range.start))
                own.append(str(hover.contents) if hover is not None else "")
            session.client.text_document_did_save(types.DidSaveTextDocumentParams(
                types.TextDocumentIdentifier(uri)))

        # A few documents at a time: round trips overlap, the server stays bounded.
        pending = list(uris.values())
        while pending:
            batch, pending = pending[:16], pending[16:]
            await asyncio.gather(*(one(uri) for uri in batch))
        await session.stop()

    asyncio.run(asyncio.wait_for(body(), 240))
    assert counts["diagnostics"] > 300 and counts["resolved"] > 300 and counts["explained"] > 300
    outputs = [*session.received, session.stderr]
    audit_log = Path(os.environ["PROMPTGUARD_AUDIT_LOG"])
    if audit_log.exists():
        outputs.append(audit_log.read_text())
    assert any("promptguard/publishDiagnostics" in o or "publishDiagnostics" in o
               for o in outputs)
    leaked = {rule_id for rule_id, vs in values.items() for v in vs
              if v not in documented[rule_id] and any(v in o for o in readable[rule_id])}
    # Every long value against everything the server wrote, in one pass
    # (Aho-Corasick): a value-by-output loop is quadratic in the rule count.
    import ahocorasick

    automaton = ahocorasick.Automaton()
    for rule_id, vs in values.items():
        for v in vs:
            if len(v) >= SHORT and v not in documented[rule_id]:
                ids = automaton.get(v, set())
                ids.add(rule_id)
                automaton.add_word(v, ids)
    if len(automaton):
        automaton.make_automaton()
        for o in outputs:
            for _, ids in automaton.iter(o):
                leaked |= ids
    # Rule ids only: a failure message must not print the values either.
    assert sorted(leaked) == [], f"values found by these rules appear in server output: {leaked}"
