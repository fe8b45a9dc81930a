"""A keyboard layout file (a reader's layout= option) that cannot be read is one sentence in
the project's file vocabulary (kiosk.errors.reading_file)."""

from __future__ import annotations

from pathlib import Path

import pytest

pytest.importorskip("evdev")

from drivers.keymap import load_layout  # noqa: E402
from kiosk.errors import UsageError  # noqa: E402


def test_a_layout_file_that_is_not_utf8_names_the_line_and_byte(tmp_path: Path) -> None:
    layout = tmp_path / "fr.toml"
    layout.write_bytes(b'base = "us"\n[keys]\nKEY_Q = "\xe0"\n')
    with pytest.raises(UsageError) as raised:
        load_layout(str(layout))
    assert str(raised.value) == (
        f"The layout file {layout} is not UTF-8 text at line 3 (byte 0xE0 at position 10); "
        "save it as UTF-8."
    )


def test_a_layout_file_that_is_not_toml_says_so(tmp_path: Path) -> None:
    layout = tmp_path / "fr.toml"
    layout.write_text("base = \n", encoding="utf-8")
    with pytest.raises(UsageError, match=r"The layout file .* is not valid TOML \(.*\); fix"):
        load_layout(str(layout))


def test_a_layout_file_without_permission_to_read_is_one_sentence(tmp_path: Path) -> None:
    import os

    if os.geteuid() == 0:
        pytest.skip("root reads any file")
    layout = tmp_path / "fr.toml"
    layout.write_text('base = "us"\n', encoding="utf-8")
    layout.chmod(0)
    with pytest.raises(UsageError, match=r"cannot be read \(no permission\)"):
        load_layout(str(layout))
