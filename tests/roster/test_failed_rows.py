"""``--failed-rows``: each reason under the first, headed column (even for a row with extra
cells), UTF-8 with a byte-order mark so Excel shows accented names, owner-only."""

from __future__ import annotations

import csv
import os
import stat
from pathlib import Path

from kiosk.cli import main
from tests.conftest import FIXTURES


def _import(sqlite_url: str, roster: Path, failed: Path) -> int:
    return main(["--db", sqlite_url, "import", "--dry-run", "--failed-rows", str(failed),
                 str(roster)])


def test_a_row_with_extra_cells_has_its_reason_under_the_heading(
    sqlite_url: str, tmp_path: Path
) -> None:
    failed = tmp_path / "failed.csv"
    assert _import(sqlite_url, FIXTURES / "roster" / "bad_cells.csv", failed) == 0
    with failed.open(encoding="utf-8-sig", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    assert header == ["failed_reason", "email_address", "username", "first_name", "last_name"]
    assert [row[1:] for row in rows] == [
        ["extra@example.edu", "b2", "Bo", "Ek", "Surplus"],
        ["short@example.edu", "b3"],
    ]
    assert rows[0][0].startswith("the row has 5 cells but the header has 4")
    assert rows[1][0].startswith("the row has 2 cells but the header has 4")


def test_the_file_is_utf8_with_a_bom_and_owner_only(sqlite_url: str, tmp_path: Path) -> None:
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "email_address,username,first_name,last_name\r\n"
        "francois@example.edu,f1,François,Dupré\r\n"
        "zoe@example.edu,f1,Zoë,Müller\r\n",  # the same username: rejected
        encoding="utf-8",
    )
    failed = tmp_path / "failed.csv"
    previous = os.umask(0o000)
    try:
        assert _import(sqlite_url, roster, failed) == 0
    finally:
        os.umask(previous)
    data = failed.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # what Excel needs to read UTF-8
    assert data.count(b"\xef\xbb\xbf") == 1
    text = data[3:].decode("utf-8")
    assert text.splitlines()[0] == "failed_reason,email_address,username,first_name,last_name"
    assert "zoe@example.edu,f1,Zoë,Müller" in text
    assert oct(stat.S_IMODE(failed.stat().st_mode)) == "0o600"
