"""Events students check in to: create, list, find by id or name.

A name with a control or invisible format character is refused at creation; an event read
back from the database has any such character taken out of its name (rows stored before the
check existed), so no reader of these functions can put one on a screen or in an export.
"""

from __future__ import annotations

import re
from datetime import date as date_type
from typing import Literal, get_args

from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from kiosk.db.models import CheckIn, Event
from kiosk.errors import UserError
from kiosk.text_safety import require_safe, sanitise

EventKind = Literal["event", "fair", "appointment"]
EVENT_KINDS: tuple[str, ...] = get_args(EventKind)
MAX_EVENT_NAME_LENGTH = 120
_HANDSHAKE_ID = re.compile(r"^\d+$")


def _shown(event: Event) -> Event:
    """The event as read, its name without forbidden characters (the stored row is untouched:
    the object is detached from its session)."""
    clean = sanitise(event.name)
    if clean != event.name:
        event.name = clean
    return event


def _validated_date(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    try:
        return date_type.fromisoformat(value.strip()).isoformat()
    except ValueError:
        raise UserError(
            f"The event date {value!r} is not a date; write it as YYYY-MM-DD, e.g. 2026-10-14."
        ) from None


def _validated_handshake_id(value: str | int | None) -> str | None:
    if value is None or not str(value).strip():
        return None
    text = str(value).strip()
    if not _HANDSHAKE_ID.match(text):
        raise UserError(
            f"The Handshake id {text!r} is not a number; use the digits at the end of the "
            "event's or fair session's Handshake URL."
        )
    return text


def create_event(
    engine: Engine,
    name: str,
    date: str | None = None,
    kind: str = "event",
    handshake_id: str | int | None = None,
) -> Event:
    """Store a new event and return it (with its id)."""
    require_safe(name, "The event name", "type the name again without it.")
    clean_name = " ".join(name.split())
    if not clean_name:
        raise UserError('The event needs a name; give one, e.g. "Fall Career Fair".')
    if len(clean_name) > MAX_EVENT_NAME_LENGTH:
        raise UserError(
            f"The event name is {len(clean_name)} characters long; "
            f"shorten it to at most {MAX_EVENT_NAME_LENGTH} (it heads the kiosk screen)."
        )
    if kind not in EVENT_KINDS:
        raise UserError(
            f"The event kind {kind!r} is unknown; use one of: {', '.join(EVENT_KINDS)}."
        )
    event = Event(
        name=clean_name,
        date=_validated_date(date),
        kind=kind,
        handshake_id=_validated_handshake_id(handshake_id),
    )
    with Session(engine, expire_on_commit=False) as session:
        session.add(event)
        session.commit()
        session.refresh(event)
    return event


def set_handshake_id(engine: Engine, event_id: int, handshake_id: str | int | None) -> Event:
    """Set (or, with None, clear) the Handshake event or fair-session id of an event."""
    with Session(engine, expire_on_commit=False) as session:
        event = session.get(Event, event_id)
        if event is None:
            raise UserError(f"There is no event with id {event_id}; see `kiosk events list`.")
        event.handshake_id = _validated_handshake_id(handshake_id)
        session.add(event)
        session.commit()
        session.refresh(event)
    return _shown(event)


def list_events(engine: Engine) -> list[Event]:
    """Every event, newest date first (undated ones last), then newest created."""
    with Session(engine, expire_on_commit=False) as session:
        statement = select(Event).order_by(
            col(Event.date).is_(None), col(Event.date).desc(), col(Event.id).desc()
        )
        events = list(session.exec(statement).all())
    return [_shown(event) for event in events]


def live_check_in_counts(engine: Engine) -> dict[int, int]:
    """Live (not undone) check-ins per event id."""
    with Session(engine) as session:
        statement = (
            select(CheckIn.event_id, func.count())
            .where(col(CheckIn.undone_at).is_(None))
            .group_by(col(CheckIn.event_id))
        )
        return {event_id: count for event_id, count in session.exec(statement).all()}


def get_event(engine: Engine, event_id: int) -> Event:
    """The event with this id, or a UserError naming `kiosk events list`."""
    with Session(engine, expire_on_commit=False) as session:
        event = session.get(Event, event_id)
    if event is None:
        raise UserError(f"There is no event with id {event_id}; see `kiosk events list`.")
    return _shown(event)


def find_event(engine: Engine, ref: str) -> Event:
    """The event ``ref`` names: its id, or its exact name (case-insensitive) if unique."""
    text = ref.strip()
    if not text:
        raise UserError("Name the event by its id or name; see `kiosk events list`.")
    with Session(engine, expire_on_commit=False) as session:
        by_id = session.get(Event, int(text)) if text.isdigit() else None
        statement = select(Event).where(func.lower(Event.name) == " ".join(text.split()).lower())
        matches = [] if by_id is not None else list(session.exec(statement).all())
    if by_id is not None:
        return _shown(by_id)
    if len(matches) == 1:
        return _shown(matches[0])
    if not matches:
        raise UserError(f"There is no event {text!r}; see `kiosk events list` for ids and names.")
    ids = ", ".join(str(event.id) for event in matches)
    raise UserError(
        f"{len(matches)} events are called {text!r} (ids {ids}); name the one you mean by its id."
    )
