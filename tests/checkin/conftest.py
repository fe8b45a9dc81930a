"""Fixtures for the check-in domain: a migrated database with a small roster and an event."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from sqlalchemy.engine import Engine

from kiosk.cards.rules import RuleSet
from kiosk.checkin import CheckInService
from kiosk.checkin.events import create_event
from kiosk.db.models import Event
from tests.checkin.roster import PEOPLE, add_students


@pytest.fixture
def student_ids(engine: Engine) -> dict[str, int]:
    return add_students(engine, PEOPLE)


@pytest.fixture
def event(engine: Engine) -> Event:
    return create_event(engine, "Fall Career Fair", "2026-10-14", "fair", "4321")


@pytest.fixture
def service(engine: Engine, student_ids: dict[str, int], event: Event) -> Iterator[CheckInService]:
    assert event.id is not None
    yield CheckInService(engine, event.id, RuleSet.empty(), kiosk_id="kiosk-1")
