"""The quick look for repeated unique values (kiosk/roster/repeats.py): the import asks SQL
for the repeating rows only in the columns where two staged values hash alike, and finds
every repeat it found before."""

from __future__ import annotations

import csv
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import event
from sqlalchemy.engine import Engine

from kiosk.roster import import_roster
from kiosk.roster.checker import ONE_PROCESS_ENV
from kiosk.roster.repeats import RepeatWatch, counted
from kiosk.roster.schema import CLEAR
from tests.roster.conftest import roster


class SameHash(str):
    """A value that hashes like every other SameHash (as two real values rarely do)."""

    def __hash__(self) -> int:
        return 7


def test_a_column_is_flagged_only_when_two_counted_values_repeat() -> None:
    watch = RepeatWatch()
    watch.see({"email_key": ["a@x.edu", "b@x.edu"], "card_id": ["001", "002"]})
    assert watch.may_repeat() == []
    watch.see({"card_id": ["001"]})  # a later chunk repeats a card_id
    assert watch.may_repeat() == ["card_id"]


def test_blank_and_clear_cells_are_not_counted() -> None:
    assert counted(["", "x", CLEAR, "", CLEAR, "y", " "]) == ["x", "y", " "]


def test_values_that_only_hash_alike_are_left_to_sql() -> None:
    watch = RepeatWatch()
    watch.see({"card_id": [SameHash("one"), SameHash("two")]})
    assert watch.may_repeat() == ["card_id"]


@pytest.fixture(params=["checker process", "one process"])
def checked_by(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """Each import test twice: rows checked by a checker process, and by the import's own."""
    if request.param == "one process":
        monkeypatch.setenv(ONE_PROCESS_ENV, "1")
    else:
        monkeypatch.delenv(ONE_PROCESS_ENV, raising=False)
    return str(request.param)


@contextmanager
def grouping_queries(engine: Engine) -> Iterator[list[str]]:
    """The duplicate-finding statements the engine runs meanwhile (their GROUP BY column)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "HAVING COUNT(*) > 1" in statement:
            seen.append(statement.split("GROUP BY ", 1)[1].split(" ", 1)[0])

    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _base_with(tmp_path: Path, *edits: tuple[int, str, str]) -> Path:
    """tests/fixtures/roster/base.csv with each ``(data row index, column, value)`` set."""
    with roster("base.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    for index, column, value in edits:
        rows[1 + index][rows[0].index(column)] = value
    path = tmp_path / "roster.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


def test_a_file_without_repeats_runs_no_duplicate_query(engine: Engine, checked_by: str) -> None:
    with grouping_queries(engine) as seen:
        report = import_roster(engine, roster("base.csv"))
    assert report.created == 5 and report.errors == []
    assert seen == []


def test_blank_card_ids_on_two_rows_are_no_repeat(engine: Engine, tmp_path: Path,
                                                  checked_by: str) -> None:
    path = _base_with(tmp_path, (0, "card_id", ""), (1, "card_id", ""))
    with grouping_queries(engine) as seen:
        report = import_roster(engine, path)
    assert report.created == 5 and report.errors == []
    assert seen == []


def test_only_the_repeating_column_is_looked_up_and_its_row_rejected(
    engine: Engine, tmp_path: Path, checked_by: str,
) -> None:
    with roster("base.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    first_card = rows[1][rows[0].index("card_id")]
    path = _base_with(tmp_path, (2, "card_id", first_card))
    with grouping_queries(engine) as seen:
        report = import_roster(engine, path)
    assert seen == ["card_id"]
    assert (report.created, report.rejected) == (4, 1)
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (4, "card_id", "card_id is the same as on row 2: each student needs their own"),
    ]


def test_every_repeat_of_the_duplicates_fixture_is_still_found(engine: Engine, checked_by: str
                                                                ) -> None:
    with grouping_queries(engine) as seen:
        report = import_roster(engine, roster("duplicates.csv"))
    assert sorted(seen) == ["auth_identifier", "card_id", "email_key", "username"]
    assert (report.created, report.rejected) == (2, 4)
