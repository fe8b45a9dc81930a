"""Migration 0007 (student.row_fingerprint): students stored before it keep every value and
get no fingerprint (their next import plans their rows in full and stores one); going back
to 0006 drops the column and keeps the rows."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import inspect, text

from kiosk.db.engine import make_engine
from kiosk.db.migrate import current_revision, downgrade, head_revision, upgrade
from kiosk.db.session import open_database
from kiosk.roster import import_roster
from tests.roster.conftest import roster

_STUDENT = ("INSERT INTO student (username, email_address, email_key, first_name, card_id, "
            "archived, created_at, updated_at) VALUES ('h1001', 'ana.lopez@example.edu', "
            "'ana.lopez@example.edu', 'Ana', '0012345678', FALSE, '2026-01-05 10:00:00', "
            "'2026-01-05 10:00:00')")


def _students(url: str) -> list[tuple[object, ...]]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(
                "SELECT id, username, email_key, card_id, first_name FROM student"))]
    finally:
        engine.dispose()


def test_students_stored_before_0007_keep_their_values_and_get_a_fingerprint_on_import(
    db_url: str,
) -> None:
    engine = make_engine(db_url)
    try:
        upgrade(engine, "0006")
        with engine.begin() as connection:
            connection.execute(text(_STUDENT))
        upgrade(engine)
        assert current_revision(engine) == head_revision()
        with engine.connect() as connection:
            assert connection.execute(text(
                "SELECT username, card_id, row_fingerprint FROM student")).all() == [
                    ("h1001", "0012345678", None)]
    finally:
        engine.dispose()
    engine = open_database(db_url)
    try:
        report = import_roster(engine, roster("base.csv"))
        assert (report.created, report.updated, report.unchanged) == (4, 1, 0)
        with engine.connect() as connection:
            assert connection.execute(text(
                "SELECT COUNT(*) FROM student WHERE row_fingerprint IS NULL")).scalar() == 0
    finally:
        engine.dispose()


def test_going_back_to_0006_drops_the_column_and_keeps_the_rows(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    engine = open_database(url)
    try:
        import_roster(engine, roster("base.csv"))
    finally:
        engine.dispose()
    before = _students(url)
    engine = make_engine(url)
    try:
        downgrade(engine, "0006")
        assert "row_fingerprint" not in {c["name"] for c in inspect(engine).get_columns("student")}
    finally:
        engine.dispose()
    assert _students(url) == before
