"""Issue 16 through the command line: registrations import, events set, checkins summary and
the Handshake export with registered TRUE/FALSE and no-shows (main(argv) and a subprocess)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from drivers.base import Swipe
from kiosk.cards.rules import RuleSet
from kiosk.checkin import CheckInService
from kiosk.checkin.events import get_event
from kiosk.cli import main
from kiosk.db.models import CheckIn, Student
from kiosk.db.session import open_database
from tests.checkin.roster import ALEX, BO, CARMEN, PEOPLE, add_students


def run(capsys: pytest.CaptureFixture[str], db_url: str, *argv: str) -> tuple[int, str, str]:
    status = main(["--db", db_url, *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def db(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    add_students(engine, PEOPLE)
    yield engine
    engine.dispose()


@pytest.fixture
def event_id(capsys: pytest.CaptureFixture[str], db: Engine, db_url: str) -> int:
    status, out, _ = run(
        capsys, db_url, "events", "create", "Info Session", "--handshake-id", "777"
    )
    assert status == 0
    return int(out)


def _registrants(tmp_path: Path) -> Path:
    path = tmp_path / "handshake-attendees.csv"
    path.write_text(
        "\ufeffFirst Name,Last Name,EMAIL ADDRESS,Status\n"
        f"Alex,Tester,{ALEX.email},Registered\n"
        f"Bo,Nguyen,{BO.email},Registered\n"
        "Gone,Missing,gone@elsewhere.org,Registered\n"
        f"Alex,Tester,{ALEX.email.upper()},Registered\n",
        encoding="utf-8",
    )
    return path


def test_registrations_import_reports_counts_and_lists(
    capsys: pytest.CaptureFixture[str], db_url: str, event_id: int, tmp_path: Path
) -> None:
    status, out, err = run(
        capsys,
        db_url,
        "registrations",
        "import",
        "--event",
        str(event_id),
        str(_registrants(tmp_path)),
    )
    assert (status, err) == (0, "")
    assert (
        "3 registrant(s) read from 4 row(s): 3 new, 0 already registered; 2 matched to the "
        "roster, 1 not in the roster; 1 duplicate row(s)" in out
    )
    status, out, _ = run(capsys, db_url, "registrations", "list", "--event", "Info Session")
    assert status == 0
    assert "gone@elsewhere.org  (not in the roster)" in out
    assert "3 registrant(s), 2 in the roster." in out


def test_a_file_without_an_email_column_is_one_sentence(
    capsys: pytest.CaptureFixture[str], db_url: str, event_id: int, tmp_path: Path
) -> None:
    path = tmp_path / "names.csv"
    path.write_text("First Name,Last Name\nAlex,Tester\n", encoding="utf-8")
    status, out, err = run(
        capsys, db_url, "registrations", "import", "--event", str(event_id), str(path)
    )
    assert status == 1 and out == ""
    assert err.startswith("kiosk: names.csv has no email column") and err.count("\n") == 1


def test_events_set_and_create_options(
    capsys: pytest.CaptureFixture[str], db: Engine, db_url: str, event_id: int
) -> None:
    status, out, _ = run(
        capsys,
        db_url,
        "events",
        "set",
        str(event_id),
        "--registered-only",
        "yes",
        "--checkout-after",
        "45",
    )
    assert status == 0
    assert out.strip() == (
        f"event {event_id} (Info Session): registered students only; check-out after 45 min"
    )
    event = get_event(db, event_id)
    assert (event.registered_only, event.checkout_after_minutes) == (True, 45)
    status, out, _ = run(capsys, db_url, "events", "set", str(event_id), "--checkout-after", "off")
    assert "registered students only; no check-out" in out
    status, out, _ = run(
        capsys,
        db_url,
        "events",
        "create",
        "Drop-in hours",
        "--registered-only",
        "--checkout-after",
        "20",
    )
    created = get_event(db, int(out))
    assert (created.registered_only, created.checkout_after_minutes) == (True, 20)
    status, _, err = run(capsys, db_url, "events", "set", str(event_id), "--checkout-after", "soon")
    assert status == 1 and "not a number of minutes" in err


def _table(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_handshake_export_writes_registered_truthfully_and_no_shows_on_request(
    capsys: pytest.CaptureFixture[str], db: Engine, db_url: str, event_id: int, tmp_path: Path
) -> None:
    run(
        capsys,
        db_url,
        "registrations",
        "import",
        "--event",
        str(event_id),
        str(_registrants(tmp_path)),
    )
    service = CheckInService(db, event_id, RuleSet.empty())
    service.handle_swipe(Swipe(text=f";{ALEX.card_id}?", reader="front"))
    service.handle_swipe(Swipe(text=f";{CARMEN.card_id}?", reader="front"))
    status, out, _ = run(capsys, db_url, "checkins", "export", "--event", str(event_id))
    assert status == 0
    assert _table(out)[1:] == [
        [ALEX.email, "TRUE", "TRUE", "Event", "777", ""],
        [CARMEN.email, "FALSE", "TRUE", "Event", "777", ""],
    ]
    target = tmp_path / "attendees.csv"
    status, _, err = run(
        capsys,
        db_url,
        "checkins",
        "export",
        "--event",
        str(event_id),
        "--include-no-shows",
        "-o",
        str(target),
    )
    assert status == 0 and "with 2 no-show(s)" in err
    assert _table(target.read_text(encoding="utf-8"))[1:] == [
        [ALEX.email, "TRUE", "TRUE", "Event", "777", ""],
        [CARMEN.email, "FALSE", "TRUE", "Event", "777", ""],
        ["BNGUYEN@EXAMPLE.EDU", "TRUE", "FALSE", "Event", "777", ""],  # the roster's address
        ["gone@elsewhere.org", "TRUE", "FALSE", "Event", "777", ""],
    ]


def test_full_export_has_time_in_time_out_and_duration(
    capsys: pytest.CaptureFixture[str], db: Engine, db_url: str, event_id: int
) -> None:
    run(capsys, db_url, "events", "set", str(event_id), "--checkout-after", "30")
    service = CheckInService(db, event_id, RuleSet.empty())
    start = datetime.now(UTC) - timedelta(minutes=95)
    card = f";{ALEX.card_id}?"
    service.handle_swipe(Swipe(text=card, reader="front", wall=start))
    service.handle_swipe(Swipe(text=card, reader="front", wall=start + timedelta(minutes=80)))
    service.handle_swipe(Swipe(text=f";{BO.card_id}?", reader="front"))
    status, out, _ = run(
        capsys, db_url, "checkins", "export", "--event", str(event_id), "--format", "full"
    )
    table = _table(out)
    header = table[0]
    assert header[-4:] == ["checked_out_at", "duration_minutes", "registered", "checked_in_by"]
    rows = {row[0]: dict(zip(header, row, strict=True)) for row in table[1:]}
    alex = rows[ALEX.username]
    assert datetime.fromisoformat(alex["checked_in_at"]) == start.replace(microsecond=0)
    assert datetime.fromisoformat(alex["checked_out_at"]) == (
        start + timedelta(minutes=80)
    ).replace(microsecond=0)
    assert alex["duration_minutes"] == "80"
    assert rows[BO.username]["checked_out_at"] == rows[BO.username]["duration_minutes"] == ""
    assert alex["registered"] == ""  # no registrants imported for this event


def test_summary_command_text_and_json(
    capsys: pytest.CaptureFixture[str], db: Engine, db_url: str, event_id: int, tmp_path: Path
) -> None:
    run(
        capsys,
        db_url,
        "registrations",
        "import",
        "--event",
        str(event_id),
        str(_registrants(tmp_path)),
    )
    service = CheckInService(db, event_id, RuleSet.empty())
    service.handle_swipe(Swipe(text=f";{ALEX.card_id}?", reader="front"))
    service.handle_swipe(Swipe(text=f";{CARMEN.card_id}?", reader="front"))
    status, out, _ = run(capsys, db_url, "checkins", "summary", "--event", str(event_id))
    assert status == 0
    assert out.splitlines()[0] == "Info Session: 2 checked in"
    assert "registered 3: 1 came, 2 no-show(s)" in out
    assert "Check-ins per 15 minutes" in out
    status, out, _ = run(capsys, db_url, "checkins", "summary", "--event", str(event_id), "--json")
    data = json.loads(out)
    assert (data["total"], data["registered"], data["registered_checked_in"]) == (2, 3, 1)
    assert (data["no_shows"], data["walk_ins"]) == (2, 1)
    assert data["by_school_year"] == {"(none)": 2}


def test_the_kiosk_command_runs_registrations_import_as_a_program(
    db: Engine, db_url: str, event_id: int, tmp_path: Path
) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "kiosk",
            "--db",
            db_url,
            "registrations",
            "import",
            "--event",
            str(event_id),
            str(_registrants(tmp_path)),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "2 matched to the roster, 1 not in the roster" in result.stdout


def test_summary_json_agrees_with_the_check_ins_recorded(
    capsys: pytest.CaptureFixture[str], db: Engine, db_url: str, event_id: int
) -> None:
    """Check-ins over an hour and a half, students of several years, colleges and majors, one
    undone: every number of `kiosk checkins summary --json` is recounted here from the rows
    the database holds (live check-ins joined to the roster), by other code."""
    profiles = {
        ALEX.username: ("Freshman", "College of Arts and Sciences", "Biology"),
        BO.username: ("Senior", "College of Engineering", "Computer Science"),
        CARMEN.username: ("Senior", "College of Engineering", "Computer Science"),
    }
    with Session(db) as session:
        for username, (year, college, major) in profiles.items():
            student = session.exec(select(Student).where(Student.username == username)).one()
            student.school_year_name = year
            student.primary_college_name = college
            student.primary_major_name = major
            session.add(student)
        session.commit()
    start = datetime(2026, 10, 14, 13, 58, tzinfo=UTC)
    service = CheckInService(db, event_id, RuleSet.empty())
    for person, minutes in ((ALEX, 0), (BO, 3), (CARMEN, 49)):
        wall = start + timedelta(minutes=minutes)
        assert service.handle_swipe(Swipe(f";{person.card_id}?", "front", wall=wall)).accepted
    undone = service.register_walk_in("Jo Walker", "jo@else.org", None)
    assert undone.check_in_id is not None
    service.undo(undone.check_in_id, "staff")
    assert service.register_walk_in("Kim Walker", "kim@else.org", None).accepted

    status, out, _ = run(capsys, db_url, "checkins", "summary", "--event", str(event_id), "--json")
    assert status == 0
    data = json.loads(out)

    with Session(db) as session:
        rows = session.exec(
            select(CheckIn, Student)
            .join(Student, col(Student.id) == col(CheckIn.student_id), isouter=True)
            .where(
                CheckIn.event_id == event_id,
                col(CheckIn.undone_at).is_(None),
                col(CheckIn.duplicate_of).is_(None),
            )
        ).all()
    assert data["total"] == len(rows) == 4
    assert data["not_on_roster"] == sum(1 for _, student in rows if student is None) == 1
    per_quarter: dict[str, int] = {}
    for check_in, _ in rows:
        local = check_in.checked_in_at.astimezone()
        key = local.replace(minute=local.minute // 15 * 15, second=0, microsecond=0)
        per_quarter[key.isoformat(timespec="minutes")] = (
            per_quarter.get(key.isoformat(timespec="minutes"), 0) + 1
        )
    buckets = {b["start"]: b["check_ins"] for b in data["per_15_minutes"]}
    assert {k: v for k, v in buckets.items() if v} == per_quarter
    assert sum(buckets.values()) == 4
    # 13:45 Alex, 14:00 Bo, 14:45 Carmen (UTC), now Kim: every quarter hour between is listed
    starts = [datetime.fromisoformat(b["start"]) for b in data["per_15_minutes"]]
    assert all(b - a == timedelta(minutes=15) for a, b in zip(starts, starts[1:], strict=False))
    assert [b["check_ins"] for b in data["per_15_minutes"][:5]] == [1, 1, 0, 0, 1]
    for field, index in (("by_school_year", 0), ("by_college", 1), ("by_major", 2)):
        expected: dict[str, int] = {}
        for _, student in rows:
            if student is not None:
                name = profiles[student.username][index]
                expected[name] = expected.get(name, 0) + 1
        assert data[field] == expected, field
    status, out, _ = run(capsys, db_url, "checkins", "summary", "--event", str(event_id))
    first = datetime.fromisoformat(data["per_15_minutes"][0]["start"])
    assert f"{first:%Y-%m-%d %H:%M}      1" in out
    assert "      2  Senior" in out and "      2  College of Engineering" in out


def test_checkins_add_says_how_to_print_the_name_tag_when_the_event_has_them(
    capsys: pytest.CaptureFixture[str], db: Engine, db_url: str, event_id: int
) -> None:
    add = ("checkins", "add", "--event", str(event_id), "--student", CARMEN.username)
    status, out, _ = run(capsys, db_url, *add)
    assert status == 0 and "checked in" in out and "Name tag" not in out
    run(capsys, db_url, "events", "set", str(event_id), "--nametags", "30252")
    status, out, _ = run(capsys, db_url, *add)
    assert status == 0 and "already checked in" in out
    assert (f"Name tag: `kiosk nametags print --event {event_id} --student {CARMEN.username}`"
            in out)


def test_checkins_add_checks_a_found_student_in_by_hand_and_records_who(
    capsys: pytest.CaptureFixture[str], db: Engine, db_url: str, event_id: int, tmp_path: Path
) -> None:
    """Staff find a student (`kiosk students search`) and check them in from the command
    line: method manual, who recorded, let in at a registered-only event."""
    registrants = str(_registrants(tmp_path))
    run(capsys, db_url, "registrations", "import", "--event", str(event_id), registrants)
    run(capsys, db_url, "events", "set", str(event_id), "--registered-only", "yes")
    status, out, _ = run(capsys, db_url, "students", "search", "carmen ruiz")
    assert status == 0 and CARMEN.username in out
    status, out, _ = run(
        capsys, db_url, "checkins", "add", "--event", str(event_id),
        "--student", CARMEN.username, "--by", "Dana",
    )  # fmt: skip
    assert status == 0 and "Carmen R." in out and "checked in" in out
    status, out, _ = run(
        capsys, db_url, "checkins", "add", "--event", str(event_id), "--student", CARMEN.email
    )
    assert status == 0 and "already checked in" in out
    status, _, err = run(
        capsys, db_url, "checkins", "add", "--event", str(event_id), "--student", "nobody"
    )
    assert status == 1 and "No roster student has the username or email 'nobody'" in err
    status, out, _ = run(
        capsys, db_url, "checkins", "export", "--event", str(event_id), "--format", "full"
    )
    (carmen,) = [row for row in csv.DictReader(io.StringIO(out))]
    assert (carmen["username"], carmen["method"], carmen["registered"]) == (
        CARMEN.username, "manual", "FALSE",
    )  # fmt: skip
    assert carmen["checked_in_by"] == "Dana (kiosk checkins add)"
