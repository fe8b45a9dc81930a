"""Undo while the shared database is unreachable, through the desk as the staff screen uses it
(``recent`` then ``undo``): made in the replica, queued durably, replayed exactly once with its
original time when the database answers again. Real PostgreSQL through a TCP proxy; skipped
without KIOSK_TEST_PG_URL."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from kiosk.db.models import AuditEvent, CheckIn, Event
from kiosk.desk import KioskDesk
from kiosk.fair.link import ONLINE_WAIT_S
from kiosk.fair.sync import send_undos
from tests.checkin.roster import ALEX, BO, CARMEN
from tests.fair.kiosks import (
    close_kiosk,
    db_url,
    every_check_in,
    live,
    needs_pg,
    open_kiosk,
    proxy,
    swipe,
    through,
    until_drained,
)
from tests.netproxy import NetProxy

pytestmark = needs_pg
__all__ = ["db_url", "proxy"]


async def _undo_in_list(desk: KioskDesk, username: str) -> None:
    """Staff open Recent check-ins and undo the student's row, as the screen does."""
    rows = await desk.recent(20)
    row = next(row for row in rows if row.username == username)
    await desk.undo(row.id, "staff")


def _undo_audits(engine: Engine) -> list[AuditEvent]:
    with Session(engine) as session:
        return list(session.exec(select(AuditEvent).where(AuditEvent.kind == "undo")))


async def test_an_undo_made_offline_reaches_the_shared_database_once_with_its_time(
    engine: Engine, student_ids: dict[str, int], event: Event, proxy: NetProxy, tmp_path: Path
) -> None:
    replica = tmp_path / "a.sqlite3"
    desk = await open_kiosk(through(proxy), event, replica, "door-a")
    assert (await desk.handle_swipe(swipe(ALEX.card_id))).kind == "checked_in"  # online
    assert (await desk.handle_swipe(swipe(CARMEN.card_id))).kind == "checked_in"
    await desk.recent(20)  # staff opened the list online: shared database ids
    proxy.blackhole()
    assert (await desk.handle_swipe(swipe(BO.card_id))).kind == "checked_in"  # now offline
    assert desk.link_status() == "offline — 1 queued"
    # The list staff still look at came from the shared database; its ids are not the
    # replica's. The undo still reaches Alex's row (by the check-in's key), not another.
    await _undo_in_list(desk, ALEX.username)
    assert desk.link_status() == "offline — 2 queued"
    assert await desk.live_count() == 2  # Carmen and Bo, as far as this kiosk knows
    assert (await desk.handle_swipe(swipe(ALEX.card_id))).kind == "checked_in"  # in again
    # The kiosk dies and comes back while still offline: the undo is still queued.
    close_kiosk(desk)
    desk = await open_kiosk(through(proxy), event, replica, "door-a")
    assert desk.link_status() == "offline — 3 queued"
    proxy.restore()
    await until_drained(desk)
    rows = every_check_in(engine, event)
    alex = [row for row in rows if row.student_id == student_ids[ALEX.username]]
    assert [row.undone_at is not None for row in alex] == [True, False]
    assert alex[0].undone_by == "staff" and alex[0].undone_at is not None
    assert alex[0].undone_at < alex[1].checked_in_at  # the undo's own time, not the sync's
    assert sorted(row.student_id or 0 for row in live(engine, event)) == sorted(
        student_ids[name] for name in (ALEX.username, BO.username, CARMEN.username)
    )
    assert len(_undo_audits(engine)) == 1
    # Replayed again (as if the kiosk died before noting it sent): nothing changes.
    assert desk._fair is not None
    with desk._fair.replica.engine.begin() as local:
        local.exec_driver_sql("UPDATE queued_undo SET sent = 0")
    assert send_undos(desk._fair.replica, engine) == 0
    assert len(_undo_audits(engine)) == 1
    assert every_check_in(engine, event)[0].undone_at == alex[0].undone_at
    close_kiosk(desk)


async def test_undoing_a_check_in_still_queued_sends_it_undone_never_counted(
    engine: Engine, student_ids: dict[str, int], event: Event, proxy: NetProxy, tmp_path: Path
) -> None:
    desk = await open_kiosk(through(proxy), event, tmp_path / "a.sqlite3", "door-a")
    proxy.cut()
    assert (await desk.handle_swipe(swipe(BO.card_id))).kind == "checked_in"  # offline
    assert (await desk.handle_swipe(swipe(CARMEN.card_id))).kind == "checked_in"
    await _undo_in_list(desk, BO.username)  # the list is the replica's now
    assert await desk.live_count() == 1
    proxy.restore()
    await until_drained(desk)
    rows = every_check_in(engine, event)
    assert [(row.student_id, row.undone_at is not None) for row in rows] == [
        (student_ids[BO.username], True),
        (student_ids[CARMEN.username], False),
    ]
    assert [row.student_id for row in live(engine, event)] == [student_ids[CARMEN.username]]
    # Online again, Bo is not "already": the undone check-in does not count.
    assert (await desk.handle_swipe(swipe(BO.card_id))).kind == "checked_in"
    close_kiosk(desk)


async def test_an_online_undo_is_made_on_the_shared_database_and_known_offline(
    engine: Engine, student_ids: dict[str, int], event: Event, proxy: NetProxy, tmp_path: Path
) -> None:
    desk = await open_kiosk(through(proxy), event, tmp_path / "a.sqlite3", "door-a")
    assert (await desk.handle_swipe(swipe(ALEX.card_id))).kind == "checked_in"
    await _undo_in_list(desk, ALEX.username)
    with Session(engine) as session:
        rows = list(session.exec(select(CheckIn).order_by(col(CheckIn.id))))
    assert [row.undone_at is not None for row in rows] == [True]
    assert desk.link_status() == ""  # nothing queued: it was made online
    proxy.cut()
    # Offline, the replica knows Alex's check-in was undone: Alex checks in again.
    assert (await desk.handle_swipe(swipe(ALEX.card_id))).kind == "checked_in"
    assert desk.link_status() == "offline — 1 queued"
    proxy.restore()
    await until_drained(desk)
    assert len(_undo_audits(engine)) == 1
    assert [row.student_id for row in live(engine, event)] == [student_ids[ALEX.username]]
    close_kiosk(desk)


async def test_an_offline_undo_of_the_counted_check_in_lets_another_kiosks_duplicate_count(
    engine: Engine, student_ids: dict[str, int], event: Event, proxy: NetProxy, tmp_path: Path
) -> None:
    url = through(proxy)
    door_a = await open_kiosk(url, event, tmp_path / "a.sqlite3", "door-a")
    door_b = await open_kiosk(url, event, tmp_path / "b.sqlite3", "door-b")
    assert (await door_a.handle_swipe(swipe(ALEX.card_id))).kind == "checked_in"  # online
    proxy.cut()
    # Door B never saw it (no refresh since): Alex checks in there too, offline.
    assert (await door_b.handle_swipe(swipe(ALEX.card_id))).kind == "checked_in"
    await _undo_in_list(door_a, ALEX.username)  # door A's was a mistake: undone offline
    proxy.restore()
    await until_drained(door_b)  # B's arrives first: a duplicate of A's, which still counts
    await until_drained(door_a)  # A's undo: B's check-in counts now
    rows = every_check_in(engine, event)
    assert [(row.kiosk_id, row.undone_at is not None) for row in rows] == [
        ("door-a", True),
        ("door-b", False),
    ]
    assert [row.kiosk_id for row in live(engine, event)] == ["door-b"]
    close_kiosk(door_a)
    close_kiosk(door_b)


async def test_an_online_undo_that_answers_around_the_wait_limit_is_made_once_and_said_done(
    engine: Engine, student_ids: dict[str, int], event: Event, proxy: NetProxy, tmp_path: Path
) -> None:
    """Staff undo Alex's check-in online while another session holds its row, released just
    before, at or after ``ONLINE_WAIT_S``: the kiosk stops waiting and queues the undo in its
    replica, or the late online undo mirrors it there first. Whichever comes first, the undo
    is said done (before, a mirror that came first made staff read "already undone"), is
    made once on the shared database and once in the replica, and the queue drains."""
    desk = await open_kiosk(through(proxy), event, tmp_path / "a.sqlite3", "door-a")
    loop = asyncio.get_running_loop()
    delays = (0.8, 0.95, 0.99, 1.0, 1.01, 1.03, 1.06, 1.1, 1.3)
    for delay in delays:
        assert (await desk.handle_swipe(swipe(ALEX.card_id))).kind == "checked_in"
        rows = await desk.recent(20)
        row = next(row for row in rows if row.username == ALEX.username)
        check_in_id = max(c.id or 0 for c in every_check_in(engine, event))
        holder = engine.connect()
        holder.execute(text("SELECT id FROM check_in WHERE id = :id FOR UPDATE"),
                       {"id": check_in_id})  # fmt: skip
        loop.call_later(delay, holder.rollback)
        await desk.undo(row.id, "staff")  # no "already undone", whoever finished it
        await asyncio.sleep(max(0.0, delay - ONLINE_WAIT_S) + 0.3)
        holder.close()
        await until_drained(desk)
        assert live(engine, event) == []
        assert len(_undo_audits(engine)) == delays.index(delay) + 1  # made once, online
    with Session(desk._fair.replica.engine if desk._fair else engine) as session:
        replica_rows = list(session.exec(select(CheckIn)))
    assert len(replica_rows) == len(delays) and all(r.undone_at for r in replica_rows)
    close_kiosk(desk)
