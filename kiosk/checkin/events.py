"""Events students check in to: create, list, find by id or name.

A name with a control or invisible format character is refused at creation; an event read
back from the database has any such character taken out of its name (rows stored before the
check existed), so no reader of these functions can put one on a screen or in an export.
"""

from __future__ import annotations

import io
import re
from dataclasses import dataclass
from datetime import date as date_type
from datetime import datetime
from pathlib import Path
from typing import Literal, cast, get_args

from sqlalchemy import delete, func, update
from sqlalchemy.engine import Connection, Engine
from sqlmodel import Session, col, select

from kiosk.db.models import AuditEvent, CheckIn, Event, Registration, WalkIn
from kiosk.errors import UserError
from kiosk.paths import data_dir, private_dir
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
    """Store a new event and return it (with its id).

    A second event with the same name (case-insensitive) on the same date is refused: names
    are how ``kiosk run --event`` and the exports find an event.
    """
    clean_name = _validated_name(name)
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
        _refuse_same_name(session, event.name, event.date, None)
        session.add(event)
        session.commit()
        session.refresh(event)
    return event


def _validated_name(name: str) -> str:
    require_safe(name, "The event name", "type the name again without it.")
    clean_name = " ".join(name.split())
    if not clean_name:
        raise UserError('The event needs a name; give one, e.g. "Fall Career Fair".')
    if len(clean_name) > MAX_EVENT_NAME_LENGTH:
        raise UserError(
            f"The event name is {len(clean_name)} characters long; "
            f"shorten it to at most {MAX_EVENT_NAME_LENGTH} (it heads the kiosk screen)."
        )
    return clean_name


def _refuse_same_name(session: Session, name: str, date: str | None, own_id: int | None) -> None:
    """UserError when another event has ``name`` (case-insensitive) on ``date``."""
    statement = select(Event).where(
        func.lower(Event.name) == name.lower(),
        col(Event.date).is_(None) if date is None else col(Event.date) == date,
    )
    for other in session.exec(statement).all():
        if other.id != own_id:
            when = f"on {date}" if date else "without a date"
            raise UserError(
                f"There is already an event called {sanitise(other.name)!r} {when} "
                f"(id {other.id}); use that one, or give this one another name."
            )


def rename_event(engine: Engine, ref: str, new_name: str) -> Event:
    """Give the event ``ref`` names (id or name) the name ``new_name``; returns it renamed."""
    clean_name = _validated_name(new_name)
    found = find_event(engine, ref)
    with Session(engine, expire_on_commit=False) as session:
        event = session.get(Event, found.id)
        if event is None:
            raise UserError(f"There is no event {ref!r}; see `kiosk events list`.")
        _refuse_same_name(session, clean_name, event.date, event.id)
        event.name = clean_name
        session.add(event)
        session.commit()
        session.refresh(event)
    return _shown(event)


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
            .where(CheckIn.live())
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
    ids = ", ".join(
        f"{event.id} on {event.date}" if event.date else f"{event.id} without a date"
        for event in sorted(matches, key=lambda event: event.id or 0)
    )
    raise UserError(
        f"{len(matches)} events are called {text!r} (ids {ids}); name the one you mean by its id."
    )


@dataclass(frozen=True)
class DeletedEvent:
    """What :func:`delete_event` did: ``export`` is where the check-ins went (None: had none)."""

    id: int
    name: str
    check_ins: int
    export: Path | None


def delete_event(
    engine: Engine, ref: str, *, force: bool = False, export_dir: Path | None = None
) -> DeletedEvent:
    """Delete the event ``ref`` names (id or name).

    An event with check-ins is refused unless ``force``; then, in one transaction that first
    locks the event (no kiosk adds a check-in meanwhile), its check-ins (undone ones too) are
    written to an owner-only full-format CSV in ``export_dir`` (default: the data directory),
    and only once that file is whole are they, their walk-ins and the event deleted. If
    anything fails, nothing is deleted.
    """
    from kiosk.checkin.export import (  # kiosk.checkin.export imports this module
        export_checkins,
        write_whole,
    )

    found = find_event(engine, ref)
    assert found.id is not None
    event_id = found.id
    export: Path | None = None
    with engine.begin() as connection:
        _lock_event(connection, event_id)
        count = connection.execute(
            select(func.count()).select_from(CheckIn).where(col(CheckIn.event_id) == event_id)
        ).scalar_one()
        if count and not force:
            raise UserError(
                f"The event {found.name!r} has {count} check-in(s); export them first "
                "(`kiosk checkins export`), or delete with --force, which saves them to a file "
                "before deleting."
            )
        if count:
            text = io.StringIO(newline="")
            # the same transaction's connection: the file holds exactly what is deleted
            export_checkins(cast(Engine, connection), event_id, "full", text)
            directory = export_dir or data_dir()
            try:
                private_dir(directory)
            except OSError as error:
                raise UserError(
                    f"Cannot create the folder {directory} for the check-ins "
                    f"({error.strerror}); choose another with --export-dir."
                ) from None
            export = _free_path(directory, event_id)
            write_whole(export, text.getvalue())
            _delete_check_ins(connection, event_id)
        connection.execute(
            update(AuditEvent).where(col(AuditEvent.event_id) == event_id).values(event_id=None)
        )
        # its registrants (kiosk.checkin.registrations) go with it: Handshake has them
        connection.execute(delete(Registration).where(col(Registration.event_id) == event_id))
        connection.execute(delete(Event).where(col(Event.id) == event_id))
    return DeletedEvent(id=event_id, name=found.name, check_ins=count, export=export)


def _lock_event(connection: Connection, event_id: int) -> None:
    """Take the event's row lock (PostgreSQL: check-in inserts wait on it) and the write
    lock (SQLite) before anything is read."""
    connection.execute(select(Event.id).where(col(Event.id) == event_id).with_for_update())
    connection.execute(
        update(Event).where(col(Event.id) == event_id).values(kind=Event.kind)
    )


def _delete_check_ins(connection: Connection, event_id: int) -> None:
    walk_in_ids = [
        walk_in_id
        for walk_in_id in connection.execute(
            select(CheckIn.walk_in_id).where(
                col(CheckIn.event_id) == event_id, col(CheckIn.walk_in_id).is_not(None)
            )
        ).scalars()
    ]
    connection.execute(delete(CheckIn).where(col(CheckIn.event_id) == event_id))
    if walk_in_ids:  # walk-ins registered for this event only
        still_used = select(CheckIn.walk_in_id).where(col(CheckIn.walk_in_id).is_not(None))
        connection.execute(
            delete(WalkIn).where(
                col(WalkIn.id).in_(walk_in_ids), col(WalkIn.id).not_in(still_used)
            )
        )


def _free_path(directory: Path, event_id: int) -> Path:
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    path = directory / f"deleted-event{event_id}-checkins-full-{stamp}.csv"
    number = 1
    while path.exists():
        number += 1
        path = directory / f"deleted-event{event_id}-checkins-full-{stamp}-{number}.csv"
    return path
