from __future__ import annotations

import inspect
import random

import pytest
from testing import fakes

from promptguard import output
from promptguard.cli import main


def test_every_registered_formatter_loads_and_takes_a_report() -> None:
    assert output.NAMES == tuple(output.FORMATTERS) == ("text", "json", "sarif")
    for name in output.NAMES:
        formatter = output.get(name)
        assert list(inspect.signature(formatter).parameters) == ["report", "color"]
    with pytest.raises(KeyError):
        output.get("xml")


@pytest.mark.parametrize("name", output.NAMES)
def test_scan_offers_and_uses_each_format(
    name: str, tmp_path, capsys: pytest.CaptureFixture[str],
) -> None:
    key = fakes.aws_key_id(random.Random(8))
    target = tmp_path / "app.env"
    target.write_text(f"AWS_ACCESS_KEY_ID={key}\n")
    assert main(["scan", "--format", name, str(target)]) == 1
    out = capsys.readouterr().out
    assert "aws-access-key-id" in out and key not in out
