"""PostgreSQL's first import builds the student table's indexes after its rows
(:mod:`kiosk.roster.bulk_load`): the same students and the same indexes as an import that
keeps them up to date row by row; a failure leaves the indexes as they were; a session
holding the table makes the import keep its indexes instead of waiting."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import IntegrityError

from kiosk.db.session import open_database
from kiosk.roster import apply, bulk_load, import_roster
from tests.conftest import PG_URL_ENV, _reset_postgres
from tests.roster.conftest import fail_after_first_write, ranked_students, roster, snapshot

pytestmark = pytest.mark.skipif(not os.environ.get(PG_URL_ENV),
                                reason=f"{PG_URL_ENV} is not set: no PostgreSQL to test")

_INDEXES = ("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'student' "
            "ORDER BY indexname")


@pytest.fixture
def pg(monkeypatch: pytest.MonkeyPatch) -> Iterator[Engine]:
    """An empty migrated PostgreSQL database on which even a small import bulk loads."""
    url = os.environ[PG_URL_ENV]
    _reset_postgres(url)
    engine = open_database(url)
    monkeypatch.setattr(bulk_load, "BULK_LOAD_ROWS", 1)
    yield engine
    engine.dispose()


def _indexes(engine: Engine) -> list[tuple[str, str]]:
    with engine.connect() as connection:
        return [(name, definition) for name, definition in connection.execute(text(_INDEXES))]


def _bulk_loads(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Record, for each insert of students, whether it built the indexes after the rows."""
    real = bulk_load.indexes_built_after
    seen: list[bool] = []

    @contextmanager
    def recording(connection: Connection, rows: int) -> Iterator[bool]:
        with real(connection, rows) as built_after:
            if rows:  # (the statements that insert no student pass 0)
                seen.append(built_after)
            yield built_after

    monkeypatch.setattr(apply, "indexes_built_after", recording)
    return seen


def test_the_first_import_builds_the_same_indexes_and_students(
    pg: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    indexes = _indexes(pg)
    assert len(indexes) == 5  # the primary key and four unique indexes
    seen = _bulk_loads(monkeypatch)
    import_roster(pg, roster("base.csv"))
    assert seen == [True]
    assert _indexes(pg) == indexes
    bulk = ranked_students(pg)

    monkeypatch.setattr(bulk_load, "BULK_LOAD_ROWS", 10**9)
    _reset_postgres(os.environ[PG_URL_ENV])
    row_by_row = open_database(os.environ[PG_URL_ENV])
    import_roster(row_by_row, roster("base.csv"))
    assert seen == [True, False]
    assert ranked_students(row_by_row) == bulk
    row_by_row.dispose()


def test_the_rebuilt_indexes_keep_card_ids_unique(pg: Engine) -> None:
    import_roster(pg, roster("base.csv"))
    with pg.connect() as connection, pytest.raises(IntegrityError, match="student_card_id_key"):
        connection.execute(text(
            "INSERT INTO student (email_address, email_key, username, first_name, last_name, "
            "card_id, archived, created_at, updated_at) SELECT 'someone.else@example.edu', "
            "'someone.else@example.edu', 'someone.else', first_name, last_name, card_id, "
            "FALSE, now(), now() "
            "FROM student WHERE card_id IS NOT NULL LIMIT 1"))


def test_a_failure_after_the_rows_leaves_the_indexes_and_the_table_as_they_were(
    pg: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    indexes = _indexes(pg)
    fail_after_first_write(monkeypatch, RuntimeError("power cut"))  # after the insert
    with pytest.raises(RuntimeError, match="power cut"):
        import_roster(pg, roster("base.csv"))
    assert _indexes(pg) == indexes
    assert snapshot(pg) == []


def test_a_session_holding_the_table_makes_the_import_keep_its_indexes_not_wait(
    pg: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen = _bulk_loads(monkeypatch)
    # No lock timeout for the import: waiting for the table would hang it.
    importer = open_database(os.environ[PG_URL_ENV] + "?options=-c%20lock_timeout%3D0")
    finished = threading.Event()
    with pg.connect() as kiosk:
        kiosk.execute(text("SELECT COUNT(*) FROM student"))  # its transaction stays open
        worker = threading.Thread(target=lambda: (import_roster(importer, roster("base.csv")),
                                                  finished.set()), daemon=True)
        worker.start()
        worker.join(timeout=30)
        waited = not finished.is_set()
        kiosk.rollback()
    worker.join()
    importer.dispose()
    assert not waited, "the import waited for the session holding the table"
    assert seen == [False]
    assert len(ranked_students(pg)) > 0


def test_a_table_with_only_archived_students_keeps_its_indexes(
    pg: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_roster(pg, roster("base.csv"))
    with pg.begin() as connection:
        connection.execute(text("UPDATE student SET archived = TRUE"))
    seen = _bulk_loads(monkeypatch)
    import_roster(pg, roster("update.csv"))
    assert seen == [False]  # update.csv adds a student: inserted with the indexes kept
