"""Warnings: card_id quality (through kiosk.cards.card_ids), username inside card_id or email,
folding a warning that concerns most rows, and typo suspicions among new values."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from kiosk.roster import import_roster
from kiosk.roster.findings import Finding, fold_common_warnings
from kiosk.roster.typos import ValueTally, closest, find_new_values
from tests.roster.conftest import roster, students


def _row_warnings(report) -> dict[int | None, list[str]]:
    found: dict[int | None, list[str]] = {}
    for warning in report.warnings:
        if warning.row != 1:
            found.setdefault(warning.row, []).append(warning.message)
    return found


def test_card_id_quality_warnings_name_rows_never_card_data(engine: Engine) -> None:
    report = import_roster(engine, roster("card_quality.csv"))
    assert report.refused is None and report.created == 24 and report.rejected == 0
    found = _row_warnings(report)
    kiosk_warning = ("it is stored as written, but this card will not match at the kiosk until "
                     "the card_id is fixed; format the card_id column as Text in Excel")
    assert found[2][0].startswith("card_id looks damaged by a spreadsheet (scientific notation)")
    assert found[3][0].startswith("card_id looks damaged by a spreadsheet (a trailing .0)")
    assert kiosk_warning in found[2][0] and kiosk_warning in found[3][0]
    assert found[4] == ["card_id is shorter than the roster's usual 10 characters: were "
                        "leading zeros lost?"]
    assert found[5] == ["card_id is contained in the card_id of 'k30' (row 25): matching a "
                        "swipe by containment would be ambiguous"]
    assert found[25] == ["card_id is longer than the roster's usual 10 characters"]
    messages = " ".join(w.message for w in report.warnings)
    assert "6.00999E+15" not in messages and "0004111222" not in messages
    # stored exactly as written, damage and all
    assert students(engine)["k01"].card_id == "6.00999E+15"


def test_a_card_id_inside_a_stored_students_card_id_is_found_too(engine: Engine, tmp_path
                                                                 ) -> None:
    import_roster(engine, roster("base.csv"))  # h1001 has 0012345678
    inner = tmp_path / "inner.csv"
    inner.write_text("email_address,username,first_name,card_id\r\n"
                     "new@example.edu,n1,Nia,2345678\r\n", encoding="utf-8")
    report = import_roster(engine, inner)
    assert [w.message for w in report.warnings if w.row == 2] == [
        "card_id is contained in the card_id of 'h1001' (already stored): matching a swipe by "
        "containment would be ambiguous"
    ]


def test_username_inside_card_id_or_email_and_folding_of_common_warnings(
    engine: Engine,
) -> None:
    report = import_roster(engine, roster("username_inside.csv"))
    assert report.created == 5
    folded = [w for w in report.warnings if w.row is None]
    assert [(w.column, w.message) for w in folded] == [
        ("username", "4 of 5 rows: the username appears inside the card_id; Handshake advises "
         "a username that never changes, such as the student ID, and that is no part of the "
         "card_id (e.g. rows 2, 3, 4)"),
    ]
    assert [(w.row, w.message.split(";")[0]) for w in report.warnings if w.row == 6] == [
        (6, "the username appears inside the email address"),
    ]
    assert report.to_dict()["warnings"][-2]["row"] is None


def test_folding_needs_most_rows() -> None:
    def finding(row: int) -> Finding:
        return Finding(row, "card_id", "same thing", "code")

    assert len(fold_common_warnings([finding(2), finding(3)], data_rows=3)) == 2  # < 3 found
    assert len(fold_common_warnings([finding(r) for r in range(2, 7)], data_rows=10)) == 5
    folded = fold_common_warnings([finding(r) for r in range(2, 8)], data_rows=10)
    assert [(f.row, f.message) for f in folded] == [
        (None, "6 of 10 rows: same thing (e.g. rows 2, 3, 4)")
    ]


def test_new_values_and_typos_against_the_file_and_the_database(engine: Engine,
                                                               tmp_path) -> None:
    report = import_roster(engine, roster("typos.csv"))
    new = {(n.category, n.value): n for n in report.new_values}
    assert new[("primary_education:major_names", "Biolgy")].resembles == "Biology"
    assert new[("primary_education:major_names", "Biology")].resembles is None
    assert new[("campus_name", "Main Campis")].resembles == "Main Campus"
    assert new[("primary_education:major_names", "Biology")].rows == 4
    typo_warnings = [(w.row, w.column, w.message) for w in report.warnings if w.row == 6]
    assert typo_warnings == [
        (6, "primary_education:major_names", "'Biolgy' is new and looks like a typo of "
         "'Biology'"),
        (6, "campus_name", "'Main Campis' is new and looks like a typo of 'Main Campus'"),
    ]
    assert report.to_dict()["new_values"] == {
        "primary_education:major_names": ["Biolgy", "Biology"],
        "primary_education:minor_names": [],
        "primary_education:college_names": ["College of Arts and Sciences"],
        "campus_name": ["Main Campis", "Main Campus"],
    }
    # Known in the database now: only genuinely new values are reported next time.
    later = tmp_path / "later.csv"
    later.write_text(
        "email_address,username,first_name,primary_education:major_names,campus_name\r\n"
        "z@example.edu,z1,Zia,Biologi;Chemistry,Main Campus\r\n", encoding="utf-8")
    again = import_roster(engine, later)
    assert [(n.value, n.resembles) for n in again.new_values] == [
        ("Biologi", "Biology"), ("Chemistry", None)
    ]


def test_closest_and_tally_rules() -> None:
    assert closest("Psycology", ["Psychology", "Physics"]) == "Psychology"
    assert closest("biology", ["Biology"]) == "Biology"  # case-only difference
    assert closest("Mathematics", ["Chemistry", "History"]) is None
    assert closest("Math", ["Bath"]) is None
    assert closest("Chemistry", ["Biochemistry"]) is None
    assert closest("North Campus", ["South Campus"]) is None
    assert closest("Mechancial Engineering", ["Mechanical Engineering"]) is not None
    assert closest("math", ["Math"]) == "Math"
    tally = ValueTally()
    tally.add("majors", ["Economics"], 2, rows=3)
    tally.add("majors", ["Econmics"], 9)
    tally.add("majors", ["Econmics"], 7)
    found = find_new_values(tally, {"majors": set()})
    assert [(n.value, n.rows, n.first_line, n.resembles) for n in found] == [
        ("Econmics", 2, 7, "Economics"), ("Economics", 3, 2, None)
    ]


def test_a_fold_of_row_specific_messages_uses_the_summary() -> None:
    found = [Finding(row, "card_id", f"inside the card_id of 'k{row}'", "card_id_nested",
                     "card_id is contained in another student's card_id")
             for row in (2, 2, 3, 4)]
    assert [(f.row, f.message) for f in fold_common_warnings(found, data_rows=4)] == [
        (None, "3 of 4 rows: card_id is contained in another student's card_id "
         "(e.g. rows 2, 3, 4)")
    ]
