"""kiosk.checkin.roster_preread: the roster read from a real SQLite file with Python's sqlite3
while the kiosk starts, used by the first RosterMatcher.load only when nothing was written
to the database since."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import insert, update
from sqlalchemy.engine import Engine

from kiosk.checkin import roster_preread
from kiosk.checkin.matching import RosterMatch, RosterMatcher
from kiosk.checkin.roster_index import CardIdTable
from kiosk.db.models import Student, utcnow
from kiosk.db.session import open_database


def _student(number: int, card_id: str) -> dict[str, object]:
    now = utcnow()
    return {
        "id": number,
        "username": f"s{number}",
        "email_address": f"s{number}@example.edu",
        "email_key": f"s{number}@example.edu",
        "first_name": "S",
        "card_id": card_id,
        "created_at": now,
        "updated_at": now,
    }


@pytest.fixture
def roster_file(tmp_path: Path) -> tuple[str, Engine]:
    """A migrated SQLite file with three students (ids of one, two and four digits)."""
    url = f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    engine = open_database(url)
    with engine.begin() as connection:
        connection.execute(
            insert(Student),
            [_student(7, "901234567"), _student(42, "12345"), _student(1000, "a-1")],
        )
    return url, engine


def test_an_unchanged_database_gives_the_preread_roster(roster_file: tuple[str, Engine]) -> None:
    url, engine = roster_file
    assert roster_preread.start(url)
    path = roster_preread.sqlite_file(url)
    assert path is not None
    row = roster_preread.take(path)
    assert row is not None
    table = CardIdTable.from_sqlite_row(row)
    assert table is not None
    assert [table.owners(c) for c in ("901234567", "12345", "a-1", "555")] == [
        (7,),
        (42,),
        (1000,),
        (),
    ]
    assert table.contained_in("%a-1?") == [("a-1", 1000)]
    assert roster_preread.take(path) is None  # used up
    engine.dispose()


def test_the_first_load_takes_the_preread_roster(roster_file: tuple[str, Engine]) -> None:
    url, engine = roster_file
    assert roster_preread.start(url)
    matcher = RosterMatcher.load(engine)
    assert matcher.by_card_id("12345") == RosterMatch(42, "12345")
    assert len(matcher) == 3
    engine.dispose()


def test_a_commit_after_the_read_sends_the_load_back_to_the_database(
    roster_file: tuple[str, Engine],
) -> None:
    url, engine = roster_file
    assert roster_preread.start(url)
    path = roster_preread.sqlite_file(url)
    assert path is not None
    # the read is done before the database changes
    roster_preread._READS[path].result.result(timeout=10)
    with engine.begin() as connection:  # a walk-in and a card_id changed, by another connection
        connection.execute(insert(Student), [_student(5000, "777777")])
        connection.execute(update(Student).where(Student.id == 42).values(card_id="54321"))
    matcher = RosterMatcher.load(engine)
    assert matcher.by_card_id("777777") == RosterMatch(5000, "777777")
    assert matcher.by_card_id("54321") == RosterMatch(42, "54321")
    assert matcher.by_card_id("12345") is None
    engine.dispose()


def test_a_commit_by_another_program_is_seen_too(roster_file: tuple[str, Engine]) -> None:
    url, engine = roster_file
    path = roster_preread.sqlite_file(url)
    assert path is not None and roster_preread.start(url)
    roster_preread._READS[path].result.result(timeout=10)
    other = sqlite3.connect(path)  # as `sqlite3` or another kiosk process would write
    with other:
        other.execute("UPDATE student SET card_id = '999' WHERE id = 7")
    other.close()
    assert roster_preread.take(path) is None
    engine.dispose()


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://kiosk@localhost/kiosk",
        "sqlite://",
        "sqlite:///:memory:",
        "sqlite:///kiosk.sqlite3?mode=ro",
        "sqlite:///with%20space.sqlite3",
    ],
)
def test_only_a_plain_sqlite_file_url_is_read_ahead(url: str) -> None:
    assert roster_preread.sqlite_file(url) is None
    assert not roster_preread.start(url)


def test_a_missing_file_is_not_read_nor_created(tmp_path: Path) -> None:
    missing = tmp_path / "new.sqlite3"
    assert not roster_preread.start(f"sqlite:///{missing}")
    assert not missing.exists()
    assert os.listdir(tmp_path) == []
    assert roster_preread.take(str(missing)) is None


def test_a_database_without_a_roster_table_is_read_by_the_load(tmp_path: Path) -> None:
    path = tmp_path / "empty.sqlite3"
    sqlite3.connect(path).close()  # a file with no tables yet: the read fails
    url = f"sqlite:///{path}"
    assert roster_preread.start(url)
    engine = open_database(url)  # migrates (a commit): the load reads the database
    assert len(RosterMatcher.load(engine)) == 0
    engine.dispose()
