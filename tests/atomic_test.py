from __future__ import annotations

import os
import stat
import sys
from pathlib import Path

import pytest

from promptguard import atomic


def test_replaces_the_file_private_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "vault.json"
    path.write_text("old")
    atomic.write_text(path, "new\nline\r\n")
    assert path.read_bytes() == b"new\nline\r\n"  # no newline translation
    assert os.listdir(tmp_path) == ["vault.json"]
    if sys.platform != "win32":
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_failed_replace_keeps_the_old_file_and_removes_the_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "baseline.json"
    path.write_bytes(b"old")

    def broken(src: str, dst: str) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", broken)
    with pytest.raises(OSError, match="No space"):
        atomic.write_bytes(path, b"new")
    assert path.read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["baseline.json"]


def test_encoding_errors_write_nothing(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    with pytest.raises(UnicodeEncodeError):
        atomic.write_text(path, "é", encoding="ascii")
    assert os.listdir(tmp_path) == []


def test_a_cache_that_cannot_be_written_is_not_an_error(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("")
    assert atomic.write_cache(tmp_path / "file" / "sub" / "x.cache", b"data") is False
    assert atomic.write_cache(tmp_path / "new" / "x.cache", b"data") is True
    assert (tmp_path / "new" / "x.cache").read_bytes() == b"data"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX modes")
def test_a_given_mode_is_set_before_the_file_appears(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    path = tmp_path / "settings.json"
    path.write_text("{}")
    os.chmod(path, 0o640)
    seen: list[int] = []
    real_replace = os.replace

    def replace(src: str, dst: str) -> None:
        seen.append(stat.S_IMODE(os.stat(src).st_mode))  # what the rename publishes
        real_replace(src, dst)

    monkeypatch.setattr(os, "replace", replace)
    atomic.write_text(path, '{"hooks": {}}', mode=0o640)
    assert seen == [0o640]
    assert stat.S_IMODE(path.stat().st_mode) == 0o640
    assert path.read_text() == '{"hooks": {}}'
