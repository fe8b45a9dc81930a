"""Highlighting a card_id inside the swipe text: reverse video on a terminal, carets otherwise."""

from __future__ import annotations

from kiosk.verify.render_text import RESET, REVERSE, Mark, highlight, names


def test_carets_mark_each_card_id_under_the_text() -> None:
    lines = highlight(
        ";001234500?",
        [Mark(1, 8, "card_id of long"), Mark(3, 8, "card_id of short")],
        tty=False,
    )
    assert lines == [
        ";001234500?",
        " ^^^^^^^ card_id of long",
        "   ^^^^^ card_id of short",
    ]


def test_reverse_video_on_a_terminal_one_line_per_card_id() -> None:
    lines = highlight(";90123456701?", [Mark(1, 10, "card_id of alex")], tty=True)
    assert lines == [f";{REVERSE}901234567{RESET}01?   card_id of alex"]


def test_unprintable_characters_are_escaped_and_carets_still_line_up() -> None:
    lines = highlight("é\u200b12\\34", [Mark(2, 4, "x"), Mark(5, 7, "y")], tty=False)
    assert lines[0] == "é\\u200b12\\\\34"
    assert lines[1] == " " * 7 + "^^ x"
    assert lines[2] == " " * 11 + "^^ y"


def test_text_without_marks_is_shown_plain() -> None:
    assert highlight("%E?", [], tty=False) == ["%E?"]
    assert highlight("%E?", [], tty=True) == ["%E?"]


def test_names_lists_a_few_then_counts_the_rest() -> None:
    assert names(["a", "b"]) == "a, b"
    assert names([f"u{i}" for i in range(12)], limit=3) == "u0, u1, u2 and 9 more"
