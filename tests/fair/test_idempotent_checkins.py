"""Check-ins that several kiosks (threads, here) make at once, on a real database: an
idempotency key is stored once, and a walk-in is checked in once per event and email."""

from __future__ import annotations

import threading
import uuid

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from drivers.base import Swipe
from kiosk.cards.rules import RuleSet
from kiosk.checkin import CheckInService
from kiosk.db.models import CheckIn, Event
from tests.checkin.roster import ALEX


def _live(engine: Engine, event: Event) -> list[CheckIn]:
    with Session(engine) as session:
        return list(
            session.exec(select(CheckIn).where(CheckIn.event_id == event.id, CheckIn.live()))
        )


def test_a_check_in_made_twice_with_one_key_is_stored_once_and_answered_checked_in(
    engine: Engine, student_ids: dict[str, int], event: Event
) -> None:
    assert event.id is not None
    service = CheckInService(engine, event.id, RuleSet.empty())
    key = str(uuid.uuid4())
    swipe = Swipe(f";{ALEX.card_id}?", "front")
    first = service.handle_swipe(swipe, client_key=key)
    again = service.handle_swipe(swipe, client_key=key)  # e.g. retried after a lost answer
    assert (first.kind, again.kind) == ("checked_in", "checked_in")
    assert first.check_in_id == again.check_in_id
    # Another swipe (another key) of the same card is "already".
    assert service.handle_swipe(swipe, client_key=str(uuid.uuid4())).kind == "already"
    assert len(_live(engine, event)) == 1


def test_four_kiosks_registering_the_same_walk_in_at_once_check_them_in_once(
    engine: Engine, student_ids: dict[str, int], event: Event
) -> None:
    assert event.id is not None
    services = [
        CheckInService(engine, event.id, RuleSet.empty(), kiosk_id=f"door-{n}") for n in range(4)
    ]
    start = threading.Barrier(len(services))
    kinds: list[str] = []

    def register(service: CheckInService, person: int) -> None:
        start.wait()
        outcome = service.register_walk_in(
            f"Visitor {person}", f"Visitor{person}@Example.org", None
        )
        kinds.append(outcome.kind)

    for person in range(5):  # 5 people, each registered at all 4 doors at the same moment
        start.reset()
        threads = [threading.Thread(target=register, args=(s, person)) for s in services]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    live = _live(engine, event)
    assert len(live) == 5
    assert sorted(kinds).count("checked_in") == 5 and kinds.count("already") == 15
    assert {row.walk_in_key for row in live} == {f"visitor{n}@example.org" for n in range(5)}
