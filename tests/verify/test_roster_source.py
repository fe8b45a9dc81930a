"""Reading a roster's card_ids for verify: CSV files as spreadsheets write them, and the DB."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine
from sqlmodel import Session

from kiosk.db.models import Student
from kiosk.errors import UsageError
from kiosk.verify.roster_source import (
    RosterFileError,
    csv_records,
    load_roster,
    read_roster_database,
    read_roster_file,
)

HEADER = "email_address,username,first_name,card_id,school_year_name\n"


def _write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


def test_reads_username_and_card_id_keeping_leading_zeros(tmp_path: Path) -> None:
    roster = _write(
        tmp_path / "r.csv",
        HEADER
        + "a@x.edu,alex,Alex,0012341234,Senior\n"
        + "r@x.edu,river,River,,Junior\n"
        + 'q@x.edu,quinn,"Quinn, Q",901234567,Junior\n',
    )
    result = read_roster_file(roster)
    assert result.pairs == [("0012341234", "alex"), (None, "river"), ("901234567", "quinn")]
    assert result.students == 3
    assert result.source == str(roster)


def test_utf8_bom_and_crlf_from_excel_are_accepted(tmp_path: Path) -> None:
    text = "username,card_id\r\nalex,0012341234\r\nzoë,55\r\n"
    roster = _write(tmp_path / "r.csv", text, encoding="utf-8-sig")
    assert read_roster_file(roster).pairs == [("0012341234", "alex"), ("55", "zoë")]


def test_other_columns_are_ignored_and_short_rows_mean_blank(tmp_path: Path) -> None:
    roster = _write(
        tmp_path / "r.csv",
        "card_id,junk,username\n123,whatever,alex\n456\n\n,,\n",
    )
    pairs = read_roster_file(roster).pairs
    assert pairs[0] == ("123", "alex")
    assert pairs[1][0] == "456" and pairs[1][1].startswith("(line 3")
    assert pairs[2][0] is None and pairs[2][1].startswith("(line 5")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("email_address,card_id\na@x.edu,1\n", "no 'username' column"),
        ("username,first_name\nalex,Alex\n", "no 'card_id' column"),
        ("Username,Card_ID\nalex,1\n", "headers are lower-case"),
        ("", "is empty"),
        ("username,card_id\n", "no students"),
    ],
)
def test_missing_headers_are_one_clear_usage_error(
    tmp_path: Path, text: str, expected: str
) -> None:
    roster = _write(tmp_path / "r.csv", text)
    with pytest.raises(RosterFileError) as caught:
        read_roster_file(roster)
    assert expected in str(caught.value)
    assert caught.value.exit_code == 2
    assert "\n" not in str(caught.value)


def test_unreadable_files_are_usage_errors(tmp_path: Path) -> None:
    with pytest.raises(RosterFileError, match="does not exist"):
        read_roster_file(tmp_path / "nope.csv")
    with pytest.raises(RosterFileError, match="is a directory"):
        read_roster_file(tmp_path)
    latin1 = _write(tmp_path / "latin1.csv", "username,card_id\nzoë,1\n", encoding="latin-1")
    with pytest.raises(RosterFileError, match="not UTF-8"):
        read_roster_file(latin1)


def _add_students(engine: Engine, rows: list[tuple[str, str | None, bool]]) -> None:
    with Session(engine) as session:
        for username, card_id, archived in rows:
            session.add(
                Student(
                    username=username,
                    email_address=f"{username}@x.edu",
                    email_key=f"{username}@x.edu",
                    first_name=username.title(),
                    card_id=card_id,
                    archived=archived,
                )
            )
        session.commit()


def test_roster_from_the_database_skips_archived_students(engine: Engine, db_url: str) -> None:
    _add_students(
        engine,
        [
            ("zed", "0012341234", False),
            ("amy", None, False),
            ("old", "555", True),
            ("bob", "12341234", False),
        ],
    )
    roster = read_roster_database(db_url)
    assert roster.pairs == [(None, "amy"), ("12341234", "bob"), ("0012341234", "zed")]
    assert roster.source.startswith("database ")
    assert load_roster("db", db_url).pairs == roster.pairs


def test_an_empty_database_is_a_usage_error(db_url: str) -> None:
    with pytest.raises(UsageError) as caught:
        read_roster_database(db_url)
    assert "no current students" in str(caught.value)
    assert caught.value.exit_code == 2


# CSV text with everything that changes how csv reads it: quotes (doubled, unbalanced, inside
# fields), commas, CR, LF and CRLF line ends, NUL, blank lines, spaces, a missing last newline.
_csv_pieces = st.lists(
    st.sampled_from(
        ['"', '""', ",", "\n", "\r\n", "\r", "\x00", " ", "a", "b7", "é", "x,y", '"q, r"', ""]
    ),
    max_size=40,
).map("".join)


def _csv_reader_records(text: str) -> list[tuple[int, list[str]]] | str:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        return [(reader.line_num, record) for record in reader]
    except csv.Error as error:
        return str(error)


def _fast_records(text: str, columns: int | None = None) -> list[tuple[int, list[str]]] | str:
    try:
        return list(csv_records(iter(io.StringIO(text, newline="")), columns))
    except csv.Error as error:
        return str(error)


@settings(max_examples=600, deadline=None)
@given(text=_csv_pieces)
def test_csv_records_are_exactly_what_csv_reader_reads(text: str) -> None:
    assert _fast_records(text) == _csv_reader_records(text)


@settings(max_examples=200, deadline=None)
@given(text=_csv_pieces, columns=st.integers(min_value=1, max_value=4))
def test_csv_records_with_columns_keep_the_first_fields_exact(text: str, columns: int) -> None:
    expected = _csv_reader_records(text)
    got = _fast_records(text, columns)
    if isinstance(expected, str):
        assert got == expected
        return
    assert isinstance(got, list) and len(got) == len(expected)
    for (line, record), (expected_line, expected_record) in zip(got, expected, strict=True):
        assert line == expected_line
        assert record[:columns] == expected_record[:columns]


def test_a_quote_free_field_past_csvs_size_limit_is_refused_as_csv_refuses_it(
    tmp_path: Path,
) -> None:
    limit = csv.field_size_limit()
    roster = _write(tmp_path / "r.csv", HEADER + f"a@x.edu,alex,Alex,{'9' * (limit + 1)},S\n")
    with pytest.raises(RosterFileError, match="not a valid CSV"):
        read_roster_file(roster)
