"""Control characters, NUL and bidi controls in a roster (issue 10, points 4 and 11): each is
refused in every column with a reason naming the column, the row writes nothing, the file's
other rows land; and UTF-16 files (with or without a byte-order mark) are named as such."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.engine import Engine

from kiosk.cli import main
from kiosk.db.session import open_database
from kiosk.roster import import_roster, render_text
from kiosk.roster.failedrows import REASON_HEADER
from kiosk.text_safety import describe, first_forbidden
from tests.roster.conftest import snapshot, students
from tests.roster.test_property import damaged

HEADER = (
    "email_address", "username", "first_name", "last_name", "middle_name", "preferred_name",
    "auth_identifier", "school_year_name", "primary_education:major_names",
    "primary_education:primary_major_name", "additional_email_addresses", "campus_name",
    "card_id", "mobile_number", "hometown_location_attributes:name",
)
#: A valid row; each test row is built from it with one cell changed.
GOOD: dict[str, str] = {
    "email_address": "ana.lopez@example.edu",
    "username": "h1001",
    "first_name": "Ana",
    "last_name": "Lopez",
    "middle_name": "Maria",
    "preferred_name": "Annie",
    "auth_identifier": "sso-h1001",
    "school_year_name": "Junior",
    "primary_education:major_names": "Biology",
    "primary_education:primary_major_name": "Biology",
    "additional_email_addresses": "ana@example.org",
    "campus_name": "Main Campus",
    "card_id": "0012345678",
    "mobile_number": "5555550100",
    "hometown_location_attributes:name": "Austin",
}

#: Each hostile value, and the character the reason must name (the first forbidden one).
HOSTILE: list[tuple[str, str]] = [
    ("\x1b[H\x1b[J", "\x1b"),  # cursor home + clear screen
    ("\x1bc", "\x1b"),  # full terminal reset
    ("\x00", "\x00"),  # NUL
    ("\x85", "\x85"),  # C1: next line
    ("\x9b2J", "\x9b"),  # C1: CSI, clear screen
    ("\x7f", "\x7f"),  # DEL
    ("\t", "\t"),
    ("\n", "\n"),  # a line break in a single-line field
    ("\u202e", "\u202e"),  # right-to-left override
    ("\u202a", "\u202a"),
    ("\u2066", "\u2066"),
    ("\u2069", "\u2069"),
    ("\u200e", "\u200e"),
    ("\u200f", "\u200f"),
    ("\u061c", "\u061c"),
    ("\u2028", "\u2028"),
]

#: Every text column kind: names, preferred name, emails, enum, lists, plain text, mobile.
COLUMNS = [h for h in HEADER if h != "hometown_location_attributes:name"]


def _row(index: int, **changes: str) -> dict[str, str]:
    """A valid new student ``n<index>`` with ``changes``."""
    row = dict(GOOD)
    row.update(
        email_address=f"n{index}@example.edu", username=f"n{index:03d}",
        auth_identifier=f"sso-n{index}", card_id=f"77{index:08d}",
        additional_email_addresses=f"n{index}@example.org",
    )
    row.update(changes)
    return row


def _injected(value: str, hostile: str) -> str:
    return value[:1] + hostile + value[1:]


def _write(path: Path, rows: list[dict[str, str]]) -> Path:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=HEADER, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8", newline="")
    return path


def _stored_texts(engine: Engine) -> list[Any]:
    with engine.connect() as connection:
        return [value for row in connection.execute(text("SELECT * FROM student"))
                for value in row if isinstance(value, str)]


@pytest.fixture
def seeded(engine: Engine, tmp_path: Path) -> Engine:
    report = import_roster(engine, _write(tmp_path / "seed.csv", [GOOD]))
    assert report.refused is None and report.created == 1, report.errors
    return engine


@pytest.mark.parametrize("column", COLUMNS)
def test_a_hostile_value_in_any_column_rejects_its_row_naming_the_column(
    seeded: Engine, tmp_path: Path, column: str
) -> None:
    before = students(seeded)["h1001"].model_dump()
    rows = [_row(i, **{column: _injected(_row(i)[column], hostile)})
            for i, (hostile, _) in enumerate(HOSTILE)]
    # an update of the stored student h1001 with an ESC sequence in this column
    rows.append({**GOOD, column: _injected(GOOD[column], "\x1b[H\x1b[J"),
                 "campus_name": "Downtown Campus" if column != "campus_name" else
                 _injected("Downtown Campus", "\x1b[H\x1b[J")})
    rows.append(_row(99, first_name="Zoë", last_name="O'Neil"))  # a good row among them
    report = import_roster(seeded, _write(tmp_path / "hostile.csv", rows))

    assert report.refused is None
    assert (report.created, report.rejected) == (1, len(HOSTILE) + 1)
    expected = [char for _, char in HOSTILE] + ["\x1b"]
    # one reason per rejected row names the column (a list cell may add another reason,
    # e.g. primary_major_name no longer among the major_names)
    findings = sorted((f for f in report.errors if f.column == column and " contains " in
                       f.message), key=lambda f: f.row or 0)
    assert len({f.row for f in report.errors}) == len(findings) == len(expected)
    for finding, char in zip(findings, expected, strict=True):
        assert finding.message.startswith(f"{column} contains {describe(char)}: remove it")
    stored = students(seeded)
    assert set(stored) == {"h1001", "n099"}  # no hostile row landed
    assert stored["h1001"].model_dump() == before  # the stored student is unchanged
    # the report (text and JSON) names the character and never carries it
    for rendered in (render_text(report), report.to_json()):
        assert first_forbidden(rendered, multiline=True) is None
    assert "contains a control character (U+001B ESC)" in render_text(report)


def test_the_reason_says_what_the_character_is(seeded: Engine, tmp_path: Path) -> None:
    rows = [_row(1, first_name="Ev\x1b[H\x1b[Je"), _row(2, last_name="Ma\x00rs"),
            _row(3, preferred_name="\u202eKim"), _row(4, campus_name="Main\x85Campus"), _row(5)]
    report = import_roster(seeded, _write(tmp_path / "f.csv", rows))
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "first_name", "first_name contains a control character (U+001B ESC): remove it "
         "(no value may hold control or invisible characters)"),
        (3, "last_name", "last_name contains a control character (U+0000 NUL): remove it "
         "(no value may hold control or invisible characters)"),
        (4, "preferred_name", "preferred_name contains an invisible format character "
         "(U+202E RIGHT-TO-LEFT OVERRIDE): remove it (no value may hold control or invisible "
         "characters)"),
        (5, "campus_name", "campus_name contains a control character (U+0085): remove it "
         "(no value may hold control or invisible characters)"),
    ]


def test_joiners_in_names_and_line_breaks_in_the_hometown_are_kept(
    seeded: Engine, tmp_path: Path
) -> None:
    rows = [
        _row(1, first_name="Mehr\u200cnaz"),  # ZWNJ: Persian spelling
        _row(2, preferred_name="Ana\u200d"),  # ZWJ
        _row(3, **{"hometown_location_attributes:name": "Zürich,\r\nSwitzerland"}),
        _row(4, **{"hometown_location_attributes:name": "Zürich\x1b[2J"}),  # still refused
    ]
    report = import_roster(seeded, _write(tmp_path / "ok.csv", rows))
    assert (report.created, report.rejected) == (3, 1)
    (error,) = report.errors
    # line 6: the row on line 4 spans two lines
    assert (error.row, error.column) == (6, "hometown_location_attributes:name")
    stored = students(seeded)
    assert stored["n001"].first_name == "Mehr\u200cnaz"
    assert stored["n003"].hometown_location == "Zürich,\r\nSwitzerland"


def test_the_failed_rows_file_and_cli_report_show_the_reason(
    seeded: Engine, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = _write(tmp_path / "f.csv", [_row(1, first_name="E\x1bcve"), _row(2)])
    failed = tmp_path / "failed.csv"
    status = main(["--db", db_url, "import", "--dry-run", "--failed-rows", str(failed),
                   str(path)])
    out = capsys.readouterr().out
    assert status == 0
    assert "first_name contains a control character (U+001B ESC)" in out
    assert first_forbidden(out, multiline=True) is None
    with failed.open(newline="", encoding="utf-8-sig") as handle:
        (row,) = list(csv.DictReader(handle))
    assert "first_name contains a control character (U+001B ESC)" in row[REASON_HEADER]


# --- UTF-16 ---------------------------------------------------------------------------------

UTF16_SENTENCE = (
    "{name} is UTF-16 text, not UTF-8; save it from the spreadsheet as 'CSV UTF-8 (Comma "
    "delimited)' and import again."
)


@pytest.mark.parametrize(
    ("name", "encoding", "bom"),
    [("le.csv", "utf-16-le", b""), ("be.csv", "utf-16-be", b""),
     ("le-bom.csv", "utf-16-le", b"\xff\xfe"), ("be-bom.csv", "utf-16-be", b"\xfe\xff")],
)
def test_utf16_with_or_without_a_bom_is_named(
    seeded: Engine, tmp_path: Path, name: str, encoding: str, bom: bytes
) -> None:
    utf8 = _write(tmp_path / "utf8.csv", [_row(1, first_name="Zoë")]).read_text("utf-8")
    path = tmp_path / name
    path.write_bytes(bom + utf8.encode(encoding))
    before = snapshot(seeded)
    report = import_roster(seeded, path)
    assert report.refused == UTF16_SENTENCE.format(name=name)
    assert [(e.row, e.message) for e in report.errors] == [(1, report.refused)]
    assert report.exit_status == 1
    assert snapshot(seeded) == before


@pytest.mark.parametrize("encoding", ["utf-32", "utf-32-le", "utf-32-be"])
def test_utf32_with_or_without_a_bom_is_named(
    seeded: Engine, tmp_path: Path, encoding: str
) -> None:
    utf8 = _write(tmp_path / "utf8.csv", [_row(1)]).read_text("utf-8")
    path = tmp_path / "wide.csv"
    path.write_bytes(utf8.encode(encoding))
    report = import_roster(seeded, path)
    assert report.refused == UTF16_SENTENCE.format(name="wide.csv").replace("UTF-16", "UTF-32")


def test_utf16_without_a_bom_exits_1_with_the_sentence(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    utf8 = _write(tmp_path / "utf8.csv", [_row(1)]).read_text("utf-8")
    path = tmp_path / "export.csv"
    path.write_bytes(utf8.encode("utf-16-le"))
    assert main(["--db", sqlite_url, "import", str(path)]) == 1
    err = capsys.readouterr().err
    assert err == f"kiosk: {UTF16_SENTENCE.format(name='export.csv')}\n"


def test_a_header_with_nul_bytes_that_is_not_utf16_is_refused(
    seeded: Engine, tmp_path: Path
) -> None:
    path = tmp_path / "nul.csv"
    path.write_bytes(b"email_address,username,first_name\x00\x00\x00\r\na@example.edu,u1,Ann\r\n")
    report = import_roster(seeded, path)
    assert report.refused is not None
    assert "the header line holds NUL bytes" in report.refused


# --- fuzz: NUL and C1 in mutated files (small; tests/roster/test_property.py is the big one) ---

HOSTILE_BYTES = [b"\x00", b"\x1b", b"\x1b[2J", b"\x7f", "\u0085".encode(), "\u009b".encode(),
                 "\u202e".encode(), b"\x9b", b"\x85"]


def test_nul_and_c1_anywhere_never_crash_and_never_reach_the_database(tmp_path: Path) -> None:
    base = _write(tmp_path / "base.csv", [_row(i) for i in range(3)]).read_bytes()
    engine = open_database(f"sqlite:///{tmp_path / 'kiosk.sqlite3'}")
    path = tmp_path / "fuzz.csv"

    @settings(max_examples=60, deadline=None)
    @given(
        operations=st.lists(
            st.tuples(st.sampled_from(["insert", "replace"]), st.floats(0, 1),
                      st.sampled_from(HOSTILE_BYTES)),
            min_size=1, max_size=4,
        )
    )
    def check(operations: list[tuple[str, float, bytes]]) -> None:
        path.write_bytes(damaged(base, operations))
        before = snapshot(engine)
        report = import_roster(engine, path)
        if report.refused is not None:
            assert "\n" not in report.refused
            assert snapshot(engine) == before
        stored = _stored_texts(engine)
        assert all(first_forbidden(value, multiline=True) is None for value in stored)
        json.loads(report.to_json())
        assert first_forbidden(render_text(report), multiline=True) is None

    try:
        check()
    finally:
        engine.dispose()
