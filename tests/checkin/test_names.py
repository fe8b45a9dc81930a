from __future__ import annotations

import pytest

from kiosk.checkin.names import display_name, display_name_from_full, split_full_name
from kiosk.db.models import Student


@pytest.mark.parametrize(
    ("first", "preferred", "last", "shown"),
    [
        ("Alexandra", "Alex", "Tester", "Alex T."),
        ("Alexandra", None, "Tester", "Alexandra T."),
        ("Alexandra", "  ", "Tester", "Alexandra T."),
        ("Bo", None, "nguyen", "Bo N."),
        ("Bo", None, None, "Bo"),
        ("Bo", None, "  ", "Bo"),
        ("Zoë", None, "Ölmez", "Zoë Ö."),
    ],
)
def test_display_name_is_preferred_or_first_name_and_last_initial(
    first: str, preferred: str | None, last: str | None, shown: str
) -> None:
    student = Student(
        username="u",
        email_address="u@example.edu",
        email_key="u@example.edu",
        first_name=first,
        preferred_name=preferred,
        last_name=last,
    )
    assert display_name(student) == shown


@pytest.mark.parametrize(
    ("typed", "parts", "shown"),
    [
        ("Jordan Kim", ("Jordan", "Kim"), "Jordan K."),
        ("  Mary  Ann   Lee ", ("Mary Ann", "Lee"), "Mary Ann L."),
        ("Prince", ("Prince", None), "Prince"),
        ("", ("", None), ""),
    ],
)
def test_typed_full_names(typed: str, parts: tuple[str, str | None], shown: str) -> None:
    assert split_full_name(typed) == parts
    assert display_name_from_full(typed) == shown


@pytest.mark.parametrize(
    ("first", "preferred", "last", "shown"),
    [
        # names stored before the import refused control characters (old rows)
        ("Al\x1b[H\x1b[Jex", None, "Tester", "Alex T."),
        ("Alexandra", "\x1bcAlex", "Tester", "Alex T."),
        ("Alexandra", "\x1b[2J", "Tester", "Alexandra T."),  # nothing left: the first name
        ("Bo", None, "\u202eNguyen", "Bo N."),
        ("Ma\x00ri", None, "\x85Garcia", "Mari G."),
    ],
)
def test_old_names_with_control_characters_are_shown_without_them(
    first: str, preferred: str | None, last: str | None, shown: str
) -> None:
    student = Student(username="u", email_address="u@example.edu", email_key="u@example.edu",
                      first_name=first, preferred_name=preferred, last_name=last)
    assert display_name(student) == shown


def test_a_typed_full_name_is_split_without_control_characters() -> None:
    assert split_full_name("Jordan\x1b[H\x1b[J \u202eKim") == ("Jordan", "Kim")
    assert display_name_from_full("Jor\x00dan\tKim") == "Jordan K."
