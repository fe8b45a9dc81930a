"""The shared PostgreSQL server itself stopped (``pg_ctl stop -m fast``) and started again,
on a throwaway server this test session owns (tests/pgcluster.py; the shared one on 5432 is
never stopped): kiosks go on from their replicas, and when the server is back their queues
drain with nothing lost, nothing doubled and the original times kept. Skipped, with the
reason, where PostgreSQL's server binaries are not installed."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kiosk.checkin.events import create_event
from kiosk.db.models import CheckIn, Event
from kiosk.db.session import open_database
from tests.checkin.roster import Person, add_students
from tests.fair.kiosks import (
    KioskProcess,
    close_kiosk,
    every_check_in,
    live,
    open_kiosk,
    swipe,
    until_drained,
)
from tests.pgcluster import ThrowawayCluster

CROWD = [
    Person(f"door{n:02d}", "Student", f"Number{n}", f"{820000000 + n * 17}") for n in range(40)
]


def _fair(url: str) -> tuple[Engine, dict[str, int], Event]:
    engine = open_database(url)
    ids = add_students(engine, CROWD)
    return engine, ids, create_event(engine, "Fall Career Fair", "2026-10-14", "fair")


def _assert_counted_once(engine: Engine, event: Event, shown: dict[int, int]) -> None:
    """Every student shown checked_in has one live check-in, the one shown; no other rows."""
    rows = every_check_in(engine, event)
    assert sorted((row.student_id or 0) for row in live(engine, event)) == sorted(shown)
    assert len(rows) == len(shown) and not [row for row in rows if row.duplicate_of]


async def test_a_server_stopped_mid_stream_loses_and_doubles_nothing(
    pg_cluster: ThrowawayCluster, cluster_url: str, tmp_path: Path
) -> None:
    engine, ids, event = _fair(cluster_url)
    desk = await open_kiosk(cluster_url, event, tmp_path / "a.sqlite3", "door-a")
    # 36 swipes of 30 students: every sixth is someone already in (answered "already").
    order: list[int] = []
    for n in range(30):
        order += [n, n - 2] if n % 5 == 4 else [n]
    shown: dict[int, int] = {}  # student id -> the moment (swipe index) they were shown in
    kinds: list[tuple[str, bool]] = []
    stopped_at = started_at = datetime.now(UTC)
    for index, n in enumerate(order):
        if index == 12:
            await asyncio.to_thread(pg_cluster.stop, "fast")
            stopped_at = datetime.now(UTC)
        if index == 24:
            await asyncio.to_thread(pg_cluster.start)
            started_at = datetime.now(UTC)
        if index % 6 == 5:
            await desk.tick()  # the app's upkeep, while the server is gone too
        outcome = await desk.handle_swipe(swipe(CROWD[n].card_id))
        kinds.append((outcome.kind, desk.link_status().startswith("offline")))
        if outcome.kind == "checked_in":
            assert ids[CROWD[n].username] not in shown
            shown[ids[CROWD[n].username]] = index
        await asyncio.sleep(0.05)
    assert {kind for kind, _ in kinds} == {"checked_in", "already"}  # never "see staff"
    assert kinds.count(("already", True)) + kinds.count(("already", False)) == 6
    assert all(offline for _, offline in kinds[12:24])  # checked in from the replica
    await until_drained(desk, 60)
    _assert_counted_once(engine, event, shown)
    # Original times: each check-in made offline has the time the kiosk made it.
    assert desk._fair is not None
    with Session(desk._fair.replica.engine) as local:
        made_here = {
            row.client_key: row.checked_in_at
            for row in local.exec(select(CheckIn).where(CheckIn.kiosk_id == "door-a"))
        }
    rows = every_check_in(engine, event)
    assert all(made_here[row.client_key] == row.checked_in_at for row in rows)
    offline_rows = [row for row in rows if stopped_at <= row.checked_in_at <= started_at]
    assert len(offline_rows) >= 10  # made while the server was down, sent after
    close_kiosk(desk)
    engine.dispose()


def test_a_kiosk_killed_offline_and_restarted_offline_delivers_everything_once(
    pg_cluster: ThrowawayCluster, cluster_url: str, tmp_path: Path
) -> None:
    engine, ids, event = _fair(cluster_url)
    replica = tmp_path / "door-a.sqlite3"
    shown: dict[int, int] = {}

    def swiped(kiosk: KioskProcess, n: int, kind: str, online: bool) -> None:
        kiosk.swipe(CROWD[n].card_id)
        answer = kiosk.read()
        assert (answer["kind"], answer["online"]) == (kind, online)
        if kind == "checked_in":
            shown[ids[CROWD[n].username]] = answer["check_in_id"]

    with KioskProcess(cluster_url, event, replica, "door-a") as first:
        assert first.ready == "online"
        swiped(first, 0, "checked_in", True)
        pg_cluster.stop("fast")
        for n in range(1, 6):
            swiped(first, n, "checked_in", False)
        first.swipe(CROWD[6].card_id)  # ... and the plug is pulled while it may be writing
        first.kill()
    with KioskProcess(cluster_url, event, replica, "door-a") as again:
        # Started while the server is still down: from the replica and its queue.
        assert again.ready in ("offline — 5 queued", "offline — 6 queued")
        if again.ready.endswith("6 queued"):  # the last swipe was committed before the kill
            shown[ids[CROWD[6].username]] = 0
        swiped(again, 1, "already", False)  # the replica remembers who is in
        swiped(again, 0, "already", False)  # (made online, mirrored before the stop)
        swiped(again, 7, "checked_in", False)
        pg_cluster.start()
        assert again.drain() == ""
        again.quit()
    _assert_counted_once(engine, event, shown)
    engine.dispose()
