"""Reading check-ins back for staff screens: recent rows, the live count, manual check-ins,
swipes per rule."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, time

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from kiosk.checkin.manual import MANUAL_METHODS
from kiosk.checkin.names import display_name, display_name_from_full
from kiosk.checkin.outcome import CheckInRow
from kiosk.db.models import CheckIn, Student, WalkIn
from kiosk.text_safety import sanitise, sanitise_optional


def full_name(student: Student) -> str:
    """The whole name staff see: first (with the preferred one, if other) and last name."""
    first = sanitise(student.first_name).strip()
    preferred = sanitise(student.preferred_name or "").strip()
    if preferred and preferred != first:
        first = f"{preferred} ({first})" if first else preferred
    return " ".join(part for part in (first, sanitise(student.last_name or "").strip()) if part)


def _row(check_in: CheckIn, student: Student | None, walk_in: WalkIn | None) -> CheckInRow:
    if student is not None:
        name, whole = display_name(student), full_name(student)
    elif walk_in is not None:
        name = display_name_from_full(walk_in.name)
        whole = " ".join(sanitise(walk_in.name).split())
    else:
        name = whole = "?"
    email = student.email_address if student is not None else None
    if email is None and walk_in is not None:
        email = walk_in.email_address
    assert check_in.id is not None
    return CheckInRow(
        id=check_in.id,
        checked_in_at=check_in.checked_in_at,
        display_name=name,
        full_name=whole or name,
        # staff screens show these: rows stored before control characters were refused
        username=sanitise(student.username) if student is not None else None,
        email=sanitise_optional(email),
        method=check_in.method,
        rule=check_in.rule,
        reader=check_in.reader,
        kiosk_id=check_in.kiosk_id,
        walk_in=check_in.walk_in_id is not None,
        note=check_in.note,
        undone_at=check_in.undone_at,
        undone_by=check_in.undone_by,
        checked_out_at=check_in.checked_out_at,
    )


def recent_check_ins(
    engine: Engine, event_id: int, limit: int = 20, include_undone: bool = False
) -> list[CheckInRow]:
    """The newest check-ins of an event, newest first."""
    found = joined_check_ins(
        engine, event_id, live_only=not include_undone, newest_first=True, limit=limit
    )
    return [_row(*row) for row in found]


JoinedCheckIn = tuple[CheckIn, Student | None, WalkIn | None]


def joined_check_ins(
    engine: Engine,
    event_id: int,
    *,
    live_only: bool,
    newest_first: bool = False,
    limit: int | None = None,
) -> Sequence[JoinedCheckIn]:
    """An event's check-ins with their student and walk-in (the one joined-rows query the
    staff views and the exports share); ``live_only``: those that count (``CheckIn.live``)."""
    order = (
        (col(CheckIn.checked_in_at).desc(), col(CheckIn.id).desc())
        if newest_first
        else (col(CheckIn.checked_in_at), col(CheckIn.id))
    )
    statement = (
        select(CheckIn, Student, WalkIn)
        .join(Student, col(Student.id) == col(CheckIn.student_id), isouter=True)
        .join(WalkIn, col(WalkIn.id) == col(CheckIn.walk_in_id), isouter=True)
        .where(CheckIn.event_id == event_id)
        .order_by(*order)
        .limit(limit)
    )
    if live_only:
        statement = statement.where(CheckIn.live())
    with Session(engine) as session:
        return session.exec(statement).all()


def live_count(engine: Engine, event_id: int) -> int:
    """Live check-ins of an event (``CheckIn.live``), walk-ins included."""
    statement = select(func.count()).where(CheckIn.event_id == event_id, CheckIn.live())
    with Session(engine) as session:
        return int(session.exec(statement).one())


def manual_counts(engine: Engine, event_id: int) -> dict[str, int]:
    """Live manual check-ins of an event per method: ``{"manual": 9, "walk-in": 3}``
    (username/email lookups and walk-ins; methods with none are left out)."""
    statement = (
        select(CheckIn.method, func.count())
        .where(
            CheckIn.event_id == event_id,
            CheckIn.live(),
            col(CheckIn.method).in_(MANUAL_METHODS),
        )
        .group_by(col(CheckIn.method))
    )
    with Session(engine) as session:
        return {method: count for method, count in session.exec(statement).all()}


def start_of_local_day(now: datetime | None = None) -> datetime:
    """Midnight today in the machine's local time zone (an aware datetime)."""
    local_now = (now or datetime.now().astimezone()).astimezone()
    return datetime.combine(local_now.date(), time(0), tzinfo=local_now.tzinfo)


def rule_counts_since(engine: Engine, since: datetime) -> dict[str, int]:
    """Live check-ins per card rule since ``since`` (all events; containment and lookups
    have no rule and are not counted)."""
    statement = (
        select(CheckIn.rule, func.count())
        .where(
            col(CheckIn.rule).is_not(None),
            CheckIn.live(),
            col(CheckIn.checked_in_at) >= since,
        )
        .group_by(col(CheckIn.rule))
    )
    with Session(engine) as session:
        return {rule: count for rule, count in session.exec(statement).all() if rule}
