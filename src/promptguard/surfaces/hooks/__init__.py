"""Agent hooks: `promptguard hook` for coding agents that run a command per event.

The flow for one event (run.py): read the payload from stdin (size-capped),
pick the host (`--agent NAME`, else the first host in `hosts.HOSTS` whose
`detect()` accepts the payload), `host.parse(payload)` into a normalized
`event.Event`, load the guard for `host.surface` from the payload's cwd,
check (prompt / pre-tool) or redact (post-tool) each of the event's texts,
and `host.render(event, outcome)` the result in the host's own format. Any
failure becomes `host.render_error(event_or_None, message, on_error)`:
never a traceback, never exit 1 (hosts treat exit 1 as "let it through").

Adding a host:

1. write `hosts/<name>.py`, a module satisfying `hosts.Host` (module-level
   `name`, `surface`, and the functions `detect`, `parse`, `render`,
   `render_error`); `hosts/claude_code.py` is the model. Keep its top-level
   imports to the standard library's cheap modules: it is imported on every
   hook call. Use `event.string_leaves` / `event.replace_leaves` for
   tool payloads and `messages` for the wording of reasons;
2. add it to `hosts.HOSTS` *before* `claude-code` if its payload could
   also look like Claude Code's (detection takes the first match);
3. for `promptguard install/uninstall/doctor`, write `setup/<name>.py`
   satisfying `setup.Installer` and add it to `setup.INSTALLERS`;
   `setup/jsonfile.py` has the shared settings-file helpers (refuse
   malformed JSON, backup, atomic write, idempotent merge);
4. for `promptguard history`, write `history/<name>.py` satisfying
   `history.History` and add it to `history.HISTORIES`;
5. golden tests in `tests/surfaces/hooks/<name>_test.py`, and an
   end-to-end test against the real CLI where it runs here.
"""
