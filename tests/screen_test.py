"""Screen.skips: the files a scan leaves out (baselines, the baseline target)."""
from __future__ import annotations

from pathlib import Path

from promptguard.screen import Screen


def test_skips_the_target_by_any_path_that_resolves_to_it(tmp_path: Path) -> None:
    target = tmp_path / "records" / "known-findings.json"
    target.parent.mkdir()
    target.write_text("{}")
    other = tmp_path / "records" / "notes.txt"
    other.write_text("x")
    (tmp_path / "sub").mkdir()
    link = tmp_path / "alias.json"
    link.symlink_to(target)
    dir_link = tmp_path / "dirlink"
    dir_link.symlink_to(target.parent, target_is_directory=True)
    screen = Screen(skip=[target])
    for path in (
        target,
        tmp_path / "sub" / ".." / "records" / "known-findings.json",
        link,  # another name, a symlink to it
        dir_link / "known-findings.json",  # through a symlinked directory
    ):
        assert screen.skips(path, str(path)), path
    for path in (other, dir_link / "notes.txt", tmp_path / "sub"):
        assert not screen.skips(path, str(path)), path


def test_nothing_to_skip_skips_nothing(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_text("x")
    assert not Screen().skips(path, str(path))
