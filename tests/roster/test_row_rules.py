"""Per-row rules, each with a row of tests/fixtures/roster/rule_errors.csv or duplicates.csv:
a rejected row names its line and column; valid rows of the same file still land."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from kiosk.roster import import_roster
from tests.roster.conftest import roster, students

EXPECTED_RULE_ERRORS = {
    3: ("email_address", "email_address can't be blank"),
    4: ("first_name", "first_name can't be cleared: it must not be blank"),
    5: ("school_year_name", "school_year_name 'junior' is not allowed: write it exactly "
        "'Junior'"),
    6: ("primary_education:education_level_name", "education_level_name 'BA' is not allowed"),
    7: ("athlete", "athlete must be TRUE or FALSE (in capitals), not 'yes'"),
    8: ("primary_education:start_date", "start_date '08/26/2024' is not a date: use "
        "yyyy-mm-dd"),
    9: ("primary_education:end_date", "end_date is before start_date"),
    10: ("primary_education:cumulative_gpa", "'4.5' is not a GPA: use a number from 0 to 4"),
    11: ("primary_education:cumulative_gpa", "'3.456' has more than 2 decimal places"),
    12: ("primary_education:primary_major_name", "primary_major_name 'History' is not one of "
         "the major_names"),
    13: ("first_name", "first_name must not contain digits"),
    14: ("first_name", "first_name is too long (51 characters; at most 50)"),
    15: ("mobile_number", "mobile_number is invalid"),
    16: ("email_address", "email_address is invalid"),
    17: ("username", "username can't be blank"),
    18: ("primary_education:end_date", "end_date '2028-02-30' is not a date"),
}


def test_each_rule_rejects_its_row_and_the_valid_row_lands(engine: Engine) -> None:
    report = import_roster(engine, roster("rule_errors.csv"))
    assert report.refused is None
    assert (report.rows, report.created, report.rejected) == (17, 1, 16)
    found = {e.row: (e.column, e.message) for e in report.errors}
    assert set(found) == set(EXPECTED_RULE_ERRORS)
    for line, (column, fragment) in EXPECTED_RULE_ERRORS.items():
        assert found[line][0] == column, line
        assert fragment in found[line][1], (line, found[line][1])
    assert set(students(engine)) == {"r01"}
    assert report.exit_status == 0


def test_a_row_repeating_a_unique_value_is_rejected_naming_the_first_row(engine: Engine) -> None:
    report = import_roster(engine, roster("duplicates.csv"))
    assert (report.created, report.rejected) == (2, 4)
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (3, "email_address", "email_address is the same as on row 2: each student needs "
         "their own"),
        (4, "card_id", "card_id is the same as on row 2: each student needs their own"),
        (5, "username", "username is the same as on row 2: each student needs their own"),
        # row 5's auth_identifier (sso-d01) repeats row 2's too
        (5, "auth_identifier", "auth_identifier is the same as on row 2: each student needs "
         "their own"),
        (6, "auth_identifier", "auth_identifier is the same as on row 2: each student needs "
         "their own"),
    ]
    assert set(students(engine)) == {"d01", "d06"}


def test_a_file_with_no_valid_row_is_refused_writing_nothing(engine: Engine, tmp_path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("email_address,username,first_name\r\n,u1,Ann\r\nb@example.edu,,Bo\r\n",
                   encoding="utf-8")
    report = import_roster(engine, bad)
    assert report.refused == "No row can be imported: fix the errors listed and import again."
    assert report.exit_status == 1 and report.rejected == 2
    assert students(engine) == {}


def test_capital_case_is_a_warning_not_an_error(engine: Engine, tmp_path) -> None:
    path = tmp_path / "case.csv"
    path.write_text(
        "email_address,username,first_name,primary_education:major_names\r\n"
        "a@example.edu,u1,Ann,Biology\r\nb@example.edu,u2,Bo,biology;History\r\n"
        "c@example.edu,u3,Cy,History\r\n",
        encoding="utf-8",
    )
    report = import_roster(engine, path)
    assert report.created == 3 and report.rejected == 0
    assert [(w.row, w.message) for w in report.warnings if w.row != 1] == [
        (3, "'biology' is not in Capital Case"),
    ]
