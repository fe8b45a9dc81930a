"""The staff screens of a fair-mode kiosk, through Textual's Pilot, when the shared server
stops answering (black-holed by the test's proxy: every byte swallowed, TCP up): the PIN
opens staff mode, the attendance summary shows the replica's counts and says so, the events
list shows the replica's events and a choice takes effect, and the export says in one
sentence that the shared database cannot be reached and what to do; each within a bound well
under the engine's answer limit (15 s measured before). No screen stalls or blanks. When the
network returns, nothing done offline is lost or doubled. Skipped without KIOSK_TEST_PG_URL."""

from __future__ import annotations

import csv
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from textual.pilot import Pilot
from textual.widgets import DataTable, Input, Static

from kiosk.checkin.events import create_event
from kiosk.checkin.staff import set_pin
from kiosk.db.models import Event
from kiosk.desk import KioskDesk
from kiosk.tui.app import KioskApp, make_app
from kiosk.tui.screens.attendance import FROM_REPLICA, AttendanceScreen
from kiosk.tui.screens.events import OFFLINE_COUNTS, EventsScreen
from kiosk.tui.screens.export import ExportScreen
from kiosk.tui.screens.staff_menu import StaffMenuScreen
from kiosk.tui.setup import KioskSetup
from tests.checkin.roster import ALEX, BO
from tests.fair.kiosks import (
    close_kiosk,
    db_url,
    every_check_in,
    needs_pg,
    open_kiosk,
    proxy,
    swipe,
    through,
    until_drained,
)
from tests.netproxy import NetProxy
from tests.tui.conftest import (
    PIN,
    choose_staff_item,
    click_when_ready,
    open_staff_menu,
    screen_text,
    type_text,
    wait_until,
)

pytestmark = needs_pg
__all__ = ["db_url", "proxy"]

#: Well under the answer limit, well over ``ONLINE_WAIT_S``: behaviour, not a benchmark.
STAFF_BOUND_S = 4.0
SIZE = (120, 40)


@dataclass
class Door:
    app: KioskApp
    desk: KioskDesk
    pilot: Pilot[None]
    event: Event
    other: Event


@pytest.fixture
async def door(
    engine: Engine, student_ids: dict[str, int], event: Event, proxy: NetProxy, tmp_path: Path
) -> AsyncIterator[Door]:
    """A fair-mode kiosk app online, Alex checked in at it."""
    set_pin(engine, PIN)
    other = create_event(engine, "Spring Fair", "2027-03-03", "fair")
    desk = await open_kiosk(through(proxy), event, tmp_path / "a.sqlite3", "door-a")
    assert (await desk.handle_swipe(swipe(ALEX.card_id))).kind == "checked_in"
    app = make_app(KioskSetup(desk=desk, readers=()))
    async with app.run_test(size=SIZE) as pilot:
        await wait_until(pilot, desk.ready.is_set)
        yield Door(app, desk, pilot, event, other)
    proxy.restore()
    close_kiosk(desk)


async def _within_bound(pilot: Pilot[None], condition: Callable[[], object]) -> float:
    """Seconds until ``condition()`` holds (the test fails if it is not under the bound)."""
    started = time.monotonic()
    await wait_until(pilot, condition, timeout=30)
    took = time.monotonic() - started
    assert took < STAFF_BOUND_S, f"{took:.1f} s"
    return took


def _text(door: Door, selector: str) -> str:
    return " ".join(str(door.app.screen.query_one(selector, Static).render()).split())


def _squashed(text: str) -> str:
    return " ".join(text.split())


async def test_the_pin_opens_staff_mode_from_the_replica(door: Door, proxy: NetProxy) -> None:
    pilot = door.pilot
    proxy.blackhole()
    await pilot.press("f10")
    await type_text(pilot, PIN)
    await pilot.press("enter")
    await _within_bound(
        pilot,
        lambda: (
            isinstance(door.app.screen, StaffMenuScreen)
            and "Staff mode — menu" in screen_text(door.app)
        ),
    )
    assert door.desk.link_status() == "offline — 0 queued"


async def test_the_attendance_summary_shows_the_replicas_counts_and_says_so(
    door: Door, proxy: NetProxy
) -> None:
    pilot = door.pilot
    await open_staff_menu(pilot)  # online
    proxy.blackhole()
    await choose_staff_item(pilot, "attendance")

    def shown() -> bool:
        screen = door.app.screen
        return (
            isinstance(screen, AttendanceScreen)
            and _text(door, "#attendance-message") == _squashed(FROM_REPLICA)
            and _text(door, "#attendance-counts").startswith("1 checked in")
        )

    await _within_bound(pilot, shown)
    assert "1 checked in" in screen_text(door.app)  # on the terminal, not only in a widget
    assert door.desk.link_status() == "offline — 0 queued"
    proxy.restore()  # back online: the next refresh (every TICK_S) is the shared one's
    await wait_until(pilot, lambda: _text(door, "#attendance-message") == "", timeout=30)


async def test_the_events_list_comes_from_the_replica_and_a_choice_takes_effect(
    door: Door, proxy: NetProxy, engine: Engine, student_ids: dict[str, int]
) -> None:
    pilot = door.pilot
    await open_staff_menu(pilot)
    proxy.blackhole()
    await choose_staff_item(pilot, "events")

    def listed() -> bool:
        screen = door.app.screen
        return (
            isinstance(screen, EventsScreen)
            and screen.query_one("#events-table", DataTable).row_count == 2
            and _text(door, "#event-message") == _squashed(OFFLINE_COUNTS)
        )

    await _within_bound(pilot, listed)
    table = door.app.screen.query_one("#events-table", DataTable)
    rows = {table.get_row_at(i)[1]: table.get_row_at(i)[5] for i in range(table.row_count)}
    assert rows == {door.event.name: "1", door.other.name: "—"}
    table.focus()
    for index in range(table.row_count):
        if table.get_row_at(index)[1] == door.other.name:
            table.move_cursor(row=index)
    await pilot.press("enter")  # choose it
    chosen = f"Now checking in to: {door.other.name}"
    await _within_bound(pilot, lambda: _text(door, "#event-message") == chosen)
    assert door.desk.event.id == door.other.id
    assert (await door.desk.handle_swipe(swipe(BO.card_id))).kind == "checked_in"  # offline
    proxy.restore()
    await until_drained(door.desk)
    assert (await door.desk.handle_swipe(swipe(ALEX.card_id))).kind == "checked_in"  # online
    ids = {
        name: sorted(row.student_id or 0 for row in every_check_in(engine, event))
        for name, event in ((door.event.name, door.event), (door.other.name, door.other))
    }
    alex, bo = student_ids[ALEX.username], student_ids[BO.username]
    assert ids == {door.event.name: [alex], door.other.name: sorted([alex, bo])}


async def test_the_export_says_the_shared_database_cannot_be_reached_then_exports_once(
    door: Door, proxy: NetProxy, tmp_path: Path
) -> None:
    pilot = door.pilot
    await open_staff_menu(pilot)
    proxy.blackhole()
    await choose_staff_item(pilot, "export")
    await _within_bound(
        pilot,
        lambda: (
            isinstance(door.app.screen, ExportScreen)
            and door.app.screen.query_one("#export-handshake-id", Input).value == "4321"
        ),
    )  # the event as the replica has it: the screen did not wait for the server
    path = tmp_path / "attendees.csv"
    door.app.screen.query_one("#export-path", Input).value = str(path)
    await click_when_ready(pilot, "#export-go")
    unreachable = "The shared database cannot be reached, so the kiosk cannot export"
    await _within_bound(pilot, lambda: _text(door, "#export-message").startswith(unreachable))
    assert "try again once the status line no longer says offline" in _text(door, "#export-message")
    assert not path.exists()
    proxy.restore()
    await until_drained(door.desk)
    await click_when_ready(pilot, "#export-go")
    await wait_until(pilot, lambda: _text(door, "#export-message").startswith("Wrote"))
    with path.open(encoding="utf-8", newline="") as exported:
        rows = list(csv.DictReader(exported))
    assert len(rows) == 1  # Alex, once
