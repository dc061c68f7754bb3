from __future__ import annotations

import pytest

from promptguard.surfaces.lsp import comments
from promptguard.surfaces.lsp.positions import Position
from promptguard.surfaces.lsp.positions import positions


@pytest.mark.parametrize(("language", "name", "expected"), [
    ("python", "a.py", "# promptguard: allow[r]"),
    ("markdown", "CLAUDE.md", "<!-- promptguard: allow[r] -->"),
    ("typescript", "a.ts", "// promptguard: allow[r]"),
    ("lua", "init.lua", "-- promptguard: allow[r]"),
    ("css", "a.css", "/* promptguard: allow[r] */"),
    ("plaintext", ".cursorrules", "promptguard: allow[r]"),
    ("", "Dockerfile", "# promptguard: allow[r]"),
    (None, "notes.sql", "-- promptguard: allow[r]"),
])
def test_pragma_comment_syntax(language: str | None, name: str, expected: str) -> None:
    syntax = comments.syntax_for(language, name)
    assert syntax is not None
    assert syntax.wrap("promptguard: allow[r]") == expected


@pytest.mark.parametrize(("language", "name"), [("json", "a.json"), ("", "data.jsonl"),
                                                ("plaintext", "x.ipynb")])
def test_no_pragma_where_comments_do_not_exist(language: str, name: str) -> None:
    assert comments.syntax_for(language, name) is None


def test_pragma_is_inserted_above_with_the_line_indent() -> None:
    lines = ["def f():", "    key = 'x'"]
    edit = comments.pragma_edit(lines, 1, "aws-access-key-id", comments.HASH)
    assert edit == comments.PragmaEdit(1, 0, 0, "    # promptguard: allow[aws-access-key-id]\n")


def test_an_existing_pragma_above_gets_the_rule_added() -> None:
    lines = ["  # promptguard: allow[github-pat]", "  a = b"]
    edit = comments.pragma_edit(lines, 1, "aws-access-key-id", comments.HASH)
    assert edit.line == 0
    new = lines[0][:edit.start] + edit.text + lines[0][edit.end:]
    assert new == "  # promptguard: allow[github-pat, aws-access-key-id]"


def test_positions_count_utf16_units_and_lines() -> None:
    text = "a😀b\nxé😀y\n"
    got = positions(text, [2, 7, 8], "utf-16")
    assert got[2] == Position(0, 3)  # the emoji is two UTF-16 units
    assert got[7] == Position(1, 4)  # x, é, then the emoji's two units
    assert got[8] == Position(1, 5)
    assert positions(text, [7], "utf-8")[7] == Position(1, 1 + 2 + 4)
    assert positions(text, [7], "utf-32")[7] == Position(1, 3)
