"""A deleted event's or check-in's id is never given to a new row (migration 0006).

SQLite without AUTOINCREMENT hands the highest id out again once the newest row is deleted,
so a kiosk set up with ``--event 7`` (or a command from the shell history) would check
students in to whatever event was created after event 7 was deleted. PostgreSQL's sequences
never reuse an id; the migration leaves it alone. Real SQLite files, and the PostgreSQL of
KIOSK_TEST_PG_URL when it is set.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import inspect, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel

from kiosk.checkin.events import create_event, delete_event
from kiosk.db.engine import make_engine
from kiosk.db.migrate import current_revision, downgrade, upgrade
from kiosk.db.models import CheckIn, Event
from kiosk.db.session import open_database

#: Every table of revision 0005, in an order that inserts parents before children.
TABLES = (
    "student", "event", "walk_in", "check_in", "registration", "audit_event",
    "staff_secret", "roster_version",
)  # fmt: skip
WHEN = "2026-12-05T08:00:00+00:00"


def _check_in(engine: Engine, event_id: int) -> int:
    with Session(engine) as session:
        check_in = CheckIn(event_id=event_id, method="manual")
        session.add(check_in)
        session.commit()
        assert check_in.id is not None
        return check_in.id


def _ids_are_never_reused(engine: Engine, tmp_path: Path) -> None:
    first = create_event(engine, "Career Week").id
    newest = create_event(engine, "Career Week, day 2")
    assert newest.id is not None and first is not None
    check_in = _check_in(engine, newest.id)
    delete_event(engine, str(newest.id), force=True, export_dir=tmp_path)
    again = create_event(engine, "Career Week, day 2 moved")
    assert again.id is not None and again.id > newest.id  # not the deleted event's id
    assert _check_in(engine, again.id) > check_in  # nor a deleted check-in's


def test_a_new_database_never_reuses_a_deleted_event_or_check_in_id(
    engine: Engine, tmp_path: Path
) -> None:
    _ids_are_never_reused(engine, tmp_path)


def test_tables_made_from_the_models_never_reuse_ids(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'models.sqlite3'}")
    try:
        SQLModel.metadata.create_all(engine)
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT name, sql FROM sqlite_master WHERE name IN ('event', 'check_in')")
            ).all()
        assert {name: "AUTOINCREMENT" in sql for name, sql in rows} == {
            "event": True, "check_in": True,
        }  # fmt: skip
    finally:
        engine.dispose()


def _fill_at_0005(engine: Engine) -> None:
    """Rows in every table of revision 0005, with every foreign key in use: two events,
    the newest with check-ins (one a duplicate of another), a registration and an audit row."""
    statements = [
        "INSERT INTO student (id, username, email_address, email_key, card_id, first_name, "
        f"archived, created_at, updated_at) VALUES (1, 'ann', 'Ann@x.edu', 'ann@x.edu', "
        f"'00123', 'Ann', false, '{WHEN}', '{WHEN}'), (2, 'bo', 'bo@x.edu', 'bo@x.edu', NULL, "
        f"'Bo', false, '{WHEN}', '{WHEN}')",
        # events and check-ins take their ids from the database (1, 2, ... on a new one)
        f"INSERT INTO event (name, kind, created_at) VALUES ('Fall Fair', 'event', '{WHEN}'), "
        f"('Spring Fair', 'fair', '{WHEN}')",
        f"INSERT INTO walk_in (id, name, created_at) VALUES (1, 'Cy', '{WHEN}')",
        "INSERT INTO check_in (event_id, student_id, walk_in_id, method, checked_in_at, "
        f"client_key, duplicate_of, walk_in_key) VALUES (2, 1, NULL, 'swipe', '{WHEN}', "
        f"'k1', NULL, NULL), (2, 1, NULL, 'swipe', '{WHEN}', 'k2', 1, NULL), "
        f"(2, NULL, 1, 'walk-in', '{WHEN}', 'k3', NULL, 'cy@x.edu'), "
        f"(1, 2, NULL, 'manual', '{WHEN}', 'k4', NULL, NULL)",
        "INSERT INTO registration (id, event_id, email_key, email_address, student_id, "
        f"registered_at) VALUES (1, 2, 'ann@x.edu', 'Ann@x.edu', 1, '{WHEN}')",
        f"INSERT INTO audit_event (id, at, kind, event_id, detail) VALUES (1, '{WHEN}', "
        "'undo', 2, 'check_in=1 by=staff')",
        f"INSERT INTO staff_secret (id, kind, secret_hash, created_at) VALUES (1, 'pin', "
        f"'scrypt$x', '{WHEN}')",
        f"INSERT INTO roster_version (id, version, changed_at) VALUES (1, 3, '{WHEN}')",
    ]
    with engine.begin() as connection:
        for statement in statements:
            connection.execute(text(statement))


def _all_rows(engine: Engine) -> dict[str, list[Any]]:
    with engine.connect() as connection:
        return {
            table: [tuple(row) for row in connection.execute(text(f"SELECT * FROM {table}"))]
            for table in TABLES
        }


def _foreign_keys(engine: Engine) -> set[tuple[str, str, str]]:
    """(table, column, referenced table) of every foreign key, as the database has them."""
    found = set()
    for table in TABLES:
        for key in inspect(engine).get_foreign_keys(table):
            for column in key["constrained_columns"]:
                found.add((table, column, key["referred_table"]))
    return found


def test_a_database_made_at_0005_keeps_its_rows_and_keys_and_stops_reusing_ids(
    db_url: str, tmp_path: Path
) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine, "0005")
        _fill_at_0005(engine)
        rows, keys = _all_rows(engine), _foreign_keys(engine)
        upgrade(engine, "0006")
        assert current_revision(engine) == "0006"
        assert _all_rows(engine) == rows  # no row lost or changed, ids kept
        assert _foreign_keys(engine) == keys
        assert ("check_in", "event_id", "event") in keys
        assert ("check_in", "duplicate_of", "check_in") in keys
        if engine.dialect.name == "sqlite":
            with engine.connect() as connection:
                assert connection.execute(text("PRAGMA foreign_key_check")).all() == []
                assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        with pytest.raises(IntegrityError), engine.begin() as connection:  # still enforced
            connection.execute(
                text("INSERT INTO check_in (event_id, method, checked_in_at) "
                     f"VALUES (99, 'manual', '{WHEN}')")
            )  # fmt: skip
    finally:
        engine.dispose()
    # the kiosk's own opening of the database, and the ids from here on
    engine = open_database(db_url)
    try:
        _ids_are_never_reused(engine, tmp_path)
        with Session(engine) as session:
            assert session.get(Event, 1) is not None  # the older event is still there
    finally:
        engine.dispose()


def test_the_migration_back_to_0005_keeps_the_rows(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    try:
        upgrade(engine, "0005")
        _fill_at_0005(engine)
        rows = _all_rows(engine)
        upgrade(engine)
        downgrade(engine, "0005")
        assert current_revision(engine) == "0005"
        assert _all_rows(engine) == rows
        with engine.connect() as connection:
            sql = connection.execute(
                text("SELECT sql FROM sqlite_master WHERE name = 'event'")
            ).scalar_one()
        assert "AUTOINCREMENT" not in sql
    finally:
        engine.dispose()
