"""The one definition of forbidden text characters and the sanitiser (kiosk.text_safety)."""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.errors import UserError
from kiosk.text_safety import (
    UnsafeTextError,
    first_forbidden,
    is_forbidden,
    require_safe,
    safe_input_pattern,
    sanitise,
)

#: Every bidi control the issue names, by code point.
BIDI_CONTROLS = [0x061C, 0x200E, 0x200F, *range(0x202A, 0x202F), *range(0x2066, 0x206A)]
_BIDI_CLASSES = {"LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI"}

HOSTILE = ["\x1b[H\x1b[J", "\x1bc", "\x1b]0;title\x07", "\x00", "\x7f", "\x85", "\x9b2J", "\t",
           "\n", "\r", "\u2028", "\u2029", "\ufeff", "\u00ad", *map(chr, BIDI_CONTROLS)]

#: Any text, with hostile pieces (whole escape sequences among them) and joiners mixed in.
texts = st.lists(
    st.one_of(st.text(), st.sampled_from(HOSTILE), st.sampled_from(["\u200c", "\u200d"]))
).map("".join)


def _is_bidi_control(char: str) -> bool:
    return unicodedata.bidirectional(char) in _BIDI_CLASSES or ord(char) in BIDI_CONTROLS


@pytest.mark.parametrize("code", [*range(0x20), 0x7F, *range(0x80, 0xA0), *BIDI_CONTROLS,
                                  0x2028, 0x2029])
def test_every_control_and_bidi_character_is_forbidden(code: int) -> None:
    assert is_forbidden(chr(code))


@pytest.mark.parametrize("char", ["a", " ", "é", "\u00a0", "\u200c", "\u200d", "ß", "李", "😀",
                                  "\ufe0f", "'", "-"])
def test_letters_spaces_joiners_and_emoji_are_allowed(char: str) -> None:
    assert not is_forbidden(char)


def test_forbidden_is_exactly_cc_cf_zl_zp_but_the_joiners() -> None:
    for code in range(sys.maxunicode + 1):
        char = chr(code)
        expected = unicodedata.category(char) in ("Cc", "Cf", "Zl", "Zp") and code not in (
            0x200C, 0x200D)
        assert is_forbidden(char) == expected, hex(code)


@given(texts)
def test_the_sanitised_text_holds_no_control_or_bidi_character(text: str) -> None:
    clean = sanitise(text)
    assert first_forbidden(clean) is None
    assert not any(unicodedata.category(c) == "Cc" or _is_bidi_control(c) for c in clean)
    assert sanitise(clean) == clean


@given(st.text(st.characters()).filter(lambda t: first_forbidden(t) is None))
def test_text_without_forbidden_characters_is_unchanged(text: str) -> None:
    assert sanitise(text) == text


@given(texts)
def test_the_text_box_pattern_agrees_with_the_check(text: str) -> None:
    assert (re.fullmatch(safe_input_pattern(), text) is not None) == (
        first_forbidden(text) is None
    )


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("Al\x1b[H\x1b[Jex", "Alex"),  # escape sequences go whole: no "[H[J" left behind
        ("\x1bcEve", "Eve"),
        ("Kim\x1b]0;owned\x07", "Kim"),
        ("x\x9b2Jy", "xy"),
        ("\u202eTester", "Tester"),
        ("Mary\tAnn", "Mary Ann"),
        ("Zürich,\r\nSwitzerland", "Zürich,  Switzerland"),
        ("Ma\x00rs", "Mars"),
        ("Mehr\u200cnaz", "Mehr\u200cnaz"),
    ],
)
def test_sanitise_examples(text: str, clean: str) -> None:
    assert sanitise(text) == clean


def test_require_safe_is_one_sentence_a_user_error() -> None:
    with pytest.raises(UserError) as caught:
        require_safe("Eve\x1b[2J", "Your name", "please type it again.")
    assert isinstance(caught.value, UnsafeTextError)
    assert str(caught.value) == (
        "Your name contains a control character (U+001B ESC); please type it again."
    )
    require_safe("Zoë O'Neil", "Your name", "please type it again.")  # no error
