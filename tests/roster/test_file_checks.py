"""File-level checks: encoding, headers, not a roster, no data rows. A refused file writes
nothing."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from kiosk.errors import UsageError
from kiosk.roster import import_roster
from tests.roster.conftest import roster, snapshot, students


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    report = import_roster(engine, roster("base.csv"))
    assert report.refused is None and report.created == 5
    return engine


@pytest.mark.parametrize(
    ("name", "fragment", "line"),
    [
        ("latin1.csv", "line 3 is not UTF-8 text (byte 0xE9 at position 24)", 3),
        ("utf16.csv", "is UTF-16 text, not UTF-8", 1),
        ("not_a_roster.csv", "is not a student roster: its header line has no username, "
         "email_address or first_name column", 1),
        ("no_first_name.csv", "has no first_name column", 1),
        ("duplicate_header.csv", "the header 'card_id' appears twice (columns 4 and 5)", 1),
        ("header_only.csv", "has a header line but no data rows", 2),
    ],
)
def test_a_file_that_cannot_be_imported_is_refused_writing_nothing(
    seeded: Engine, name: str, fragment: str, line: int
) -> None:
    before = snapshot(seeded)
    report = import_roster(seeded, roster(name), archive_missing=True, force=True)
    assert report.refused is not None and fragment in report.refused
    assert report.exit_status == 1
    assert [(e.row, e.message) for e in report.errors] == [(line, report.refused)]
    assert snapshot(seeded) == before


def test_non_utf8_message_tells_what_to_do(engine: Engine) -> None:
    report = import_roster(engine, roster("latin1.csv"))
    assert report.refused == (
        "latin1.csv: line 3 is not UTF-8 text (byte 0xE9 at position 24); save it from the "
        "spreadsheet as 'CSV UTF-8 (Comma delimited)' and import again."
    )


def test_an_empty_file_and_a_workbook_are_refused(engine: Engine, tmp_path) -> None:
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    workbook = tmp_path / "roster.csv"
    workbook.write_bytes(b"PK\x03\x04\x14\x00\x06\x00 binary")
    assert "is empty" in (import_roster(engine, empty).refused or "")
    assert "spreadsheet workbook (.xlsx)" in (import_roster(engine, workbook).refused or "")
    assert students(engine) == {}


def test_utf8_with_bom_crlf_and_multiline_cells_is_read(engine: Engine) -> None:
    report = import_roster(engine, roster("bom.csv"))
    assert report.refused is None, report.errors
    assert (report.rows, report.created, report.rejected) == (2, 2, 0)
    stored = students(engine)
    assert stored["m01"].first_name == "Zoë"
    assert stored["m01"].email_address == "zoe.muller@example.edu"  # BOM not in the first header
    assert stored["m01"].hometown_location == "Zürich,\r\nSwitzerland"
    assert stored["m01"].card_id == "0007654321"


def test_unknown_headers_are_reported_and_skipped_and_missing_required_ones_warned(
    engine: Engine,
) -> None:
    report = import_roster(engine, roster("unknown_headers.csv"))
    assert report.refused is None and report.created == 1
    header_warnings = {(w.row, w.column): w.message for w in report.warnings if w.row == 1}
    assert "did you mean 'card_id'?" in header_warnings[(1, "Card_ID")]
    assert "we found data that we don't map: 'favourite_color'" in header_warnings[
        (1, "favourite_color")
    ]
    for required in ("auth_identifier", "school_year_name", "primary_education:cumulative_gpa",
                     "primary_education:major_names",
                     "primary_education:education_level_name"):
        assert "Handshake will refuse this file" in header_warnings[(1, required)]
    zed = students(engine)["z01"]
    assert zed.card_id is None  # Card_ID is not card_id: skipped
    assert zed.college_names == "College of Engineering"  # older header college_name


def test_rows_with_the_wrong_number_of_cells_are_rejected_and_blank_lines_skipped(
    engine: Engine,
) -> None:
    report = import_roster(engine, roster("bad_cells.csv"))
    assert (report.rows, report.created, report.rejected) == (3, 1, 2)
    assert [(e.row, e.message.split(":")[0]) for e in report.errors] == [
        (3, "the row has 5 cells but the header has 4"),
        (4, "the row has 2 cells but the header has 4"),
    ]
    assert set(students(engine)) == {"b1"}


def test_an_io_error_while_reading_is_one_sentence_and_writes_nothing(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kiosk.errors import UserError
    from kiosk.roster.csvfile import RosterReader

    real_lines = RosterReader._lines

    def failing_disk(self: RosterReader) -> Iterator[str]:  # line 4 cannot be read
        for number, line in enumerate(real_lines(self), start=1):
            if number == 4:
                raise OSError(5, "Input/output error")
            yield line

    monkeypatch.setattr(RosterReader, "_lines", failing_disk)
    with pytest.raises(UserError, match=r"Reading .*base\.csv failed \(Input/output error\); "
                       "nothing was written"):
        import_roster(engine, roster("base.csv"))
    assert students(engine) == {}


def test_a_pipe_or_a_device_is_refused_at_once_instead_of_waiting(
    seeded: Engine, tmp_path: Path
) -> None:
    """A named pipe nobody writes to made the import wait for ever (open() waits for a
    writer); the real ``kiosk import`` now says what to do, for a pipe and a device alike."""
    fifo = tmp_path / "students.csv"
    os.mkfifo(fifo)
    before = snapshot(seeded)
    for path in (fifo, Path("/dev/null")):
        with pytest.raises(UsageError, match="is not a file but a pipe, a device or a socket: "
                           "save the roster CSV to a file"):
            import_roster(seeded, path)
        url = seeded.url.render_as_string(hide_password=False)
        done = subprocess.run([sys.executable, "-m", "kiosk", "--db", url, "import", str(path)],
                              capture_output=True, text=True, timeout=60, check=False)
        assert done.returncode == 2, done.stderr
        assert done.stderr.startswith(f"kiosk: {path} is not a file but a pipe"), done.stderr
    assert snapshot(seeded) == before
