"""Fair mode end to end on a real PostgreSQL server, reached through a TCP proxy the test can
cut or black-hole: kiosks go on from their replicas, then their queues drain exactly once.
Skipped without KIOSK_TEST_PG_URL."""

from __future__ import annotations

import asyncio
import time
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kiosk.checkin.staff import set_pin
from kiosk.db.models import CheckIn, Event
from kiosk.errors import UserError
from kiosk.fair.link import ONLINE_WAIT_S
from kiosk.fair.start import open_shared
from tests.checkin.roster import ALEX, BO, CARMEN
from tests.fair.kiosks import db_url, needs_pg, proxy
from tests.fair.kiosks import live as _live
from tests.fair.kiosks import open_kiosk as _kiosk
from tests.fair.kiosks import swipe as _swipe
from tests.fair.kiosks import through as _through
from tests.fair.kiosks import until_drained as _until_drained
from tests.netproxy import NetProxy

pytestmark = needs_pg
__all__ = ["db_url", "proxy"]


async def test_a_cut_network_checks_in_from_the_replica_and_the_queue_drains_once(
    engine: Engine, student_ids: dict[str, int], event: Event, proxy: NetProxy, tmp_path: Path
) -> None:
    desk = await _kiosk(_through(proxy), event, tmp_path / "a.sqlite3", "door-a")
    assert (await desk.handle_swipe(_swipe(ALEX.card_id))).kind == "checked_in"
    proxy.blackhole()  # a venue network that swallows packets
    started = time.monotonic()
    bo = await desk.handle_swipe(_swipe(BO.card_id))
    waited = time.monotonic() - started
    assert bo.kind == "checked_in" and desk.link_status() == "offline — 1 queued"
    assert waited < ONLINE_WAIT_S + 2  # about a second, never the TCP timeout
    # Offline, the replica knows who is in: Alex (online) and Bo (offline) are "already".
    assert (await desk.handle_swipe(_swipe(ALEX.card_id))).kind == "already"
    assert (await desk.handle_swipe(_swipe(BO.card_id))).kind == "already"
    assert (await desk.handle_swipe(_swipe(CARMEN.card_id))).kind == "checked_in"
    assert desk.link_status() == "offline — 2 queued"
    await desk.tick()  # still cut: nothing is lost, nothing sent
    proxy.restore()
    await _until_drained(desk)
    live = _live(engine, event)
    assert [row.student_id for row in live] == [
        student_ids[ALEX.username], student_ids[BO.username], student_ids[CARMEN.username],
    ]  # fmt: skip
    assert all(row.kiosk_id == "door-a" and row.client_key for row in live)


async def test_two_kiosks_offline_check_in_the_same_student_and_the_earliest_counts(
    engine: Engine, student_ids: dict[str, int], event: Event, proxy: NetProxy, tmp_path: Path
) -> None:
    url = _through(proxy)
    door_a = await _kiosk(url, event, tmp_path / "a.sqlite3", "door-a")
    door_b = await _kiosk(url, event, tmp_path / "b.sqlite3", "door-b")
    proxy.cut()
    first = await door_a.handle_swipe(_swipe(ALEX.card_id))
    await asyncio.sleep(0.05)
    second = await door_b.handle_swipe(_swipe(ALEX.card_id))
    assert (first.kind, second.kind) == ("checked_in", "checked_in")  # they cannot see each other
    proxy.restore()
    await _until_drained(door_b)  # the later one arrives first
    await _until_drained(door_a)
    with Session(engine) as session:
        rows = list(session.exec(select(CheckIn).where(CheckIn.event_id == event.id)))
    live = [row for row in rows if row.duplicate_of is None]
    duplicates = [row for row in rows if row.duplicate_of is not None]
    assert [row.kiosk_id for row in live] == ["door-a"]
    assert [row.kiosk_id for row in duplicates] == ["door-b"]
    assert duplicates[0].duplicate_of == live[0].id
    # Online again, both kiosks say "already" for Alex.
    assert (await door_b.handle_swipe(_swipe(ALEX.card_id))).kind == "already"


async def test_a_kiosk_restarted_offline_starts_from_its_replica_and_loses_nothing(
    engine: Engine, student_ids: dict[str, int], event: Event, proxy: NetProxy, tmp_path: Path
) -> None:
    url = _through(proxy)
    replica = tmp_path / "a.sqlite3"
    set_pin(engine, "482913")
    first = await _kiosk(url, event, replica, "door-a")
    proxy.cut()
    assert (await first.handle_swipe(_swipe(BO.card_id))).kind == "checked_in"
    first._fair.replica.close()  # type: ignore[union-attr]  # the kiosk is killed
    # Restarted while the network is still down: from the replica and its queue.
    again = await _kiosk(url, event, replica, "door-a")
    assert again.link_status() == "offline — 1 queued"
    assert (await again.handle_swipe(_swipe(BO.card_id))).kind == "already"
    # Staff can still open staff mode: the PIN's hash is in the replica.
    assert (await again.check_pin("482913")).ok
    assert not (await again.check_pin("000000")).ok
    proxy.restore()
    await _until_drained(again)
    assert [row.student_id for row in _live(engine, event)] == [student_ids[BO.username]]


def test_a_kiosk_that_never_reached_the_shared_database_says_so(
    proxy: NetProxy, tmp_path: Path
) -> None:
    proxy.cut()
    with pytest.raises(UserError, match="has never reached the shared database"):
        open_shared(_through(proxy), tmp_path / "new.sqlite3")
