#!/usr/bin/env bash
# The clipboard watcher's end-to-end tests: Xvfb + xclip (X11), headless
# sway + wl-clipboard (Wayland), dbus-daemon for a private session bus,
# systemd-analyze to verify the user unit. sway refuses to run as root, so
# the tests run it as an unprivileged user (testing/desktop.py), created here.
set -euo pipefail
source "$(dirname "$0")/lib.sh"
apt_install xvfb xauth xclip wl-clipboard sway dbus systemd desktop-file-utils
user="${PROMPTGUARD_TEST_USER:-pgtest}"
if [ "$(id -u)" = 0 ] && ! id "$user" >/dev/null 2>&1; then
    useradd --create-home --shell /usr/sbin/nologin "$user"
fi
