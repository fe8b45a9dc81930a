"""The replica and the queue on real databases: the shared one is SQLite, and PostgreSQL when
KIOSK_TEST_PG_URL is set; the replica is a SQLite file as on a kiosk."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from kiosk.checkin.staff import set_pin
from kiosk.db.models import CheckIn, Event, RosterVersion, Student, WalkIn
from kiosk.fair.replica import Replica
from kiosk.fair.sync import deliver, send_pending
from tests.checkin.roster import ALEX, BO

T0 = datetime(2026, 10, 14, 15, 0, tzinfo=UTC)


@pytest.fixture
def replica(tmp_path: Path) -> Iterator[Replica]:
    made = Replica(tmp_path / "replica.sqlite3")
    yield made
    made.close()


def _queue(
    replica: Replica, event: Event, student_id: int | None, at: datetime, **kw: object
) -> str:
    """A check-in made at this kiosk while offline (as the offline check-in path makes it)."""
    key = str(uuid.uuid4())
    with Session(replica.engine) as session:
        session.add(
            CheckIn(
                event_id=event.id or 0, student_id=student_id, method="swipe", kiosk_id="door-b",
                checked_in_at=at, client_key=key,
            )
        )  # fmt: skip
        session.commit()
    return key


def _shared_check_ins(engine: Engine, event: Event) -> list[CheckIn]:
    with Session(engine) as session:
        statement = select(CheckIn).where(CheckIn.event_id == event.id).order_by(col(CheckIn.id))
        return list(session.exec(statement).all())


def test_refresh_copies_what_a_kiosk_needs_and_nothing_else(
    engine: Engine, student_ids: dict[str, int], event: Event, replica: Replica
) -> None:
    set_pin(engine, "482913")
    assert replica.refreshed_at() is None
    result = replica.refresh(engine, event.id)
    assert result.roster_copied and result.students == len(student_ids)
    assert replica.refreshed_at() is not None
    with Session(replica.engine) as session:
        alex = session.get(Student, student_ids[ALEX.username])
        assert alex is not None and alex.card_id == ALEX.card_id
        assert alex.preferred_name == ALEX.preferred_name
        assert session.get(Event, event.id) is not None
    # Unchanged roster version: the roster is not copied again.
    assert not replica.refresh(engine, event.id).roster_copied


def test_a_card_id_moved_between_students_is_copied_after_the_version_moves(
    engine: Engine, student_ids: dict[str, int], event: Event, replica: Replica
) -> None:
    replica.refresh(engine, event.id)
    alex, bo = student_ids[ALEX.username], student_ids[BO.username]
    with Session(engine) as session:  # swap two students' card_ids, as an import would
        session.execute(update(Student).where(col(Student.id) == alex).values(card_id="x"))
        session.execute(update(Student).where(col(Student.id) == bo).values(card_id=ALEX.card_id))
        session.execute(update(Student).where(col(Student.id) == alex).values(card_id=BO.card_id))
        session.add(RosterVersion(id=1, version=2))
        session.commit()
    assert replica.refresh(engine, event.id).roster_copied
    with Session(replica.engine) as session:
        assert session.get(Student, bo).card_id == ALEX.card_id  # type: ignore[union-attr]
        assert session.get(Student, alex).card_id == BO.card_id  # type: ignore[union-attr]


def test_queued_check_ins_are_sent_once_in_order_with_their_original_times(
    engine: Engine, student_ids: dict[str, int], event: Event, replica: Replica
) -> None:
    replica.refresh(engine, event.id)
    first = _queue(replica, event, student_ids[ALEX.username], T0)
    second = _queue(replica, event, student_ids[BO.username], T0 + timedelta(minutes=1))
    assert replica.pending_keys() == [first, second]
    report = send_pending(replica, engine)
    assert (report.sent, replica.pending_count()) == (2, 0)
    rows = _shared_check_ins(engine, event)
    assert [(r.client_key, r.checked_in_at) for r in rows] == [
        (first, T0),
        (second, T0 + timedelta(minutes=1)),
    ]
    # The kiosk died after the shared commit but before noting it: sent again, stored once.
    replica.forget_sent()
    again = send_pending(replica, engine)
    assert (again.sent, again.already_sent) == (0, 2)
    assert len(_shared_check_ins(engine, event)) == 2


def test_the_earliest_of_two_offline_check_ins_counts_and_the_later_is_a_duplicate(
    engine: Engine, student_ids: dict[str, int], event: Event, replica: Replica, tmp_path: Path
) -> None:
    alex = student_ids[ALEX.username]
    other = Replica(tmp_path / "door-a.sqlite3")
    try:
        replica.refresh(engine, event.id)
        other.refresh(engine, event.id)
        later = _queue(other, event, alex, T0 + timedelta(minutes=5))
        earlier = _queue(replica, event, alex, T0)
        assert send_pending(other, engine).sent == 1  # door A syncs first, with the later one
        assert send_pending(replica, engine).replaced_later == 1
    finally:
        other.close()
    by_key = {row.client_key: row for row in _shared_check_ins(engine, event)}
    assert by_key[earlier].duplicate_of is None
    assert by_key[later].duplicate_of == by_key[earlier].id
    with Session(engine) as session:
        live = session.exec(select(CheckIn).where(CheckIn.event_id == event.id, CheckIn.live()))
        assert [row.client_key for row in live] == [earlier]


def test_a_later_offline_check_in_becomes_a_duplicate_of_the_online_one(
    engine: Engine, student_ids: dict[str, int], event: Event, replica: Replica
) -> None:
    alex = student_ids[ALEX.username]
    with Session(engine) as session:
        session.add(
            CheckIn(event_id=event.id or 0, student_id=alex, method="swipe", checked_in_at=T0)
        )
        session.commit()
    replica.refresh(engine, event.id)
    # The replica copied the online check-in: the offline path would have said "already".
    with Session(replica.engine) as session:
        copied = session.exec(select(CheckIn).where(CheckIn.student_id == alex)).all()
        assert len(copied) == 1 and copied[0].client_key and replica.pending_count() == 0
    # A check-in queued without seeing it (made before the copy arrived) is a duplicate.
    key = str(uuid.uuid4())
    queued = CheckIn(
        event_id=event.id or 0, student_id=alex, method="swipe", checked_in_at=T0 + timedelta(1),
        client_key=key,
    )  # fmt: skip
    assert deliver(engine, queued) == "duplicate"
    assert [r.duplicate_of is None for r in _shared_check_ins(engine, event)] == [True, False]


def test_a_walk_in_registered_offline_at_two_kiosks_counts_once(
    engine: Engine, student_ids: dict[str, int], event: Event, replica: Replica
) -> None:
    walk_in = WalkIn(name="Sam Visitor", email_address="sam@example.org")
    first = CheckIn(
        event_id=event.id or 0, method="walk-in", checked_in_at=T0, client_key="a",
        walk_in_key="sam@example.org",
    )  # fmt: skip
    second = CheckIn(
        event_id=event.id or 0, method="walk-in", checked_in_at=T0 + timedelta(seconds=9),
        client_key="b", walk_in_key="sam@example.org",
    )  # fmt: skip
    assert deliver(engine, second, walk_in) == "sent"
    assert deliver(engine, first, walk_in) == "replaced_later"
    with Session(engine) as session:
        live = session.exec(select(CheckIn).where(CheckIn.event_id == event.id, CheckIn.live()))
        assert [row.client_key for row in live] == ["a"]


def test_a_duplicate_is_in_the_full_export_only_and_never_counted(
    engine: Engine, student_ids: dict[str, int], event: Event, tmp_path: Path
) -> None:
    import csv

    from kiosk.checkin.events import live_check_in_counts
    from kiosk.checkin.export import export_to_file
    from kiosk.checkin.queries import live_count

    alex = student_ids[ALEX.username]
    for key, minutes in (("door-a", 0), ("door-b", 5)):
        queued = CheckIn(
            event_id=event.id or 0, student_id=alex, method="swipe", kiosk_id=key,
            checked_in_at=T0 + timedelta(minutes=minutes), client_key=key,
        )  # fmt: skip
        deliver(engine, queued)
    assert event.id is not None
    assert live_count(engine, event.id) == 1 and live_check_in_counts(engine)[event.id] == 1
    full = tmp_path / "full.csv"
    export_to_file(engine, event.id, "full", full)
    rows = list(csv.DictReader(full.open(encoding="utf-8-sig")))
    assert [(r["kiosk_id"], r["duplicate"]) for r in rows] == [
        ("door-a", "FALSE"),
        ("door-b", "TRUE"),
    ]
    handshake = tmp_path / "attendees.csv"
    assert export_to_file(engine, event.id, "handshake", handshake, handshake_id="4321").rows == 1
