"""Importing an event's registrants from the CSV Handshake exports (kiosk.checkin.registrations).

Handshake exports an event's attendees or registrations as a CSV whose email column is named
differently from export to export ("Email", "Email Address", "Attendee Email", ...): the
column is found by name, whatever its case, spacing and punctuation (:func:`email_column`),
and a file with none, or with several, is refused with one sentence.

Each email is matched to a roster student by ``email_key`` (lower-cased), else by one of the
students' additional email addresses (when exactly one student has it). A registrant not in
the roster is kept too (``student_id`` None): a roster imported later still finds them, since
check-ins compare emails as well (kiosk.checkin.registrations.registered_clause).

An import adds registrants and refreshes the match of those already known; it never removes
one. It is one transaction: a file with a control or invisible character in any cell (as the
roster refuses, kiosk.text_safety) or a cell that is not an email address is refused whole,
naming its line, and nothing is written.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from kiosk.checkin.events import get_event
from kiosk.db.models import AuditEvent, Registration, Student, utcnow
from kiosk.errors import UserError
from kiosk.roster.csvfile import RosterReader
from kiosk.roster.schema import split_list
from kiosk.text_safety import problem

log = logging.getLogger(__name__)

_EMAIL = re.compile(r"^[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+$")
_NOT_LETTERS = re.compile(r"[^a-z]")


def _folded(header: str) -> str:
    """A header as compared: lower-case letters only (" E-mail " -> "email")."""
    return _NOT_LETTERS.sub("", header.casefold())


def email_column(header: Iterable[str], filename: str) -> int:
    """The index of the one email column of a registrations CSV's header line."""
    cells = list(header)
    found = [index for index, cell in enumerate(cells) if "email" in _folded(cell)]
    if not found:
        raise UserError(
            f"{filename} has no email column (its columns: "
            f"{', '.join(repr(c.strip()) for c in cells[:8])}); export the event's attendees "
            "or registrations from Handshake with their email addresses and import that file."
        )
    if len(found) > 1:
        names = ", ".join(repr(cells[index].strip()) for index in found)
        raise UserError(
            f"{filename} has {len(found)} email columns ({names}); delete all but the "
            "registrants' email column and import again."
        )
    return found[0]


@dataclass(frozen=True)
class RegistrationImport:
    """What an import did. ``matched`` + ``not_in_roster`` = the distinct emails in the file;
    ``new`` of them were not registered for the event before."""

    event_id: int
    rows: int
    new: int
    already_registered: int
    matched: int
    not_in_roster: int
    duplicates: int
    blank: int

    def summary(self) -> str:
        registrants = self.matched + self.not_in_roster
        return (
            f"{registrants} registrant(s) read from {self.rows} row(s): {self.new} new, "
            f"{self.already_registered} already registered; {self.matched} matched to the "
            f"roster, {self.not_in_roster} not in the roster; {self.duplicates} duplicate "
            f"row(s) and {self.blank} row(s) without an email skipped."
        )


def _refuse_missing_or_empty(path: Path) -> None:
    """The sentences the roster reader would give about its roster, said of this file."""
    if path.is_dir():
        raise UserError(f"{path} is a folder: give the path of the registrations CSV file.")
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise UserError(
            f"There is no file {path}: check the path of the registrations CSV."
        ) from None
    except OSError as error:
        raise UserError(f"Cannot read {path} ({error.strerror}); check its permissions.") from None
    if size == 0:
        raise UserError(
            f"{path.name} is empty: export the event's attendees or registrations from "
            "Handshake again."
        )


def _read_emails(path: Path) -> tuple[dict[str, str], int, int, int]:
    """The file's emails (email_key -> as written, first seen kept), rows, duplicates, blanks."""
    emails: dict[str, str] = {}
    rows = duplicates = blank = 0
    _refuse_missing_or_empty(path)
    with RosterReader(path) as reader:  # UTF-8 CSV only, the bad ones refused with a sentence
        column = email_column(reader.header, path.name)
        for number, cell in enumerate(reader.header, start=1):
            found = problem(f"{path.name}: the header of column {number}", cell)
            if found is not None:
                raise UserError(f"{found}; remove it and import again.")
        for row in reader.rows():
            rows += 1
            for number, cell in enumerate(row.cells, start=1):
                found = problem(
                    f"{path.name}: line {row.line}, column {number},",
                    cell,
                    multiline=number != column + 1,
                )
                if found is not None:
                    raise UserError(f"{found}; remove it and import again.")
            email = row.cells[column].strip() if column < len(row.cells) else ""
            if not email:
                blank += 1
                continue
            if not _EMAIL.match(email):
                raise UserError(
                    f"{path.name}: line {row.line}: {email!r} is not an email address; "
                    "correct it (or delete the row) and import again."
                )
            key = email.lower()
            if key in emails:
                duplicates += 1
            else:
                emails[key] = email
    return emails, rows, duplicates, blank


def _roster_by_email(session: Session) -> dict[str, int]:
    """email_key -> student id, then each additional email held by exactly one student."""
    by_key: dict[str, int] = {}
    extra: dict[str, set[int]] = {}
    statement = select(Student.id, Student.email_key, Student.additional_email_addresses)
    for student_id, key, additional in session.exec(statement).all():
        if student_id is None:
            continue
        by_key[key] = student_id
        for other in split_list(additional or ""):
            extra.setdefault(other.lower(), set()).add(student_id)
    for key, ids in extra.items():
        if key not in by_key and len(ids) == 1:
            by_key[key] = next(iter(ids))
    return by_key


def import_registrations(engine: Engine, event_id: int, path: Path) -> RegistrationImport:
    """Import ``path`` (Handshake's attendees or registrations CSV) as the event's registrants;
    all or nothing (see the module doc)."""
    get_event(engine, event_id)  # a sentence for a missing event, before the file is read
    emails, rows, duplicates, blank = _read_emails(path)
    if not emails:
        raise UserError(
            f"{path.name} holds no registrant's email address; check that it is the event's "
            "attendees or registrations export."
        )
    now = utcnow()
    new = already = matched = 0
    with Session(engine) as session:
        roster = _roster_by_email(session)
        known = {
            registration.email_key: registration
            for registration in session.exec(
                select(Registration).where(Registration.event_id == event_id)
            ).all()
        }
        for key, written in emails.items():
            student_id = roster.get(key)
            matched += student_id is not None
            registration = known.get(key)
            if registration is None:
                new += 1
                registration = Registration(
                    event_id=event_id,
                    email_key=key,
                    email_address=written,
                    registered_at=now,
                    source=path.name,
                )
            else:
                already += 1
            registration.student_id = student_id
            session.add(registration)
        session.add(
            AuditEvent(
                kind="registrations_import",
                event_id=event_id,
                detail=f"file={path.name} registrants={len(emails)} new={new}",
            )
        )
        try:
            session.commit()
        except IntegrityError:
            session.rollback()
            raise UserError(
                "Another import of this event's registrations ran at the same time; "
                "import the file again."
            ) from None
    log.info("registrations imported for event %s: %s new", event_id, new)
    return RegistrationImport(
        event_id=event_id,
        rows=rows,
        new=new,
        already_registered=already,
        matched=matched,
        not_in_roster=len(emails) - matched,
        duplicates=duplicates,
        blank=blank,
    )
