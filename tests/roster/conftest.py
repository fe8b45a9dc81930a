"""Helpers for the roster tests: fixture files and looking at what the database holds."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select, text
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session

from kiosk.db.models import Student
from kiosk.roster import apply
from tests.conftest import FIXTURES, PG_URL_ENV, _reset_postgres

ROSTERS = FIXTURES / "roster"


def roster(name: str) -> Path:
    path = ROSTERS / name
    assert path.exists(), path
    return path


def students(engine: Engine) -> dict[str, Student]:
    with Session(engine) as session:
        return {s.username: s for s in session.scalars(select(Student))}


def snapshot(engine: Engine) -> list[tuple[Any, ...]]:
    """Everything the import may touch, to compare before and after."""
    with engine.connect() as connection:
        rows = [tuple(r) for r in connection.execute(text("SELECT * FROM student ORDER BY id"))]
        audits = connection.execute(text("SELECT * FROM audit_event ORDER BY id"))
        return rows + [("audit", *tuple(r)) for r in audits]


def ranked_students(engine: Engine) -> list[dict[str, Any]]:
    """Every student's row, its timestamps as the rank of the import that set them (so two
    databases filled by the same imports compare equal), fingerprints as bytes."""
    with engine.connect() as connection:
        rows = [dict(r._mapping) for r in connection.execute(
            text("SELECT * FROM student ORDER BY id"))]
    stamps = ("created_at", "updated_at", "archived_at")
    times = sorted({str(row[c]) for row in rows for c in stamps if row[c] is not None})
    for row in rows:
        row["archived"] = bool(row["archived"])
        for column in stamps:
            value = row[column]
            row[column] = None if value is None else times.index(str(value))
        if row["row_fingerprint"] is not None:
            row["row_fingerprint"] = bytes(row["row_fingerprint"])
    return rows


def backends() -> list[Any]:
    """SQLite, and PostgreSQL when KIOSK_TEST_PG_URL is set (else skipped), for a test to
    parametrize ``backend`` with."""
    if os.environ.get(PG_URL_ENV):
        return ["sqlite", "postgresql"]
    return ["sqlite", pytest.param("postgresql", marks=pytest.mark.skip(
        reason=f"{PG_URL_ENV} is not set: no PostgreSQL to test"))]


def scratch_url(backend: str, path: Path) -> str:
    """A database to fill: the SQLite file ``path``, or the emptied PostgreSQL database."""
    if backend == "sqlite":
        return f"sqlite:///{path}"
    url = os.environ[PG_URL_ENV]
    _reset_postgres(url)
    return url


def fail_after_first_write(monkeypatch: pytest.MonkeyPatch, error: Exception) -> list[int]:
    """Make the import's first write statement (its inserts) run, then fail."""
    real = apply._execute
    calls: list[int] = []

    def flaky(connection: Connection, statement: Any, parameters: Any) -> None:
        real(connection, statement, parameters)
        calls.append(1)
        raise error

    monkeypatch.setattr(apply, "_execute", flaky)
    return calls
