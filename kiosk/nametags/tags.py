"""What a check-in's name tag says, read from the database."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from kiosk.checkin.search import student_id_by_login
from kiosk.db.models import CheckIn, Event, Student, WalkIn
from kiosk.errors import UserError
from kiosk.nametags.render import NameTag
from kiosk.text_safety import sanitise


def tag_for_student(student: Student, event: Event) -> NameTag:
    """The name the student goes by (preferred, else first name, and last name), school
    year, major (the primary one, else the first listed) and the event."""
    given = sanitise(student.preferred_name or "").strip() or sanitise(student.first_name)
    name = " ".join(part for part in (given, sanitise(student.last_name or "").strip()) if part)
    majors = (student.major_names or "").split(";")
    major = student.primary_major_name or majors[0].strip() or None
    return NameTag(
        name=name,
        school_year=sanitise(student.school_year_name) if student.school_year_name else None,
        major=sanitise(major) if major else None,
        event=sanitise(event.name),
    )


def tag_for_check_in(engine: Engine, check_in_id: int) -> NameTag | None:
    """The tag of a check-in (a walk-in's: their typed name and the event); None when there
    is no such check-in."""
    statement = (
        select(CheckIn, Event, Student, WalkIn)
        .join(Event, col(Event.id) == col(CheckIn.event_id))
        .join(Student, col(Student.id) == col(CheckIn.student_id), isouter=True)
        .join(WalkIn, col(WalkIn.id) == col(CheckIn.walk_in_id), isouter=True)
        .where(col(CheckIn.id) == check_in_id)
    )
    with Session(engine) as session:
        row = session.exec(statement).first()
    if row is None:
        return None
    _, event, student, walk_in = row
    if student is not None:
        return tag_for_student(student, event)
    name = " ".join(sanitise(walk_in.name).split()) if walk_in is not None else "Guest"
    return NameTag(name=name, school_year=None, major=None, event=sanitise(event.name))


def find_student(engine: Engine, login: str) -> Student:
    """The roster student with this username or email (case ignored), for rendering by hand."""
    student_id = student_id_by_login(engine, login)
    with Session(engine) as session:
        student = session.get(Student, student_id) if student_id is not None else None
    if student is None:
        raise UserError(f"No roster student has the username or email {login.strip()!r}.")
    return student
