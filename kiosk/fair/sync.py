"""Sending a kiosk's queued check-ins to the shared database: each exactly once, in order.

Each queued check-in carries the idempotency key it was made with. Delivering one is one
transaction on the shared database: a key it already has was delivered before (the kiosk was
cut off between the shared commit and its own note of it, or the online attempt committed
after the kiosk gave up waiting) and is only noted as sent. Otherwise it is inserted with its
original time; when the student (or walk-in email) already has a live check-in for the event
— made at another kiosk while the two could not see each other — the earliest counts and the
later one is kept, marked ``duplicate_of`` the earliest: in the full export, never counted,
not in the Handshake export.

Undos made while offline are queued too (``replica.QUEUED_UNDO``), by the key of the check-in
they undo, and replayed after the check-ins, each once, with their original time: an undo of
a check-in that was still queued reaches the shared database with that check-in (it is sent
already undone, never counted) and its replay then changes nothing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import Engine, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from kiosk.db.models import AuditEvent, CheckIn, WalkIn
from kiosk.fair.replica import SENT_CHECK_IN, Replica

log = logging.getLogger(__name__)

Delivery = Literal["sent", "already_sent", "duplicate", "replaced_later"]


@dataclass
class SyncReport:
    """How a queue was sent: counts by delivery."""

    sent: int = 0
    already_sent: int = 0
    duplicates: int = 0
    replaced_later: int = 0
    undos: int = 0

    def add(self, delivery: Delivery) -> None:
        if delivery == "sent":
            self.sent += 1
        elif delivery == "already_sent":
            self.already_sent += 1
        elif delivery == "duplicate":
            self.duplicates += 1
        else:
            self.replaced_later += 1

    @property
    def total(self) -> int:
        return self.sent + self.already_sent + self.duplicates + self.replaced_later


def send_pending(replica: Replica, shared: Engine) -> SyncReport:
    """Send every queued check-in, oldest first, each noted as sent once delivered. A
    database error stops the sending (the rest stay queued, nothing is lost) and is raised."""
    report = SyncReport()
    # Undos of check-ins the shared database has go first: each was made after its check-in
    # and before the queued check-ins that follow it (a student undone, then checked in
    # again here, must not find the undone check-in still live).
    report.undos = send_undos(replica, shared)
    for key in replica.pending_keys():
        queued, walk_in = _queued(replica, key)
        report.add(deliver(shared, queued, walk_in))
        replica.mark_sent(key)
    report.undos += send_undos(replica, shared)  # those that waited for their check-in
    if report.total:
        log.info(
            "sent %d queued check-in(s): %d new, %d had arrived already, %d duplicate(s), "
            "%d earlier than another kiosk's",
            report.total,
            report.sent,
            report.already_sent,
            report.duplicates,
            report.replaced_later,
        )
    return report


def send_undos(replica: Replica, shared: Engine) -> int:
    """Replay the undos made offline, oldest first, each noted as sent once applied (a
    replay that finds the check-in undone already changes nothing). Returns how many undid
    something. An undo of a check-in still queued waits for it."""
    undid = 0
    for undo_id, key, undone_at, by in replica.pending_undos():
        if replica.is_pending(key):
            continue  # its check-in goes first (and carries the undo)
        undid += apply_undo(shared, key, undone_at, by)
        replica.mark_undo_sent(undo_id)
    if undid:
        log.info("replayed %d undo(s) made offline", undid)
    return undid


def apply_undo(shared: Engine, key: str, undone_at: datetime, by: str | None) -> bool:
    """Undo the check-in with idempotency key ``key`` at ``undone_at`` unless it is undone
    already (one transaction, with the same audit event as an undo made online). False when
    nothing changed (undone before, or no such check-in)."""
    match = (
        col(CheckIn.id) == int(key.removeprefix("shared:"))
        if key.startswith("shared:")
        else col(CheckIn.client_key) == key
    )
    with Session(shared) as session:
        check_in = session.exec(select(CheckIn).where(match)).first()
        if check_in is None or check_in.undone_at is not None:
            return False
        result = session.execute(
            update(CheckIn)
            .where(col(CheckIn.id) == check_in.id, col(CheckIn.undone_at).is_(None))
            .values(undone_at=undone_at, undone_by=by)
        )
        if result.rowcount != 1:  # type: ignore[attr-defined]
            return False
        session.add(
            AuditEvent(
                kind="undo",
                event_id=check_in.event_id,
                detail=f"check_in={check_in.id} by={by} (made offline)",
            )
        )
        _promote_duplicates(session, check_in)
        session.commit()
    return True


def _promote_duplicates(session: Session, undone: CheckIn) -> None:
    """The undone check-in counted; later ones kept as its duplicates (another kiosk's,
    offline) now do: the earliest goes live, the others become its duplicates."""
    later = session.exec(
        select(CheckIn)
        .where(col(CheckIn.duplicate_of) == undone.id, col(CheckIn.undone_at).is_(None))
        .order_by(col(CheckIn.checked_in_at), col(CheckIn.id))
    ).all()
    if not later:
        return
    first, *rest = later
    ids = [row.id for row in rest]
    if ids:
        session.execute(
            update(CheckIn).where(col(CheckIn.id).in_(ids)).values(duplicate_of=first.id)
        )
    session.execute(update(CheckIn).where(col(CheckIn.id) == first.id).values(duplicate_of=None))


def _queued(replica: Replica, key: str) -> tuple[CheckIn, WalkIn | None]:
    with Session(replica.engine, expire_on_commit=False) as session:
        check_in = session.exec(select(CheckIn).where(CheckIn.client_key == key)).one()
        walk_in = session.get(WalkIn, check_in.walk_in_id) if check_in.walk_in_id else None
        return check_in, walk_in


def _copy(queued: CheckIn, duplicate_of: int | None = None) -> CheckIn:
    fields = {name: getattr(queued, name) for name in SENT_CHECK_IN}
    return CheckIn(**fields, duplicate_of=duplicate_of)


def _new_walk_in(session: Session, walk_in: WalkIn | None) -> int | None:
    if walk_in is None:
        return None
    copy = WalkIn(
        name=walk_in.name,
        email_address=walk_in.email_address,
        card_id=walk_in.card_id,
        created_at=walk_in.created_at,
    )
    session.add(copy)
    session.flush()
    return copy.id


def _has_key(session: Session, key: str | None) -> bool:
    return session.exec(select(CheckIn.id).where(CheckIn.client_key == key)).first() is not None


def _live_rival(session: Session, queued: CheckIn) -> CheckIn | None:
    """The live check-in the queued one collides with: same event and student or walk-in."""
    same_person = []
    if queued.student_id is not None:
        same_person.append(col(CheckIn.student_id) == queued.student_id)
    if queued.walk_in_key is not None:
        same_person.append(col(CheckIn.walk_in_key) == queued.walk_in_key)
    if not same_person:
        return None
    statement = select(CheckIn).where(
        CheckIn.event_id == queued.event_id, CheckIn.live(), or_(*same_person)
    )
    return session.exec(statement).first()


def deliver(shared: Engine, queued: CheckIn, walk_in: WalkIn | None = None) -> Delivery:
    """Put one queued check-in into the shared database (see the module docstring)."""
    for _ in range(3):  # a rival may be undone or appear between our insert and our read
        with Session(shared) as session:
            if _has_key(session, queued.client_key):
                return "already_sent"
            check_in = _copy(queued)
            check_in.walk_in_id = _new_walk_in(session, walk_in)
            session.add(check_in)
            try:
                session.commit()
                return "sent"
            except IntegrityError:
                session.rollback()
        settled = _settle(shared, queued, walk_in)
        if settled is not None:
            return settled
    raise RuntimeError("a queued check-in kept colliding with check-ins that then changed")


def _settle(shared: Engine, queued: CheckIn, walk_in: WalkIn | None) -> Delivery | None:
    """Insert a queued check-in that collides with a live one: the earliest stays live."""
    with Session(shared) as session:
        if _has_key(session, queued.client_key):
            return "already_sent"
        rival = _live_rival(session, queued)
        if rival is None or rival.id is None:
            return None  # gone since: try the plain insert again
        check_in = _copy(queued, duplicate_of=rival.id)
        check_in.walk_in_id = _new_walk_in(session, walk_in)
        session.add(check_in)
        session.flush()
        if (rival.checked_in_at, rival.id) <= (queued.checked_in_at, check_in.id or 0):
            session.commit()
            return "duplicate"
        # Ours came first: the rival becomes the duplicate, then ours goes live.
        session.execute(
            update(CheckIn).where(col(CheckIn.id) == rival.id).values(duplicate_of=check_in.id)
        )
        session.execute(
            update(CheckIn).where(col(CheckIn.id) == check_in.id).values(duplicate_of=None)
        )
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return None
        return "replaced_later"
