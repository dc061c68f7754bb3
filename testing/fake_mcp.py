"""A minimal MCP server on stdio (JSON-RPC, one message per line) with one tool.

Stands in for a real MCP server so the real Claude Code CLI can make an MCP
tool call in tests: `lookup` answers with the text in $FAKE_MCP_RESULT.
Run as `python testing/fake_mcp.py`.
"""
from __future__ import annotations

import json
import os
import sys
from typing import Any

TOOL = {"name": "lookup", "description": "Look a customer up by name.",
        "inputSchema": {"type": "object", "properties": {"q": {"type": "string"}},
                        "required": ["q"]}}


def reply(request: dict[str, Any]) -> dict[str, Any] | None:
    method = request.get("method")
    if "id" not in request:
        return None  # a notification
    if method == "initialize":
        version = request.get("params", {}).get("protocolVersion", "2025-06-18")
        result: dict[str, Any] = {"protocolVersion": version, "capabilities": {"tools": {}},
                                  "serverInfo": {"name": "fake", "version": "1.0"}}
    elif method == "tools/list":
        result = {"tools": [TOOL]}
    elif method == "tools/call":
        result = {"content": [{"type": "text", "text": os.environ.get("FAKE_MCP_RESULT", "")}],
                  "isError": False}
    else:
        return {"jsonrpc": "2.0", "id": request["id"],
                "error": {"code": -32601, "message": f"no method {method}"}}
    return {"jsonrpc": "2.0", "id": request["id"], "result": result}


def main() -> int:
    for line in sys.stdin:
        if not line.strip():
            continue
        answer = reply(json.loads(line))
        if answer is not None:
            sys.stdout.write(json.dumps(answer) + "\n")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
