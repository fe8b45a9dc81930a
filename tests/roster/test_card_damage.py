"""Spreadsheet damage never overwrites a stored card_id ("bad input loses nothing").

A row that would replace a stored card_id with scientific notation, a trailing ``.0`` or the
stored card_id without its leading zeros is rejected whole (errors, --failed-rows); a new
student's damaged card_id is imported with a warning that it will not match at the kiosk;
``**CLEAR**`` still clears. tests/fixtures/roster/excel_damaged.csv is base.csv re-exported
through a spreadsheet (see the rows' comments in the tests).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from kiosk.cli import main
from kiosk.db.session import open_database
from kiosk.roster import import_roster
from kiosk.roster.card_guard import lost_leading_zeros, replacement_damage
from tests.conftest import REPO_ROOT
from tests.roster.conftest import roster, snapshot, students

SAMPLE = REPO_ROOT / "kiosk" / "samples" / "roster.csv"
FIX = ("to fix the file, format the card_id column as Text in Excel, or export the file as "
       "CSV UTF-8 without opening it in Excel, then import it again")
KEPT = "the stored card_id is kept and this whole row is rejected (none of its changes were " \
       "imported)"
WILL_NOT_MATCH = "this card will not match at the kiosk until the card_id is fixed"


def rejection(damage: str) -> str:
    return f"card_id shows spreadsheet damage ({damage}): {KEPT}; {FIX}"


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    report = import_roster(engine, roster("base.csv"))  # card_ids 0012345678 ... 0012345682
    assert (report.created, report.rejected, report.refused) == (5, 0, None)
    return engine


def test_damaged_card_ids_never_replace_stored_ones(seeded: Engine) -> None:
    before = students(seeded)
    report = import_roster(seeded, roster("excel_damaged.csv"))
    assert report.refused is None and report.exit_status == 0
    assert (report.created, report.updated, report.unchanged, report.rejected) == (1, 2, 0, 3)
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "card_id", rejection("scientific notation")),
        (3, "card_id", rejection("leading zeros lost")),
        (4, "card_id", rejection("a trailing .0, leading zeros lost")),
    ]
    after = students(seeded)
    for username in ("h1001", "h1002", "h1003"):  # the whole row is rejected, not only card_id
        assert after[username].card_id == before[username].card_id
        assert after[username].last_name == before[username].last_name
        assert after[username].updated_at == before[username].updated_at
    assert after["h1003"].archived is False  # its disabled=TRUE was rejected with the row
    assert after["h1004"].card_id is None  # **CLEAR** is not damage: it still clears
    assert after["h1005"].last_name == "Moss-Hart"  # the valid rows of the file land
    # a new student has no card_id to lose: imported as written, with the warning
    assert after["h1010"].card_id == "6.00999E+15"
    [warning] = [w for w in report.warnings if w.column == "card_id"]
    assert warning.row == 7
    assert warning.message.startswith("card_id looks damaged by a spreadsheet (scientific "
                                      "notation): it is stored as written, but " + WILL_NOT_MATCH)
    assert "format the card_id column as Text in Excel" in warning.message
    text = " ".join(f.message for f in [*report.errors, *report.warnings])
    assert "1.23457E+07" not in text and "12345679" not in text  # no card data in messages


def test_a_dry_run_reports_the_same_rejections_and_writes_nothing(seeded: Engine) -> None:
    before = snapshot(seeded)
    report = import_roster(seeded, roster("excel_damaged.csv"), dry_run=True)
    assert (report.created, report.updated, report.rejected) == (1, 2, 3)
    assert [e.row for e in report.errors] == [2, 3, 4]
    assert snapshot(seeded) == before


def test_a_student_without_a_stored_card_id_gets_a_damaged_one_with_a_warning(
    seeded: Engine, tmp_path: Path
) -> None:
    import_roster(seeded, roster("excel_damaged.csv"))  # clears h1004, creates h1010 damaged
    again = tmp_path / "again.csv"
    again.write_text("email_address,username,first_name,card_id\r\n"
                     "dana.ives@example.edu,h1004,Dana,12345681.0\r\n"
                     "gus.hale@example.edu,h1010,Gus,6.00999E+15\r\n", encoding="utf-8")
    report = import_roster(seeded, again)
    # h1004 had none stored: nothing to lose. h1010's stored (damaged) value is repeated:
    # nothing is replaced. Both still carry the warning.
    assert (report.updated, report.unchanged, report.rejected, report.errors) == (1, 1, 0, [])
    warned = {w.row: w.message for w in report.warnings if w.column == "card_id"}
    assert {row: message.split(":")[0] for row, message in warned.items()} == {
        2: "card_id looks damaged by a spreadsheet (a trailing .0)",
        3: "card_id looks damaged by a spreadsheet (scientific notation)",
    }
    assert all(WILL_NOT_MATCH in message for message in warned.values())
    stored = students(seeded)
    assert stored["h1004"].card_id == "12345681.0"
    assert stored["h1010"].card_id == "6.00999E+15"

    fixed = tmp_path / "fixed.csv"  # the undamaged file replaces the damaged values
    fixed.write_text("email_address,username,first_name,card_id\r\n"
                     "dana.ives@example.edu,h1004,Dana,0012345681\r\n"
                     "gus.hale@example.edu,h1010,Gus,**CLEAR**\r\n", encoding="utf-8")
    report = import_roster(seeded, fixed)
    assert (report.updated, report.rejected, report.errors) == (2, 0, [])
    stored = students(seeded)
    assert (stored["h1004"].card_id, stored["h1010"].card_id) == ("0012345681", None)


def test_lost_leading_zeros_compare_with_the_students_own_card_id(
    seeded: Engine, tmp_path: Path
) -> None:
    # Every other card_id has 10 digits, so the length rule would flag these too; here the
    # file's card_ids are all 8 digits long, so only the stored value tells.
    shortened = tmp_path / "shortened.csv"
    shortened.write_text("email_address,username,first_name,card_id\r\n"
                         "ana.lopez@example.edu,h1001,Ana,12345678\r\n"  # zeros lost: rejected
                         "ben.okoro@example.edu,h1002,Ben,22345679\r\n"  # a new card: fine
                         "chen.wu@example.edu,h1003,Chen,012345680\r\n"  # one zero lost
                         "eli.moss@example.edu,h1005,Eli,0012345682\r\n", encoding="utf-8")
    report = import_roster(seeded, shortened)
    assert [(e.row, e.message) for e in report.errors] == [
        (2, rejection("leading zeros lost")),
        (4, rejection("leading zeros lost")),
    ]
    assert (report.updated, report.unchanged, report.rejected) == (1, 1, 2)
    stored = students(seeded)
    assert [stored[u].card_id for u in ("h1001", "h1002", "h1003")] == [
        "0012345678", "22345679", "0012345680"]


def test_a_file_whose_only_rows_are_damaged_exits_1_with_failed_rows(
    seeded: Engine, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    before = snapshot(seeded)
    damaged = tmp_path / "damaged.csv"
    damaged.write_text("email_address,username,first_name,card_id\r\n"
                       "ana.lopez@example.edu,h1001,Ana,1.23457E+07\r\n"
                       "ben.okoro@example.edu,h1002,Ben,12345679.0\r\n", encoding="utf-8")
    failed = tmp_path / "failed.csv"
    assert main(["--db", db_url, "import", "--json", "--failed-rows", str(failed),
                 str(damaged)]) == 1
    report = json.loads(capsys.readouterr().out)
    assert report["status"] == "refused" and report["rejected"] == 2
    assert [e["row"] for e in report["errors"] if e["column"] == "card_id"] == [2, 3]
    assert snapshot(seeded) == before
    with failed.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert rows == [
        ["failed_reason", "email_address", "username", "first_name", "card_id"],
        [rejection("scientific notation"), "ana.lopez@example.edu", "h1001", "Ana", "1.23457E+07"],
        [rejection("a trailing .0, leading zeros lost"), "ben.okoro@example.edu", "h1002", "Ben",
         "12345679.0"],
    ]


def test_the_acceptance_qa_repro_through_the_cli(
    db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Import the sample; then a copy with row 2's card_id 9.01235E+08, row 7's 81909378
    (stored 081909378) and row 8's 975432319.0."""
    assert main(["--db", db_url, "import", str(SAMPLE)]) == 0
    with SAMPLE.open(encoding="utf-8-sig", newline="") as handle:
        table = list(csv.reader(handle))
    card = table[0].index("card_id")
    stored_cards = {line: table[line - 1][card] for line in (2, 7, 8)}
    assert stored_cards == {2: "901234567", 7: "081909378", 8: "975432319"}
    for line, damaged in ((2, "9.01235E+08"), (7, "81909378"), (8, "975432319.0")):
        table[line - 1][card] = damaged
    copy = tmp_path / "roster-from-excel.csv"
    with copy.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\r\n").writerows(table)
    capsys.readouterr()

    failed = tmp_path / "failed.csv"
    assert main(["--db", db_url, "import", "--failed-rows", str(failed), str(copy)]) == 0
    out = capsys.readouterr().out
    assert "  updated           0" in out and "  rejected          3" in out
    assert "Errors (3)" in out
    assert out.count("the stored card_id is kept and this whole row is rejected") == 3
    assert "(scientific notation)" in out and "(leading zeros lost)" in out
    assert "(a trailing .0)" in out
    engine = open_database(db_url)
    try:
        stored = {s.username: s.card_id for s in students(engine).values()}
    finally:
        engine.dispose()
    assert [stored[u] for u in ("stu10001", "stu10006", "stu10007")] == [
        "901234567", "081909378", "975432319"]  # Alex's card still matches at the kiosk
    with failed.open(encoding="utf-8-sig", newline="") as handle:
        failed_rows = list(csv.reader(handle))
    assert [(row[2], row[card + 1], row[0].split(":")[0]) for row in failed_rows[1:]] == [
        ("stu10001", "9.01235E+08", "card_id shows spreadsheet damage (scientific notation)"),
        ("stu10006", "81909378", "card_id shows spreadsheet damage (leading zeros lost)"),
        ("stu10007", "975432319.0", "card_id shows spreadsheet damage (a trailing .0)"),
    ]


@pytest.mark.parametrize(
    ("card_id", "stored", "damage"),
    [
        ("9.01235E+08", "901234567", ["scientific notation"]),
        ("6.00999e15", "6009990000000000", ["scientific notation"]),
        ("975432319.0", "975432319", ["a trailing .0"]),
        ("81909378.00", "081909378", ["a trailing .0", "leading zeros lost"]),
        ("81909378", "081909378", ["leading zeros lost"]),
        ("12345678", "0012345678", ["leading zeros lost"]),
        ("012345678", "0012345678", ["leading zeros lost"]),
        ("012345678", "1012345678", []),  # a 1 is lost, not a zero: another card
        ("81909378", "181909378", []),
        ("22345679", "0012345679", []),
        ("081909378", "081909378", []),  # unchanged
        ("9.01235E+08", "9.01235E+08", []),  # already stored like that: nothing replaced
        ("**CLEAR**", "081909378", []),
        ("", "081909378", []),  # blank keeps the stored value
        ("9.01235E+08", None, []),  # nothing stored to lose (a warning instead)
        ("81909378", "", []),
        ("0081909378", "081909378", []),  # zeros added, not lost
    ],
)
def test_replacement_damage(card_id: str, stored: str | None, damage: list[str]) -> None:
    assert replacement_damage(card_id, stored) == damage


def test_lost_leading_zeros_needs_digits_shorter_than_the_stored_card_id() -> None:
    assert lost_leading_zeros("1", "0001")
    assert not lost_leading_zeros("0001", "0001")
    assert not lost_leading_zeros("A1", "0A1")
    assert not lost_leading_zeros("", "0001")
