"""Issue 16 in fair mode: a kiosk's replica knows the event's registrants (a registered-only
event and the registered / walk-in answer work offline), and check-out is refused offline
with a sentence, nothing recorded. Shared database: SQLite, and PostgreSQL with
KIOSK_TEST_PG_URL; the replica is a SQLite file as on a kiosk."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from drivers.base import Swipe
from kiosk.cards.rules import RuleSet
from kiosk.checkin import CheckInService
from kiosk.checkin.event_options import set_event_options
from kiosk.checkin.recording import Attempt, record_student
from kiosk.checkin.registration_import import import_registrations
from kiosk.db.models import CheckIn, Event
from kiosk.fair.replica import Replica
from kiosk.fair.sync import send_pending
from tests.checkin.roster import ALEX, BO


@pytest.fixture
def replica(tmp_path: Path) -> Iterator[Replica]:
    made = Replica(tmp_path / "replica.sqlite3")
    yield made
    made.close()


def _swipe(card: str | None, at: datetime | None = None) -> Swipe:
    return Swipe(text=f";{card}?", reader="front", wall=at or datetime.now(UTC))


def test_offline_a_registered_only_event_still_knows_its_registrants(
    engine: Engine, student_ids: dict[str, int], event: Event, replica: Replica, tmp_path: Path
) -> None:
    assert event.id is not None
    csv_file = tmp_path / "registrants.csv"
    csv_file.write_text(f"Email\n{ALEX.email}\n", encoding="utf-8")
    import_registrations(engine, event.id, csv_file)
    set_event_options(engine, event.id, registered_only=True)
    replica.refresh(engine, event.id)
    offline = CheckInService(replica.engine, event.id, RuleSet.empty(), offline=True)
    alex = offline.handle_swipe(_swipe(ALEX.card_id))
    assert (alex.kind, alex.registered) == ("checked_in", True)
    assert offline.handle_swipe(_swipe(BO.card_id)).kind == "not_registered"


def test_offline_check_out_is_refused_and_online_it_is_recorded(
    engine: Engine, student_ids: dict[str, int], event: Event, replica: Replica
) -> None:
    assert event.id is not None
    set_event_options(engine, event.id, checkout_after_minutes=15)
    online = CheckInService(engine, event.id, RuleSet.empty())
    start = datetime.now(UTC) - timedelta(minutes=40)
    assert online.handle_swipe(_swipe(ALEX.card_id, start)).kind == "checked_in"
    replica.refresh(engine, event.id)  # the check-in is copied to the replica
    offline = CheckInService(replica.engine, event.id, RuleSet.empty(), offline=True)
    refused = offline.handle_swipe(_swipe(ALEX.card_id))
    assert refused.kind == "already"
    assert "check-out is not available right now, please see a staff member" in refused.message
    assert replica.pending_count() == 0  # nothing queued
    out = online.handle_swipe(_swipe(ALEX.card_id))  # back online: the swipe checks out
    assert out.kind == "checked_out"
    with Session(engine) as session:
        (row,) = session.exec(select(CheckIn).where(CheckIn.event_id == event.id)).all()
    assert row.checked_out_at is not None


def test_a_staff_check_in_made_offline_keeps_who_did_it_when_sent(
    engine: Engine, student_ids: dict[str, int], event: Event, replica: Replica
) -> None:
    assert event.id is not None
    replica.refresh(engine, event.id)
    offline = CheckInService(replica.engine, event.id, RuleSet.empty(), offline=True)
    attempt = Attempt(
        event_id=event.id,
        method="manual",
        kiosk_id="door-b",
        client_key=str(uuid.uuid4()),
        checked_in_by="staff PIN at kiosk door-b",
        offline=True,
    )
    outcome = record_student(offline.engine, student_ids[BO.username], attempt, "allow")
    assert outcome is not None and outcome.kind == "checked_in"
    assert send_pending(replica, engine).sent == 1
    with Session(engine) as session:
        (row,) = session.exec(select(CheckIn).where(CheckIn.event_id == event.id)).all()
    assert row.checked_in_by == "staff PIN at kiosk door-b"
