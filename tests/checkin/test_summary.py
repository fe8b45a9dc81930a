"""Attendance at a glance (issue 16.3): the summary's numbers against the check-ins recorded,
on a real SQLite file and (KIOSK_TEST_PG_URL) PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from drivers.base import Swipe
from kiosk.checkin import CheckInService
from kiosk.checkin.registration_import import import_registrations
from kiosk.checkin.summary import attendance_summary, quarter_hour
from kiosk.db.models import CheckIn, Event, Student
from tests.checkin.roster import ALEX, BO, CARMEN, DANA, EVE

# A fixed morning, in UTC (buckets are local quarter hours: compared through quarter_hour).
T0 = datetime(2026, 10, 14, 14, 2, tzinfo=UTC)
PROFILE = {
    ALEX.username: ("Freshman", "College of Arts and Sciences", "Biology"),
    BO.username: ("Senior", "College of Engineering", "Computer Science"),
    CARMEN.username: ("Senior", "College of Engineering", "Mechanical Engineering"),
    DANA.username: ("Alumni", None, None),
    EVE.username: ("Freshman", "College of Arts and Sciences", "Biology"),
}


def _profiles(engine: Engine) -> None:
    with Session(engine) as session:
        for username, (year, college, major) in PROFILE.items():
            session.execute(
                update(Student)
                .where(col(Student.username) == username)
                .values(
                    school_year_name=year, primary_college_name=college, primary_major_name=major
                )
            )
        session.commit()


def _swipe(card: str | None, minutes: int) -> Swipe:
    return Swipe(text=f";{card}?", reader="front", wall=T0 + timedelta(minutes=minutes))


def test_summary_counts_match_the_check_ins_recorded(
    service: CheckInService, engine: Engine, event: Event, tmp_path: Path
) -> None:
    assert event.id is not None
    _profiles(engine)
    registrants = tmp_path / "registrations.csv"
    registrants.write_text(
        f"Email Address\n{ALEX.email}\n{BO.email}\nnever@came.org\nwanda@example.org\n",
        encoding="utf-8",
    )
    import_registrations(engine, event.id, registrants)
    assert service.handle_swipe(_swipe(ALEX.card_id, 0)).kind == "checked_in"
    assert service.handle_swipe(_swipe(BO.card_id, 3)).kind == "checked_in"
    carmen = service.handle_swipe(_swipe(CARMEN.card_id, 20))
    assert service.handle_swipe(_swipe(DANA.card_id, 50)).kind == "checked_in"  # archived: allow
    assert service.check_in_by_lookup(EVE.username).kind == "checked_in"  # now
    assert service.register_walk_in("Wanda Walker", "Wanda@Example.org", None).kind == (
        "checked_in"
    )
    assert service.register_walk_in("Jo Nobody", "jo@else.org", None).kind == "checked_in"
    assert carmen.check_in_id is not None
    service.undo(carmen.check_in_id, "staff")  # undone: counted nowhere

    summary = attendance_summary(engine, event.id)

    with Session(engine) as session:
        live = session.exec(
            select(CheckIn).where(CheckIn.event_id == event.id, CheckIn.live())
        ).all()
    assert summary.total == len(live) == 6
    assert (summary.registered, summary.registered_in, summary.no_shows) == (4, 3, 1)
    assert summary.walk_ins == 3  # Dana, Eve, Jo: checked in without registering
    assert summary.not_on_roster == 2 == sum(1 for c in live if c.student_id is None)
    assert summary.checked_out == 0
    # per quarter hour: every live check-in in its bucket, empty buckets in between
    expected = Counter(quarter_hour(c.checked_in_at) for c in live)
    assert {start: n for start, n in summary.per_quarter_hour if n} == dict(expected)
    assert sum(n for _, n in summary.per_quarter_hour) == summary.total
    starts = [start for start, _ in summary.per_quarter_hour]
    assert all(b - a == timedelta(minutes=15) for a, b in zip(starts, starts[1:], strict=False))
    assert dict(summary.by_school_year) == {"Freshman": 2, "Senior": 1, "Alumni": 1}
    assert dict(summary.by_college) == {
        "College of Arts and Sciences": 2,
        "College of Engineering": 1,
        "(none)": 1,
    }
    assert dict(summary.by_major) == {"Biology": 2, "Computer Science": 1, "(none)": 1}
    data = summary.as_json()
    assert data["no_shows"] == 1 and data["by_school_year"]["Freshman"] == 2
    assert sum(b["check_ins"] for b in data["per_15_minutes"]) == 6


def test_an_event_without_registrants_counts_every_check_in_as_a_walk_in(
    service: CheckInService, engine: Engine, event: Event
) -> None:
    assert event.id is not None
    service.handle_swipe(_swipe(ALEX.card_id, 0))
    summary = attendance_summary(engine, event.id)
    assert (summary.total, summary.registered, summary.no_shows, summary.walk_ins) == (1, 0, 0, 1)
    assert summary.by_school_year == [("(none)", 1)]


def test_an_empty_event_has_an_empty_summary(engine: Engine, event: Event) -> None:
    assert event.id is not None
    summary = attendance_summary(engine, event.id)
    assert (summary.total, summary.per_quarter_hour, summary.by_major) == (0, [], [])
