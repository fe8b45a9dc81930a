"""Check-out, for appointment blocks and drop-in hours (``Event.checkout_after_minutes``).

At an event with check-out on, a student's second swipe at least that many minutes after
checking in checks them out (``CheckIn.checked_out_at``; the full export shows time in, time
out and the stay); before that it is "already checked in" as at any event, and after it
"you already checked out at HH:MM". Check-out happens at most once per check-in: the update
only touches a live check-in not yet checked out, so two kiosks cannot both do it.

Fair mode, offline (the kiosk answering from its replica, kiosk.fair): check-out is refused
with a sentence, not queued. The queue carries new check-ins only, and a check-out recorded
on a replica that may not know a check-in already made elsewhere could not be matched to the
shared record truthfully; the student is told to see a staff member (or swipe again once the
kiosk is back online), and nothing is recorded.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from kiosk.checkin.outcome import (
    CheckInOutcome,
    already_out_message,
    checked_out_message,
    checkout_offline_message,
)
from kiosk.db.models import CheckIn


def _out(name: str, check_in: CheckIn, message: str, registered: bool | None) -> CheckInOutcome:
    return CheckInOutcome(
        kind="checked_out",
        message=message,
        display_name=name,
        check_in_id=check_in.id,
        first_checked_in_at=check_in.checked_in_at,
        checked_out_at=check_in.checked_out_at,
        registered=registered,
        record=check_in,
    )


def second_swipe(
    engine: Engine,
    existing: CheckIn,
    name: str,
    at: datetime,
    after_minutes: int,
    *,
    offline: bool,
    registered: bool | None,
) -> CheckInOutcome | None:
    """The answer to a student's swipe while ``existing`` (their live check-in) stands, at an
    event with check-out after ``after_minutes``; None when it is "already checked in" as
    without check-out (too early), or the check-in was undone meanwhile."""
    if existing.checked_out_at is not None:
        return _out(name, existing, already_out_message(name, existing.checked_out_at), registered)
    if at - existing.checked_in_at < timedelta(minutes=after_minutes):
        return None
    if offline:
        return CheckInOutcome(
            kind="already",
            message=checkout_offline_message(name, existing.checked_in_at),
            display_name=name,
            check_in_id=existing.id,
            first_checked_in_at=existing.checked_in_at,
            registered=registered,
            staff_note="Check-out is not recorded while this kiosk is offline.",
        )
    with Session(engine, expire_on_commit=False) as session:
        result = session.execute(
            update(CheckIn)
            .where(
                col(CheckIn.id) == existing.id,
                CheckIn.live(),
                col(CheckIn.checked_out_at).is_(None),
            )
            .values(checked_out_at=at)
        )
        session.commit()
        changed = result.rowcount == 1  # type: ignore[attr-defined]
        current = session.get(CheckIn, existing.id)
    if current is None or current.checked_out_at is None:
        return None  # undone meanwhile: the caller checks them in afresh
    if changed:
        return _out(
            name, current, checked_out_message(name, at - current.checked_in_at), registered
        )
    return _out(name, current, already_out_message(name, current.checked_out_at), registered)
