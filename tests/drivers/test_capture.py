from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.capture import (
    CaptureFormatError,
    escape_swipe,
    read_capture,
    unescape_swipe,
    write_capture,
)
from tests.conftest import load_corpus


@pytest.mark.parametrize(
    ("text", "line"),
    [
        (";90123456701?", ";90123456701?"),
        ("\x02\x1b%B1^X?\r\x03", "\\x02\\x1b%B1^X?\\r\\x03"),
        ("a\\b", "a\\\\b"),
        ("#123", "\\x23123"),
        ("ü", "\\xfc"),
        ("€", "\\u20ac"),
        ("  ", "\\x20\\x20"),
        ("a\nb", "a\\nb"),
    ],
)
def test_escape_table(text: str, line: str) -> None:
    assert escape_swipe(text) == line
    assert unescape_swipe(line) == text


@given(st.text())
def test_round_trip_any_text(text: str) -> None:
    if not text:
        return
    buffer = io.StringIO()
    write_capture([text], buffer)
    swipes = read_capture(io.StringIO(buffer.getvalue()))
    assert [s.text for s in swipes] == [text]


def test_corpus_escaped_form_decodes_to_raw() -> None:
    for case in load_corpus():
        assert unescape_swipe(case["raw_escaped"]) == case["raw"], case["id"]


def test_comments_blank_lines_and_line_numbers(tmp_path: Path) -> None:
    path = tmp_path / "swipes.txt"
    path.write_text("# captured at the fair\n\n;123?\r\n  \n%B1^A?\n", encoding="utf-8")
    swipes = read_capture(path)
    assert [(s.line, s.text) for s in swipes] == [(3, ";123?"), (5, "%B1^A?")]


def test_bad_escape_names_the_line() -> None:
    with pytest.raises(CaptureFormatError, match="Line 2"):
        read_capture(io.StringIO(";1?\n;\\q?\n"))


def test_missing_and_non_utf8_files_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(CaptureFormatError, match="does not exist"):
        read_capture(tmp_path / "nope.txt")
    bad = tmp_path / "latin1.txt"
    bad.write_bytes(b";12\xfc?\n")
    with pytest.raises(CaptureFormatError, match="not UTF-8"):
        read_capture(bad)


def test_swipe_repr_never_shows_the_text() -> None:
    from drivers.base import Swipe

    swipe = Swipe(text=";6009999012345675=2908?", reader="front")
    assert "6009999" not in repr(swipe)
    assert "6009999" not in str(swipe)
