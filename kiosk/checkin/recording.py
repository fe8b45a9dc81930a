"""Writing check-ins: one transaction each, committed before the caller gets the outcome.

Duplicates are settled by the database: the partial unique index ``uq_check_in_live_student``
allows one live check-in per student per event, so two kiosks sharing PostgreSQL (or one
SQLite file) cannot both check a student in; the loser's IntegrityError becomes "already".

Reads and writes run in separate transactions, and every write transaction starts with its
write: SQLite cannot upgrade a reading transaction to a writing one while another kiosk
writes (it fails at once with "database is locked" instead of waiting its busy timeout).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import func, update
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from kiosk.checkin.checkout import second_swipe
from kiosk.checkin.names import display_name, display_name_from_full
from kiosk.checkin.outcome import (
    ARCHIVED_REFUSED_MESSAGE,
    NOT_REGISTERED_MESSAGE,
    CheckInOutcome,
    already_message,
    checked_in_message,
)
from kiosk.checkin.policies import ArchivedPolicy
from kiosk.checkin.registrations import (
    has_registrants_clause,
    registered_clause,
    registration_status,
)
from kiosk.db.models import AuditEvent, CheckIn, Event, Student, WalkIn, utcnow
from kiosk.errors import UserError
from kiosk.text_safety import require_safe

log = logging.getLogger(__name__)

Method = Literal["swipe", "manual", "walk-in"]


@dataclass(frozen=True)
class Attempt:
    """Where and how a check-in is being made (everything but who)."""

    event_id: int
    method: Method
    kiosk_id: str
    reader: str | None = None
    rule: str | None = None
    card_id: str | None = None
    at: datetime | None = None
    # The idempotency key: a check-in made twice with one key (sent again after a network
    # drop, or made offline after an online attempt that did commit) is stored once.
    client_key: str | None = None
    # Who (staff) made a manual check-in from staff mode: it is let in at a registered-only
    # event too (staff decided), and stored in ``CheckIn.checked_in_by``.
    checked_in_by: str | None = None
    # Made on a fair-mode kiosk's replica while the shared database does not answer: no
    # check-out then (kiosk.checkin.checkout).
    offline: bool = False

    def check_in(self, **fields: Any) -> CheckIn:
        return CheckIn(
            event_id=self.event_id,
            method=self.method,
            card_id=self.card_id,
            rule=self.rule,
            reader=self.reader,
            kiosk_id=self.kiosk_id,
            checked_in_at=self.at or utcnow(),
            client_key=self.client_key,
            checked_in_by=self.checked_in_by,
            **fields,
        )


@dataclass(frozen=True)
class EventTerms:
    """What an event decides about one person's check-in: are they registered (None: the
    event has no registrants), may only registrants come in, and check-out after how long."""

    registered: bool | None
    registered_only: bool
    checkout_after_minutes: int | None

    def refuses(self, attempt: Attempt) -> bool:
        """A registered-only event turns away whoever is not registered, unless staff check
        them in by hand."""
        return self.registered_only and not self.registered and attempt.checked_in_by is None

    def refusal(self, staff_note: str) -> CheckInOutcome:
        return CheckInOutcome(
            kind="not_registered",
            message=NOT_REGISTERED_MESSAGE,
            registered=self.registered,
            staff_note=staff_note,
        )


def event_terms(
    session: Session, event_id: int, student_id: int | None, email_key: str | None
) -> EventTerms:
    """One query: the event's options and the person's registration."""
    statement = select(
        col(Event.registered_only),
        col(Event.checkout_after_minutes),
        registered_clause(event_id, student_id, email_key),
        has_registrants_clause(event_id),
    ).where(col(Event.id) == event_id)
    row = session.exec(statement).first()
    if row is None:
        return EventTerms(registered=None, registered_only=False, checkout_after_minutes=None)
    registered_only, checkout_after, registered, has_registrants = row
    return EventTerms(
        registered=registration_status(bool(registered), bool(has_registrants)),
        registered_only=bool(registered_only),
        checkout_after_minutes=checkout_after,
    )


# ---------------------------------------------------------------- reading


def _live(event_id: int) -> Any:
    return select(CheckIn).where(CheckIn.event_id == event_id, CheckIn.live())


def _earliest(engine: Engine, statement: Any) -> CheckIn | None:
    with Session(engine, expire_on_commit=False) as session:
        return session.exec(statement.order_by(col(CheckIn.checked_in_at), col(CheckIn.id))).first()


def _student_live_check_in(engine: Engine, event_id: int, student_id: int) -> CheckIn | None:
    return _earliest(engine, _live(event_id).where(CheckIn.student_id == student_id))


def _walk_in_live_check_in(
    engine: Engine, event_id: int, card_id: str | None, email: str | None
) -> CheckIn | None:
    """A live walk-in check-in (not linked to a roster student) with this card_id or email."""
    unlinked = _live(event_id).where(col(CheckIn.student_id).is_(None))
    if card_id is not None:
        found = _earliest(engine, unlinked.where(CheckIn.card_id == card_id))
        if found is not None:
            return found
    if email is not None:
        by_email = unlinked.join(WalkIn, col(WalkIn.id) == col(CheckIn.walk_in_id)).where(
            func.lower(WalkIn.email_address) == email.lower()
        )
        return _earliest(engine, by_email)
    return None


def _load_student(
    engine: Engine, student_id: int, attempt: Attempt
) -> tuple[Student, EventTerms] | None:
    """The student by id (if the in-memory roster was stale, card_id moved: by card_id) and
    what the event decides about them, read in one session; None: no such student."""
    card_id = attempt.card_id
    with Session(engine, expire_on_commit=False) as session:
        student = session.get(Student, student_id)
        if card_id is not None and (student is None or student.card_id != card_id):
            student = session.exec(select(Student).where(Student.card_id == card_id)).first()
        if student is None or student.id is None:
            return None
        return student, event_terms(session, attempt.event_id, student.id, student.email_key)


def _roster_student_id_by_email(engine: Engine, email: str) -> int | None:
    with Session(engine) as session:
        return session.exec(select(Student.id).where(Student.email_key == email.lower())).first()


# ---------------------------------------------------------------- writing


def _insert(engine: Engine, check_in: CheckIn, walk_in: WalkIn | None = None) -> bool:
    """Insert (walk-in and) check-in in one committed transaction; False on a duplicate."""
    with Session(engine, expire_on_commit=False) as session:
        if walk_in is not None:
            session.add(walk_in)
            session.flush()
            check_in.walk_in_id = walk_in.id
        session.add(check_in)
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            return False
    return True


def _already(
    name: str,
    existing: CheckIn,
    staff_note: str | None = None,
    registered: bool | None = None,
) -> CheckInOutcome:
    return CheckInOutcome(
        kind="already",
        message=already_message(name, existing.checked_in_at),
        display_name=name,
        check_in_id=existing.id,
        first_checked_in_at=existing.checked_in_at,
        staff_note=staff_note,
        registered=registered,
        record=existing,
    )


def _checked_in(
    name: str, check_in: CheckIn, staff_note: str | None, registered: bool | None = None
) -> CheckInOutcome:
    return CheckInOutcome(
        kind="checked_in",
        message=checked_in_message(name, registered),
        display_name=name,
        check_in_id=check_in.id,
        first_checked_in_at=check_in.checked_in_at,
        staff_note=staff_note,
        registered=registered,
        record=check_in,
    )


def _rival(engine: Engine, check_in: CheckIn) -> CheckIn | None:
    """What a check-in that could not be inserted collided with: the same idempotency key
    (made before), or the student's or walk-in email's live check-in for the event."""
    if check_in.client_key is not None:
        same = _earliest(engine, select(CheckIn).where(CheckIn.client_key == check_in.client_key))
        if same is not None:
            return same
    if check_in.student_id is not None:
        return _student_live_check_in(engine, check_in.event_id, check_in.student_id)
    if check_in.walk_in_key is not None:
        return _earliest(
            engine, _live(check_in.event_id).where(CheckIn.walk_in_key == check_in.walk_in_key)
        )
    return None


def _insert_or_already(
    engine: Engine,
    check_in: CheckIn,
    name: str,
    staff_note: str | None,
    walk_in: WalkIn | None = None,
    registered: bool | None = None,
) -> CheckInOutcome:
    for _ in range(2):
        if _insert(engine, check_in, walk_in):
            return _checked_in(name, check_in, staff_note, registered)
        existing = _rival(engine, check_in)
        ours = check_in.client_key is not None and existing is not None
        if ours and existing is not None and existing.client_key == check_in.client_key:
            # ours, made before: not "already"
            return _checked_in(name, existing, staff_note, registered)
        if existing is not None:
            return _already(name, existing, staff_note, registered)
        # Undone between our insert and our read: try once more.
        check_in = CheckIn.model_validate(check_in.model_dump(exclude={"id", "walk_in_id"}))
        walk_in = WalkIn.model_validate(walk_in.model_dump(exclude={"id"})) if walk_in else None
    raise RuntimeError("check-in kept colliding with a check-in that then disappeared")


def record_student(
    engine: Engine, student_id: int, attempt: Attempt, archived_policy: ArchivedPolicy
) -> CheckInOutcome | None:
    """Check a roster student in. None when the student no longer exists."""
    loaded = _load_student(engine, student_id, attempt)
    if loaded is None:
        return None
    student, terms = loaded
    assert student.id is not None
    staff_note = None
    if student.archived:
        if archived_policy == "refuse":
            return CheckInOutcome(
                kind="archived",
                message=ARCHIVED_REFUSED_MESSAGE,
                staff_note=f"{student.username} is archived in the roster: not checked in.",
            )
        staff_note = f"{student.username} is archived in the roster: checked in anyway."
    if terms.refuses(attempt):
        return terms.refusal(f"{student.username} is not registered: not checked in.")
    name = display_name(student)
    if terms.checkout_after_minutes is not None:
        existing = _student_live_check_in(engine, attempt.event_id, student.id)
        if existing is not None:
            answer = second_swipe(
                engine,
                existing,
                name,
                attempt.at or utcnow(),
                terms.checkout_after_minutes,
                offline=attempt.offline,
                registered=terms.registered,
            )
            if answer is not None:
                return answer
    check_in = attempt.check_in(
        student_id=student.id, note="archived student" if student.archived else None
    )
    return _insert_or_already(engine, check_in, name, staff_note, registered=terms.registered)


def _looks_like_email(text: str) -> bool:
    local, _, domain = text.partition("@")
    return bool(local) and "." in domain and " " not in text and not domain.endswith(".")


def record_walk_in(
    engine: Engine, name: str, email: str | None, attempt: Attempt
) -> CheckInOutcome:
    """Register a walk-in and check them in. A roster email links the roster student too,
    so the one-live-check-in rule and the Handshake export apply to them."""
    require_safe(name, "Your name", "please type it again.")
    require_safe(email or "", "Your email", "please type it again.")
    clean_name = " ".join(name.split())
    if not clean_name:
        raise UserError("Type your name to check in as a walk-in.")
    clean_email = (email or "").strip() or None
    if clean_email is not None and not _looks_like_email(clean_email):
        raise UserError(f"{clean_email!r} does not look like an email address; check it.")
    shown = display_name_from_full(clean_name)
    student_id = _roster_student_id_by_email(engine, clean_email) if clean_email else None
    email_key = clean_email.lower() if clean_email else None
    with Session(engine) as session:
        terms = event_terms(session, attempt.event_id, student_id, email_key)
    if terms.refuses(attempt):
        return terms.refusal("A walk-in who is not registered: not checked in.")
    if student_id is None:
        existing = _walk_in_live_check_in(engine, attempt.event_id, attempt.card_id, clean_email)
        if existing is not None:
            return _already(shown, existing, registered=terms.registered)
    walk_in = WalkIn(name=clean_name, email_address=clean_email, card_id=attempt.card_id)
    # A walk-in's email is live-unique per event (uq_check_in_live_walk_in), so kiosks
    # registering the same walk-in at once check them in once.
    walk_in_key = clean_email.lower() if clean_email and student_id is None else None
    check_in = attempt.check_in(student_id=student_id, walk_in_key=walk_in_key)
    note = "Walk-in: reconcile with the roster after the event."
    return _insert_or_already(engine, check_in, shown, note, walk_in, terms.registered)


def record_payment_card_refused(engine: Engine, event_id: int, reader: str | None) -> None:
    """Note that a payment card was refused: the reader's name only, nothing of the card."""
    with Session(engine) as session:
        session.add(
            AuditEvent(kind="payment_card_refused", event_id=event_id, detail=f"reader={reader}")
        )
        session.commit()


def undo_check_in(engine: Engine, event_id: int, check_in_id: int, by: str) -> None:
    """Mark a live check-in of this event undone and record the undo (one transaction)."""
    with Session(engine) as session:
        result = session.execute(
            update(CheckIn)
            .where(
                col(CheckIn.id) == check_in_id,
                col(CheckIn.event_id) == event_id,
                col(CheckIn.undone_at).is_(None),
            )
            .values(undone_at=utcnow(), undone_by=by)
        )
        if result.rowcount == 1:  # type: ignore[attr-defined]
            session.add(
                AuditEvent(kind="undo", event_id=event_id, detail=f"check_in={check_in_id} by={by}")
            )
            session.commit()
            log.info("check-in %s undone by %s", check_in_id, by)
            return
        session.rollback()
        check_in = session.get(CheckIn, check_in_id)
    if check_in is None or check_in.event_id != event_id:
        raise UserError(f"There is no check-in {check_in_id} for this event to undo.")
    raise UserError(f"Check-in {check_in_id} was already undone.")


__all__ = [
    "ArchivedPolicy",
    "Attempt",
    "record_payment_card_refused",
    "record_student",
    "record_walk_in",
    "undo_check_in",
]
