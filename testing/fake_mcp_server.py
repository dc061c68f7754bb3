"""A minimal MCP server over stdio (JSON-RPC 2.0, one JSON message per line).

One tool, `read_config`, returns the text in $FAKE_MCP_OUTPUT: enough for an
agent CLI to list the tool, call it, and hand its output to hooks. Run as
`python -m testing.fake_mcp_server` (or by path).
"""
from __future__ import annotations

import json
import os
import sys
from typing import Any

TOOL = {
    "name": "read_config",
    "description": "Return the deployment configuration.",
    "inputSchema": {"type": "object", "properties": {"name": {"type": "string"}}},
}


def handle(msg: dict[str, Any]) -> dict[str, Any] | None:
    method = msg.get("method")
    if "id" not in msg:
        return None  # a notification
    if method == "initialize":
        result: dict[str, Any] = {
            "protocolVersion": msg.get("params", {}).get("protocolVersion", "2025-06-18"),
            "capabilities": {"tools": {}},
            "serverInfo": {"name": "fake", "version": "1.0"},
        }
    elif method == "tools/list":
        result = {"tools": [TOOL]}
    elif method == "tools/call":
        text = os.environ.get("FAKE_MCP_OUTPUT", "nothing configured")
        result = {"content": [{"type": "text", "text": text}], "isError": False}
    else:
        return {"jsonrpc": "2.0", "id": msg["id"],
                "error": {"code": -32601, "message": f"no method {method}"}}
    return {"jsonrpc": "2.0", "id": msg["id"], "result": result}


def main() -> int:
    for line in sys.stdin:
        if not line.strip():
            continue
        reply = handle(json.loads(line))
        if reply is not None:
            sys.stdout.write(json.dumps(reply) + "\n")
            sys.stdout.flush()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
