from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, SQLModel, select

from kiosk.db.engine import make_engine, resolve_database_url
from kiosk.db.migrate import current_revision, head_revision, include_object
from kiosk.db.models import CheckIn, Event, Student
from kiosk.db.session import open_database
from kiosk.errors import UserError
from kiosk.paths import data_dir


def test_sqlite_runs_with_wal_full_sync_foreign_keys_and_busy_timeout(sqlite_url: str) -> None:
    engine = make_engine(sqlite_url)
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert connection.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 1000


def test_migrations_reach_head_and_match_the_models(engine: Engine) -> None:
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        opts = {"compare_type": True, "include_object": include_object(engine.dialect.name)}
        context = MigrationContext.configure(connection, opts=opts)
        differences = compare_metadata(context, SQLModel.metadata)
    assert differences == []


def test_upgrade_is_idempotent_on_an_existing_database(db_url: str) -> None:
    first = open_database(db_url)
    with Session(first) as session:
        session.add(Event(name="Fall Fair"))
        session.commit()
    first.dispose()
    again = open_database(db_url)
    with Session(again) as session:
        assert [e.name for e in session.exec(select(Event))] == ["Fall Fair"]
    again.dispose()


def test_timestamps_come_back_timezone_aware(engine: Engine) -> None:
    with Session(engine) as session:
        event = Event(name="E")
        session.add(event)
        session.commit()
        session.refresh(event)
        assert event.created_at.tzinfo is not None
        assert abs((datetime.now(UTC) - event.created_at).total_seconds()) < 60


def test_one_live_check_in_per_student_and_event(engine: Engine) -> None:
    with Session(engine) as session:
        event = Event(name="E")
        student = Student(username="u1", email_address="a@x.edu", email_key="a@x.edu",
                          first_name="Ann")
        session.add_all([event, student])
        session.commit()
        assert event.id is not None and student.id is not None
        session.add(CheckIn(event_id=event.id, student_id=student.id, method="swipe"))
        session.commit()
        session.add(CheckIn(event_id=event.id, student_id=student.id, method="swipe"))
        with pytest.raises(IntegrityError):
            session.commit()
        session.rollback()
        live = session.exec(select(CheckIn)).one()
        live.undone_at = datetime.now(UTC)
        session.add(live)
        session.commit()
        session.add(CheckIn(event_id=event.id, student_id=student.id, method="manual"))
        session.commit()


def test_card_id_keeps_leading_zeros(engine: Engine) -> None:
    with Session(engine) as session:
        session.add(Student(username="u1", email_address="a@x.edu", email_key="a@x.edu",
                            first_name="Ann", card_id="0012341234"))
        session.commit()
        assert session.exec(select(Student.card_id)).one() == "0012341234"


def test_database_url_precedence(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("KIOSK_DB", "sqlite:////env.db")
    assert resolve_database_url("sqlite:////flag.db") == "sqlite:////flag.db"
    assert resolve_database_url(None) == "sqlite:////env.db"
    monkeypatch.delenv("KIOSK_DB")
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    assert resolve_database_url(None) == f"sqlite:///{tmp_path / 'state' / 'kiosk.sqlite3'}"
    assert data_dir().is_dir()


def test_unreachable_database_is_one_clear_error(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="Cannot open the database"):
        open_database(f"sqlite:///{tmp_path / 'missing-dir' / 'kiosk.sqlite3'}")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("bogus://host/db", "names 'bogus', which is not a database SQLAlchemy knows"),
        ("mysql://user@localhost/kiosk", "needs the Python module 'MySQLdb'"),
        ("not a url", "is not valid"),
    ],
)
def test_a_database_url_the_kiosk_cannot_use_is_one_clear_error(url: str, words: str) -> None:
    # a typo in --db or KIOSK_DB, or a database whose driver is not installed
    with pytest.raises(UserError, match="database URL") as raised:
        make_engine(url)
    assert words in str(raised.value)
