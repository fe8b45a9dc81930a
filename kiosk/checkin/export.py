"""Attendance CSVs: Handshake's attendees import, and a full record for staff.

``handshake``: one row per live check-in of a roster student, with the columns of Handshake's
attendees import. Choices (see docs/checkin.md):

- ``checked_in`` is TRUE: everyone listed attended. ``registered`` says whether they were
  registered for the event, once its registrants are imported (kiosk.checkin.registrations);
  for an event without registrants it is TRUE (an attendee then counts as registered in
  Handshake's reports, as before registrations were imported).
- With ``include_no_shows``, registrants who never checked in are written too, ``registered``
  TRUE and ``checked_in`` FALSE, so Handshake's reports see the no-shows.
- ``identifiable_type`` is ``CareerFairSession`` for a fair, else ``Event``; ``identifiable_id``
  is the event's Handshake id. An event without one is an error (Handshake would reject every
  row): set it with ``kiosk events set-handshake-id`` or pass ``handshake_id=`` here.
- ``identifier`` is present and blank.
- Undone check-ins are left out.
- Walk-ins whose email is not a roster student's cannot be imported by Handshake; they are
  written to ``walk_ins_out`` (a separate CSV: name, email, card_id, time, kiosk, method) when
  given, and always counted in the returned summary so the caller can say where they went.
- Handshake's attendees import has no column for how someone checked in, so this file cannot
  mark manual check-ins (username/email or walk-in): the summary counts them instead
  (``ExportSummary.manual``), and the full export marks each one.

``full``: every check-in (undone ones too, flagged), with username, email, names, time
(ISO 8601 with the local offset), method (``swipe``, or ``manual`` / ``walk-in`` for a
check-in without a recognized card), reader, kiosk id, undone, duplicate, then the time out
(``checked_out_at``, events with check-out), the stay in whole minutes (``duration_minutes``)
and ``registered`` (TRUE/FALSE; blank for an event without registrants), and for a manual
check-in staff made or confirmed, who (``checked_in_by``: "staff PIN at kiosk front").

Cells typed at the kiosk that a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``)
are prefixed with ``'``. No cell holds a control or invisible format character
(:func:`kiosk.text_safety.sanitise`), even from rows stored before such input was refused.
"""

from __future__ import annotations

import csv
import io
import os
import tempfile
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Literal, TextIO

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from kiosk.checkin.events import get_event
from kiosk.checkin.manual import MANUAL_METHODS
from kiosk.checkin.names import split_full_name
from kiosk.checkin.queries import joined_check_ins
from kiosk.checkin.registrations import registrations_of
from kiosk.checkin.summary import registered_ids
from kiosk.db.models import CheckIn, Event, Registration, Student, WalkIn
from kiosk.errors import UserError
from kiosk.text_safety import sanitise

ExportFormat = Literal["handshake", "full"]
EXPORT_FORMATS: tuple[str, ...] = ("handshake", "full")

HANDSHAKE_COLUMNS = (
    "student_email_address",
    "registered",
    "checked_in",
    "identifiable_type",
    "identifiable_id",
    "identifier",
)
FULL_COLUMNS = (
    "username",
    "email",
    "first_name",
    "last_name",
    "checked_in_at",
    "method",
    "reader",
    "kiosk_id",
    "undone",
    "duplicate",
    "checked_out_at",
    "duration_minutes",
    "registered",
    "checked_in_by",
)
WALK_IN_COLUMNS = ("name", "email", "card_id", "checked_in_at", "kiosk_id", "method")

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class ExportSummary:
    """What an export wrote: rows in the main file, and walk-ins Handshake cannot import.
    ``manual``: live check-ins among the main file's rows made without a recognized card
    (username/email or walk-in; kiosk.checkin.manual)."""

    rows: int
    unmatched_walk_ins: int
    walk_ins_written: bool
    walk_ins_file: Path | None = None
    manual: int = 0
    no_shows: int = 0  # registrants written as not checked in (``include_no_shows``)


def _safe(value: str | None) -> str:
    text = sanitise(value or "")
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _iso(moment: datetime) -> str:
    return moment.astimezone().isoformat(timespec="seconds")


def _bool(value: bool) -> str:
    return "TRUE" if value else "FALSE"


def _identifiable(event: Event, handshake_id: str | None) -> tuple[str, str]:
    identifiable_id = (handshake_id or event.handshake_id or "").strip()
    if not identifiable_id:
        raise UserError(
            f"The event {event.name!r} has no Handshake id, which Handshake's attendees import "
            f"needs; set it with `kiosk events set-handshake-id {event.id} N` (N from the "
            "event's Handshake URL) or export with --format full."
        )
    return ("CareerFairSession" if event.kind == "fair" else "Event"), identifiable_id


def _write_handshake(
    engine: Engine,
    event: Event,
    out: TextIO,
    walk_ins_out: TextIO | None,
    handshake_id: str | None,
    include_no_shows: bool = False,
) -> ExportSummary:
    identifiable_type, identifiable_id = _identifiable(event, handshake_id)
    assert event.id is not None
    writer = csv.writer(out)
    writer.writerow(HANDSHAKE_COLUMNS)
    unmatched: list[tuple[CheckIn, WalkIn]] = []
    seen: set[str] = set()
    manual = 0
    rows = list(joined_check_ins(engine, event.id, live_only=True))
    registrations = registrations_of(engine, event.id)
    registered = registered_ids(rows, registrations)
    came = set(registered.values())
    for check_in, student, walk_in in rows:
        if student is None:
            if walk_in is not None:
                unmatched.append((check_in, walk_in))
            continue
        if student.email_key in seen:
            continue
        seen.add(student.email_key)
        manual += check_in.method in MANUAL_METHODS
        assert check_in.id is not None
        is_registered = check_in.id in registered or not registrations
        writer.writerow(
            [
                _safe(student.email_address),
                _bool(is_registered),
                "TRUE",
                identifiable_type,
                identifiable_id,
                "",
            ]
        )
    no_shows = 0
    if include_no_shows:
        emails = _registrant_emails(engine, registrations)
        for registration in registrations:
            if registration.id in came or registration.email_key in seen:
                continue
            seen.add(registration.email_key)
            no_shows += 1
            email = emails.get(registration.student_id or 0, registration.email_address)
            writer.writerow([_safe(email), "TRUE", "FALSE", identifiable_type, identifiable_id, ""])
    if walk_ins_out is not None and unmatched:
        walk_in_writer = csv.writer(walk_ins_out)
        walk_in_writer.writerow(WALK_IN_COLUMNS)
        for check_in, walk_in in unmatched:
            walk_in_writer.writerow(
                [
                    _safe(walk_in.name),
                    _safe(walk_in.email_address),
                    _safe(walk_in.card_id),
                    _iso(check_in.checked_in_at),
                    _safe(check_in.kiosk_id),
                    check_in.method,
                ]
            )
    return ExportSummary(
        rows=len(seen),
        unmatched_walk_ins=len(unmatched),
        walk_ins_written=walk_ins_out is not None and bool(unmatched),
        manual=manual,
        no_shows=no_shows,
    )


def _registrant_emails(engine: Engine, registrations: list[Registration]) -> dict[int, str]:
    """Roster student id -> the roster's email, for registrants matched to the roster (the
    address Handshake knows them by)."""
    ids = [r.student_id for r in registrations if r.student_id is not None]
    if not ids:
        return {}
    with Session(engine) as session:
        statement = select(Student.id, Student.email_address).where(col(Student.id).in_(ids))
        found = session.exec(statement).all()
    return {student_id: email for student_id, email in found if student_id is not None}


def _stay_minutes(check_in: CheckIn) -> str:
    if check_in.checked_out_at is None:
        return ""
    return str(int((check_in.checked_out_at - check_in.checked_in_at).total_seconds() // 60))


def _write_full(engine: Engine, event_id: int, out: TextIO) -> ExportSummary:
    writer = csv.writer(out)
    writer.writerow(FULL_COLUMNS)
    rows = manual = 0
    joined = list(joined_check_ins(engine, event_id, live_only=False))
    registrations = registrations_of(engine, event_id)
    registered = registered_ids(list(joined), registrations)
    for check_in, student, walk_in in joined:
        if student is not None:
            username: str | None = student.username
            email: str | None = student.email_address
            first: str | None = student.first_name
            last = student.last_name
        else:
            username = None
            email = walk_in.email_address if walk_in else None
            first, last = split_full_name(walk_in.name) if walk_in else (None, None)
        writer.writerow(
            [
                _safe(username),
                _safe(email),
                _safe(first),
                _safe(last),
                _iso(check_in.checked_in_at),
                check_in.method,
                _safe(check_in.reader),
                _safe(check_in.kiosk_id),
                _bool(check_in.undone_at is not None),
                _bool(check_in.duplicate_of is not None),
                _iso(check_in.checked_out_at) if check_in.checked_out_at else "",
                _stay_minutes(check_in),
                _bool(check_in.id in registered) if registrations else "",
                _safe(check_in.checked_in_by),
            ]
        )
        rows += 1
        live = check_in.undone_at is None and check_in.duplicate_of is None  # CheckIn.live
        manual += check_in.method in MANUAL_METHODS and live
    return ExportSummary(rows=rows, unmatched_walk_ins=0, walk_ins_written=False, manual=manual)


def export_checkins(
    engine: Engine,
    event_id: int,
    fmt: ExportFormat,
    out: TextIO,
    *,
    walk_ins_out: TextIO | None = None,
    handshake_id: str | None = None,
    include_no_shows: bool = False,
) -> ExportSummary:
    """Write the event's check-ins to ``out`` as CSV (open it with ``newline=""``).

    ``walk_ins_out``, ``handshake_id`` (overriding the event's) and ``include_no_shows``
    (registrants who never came) apply to ``handshake``.
    Nothing is written when the export cannot be made (UserError raised first).
    """
    if fmt not in EXPORT_FORMATS:
        raise UserError(f"The export format {fmt!r} is unknown; use handshake or full.")
    event = get_event(engine, event_id)
    if fmt == "handshake":
        return _write_handshake(engine, event, out, walk_ins_out, handshake_id, include_no_shows)
    return _write_full(engine, event_id, out)


def walk_ins_path(path: Path) -> Path:
    """Where unmatched walk-ins go beside an export: ``X.csv`` -> ``X-walk-ins.csv``."""
    return path.with_name(f"{path.stem}-walk-ins{path.suffix or '.csv'}")


def write_whole(path: Path, text: str) -> None:
    """Write ``path`` atomically (a temporary file beside it, then a rename): a failure
    leaves any previous file untouched."""
    directory = path.parent
    if not directory.is_dir():
        raise UserError(f"The folder {directory} does not exist; create it or choose another.")
    temporary: str | None = None
    try:
        handle, temporary = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as out:
            out.write(text)
        os.replace(temporary, path)
        temporary = None
    except OSError as error:
        raise UserError(
            f"Cannot write {path} ({error.strerror}); choose a folder the kiosk may write to."
        ) from None
    finally:
        if temporary is not None:
            Path(temporary).unlink(missing_ok=True)


def export_to_file(
    engine: Engine,
    event_id: int,
    fmt: ExportFormat,
    path: Path,
    *,
    handshake_id: str | None = None,
    include_no_shows: bool = False,
) -> ExportSummary:
    """Write the export to ``path`` (and, for ``handshake`` with walk-ins not on the roster,
    :func:`walk_ins_path` beside it), each file whole or not at all."""
    main, walk_ins = io.StringIO(newline=""), io.StringIO(newline="")
    summary = export_checkins(
        engine,
        event_id,
        fmt,
        main,
        walk_ins_out=walk_ins,
        handshake_id=handshake_id,
        include_no_shows=include_no_shows,
    )
    write_whole(path, main.getvalue())
    if not summary.walk_ins_written:
        return summary
    extra = walk_ins_path(path)
    write_whole(extra, walk_ins.getvalue())
    return replace(summary, walk_ins_file=extra)
