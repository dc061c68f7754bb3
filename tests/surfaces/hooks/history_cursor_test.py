"""`history scan|scrub cursor` on a chat store built to the layout ggshield and agentscrub
read (cursorDiskKV bubbleId:/composerData: JSON values); Cursor itself does not run here."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from testing.hookgolden import key

PROMPTGUARD = Path(sys.executable).with_name("promptguard")


def _store(home: Path, rows: dict[str, object]) -> Path:
    path = home / ".config" / "Cursor" / "User" / "globalStorage" / "state.vscdb"
    path.parent.mkdir(parents=True)
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE cursorDiskKV (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)")
    db.execute("CREATE TABLE ItemTable (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)")
    for k, v in rows.items():
        db.execute("INSERT INTO cursorDiskKV VALUES (?, ?)", (k, json.dumps(v)))
    db.execute("INSERT INTO ItemTable VALUES ('other', 'untouched')")
    db.commit()
    db.close()
    old = time.time() - 3600
    os.utime(path, (old, old))
    return path


def pg(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(PROMPTGUARD), *args], capture_output=True, text=True,
                          timeout=60, check=False)


@pytest.mark.skipif(sys.platform != "linux", reason="the Linux store location")
def test_scan_and_scrub_the_cursor_chat_store() -> None:
    home = Path(os.environ["HOME"])
    k = key()
    bubble = {"_v": 2, "type": 1, "bubbleId": "b1", "createdAt": 1764745200000,
              "text": f"deploy with {k}", "richText": json.dumps({"root": {"text": k}})}
    path = _store(home, {"bubbleId:c1:b1": bubble,
                         "composerData:c1": {"composerId": "c1", "name": "chat"},
                         "unrelated:key": {"text": k}})
    scan = pg("history", "scan", "cursor")
    assert scan.returncode == 1
    assert "aws-access-key-id" in scan.stdout and "session c1" in scan.stdout
    assert k not in scan.stdout + scan.stderr

    scrub = pg("history", "scrub", "cursor", "--active-minutes", "1")
    assert scrub.returncode == 0, scrub.stderr
    db = sqlite3.connect(path)
    values = dict(db.execute("SELECT key, value FROM cursorDiskKV"))
    assert db.execute("SELECT value FROM ItemTable").fetchone() == ("untouched",)
    db.close()
    new = json.loads(values["bubbleId:c1:b1"])
    assert new["text"] == "deploy with <AWS_ACCESS_KEY_ID_1>"
    assert k not in new["richText"] and new.keys() == bubble.keys()
    assert k in values["unrelated:key"].decode() if isinstance(values["unrelated:key"], bytes) \
        else k in values["unrelated:key"]  # only chat records are touched
    backups = list((home / ".local" / "share" / "promptguard").rglob("state.vscdb"))
    assert backups


def test_scrub_refuses_while_cursor_may_be_running() -> None:
    home = Path(os.environ["HOME"])
    path = _store(home, {"bubbleId:c1:b1": {"text": f"key {key()}"}})
    os.utime(path)  # just written
    scrub = pg("history", "scrub", "cursor")
    assert "Cursor may be running" in scrub.stderr
