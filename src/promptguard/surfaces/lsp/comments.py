"""How to write `promptguard: allow[rule-id]` as a comment in a given file."""
from __future__ import annotations

import re
from typing import NamedTuple


class CommentSyntax(NamedTuple):
    start: str
    end: str = ""

    def wrap(self, body: str) -> str:
        if not self.start:
            return body
        return f"{self.start} {body} {self.end}".rstrip()


HASH = CommentSyntax("#")
SLASHES = CommentSyntax("//")
DASHES = CommentSyntax("--")
HTML = CommentSyntax("<!--", "-->")
BLOCK = CommentSyntax("/*", "*/")
SEMICOLON = CommentSyntax(";")
PERCENT = CommentSyntax("%")
# Plain text has no comment syntax: the pragma stands on its own line
# (the engine honours it wherever it appears on the line above).
BARE = CommentSyntax("")

# LSP language identifiers (the spec's list plus common editor ones).
_BY_LANGUAGE: dict[str, CommentSyntax] = {
    **dict.fromkeys((
        "python", "shellscript", "sh", "bash", "zsh", "fish", "yaml", "toml", "ruby", "perl",
        "r", "dockerfile", "makefile", "ini", "properties", "dotenv", "env", "conf", "nix",
        "powershell", "coffeescript", "julia", "elixir", "crystal", "nim", "cmake", "terraform",
        "hcl", "graphql", "gitignore", "ignore", "editorconfig", "starlark", "awk", "tcl",
    ), HASH),
    **dict.fromkeys((
        "javascript", "javascriptreact", "typescript", "typescriptreact", "java", "c", "cpp",
        "csharp", "go", "rust", "swift", "kotlin", "scala", "php", "jsonc", "json5", "dart",
        "groovy", "objective-c", "objective-cpp", "fsharp", "zig", "proto", "protobuf", "solidity",
        "scss", "less", "glsl", "hlsl", "d", "vala", "v",
    ), SLASHES),
    **dict.fromkeys(("sql", "lua", "haskell", "elm", "ada", "plsql", "purescript"), DASHES),
    **dict.fromkeys((
        "markdown", "mdx", "html", "xml", "xsl", "svg", "vue", "svelte", "astro", "razor",
    ), HTML),
    **dict.fromkeys(("css",), BLOCK),
    **dict.fromkeys(("clojure", "lisp", "scheme", "racket", "commonlisp", "elisp", "asm"),
                    SEMICOLON),
    **dict.fromkeys(("latex", "tex", "bibtex", "erlang", "matlab", "prolog"), PERCENT),
    "vim": CommentSyntax('"'),
    "bat": CommentSyntax("REM"),
    "plaintext": BARE,
    "text": BARE,
}
_BY_SUFFIX: dict[str, CommentSyntax] = {
    **dict.fromkeys((
        ".py", ".sh", ".bash", ".zsh", ".yaml", ".yml", ".toml", ".rb", ".pl", ".r", ".ini",
        ".cfg", ".conf", ".env", ".properties", ".tf", ".hcl", ".ps1", ".nix", ".cmake",
    ), HASH),
    **dict.fromkeys((
        ".js", ".jsx", ".mjs", ".cjs", ".ts", ".tsx", ".java", ".c", ".h", ".cc", ".cpp", ".hpp",
        ".cs", ".go", ".rs", ".swift", ".kt", ".kts", ".scala", ".php", ".jsonc", ".json5",
        ".dart", ".groovy", ".gradle", ".m", ".zig", ".proto", ".sol", ".scss", ".less",
    ), SLASHES),
    **dict.fromkeys((".sql", ".lua", ".hs", ".elm"), DASHES),
    **dict.fromkeys((".md", ".mdx", ".markdown", ".html", ".htm", ".xml", ".svg", ".vue",
                     ".svelte", ".mdc"), HTML),
    ".css": BLOCK,
    **dict.fromkeys((".clj", ".el", ".lisp", ".scm", ".rkt"), SEMICOLON),
    **dict.fromkeys((".tex", ".erl", ".bib"), PERCENT),
    ".vim": CommentSyntax('"'),
    **dict.fromkeys((".bat", ".cmd"), CommentSyntax("REM")),
    ".txt": BARE,
}
# Agent instruction files are Markdown or plain text whatever their name.
_BY_NAME: dict[str, CommentSyntax] = {
    "Dockerfile": HASH, "Makefile": HASH, "Containerfile": HASH, ".gitignore": HASH,
    ".cursorrules": BARE, ".windsurfrules": BARE, ".clinerules": BARE,
}
# Formats where any added line changes the data (JSON has no comments).
NO_COMMENTS = frozenset({"json", ".json", ".ipynb", "jsonl", ".jsonl", ".csv", ".lock"})


def syntax_for(language_id: str | None, filename: str) -> CommentSyntax | None:
    """The comment syntax for a document, or None where no comment can be added."""
    lang = (language_id or "").lower()
    suffix = ("." + filename.rsplit(".", 1)[-1].lower()) if "." in filename[1:] else ""
    # A .json file stays data even if the editor calls it plain text;
    # only a language that has comments (jsonc) overrides its suffix.
    if lang in NO_COMMENTS or (suffix in NO_COMMENTS and lang not in ("jsonc", "json5")):
        return None
    if lang in _BY_LANGUAGE:
        return _BY_LANGUAGE[lang]
    if filename in _BY_NAME:
        return _BY_NAME[filename]
    return _BY_SUFFIX.get(suffix, BARE if lang in ("", "plaintext") else HASH)


def pragma(rule_id: str) -> str:
    """The pragma that allows `rule_id`; spelled in pieces so that this source
    file holds no pragma-shaped text (the repository scans itself)."""
    return "promptguard: " + "allow" + f"[{rule_id}]"


_PRAGMA = re.compile(r"promptguard:\s*allow\[([^\]\n]*)\]")


class PragmaEdit(NamedTuple):
    """Replace `line` (0-based) columns [start, end) with `text` (code points)."""

    line: int
    start: int
    end: int
    text: str


def pragma_edit(
    lines: list[str], line: int, rule_id: str, syntax: CommentSyntax,
) -> PragmaEdit:
    """The edit that allows `rule_id` on `line` (0-based, `lines` without newlines).

    An existing pragma on the line above gets the rule added to its list;
    otherwise a new comment line is inserted above, indented like the line.
    """
    above = lines[line - 1] if line > 0 else None
    if above is not None:
        m = _PRAGMA.search(above)
        if m is not None:
            ids = [r.strip() for r in m.group(1).split(",") if r.strip()]
            if rule_id in ids:
                return PragmaEdit(line - 1, m.start(1), m.end(1), m.group(1))
            return PragmaEdit(line - 1, m.start(1), m.end(1), ", ".join([*ids, rule_id]))
    current = lines[line] if line < len(lines) else ""
    indent = current[: len(current) - len(current.lstrip(" \t"))]
    return PragmaEdit(line, 0, 0, f"{indent}{syntax.wrap(pragma(rule_id))}\n")
