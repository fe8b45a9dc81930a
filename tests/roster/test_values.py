"""Each column kind's check, table-driven (pure functions)."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.roster.schema import BY_HEADER, COLUMNS, Column
from kiosk.roster.values import all_pass, check_for, not_capital_case, parse_date


def _check(header: str, value: str) -> str | None:
    check = check_for(BY_HEADER[header])
    return None if check is None else check(value)


@pytest.mark.parametrize(
    ("header", "value"),
    [
        ("email_address", "ana.lopez@example.edu"),
        ("additional_email_addresses", "a@example.edu;b@example.org"),
        ("first_name", "Zoë"),
        ("last_name", "O'Connor-Smith"),
        ("school_year_name", "First Year Community / Technical College"),
        ("primary_education:education_level_name", "Non-Degree Seeking"),
        ("primary_education:cumulative_gpa", "0"),
        ("primary_education:cumulative_gpa", "3.5"),
        ("primary_education:cumulative_gpa", "4.00"),
        ("primary_education:department_gpa", "2.75"),
        ("primary_education:major_names", "Biology;Computer Science"),
        ("primary_education:college_names", "College of Engineering;School of Business"),
        ("primary_education:start_date", "2024-02-29"),
        ("primary_education:currently_attending", "TRUE"),
        ("veteran", "FALSE"),
        ("mobile_number", "5555550123"),
        ("mobile_number", "15555550123"),
        ("mobile_number", "+447700900123"),
        ("card_id", "0012345678"),
        ("card_id", "6.00999E+15"),  # a warning, never an error: stored as written
    ],
)
def test_valid_values_pass(header: str, value: str) -> None:
    assert _check(header, value) is None


@pytest.mark.parametrize(
    ("header", "value", "fragment"),
    [
        ("email_address", "ana.lopez", "is invalid"),
        ("email_address", "ana lopez@example.edu", "is invalid"),
        ("additional_email_addresses", "a@example.edu;nope", "'nope' is not an email"),
        ("first_name", "R2D2", "must not contain digits"),
        ("first_name", "A" * 51, "too long (51 characters; at most 50)"),
        ("school_year_name", "senior", "write it exactly 'Senior'"),
        ("school_year_name", "Grad", "use one of Freshman"),
        ("primary_education:education_level_name", "bachelors", "exactly 'Bachelors'"),
        ("primary_education:cumulative_gpa", "4.01", "not a GPA"),
        ("primary_education:cumulative_gpa", "3.456", "more than 2 decimal places"),
        ("primary_education:cumulative_gpa", "-1", "not a GPA"),
        ("primary_education:cumulative_gpa", "3,5", "not a GPA"),
        ("primary_education:department_gpa", "5", "not a GPA"),
        ("primary_education:major_names", "B" * 256, "at most 255"),
        ("primary_education:college_names", "Arts, Sciences", "contains a comma"),
        ("primary_education:start_date", "2024-2-3", "use yyyy-mm-dd"),
        ("primary_education:end_date", "2027-02-29", "use yyyy-mm-dd"),
        ("primary_education:currently_attending", "true", "TRUE or FALSE"),
        ("athlete", "Y", "TRUE or FALSE"),
        ("mobile_number", "555-555-0123", "mobile_number is invalid"),
        ("mobile_number", "555123", "mobile_number is invalid"),
        ("mobile_number", "+12", "mobile_number is invalid"),
    ],
)
def test_invalid_values_say_what_is_wrong(header: str, value: str, fragment: str) -> None:
    message = _check(header, value)
    assert message is not None and fragment in message
    assert message.startswith(header) or header in message


def test_every_column_maps_to_a_student_attribute() -> None:
    from kiosk.db.models import Student

    fields = set(Student.model_fields)
    assert [c.attribute for c in COLUMNS if c.attribute not in fields] == []


def test_dates_and_capital_case_helpers() -> None:
    assert parse_date("2024-02-29") is not None
    assert parse_date("2023-02-29") is None
    assert parse_date("2024/02/29") is None
    assert not_capital_case("Biology;chemistry; physics") == ["chemistry", "physics"]


# ------------------------------------------------------------------ whole-chunk checks

_CHUNK_COLUMNS = [BY_HEADER[h] for h in ("email_address", "mobile_number", "username",
                                        "primary_education:primary_major_name",
                                        "assigned_to_email_address")]


@settings(max_examples=300, deadline=None)
@given(column=st.sampled_from(_CHUNK_COLUMNS),
       values=st.lists(st.text(alphabet="ab1@.+;, \n\t\u200c\u0661x9", min_size=1,
                               max_size=14), min_size=1, max_size=5))
def test_a_chunk_passes_at_once_only_when_every_value_passes(column: Column,
                                                             values: list[str]) -> None:
    """The whole-chunk check (validate's fast path) never passes a value that the
    one-by-one check rejects."""
    if all_pass(column, values):
        check = check_for(column)
        assert all(check(value) is None for value in values)


@pytest.mark.parametrize(("header", "values"), [
    ("email_address", ["ana@example.edu", "b.c-d@x.example.org"]),
    ("mobile_number", ["5555550123", "+5555550123", "15555550123", "+4915112345678"]),
    ("username", ["h1001", "S1000000"]),
    ("primary_education:primary_major_name", ["Biology", "Computer Science"]),
])
def test_usual_values_pass_a_chunk_at_once(header: str, values: list[str]) -> None:
    assert all_pass(BY_HEADER[header], values)
    assert not all_pass(BY_HEADER[header], [*values, "bad\x1b[2J"])
