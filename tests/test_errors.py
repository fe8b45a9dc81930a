"""kiosk.errors.reading_file: why a user's file cannot be read, in one sentence."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.cards.rules import load_rules
from kiosk.errors import UserError


def test_a_file_that_is_not_utf8_names_the_bad_byte_and_its_line(tmp_path: Path) -> None:
    # Notepad's "Unicode" (UTF-16) and Windows-1252 files are the usual culprits
    rules = tmp_path / "card-rules.toml"
    rules.write_bytes(b'[[rules]]\nname = "caf\xe9"\n')
    with pytest.raises(UserError) as raised:
        load_rules(rules)
    assert f"The rules file {rules} is not UTF-8 text at line 2 (byte 0xE9 at position 12)" in str(
        raised.value
    )
    utf16 = tmp_path / "utf16.toml"
    utf16.write_text("[[rules]]\n", encoding="utf-16")
    with pytest.raises(UserError) as raised:
        load_rules(utf16)
    assert "at line 1 (byte 0xFF at position 1)" in str(raised.value)
