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

from drivers.base import Swipe
from kiosk.cards.rules import RuleSet
from kiosk.checkin import CheckInService
from kiosk.checkin.events import get_event
from kiosk.cli import main
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
