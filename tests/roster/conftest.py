"""Helpers for the roster tests: fixture files and looking at what the database holds."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from sqlalchemy import select, text
from sqlalchemy.engine import Engine
from sqlmodel import Session

from kiosk.db.models import Student
from tests.conftest import FIXTURES

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
