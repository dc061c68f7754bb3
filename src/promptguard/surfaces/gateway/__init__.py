"""`promptguard gateway`: a redacting proxy for the Anthropic and OpenAI APIs.

Clients (Claude Code, the SDKs, Codex) point their base URL at it. Every
request's text parts are redacted with the `gateway` surface policy before
they leave (the one way to redact a prompt a user types into an agent);
answers get the restorable values back, in JSON and in SSE streams.

Modules: walkers (which parts of a request are text), requests (one guard
call per request), restore and sse (answers), app (HTTP), server (run),
settings, claude_code (settings.json env block). Needs the `gateway`
extra (aiohttp).
"""
