"""Durability and failure: a confirmed check-in survives the process dying at once, and a
database outage is one sentence with no card data in it."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from drivers.base import Swipe
from kiosk.cards.rules import RuleSet
from kiosk.checkin import CheckInNotSaved, CheckInService
from kiosk.checkin.outcome import NOT_SAVED
from kiosk.db.models import CheckIn, Event
from kiosk.db.session import open_database
from tests.checkin.roster import PEOPLE, add_students
from tests.conftest import REPO_ROOT

KILLED_RIGHT_AFTER_CONFIRMING = textwrap.dedent(
    """
    import os, signal, sys
    from drivers.base import Swipe
    from kiosk.cards.rules import RuleSet
    from kiosk.checkin import CheckInService
    from kiosk.db.session import open_database

    engine = open_database(sys.argv[1])
    service = CheckInService(engine, int(sys.argv[2]), RuleSet.empty(), kiosk_id="doomed")
    outcome = service.handle_swipe(Swipe(text=";90123456701?", reader="front"))
    print(outcome.kind, outcome.check_in_id, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)  # no cleanup, no dispose, no atexit
    """
)


def test_a_confirmed_check_in_survives_the_process_being_killed(
    db_url: str, engine: Engine, event: Event
) -> None:
    add_students(engine, PEOPLE)
    done = subprocess.run(
        [sys.executable, "-c", KILLED_RIGHT_AFTER_CONFIRMING, db_url, str(event.id)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=REPO_ROOT,
        check=False,
    )
    assert done.returncode == -9, done.stderr
    kind, check_in_id = done.stdout.split()
    assert kind == "checked_in"
    reopened = open_database(db_url)
    try:
        with Session(reopened) as session:
            row = session.get(CheckIn, int(check_in_id))
        assert row is not None and (row.kiosk_id, row.card_id) == ("doomed", "901234567")
    finally:
        reopened.dispose()


def test_raw_swipe_text_is_not_stored(service: CheckInService, db_url: str) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("reads the SQLite file's bytes")
    raw = "%B901234567^ZEBRAFINCH/QUOKKA^2912?;90123456701?"
    assert service.handle_swipe(Swipe(text=raw, reader="front")).kind == "checked_in"
    path = Path(db_url.removeprefix("sqlite:///"))
    stored = b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    assert b"901234567" in stored  # the card_id is kept (for reconciliation)...
    for fragment in (b"ZEBRAFINCH", b"QUOKKA", b"90123456701", raw.encode()):
        assert fragment not in stored  # ...nothing else of the swipe


def test_a_database_outage_is_one_sentence_without_card_data(
    sqlite_url: str, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    engine = open_database(sqlite_url)
    add_students(engine, PEOPLE)
    with Session(engine) as session:
        session.add(Event(name="Fair"))
        session.commit()
        event_id = session.exec(select(Event.id)).one()
    assert event_id is not None
    service = CheckInService(engine, event_id, RuleSet.empty())
    engine.dispose()
    for file in tmp_path.glob("kiosk.sqlite3*"):
        file.unlink()  # the database is gone: the next connection finds no tables
    # What a student does gets the "please see a staff member" answer...
    assert service.handle_swipe(Swipe(text=";90123456701?", reader="front")) == NOT_SAVED
    assert service.check_in_by_lookup("atester") == NOT_SAVED
    # ...what staff do, one sentence.
    with pytest.raises(CheckInNotSaved) as raised:
        service.undo(1, "staff")
    message = str(raised.value)
    assert message.startswith("Nothing was recorded: the database is unavailable")
    assert raised.value.__cause__ is None and raised.value.__suppress_context__
    assert "901234567" not in caplog.text
    engine.dispose()
