"""An event's registrants as check-ins and exports ask about them (the import:
kiosk.checkin.registration_import). Imports nothing of the roster's CSV reading, so a check-in
does not load it."""

from __future__ import annotations

from sqlalchemy import func, or_
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from kiosk.db.models import Registration


def registration_count(session: Session, event_id: int) -> int:
    statement = select(func.count()).where(col(Registration.event_id) == event_id)
    return int(session.exec(statement).one())


def registration_status(
    session: Session, event_id: int, student_id: int | None, email_key: str | None
) -> bool | None:
    """Whether the student (by id or lower-cased email) is registered for the event; None
    when the event has no registrants at all (registration is not in use for it)."""
    conditions = []
    if student_id is not None:
        conditions.append(col(Registration.student_id) == student_id)
    if email_key:
        conditions.append(col(Registration.email_key) == email_key)
    if conditions:
        statement = select(Registration.id).where(
            col(Registration.event_id) == event_id, or_(*conditions)
        )
        if session.exec(statement.limit(1)).first() is not None:
            return True
    return False if registration_count(session, event_id) else None


def registrations_of(engine: Engine, event_id: int) -> list[Registration]:
    """The event's registrants, in email order."""
    with Session(engine) as session:
        statement = (
            select(Registration)
            .where(Registration.event_id == event_id)
            .order_by(col(Registration.email_key))
        )
        return list(session.exec(statement).all())
