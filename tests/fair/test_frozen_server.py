"""A shared server that freezes while TCP stays up: a SIGSTOPped or hung server, or a network
path that swallows packets while something on the way still acknowledges them (the proxy's
black-hole here: it accepts every byte and never answers). TCP keepalives are answered,
``tcp_user_timeout`` never fires and a frozen server runs no ``statement_timeout``, so only
the kiosk itself can stop waiting: a swipe and the count within about ``ONLINE_WAIT_S``
(from the replica), and every thread that waited on the server within the engine's answer
limit (kiosk.db.engine.bound_server_waits), so waiting threads never pile up.
Skipped without KIOSK_TEST_PG_URL."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import event as sa_event
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from kiosk.checkin.events import create_event
from kiosk.db.engine import bound_server_waits, make_engine
from kiosk.fair import replica
from kiosk.fair.link import ONLINE_WAIT_S
from kiosk.roster import import_roster
from tests.conftest import FIXTURES
from tests.fair.kiosks import (
    close_kiosk,
    db_url,
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

ROSTER = FIXTURES / "roster" / "base.csv"
CARDS = ("0012345678", "0012345679", "0012345680", "0012345681")
NEW_CARD = "0099999999"
#: A hang fails the test after this long instead of blocking the run.
NEVER_S = 60.0
T = TypeVar("T")


async def _in_thread(call: Callable[[], T]) -> T:
    return await asyncio.wait_for(asyncio.to_thread(call), NEVER_S)


def _select_one(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT 1")).scalar_one())


async def test_a_bounded_engine_gives_up_on_a_frozen_server_and_recovers(
    engine: Engine, proxy: NetProxy
) -> None:
    """A statement on a connection the server stopped answering, and the pool's pre-ping
    of an idle one, end with OperationalError instead of waiting forever; the dead
    connections are dropped, and the engine works again once the server answers."""
    shared = make_engine(through(proxy))
    bound_server_waits(shared, 1.0)
    try:
        with shared.connect() as busy:
            assert busy.execute(text("SELECT 1")).scalar_one() == 1
            assert await _in_thread(lambda: _select_one(shared)) == 1  # a second, pooled
            proxy.blackhole()
            with pytest.raises(OperationalError, match="no answer .* within 1 s"):
                await _in_thread(lambda: busy.execute(text("SELECT 2")))
        # The idle pooled connection: its pre-ping gets no answer, a new connection none
        # either (connect_timeout).
        with pytest.raises(OperationalError):
            await _in_thread(lambda: _select_one(shared))
        proxy.restore()
        assert await _in_thread(lambda: _select_one(shared)) == 1
    finally:
        shared.dispose()


async def test_a_frozen_server_holds_no_swipe_and_no_count(
    engine: Engine, proxy: NetProxy, tmp_path: Path
) -> None:
    """The kiosk runs as the app runs it: an upkeep tick every few seconds (a new one
    cancels the one before, whose thread goes on), the count after every answer. The server
    freezes: the count and every swipe are answered from the replica, however many ticks
    were started meanwhile, and when the server answers again the queue drains once. Before,
    the count waited forever on the frozen server, and every cancelled tick left a thread
    waiting forever, until none was left for a swipe."""
    import_roster(engine, ROSTER)
    event = create_event(engine, "Fall Career Fair", "2026-10-14", "fair")
    desk = await open_kiosk(through(proxy), event, tmp_path / "a.sqlite3", "door-a")
    assert (await desk.handle_swipe(swipe(CARDS[0]))).kind == "checked_in"
    assert await desk.live_count() == 1
    proxy.blackhole()
    for _ in range(8):  # more ticks than the default executor has threads
        tick = asyncio.create_task(desk.tick())
        await asyncio.sleep(0.05)
        tick.cancel()
    assert await asyncio.wait_for(desk.live_count(), NEVER_S) == 1  # from the replica
    assert desk.link_status() == "offline — 0 queued"
    for card in CARDS[1:]:
        answer = await asyncio.wait_for(desk.handle_swipe(swipe(card)), NEVER_S)
        assert answer.kind == "checked_in"
        assert await asyncio.wait_for(desk.live_count(), NEVER_S) >= 2
    assert desk.link_status() == "offline — 3 queued"
    proxy.restore()  # the connections that lived through it are reset
    await until_drained(desk, limit=NEVER_S)
    assert len(live(engine, event)) == 4
    close_kiosk(desk)


async def test_a_server_frozen_mid_roster_copy_holds_no_offline_swipe(
    engine: Engine, proxy: NetProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The owner imported a roster; the kiosk's upkeep copies it into the replica a chunk at
    a time (two students a chunk here) and the server freezes after the first chunk. A swipe
    then goes offline after ``ONLINE_WAIT_S`` and is checked in from the replica straight
    away: the copy waits on the frozen server outside any replica transaction. (Before, the
    copy held the replica's write lock while it waited, and the offline swipe waited for the
    answer limit, 10 s.) The copy is made again, whole, once the server answers."""
    import_roster(engine, ROSTER)
    event = create_event(engine, "Fall Career Fair", "2026-10-14", "fair")
    desk = await open_kiosk(through(proxy), event, tmp_path / "a.sqlite3", "door-a")
    assert desk._fair is not None
    changed = tmp_path / "changed.csv"
    changed.write_text(ROSTER.read_text(encoding="utf-8").replace(CARDS[0], NEW_CARD))
    assert import_roster(engine, changed).updated == 1
    monkeypatch.setattr(replica, "_CHUNK", 2)
    loop = asyncio.get_running_loop()
    frozen = asyncio.Event()

    def freeze_after_first_chunk(_conn: Any, statement: Any, *_args: Any) -> None:
        sql = str(statement)
        if not frozen.is_set() and sql.startswith(("INSERT INTO incoming_student",
                                                    "INSERT INTO student")):  # fmt: skip
            proxy.blackhole()
            loop.call_soon_threadsafe(frozen.set)

    sa_event.listen(desk._fair.replica.engine, "after_execute", freeze_after_first_chunk)
    upkeep = asyncio.create_task(desk.tick())
    await asyncio.wait_for(frozen.wait(), NEVER_S)
    started = time.monotonic()
    answer = await asyncio.wait_for(desk.handle_swipe(swipe(CARDS[1])), NEVER_S)
    waited = time.monotonic() - started
    assert answer.kind == "checked_in" and desk.link_status() == "offline — 1 queued"
    assert waited < ONLINE_WAIT_S + 2  # about a second, not the answer limit
    sa_event.remove(desk._fair.replica.engine, "after_execute", freeze_after_first_chunk)
    proxy.restore()
    await asyncio.wait_for(upkeep, NEVER_S)
    await until_drained(desk, limit=NEVER_S)
    await desk.tick()  # the roster copied whole this time
    proxy.cut()
    assert (await desk.handle_swipe(swipe(NEW_CARD))).kind == "checked_in"  # offline
    assert (await desk.handle_swipe(swipe(CARDS[0]))).kind == "unknown"
    close_kiosk(desk)
