"""Attendance at a glance (issue 16.3): one event's live check-ins counted every useful way.

Definitions (docs/checkin.md, "Attendance at a glance"):

- ``total``: live check-ins (``CheckIn.live``: not undone, not a settled duplicate);
- ``registered``: the event's registrants (kiosk.checkin.registrations); ``registered_in``
  those of them checked in; ``no_shows`` the rest; ``walk_ins`` check-ins of people not
  registered (every check-in, when the event has no registrants);
- ``not_on_roster``: check-ins registered at the kiosk as walk-ins (no roster student);
- ``checked_out``: check-ins checked out (events with check-out);
- ``per_quarter_hour``: check-ins per 15 minutes of local time, from the first quarter hour
  with a check-in to the last, empty ones included (the chart's bars);
- ``by_school_year``, ``by_college``, ``by_major``: roster students checked in, by the
  roster's school_year_name, primary_college_name and primary_major_name (blank: "(none)").

Counted in Python from the one joined query the exports use, so the numbers are those of the
rows the exports write.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.engine import Engine

from kiosk.checkin.events import get_event
from kiosk.checkin.queries import JoinedCheckIn, joined_check_ins
from kiosk.checkin.registrations import registrations_of
from kiosk.db.models import CheckIn, Registration, Student, WalkIn
from kiosk.text_safety import sanitise

BUCKET = timedelta(minutes=15)
NONE_LABEL = "(none)"


@dataclass(frozen=True)
class AttendanceSummary:
    """See the module doc for what each number counts."""

    event_id: int
    event_name: str
    total: int
    registered: int
    registered_in: int
    no_shows: int
    walk_ins: int
    not_on_roster: int
    checked_out: int
    per_quarter_hour: list[tuple[datetime, int]] = field(default_factory=list)
    by_school_year: list[tuple[str, int]] = field(default_factory=list)
    by_college: list[tuple[str, int]] = field(default_factory=list)
    by_major: list[tuple[str, int]] = field(default_factory=list)
    #: Fair mode, the shared database out of reach: counted in this kiosk's replica, which
    #: holds its own check-ins and those it copied before the network dropped.
    from_replica: bool = False

    def as_json(self) -> dict[str, Any]:
        """Plain JSON types: times as ISO 8601 with the local offset."""
        return {
            "event": {"id": self.event_id, "name": self.event_name},
            "total": self.total,
            "registered": self.registered,
            "registered_checked_in": self.registered_in,
            "no_shows": self.no_shows,
            "walk_ins": self.walk_ins,
            "not_on_roster": self.not_on_roster,
            "checked_out": self.checked_out,
            "per_15_minutes": [
                {"start": start.isoformat(timespec="minutes"), "check_ins": count}
                for start, count in self.per_quarter_hour
            ],
            "by_school_year": dict(self.by_school_year),
            "by_college": dict(self.by_college),
            "by_major": dict(self.by_major),
        }


def quarter_hour(moment: datetime) -> datetime:
    """The start of the local quarter hour holding ``moment`` (an aware datetime)."""
    local = moment.astimezone()
    return local.replace(minute=local.minute - local.minute % 15, second=0, microsecond=0)


def _buckets(times: list[datetime]) -> list[tuple[datetime, int]]:
    if not times:
        return []
    counts = Counter(quarter_hour(moment) for moment in times)
    start, end = min(counts), max(counts)
    buckets: list[tuple[datetime, int]] = []
    while start <= end:
        buckets.append((start, counts.get(start, 0)))
        start = (start + BUCKET).astimezone()  # a local offset may change (DST)
    return buckets


def _ranked(counter: Counter[str]) -> list[tuple[str, int]]:
    return sorted(counter.items(), key=lambda item: (-item[1], item[0]))


def _label(value: str | None) -> str:
    text = " ".join(sanitise(value or "").split())
    return text or NONE_LABEL


def _emails(check_in: CheckIn, student: Student | None, walk_in: WalkIn | None) -> set[str]:
    keys = {check_in.walk_in_key} if check_in.walk_in_key else set()
    if student is not None:
        keys.add(student.email_key)
    if walk_in is not None and walk_in.email_address:
        keys.add(walk_in.email_address.lower())
    return keys


def registered_ids(rows: list[JoinedCheckIn], registrations: list[Registration]) -> dict[int, int]:
    """Check-in id -> registration id, for the check-ins of registrants (by roster student,
    else by email)."""
    by_student = {r.student_id: r.id for r in registrations if r.student_id is not None}
    by_email = {r.email_key: r.id for r in registrations}
    found: dict[int, int] = {}
    for check_in, student, walk_in in rows:
        assert check_in.id is not None
        registration = by_student.get(check_in.student_id) if check_in.student_id else None
        if registration is None:
            registration = next(
                (by_email[key] for key in _emails(check_in, student, walk_in) if key in by_email),
                None,
            )
        if registration is not None:
            found[check_in.id] = registration
    return found


def as_replica_summary(summary: AttendanceSummary) -> AttendanceSummary:
    """``summary`` counted in a fair-mode kiosk's replica: marked so, without the school
    year, college and major breakdown (the replica copies no such roster column, so every
    student would count as "(none)")."""
    return replace(summary, by_school_year=[], by_college=[], by_major=[], from_replica=True)


def attendance_summary(engine: Engine, event_id: int) -> AttendanceSummary:
    """The event's attendance as it stands now (see the module doc)."""
    event = get_event(engine, event_id)
    rows = list(joined_check_ins(engine, event_id, live_only=True))
    registrations = registrations_of(engine, event_id)
    registered = registered_ids(rows, registrations)
    registered_in = len(set(registered.values()))
    years: Counter[str] = Counter()
    colleges: Counter[str] = Counter()
    majors: Counter[str] = Counter()
    for _, student, _ in rows:
        if student is not None:
            years[_label(student.school_year_name)] += 1
            colleges[_label(student.primary_college_name)] += 1
            majors[_label(student.primary_major_name)] += 1
    return AttendanceSummary(
        event_id=event_id,
        event_name=event.name,
        total=len(rows),
        registered=len(registrations),
        registered_in=registered_in,
        no_shows=len(registrations) - registered_in,
        walk_ins=len(rows) - len(registered),
        not_on_roster=sum(1 for _, student, _ in rows if student is None),
        checked_out=sum(1 for check_in, _, _ in rows if check_in.checked_out_at is not None),
        per_quarter_hour=_buckets([check_in.checked_in_at for check_in, _, _ in rows]),
        by_school_year=_ranked(years),
        by_college=_ranked(colleges),
        by_major=_ranked(majors),
    )
