"""The clipboard surface: `promptguard watch`, a daemon that sees every copy.

Layout:

* `base`     the Backend interface every platform implements, and the
             records (Change, Content) that cross it;
* `watcher`  what happens to one copy (scan, redact, warn, skip), the
             own-write guard, the rate limit and the restore-last stash;
             no I/O of its own, so it is tested against a fake backend;
* `daemon`   the event loop: backend, control socket and signals in one
             selector (no busy polling), reconnects when the display goes;
* `x11`, `wayland`, `macos`, `windows`  the backends;
* `control`  the per-user socket (`--restore-last`, `service status`);
* `notify`   desktop notifications (freedesktop D-Bus, osascript);
* `service`  systemd user unit, XDG autostart, launchd agent, Run key.
"""
