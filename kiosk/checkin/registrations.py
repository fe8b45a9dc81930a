"""An event's registrants as check-ins and exports ask about them (the import:
kiosk.checkin.registration_import). Imports nothing of the roster's CSV reading, so a check-in
does not load it."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, false, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from kiosk.db.models import Registration


def registered_clause(
    event_id: int, student_id: int | None, email_key: str | None
) -> ColumnElement[bool]:
    """SQL: the student (by roster id or lower-cased email) is registered for the event."""
    conditions = []
    if student_id is not None:
        conditions.append(col(Registration.student_id) == student_id)
    if email_key:
        conditions.append(col(Registration.email_key) == email_key)
    if not conditions:
        return false()
    return exists().where(col(Registration.event_id) == event_id, or_(*conditions))


def has_registrants_clause(event_id: int) -> ColumnElement[bool]:
    """SQL: the event has registrants at all (registration is in use for it)."""
    return exists().where(col(Registration.event_id) == event_id)


def registration_status(registered: bool, has_registrants: bool) -> bool | None:
    """Whether someone is registered; None when the event has no registrants."""
    return True if registered else (False if has_registrants else None)


def registrations_of(engine: Engine, event_id: int) -> list[Registration]:
    """The event's registrants, in email order."""
    with Session(engine) as session:
        statement = (
            select(Registration)
            .where(Registration.event_id == event_id)
            .order_by(col(Registration.email_key))
        )
        return list(session.exec(statement).all())
