"""Roster rows for check-in tests, written straight into a real database."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kiosk.db.models import Student, utcnow


@dataclass(frozen=True)
class Person:
    username: str
    first_name: str
    last_name: str | None
    card_id: str | None
    preferred_name: str | None = None
    archived: bool = False

    @property
    def email(self) -> str:
        return f"{self.username}@example.edu"


ALEX = Person("atester", "Alexandra", "Tester", "901234567", preferred_name="Alex")
BO = Person("bnguyen", "Bo", "Nguyen", "41234567")
CARMEN = Person("cruiz", "Carmen", "Ruiz", "12345678")
DANA = Person("dold", "Dana", "Oldfield", "60123456", archived=True)
EVE = Person("enocard", "Eve", "Nocard", None)
PEOPLE = (ALEX, BO, CARMEN, DANA, EVE)


def add_students(engine: Engine, people: Iterable[Person]) -> dict[str, int]:
    """Insert the people; returns username -> student id."""
    now = utcnow()
    rows = [
        {
            "username": p.username,
            "email_address": p.email.upper() if p.username == "bnguyen" else p.email,
            "email_key": p.email.lower(),
            "first_name": p.first_name,
            "last_name": p.last_name,
            "preferred_name": p.preferred_name,
            "card_id": p.card_id,
            "archived": p.archived,
            "archived_at": now if p.archived else None,
            "created_at": now,
            "updated_at": now,
        }
        for p in people
    ]
    with Session(engine) as session:
        session.execute(insert(Student), rows)
        session.commit()
        return {s.username: s.id for s in session.exec(select(Student)).all() if s.id is not None}
