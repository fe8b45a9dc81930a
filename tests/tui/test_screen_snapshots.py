"""Every staff screen and the student screen's states at 80x24 and 120x40 (issue 13.13):
nothing cut off or running off the right edge. pytest-textual-snapshot; refresh with
``pytest tests/tui/test_screen_snapshots.py --snapshot-update`` after a deliberate change,
and look at each SVG before accepting it.

What would change from run to run is pinned: the demo lives in a relative folder (paths on
screen are the same in every run), the event has a fixed date, swipes carry a fixed wall time
in UTC, and the export path is typed in."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import update
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, Input

from drivers.base import Swipe
from drivers.readers import open_reader
from drivers.replay import QueueReader
from kiosk.db.models import Event
from kiosk.demo import SAMPLE_ROSTER, prepare_demo
from kiosk.tui.app import KioskApp, make_app
from kiosk.tui.presentation import NO_READER
from kiosk.tui.screens.attendance import AttendanceScreen
from kiosk.tui.screens.events import EventsScreen
from kiosk.tui.screens.export import ExportScreen
from kiosk.tui.screens.import_roster import ImportScreen
from kiosk.tui.screens.lookup import LookupScreen
from kiosk.tui.screens.manual_checkin import ManualCheckinScreen
from kiosk.tui.screens.nametags import NametagsScreen
from kiosk.tui.screens.pin import PinScreen
from kiosk.tui.screens.recent import RecentScreen
from kiosk.tui.screens.registrations import RegistrationsScreen
from kiosk.tui.screens.rule_tester import RuleTesterScreen
from kiosk.tui.screens.rule_wizard import RuleWizardScreen
from kiosk.tui.screens.rules import RulesScreen
from kiosk.tui.screens.staff_confirm import StaffConfirmScreen
from kiosk.tui.screens.status import StatusScreen
from kiosk.tui.screens.student_search import StudentSearchScreen
from kiosk.tui.screens.walk_in import WalkInScreen
from kiosk.tui.setup import KioskSetup
from tests.tui.conftest import (
    ALEX_CARD,
    MARIA_CARD,
    MISREAD_CARD,
    PAYMENT_CARD,
    UNKNOWN_CARD,
    open_staff_menu,
    open_staff_screen,
    screen_text,
    showing,
    wait_until,
)

SIZES = {"80x24": (80, 24), "120x40": (120, 40)}
MORNING = datetime(2026, 10, 14, 9, 30, tzinfo=UTC)
Step = Callable[[Pilot[Any]], Awaitable[None]]


@pytest.fixture(autouse=True)
def utc_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.fixture
def pinned_setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[KioskSetup]:
    """The demo's kiosk in the relative folder ``kiosk`` (inside tmp_path), reader "left"."""
    monkeypatch.chdir(tmp_path)
    folder = Path("kiosk")
    folder.mkdir()
    demo = prepare_demo(folder, idle_seconds=60)
    with demo.desk.engine.begin() as connection:
        connection.execute(update(Event).values(date="2026-10-14"))
    demo.desk.event.date = "2026-10-14"
    yield replace(demo, readers=[QueueReader("left")], demo=None, min_result_seconds=0.0)
    demo.desk.engine.dispose()


def _swipe(app: KioskApp, text: str) -> None:
    app.take_swipe(Swipe(text, "left", wall=MORNING))


async def _ready(pilot: Pilot[Any]) -> KioskApp:
    app = pilot.app
    assert isinstance(app, KioskApp)
    await wait_until(pilot, lambda: "checked in so far" in screen_text(app))
    return app


def _answer(*steps: tuple[str, str]) -> Step:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = await _ready(pilot)
        for text, kind in steps:
            _swipe(app, text)
            await wait_until(pilot, lambda kind=kind: showing(app, kind))  # type: ignore[misc]
        await wait_until(pilot, lambda: app.student_screen.count == app.desk.service.count())

    return run_before


def _staff(item: str, screen_type: type[Any], then: Step | None = None) -> Step:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = await _ready(pilot)
        _swipe(app, ALEX_CARD)  # one check-in, so lists are not empty
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        await open_staff_screen(pilot, item, screen_type)
        if then is not None:
            await then(pilot)
        await pilot.pause(0.3)

    return run_before


async def _menu(pilot: Pilot[Any]) -> None:
    await _ready(pilot)
    await open_staff_menu(pilot)


async def _export_path(pilot: Pilot[Any]) -> None:
    pilot.app.screen.query_one("#export-path", Input).value = "checkins.csv"


async def _import_refused(pilot: Pilot[Any]) -> None:
    """Preflight of a two-student file with "archive missing": refused (too many archived)."""
    lines = SAMPLE_ROSTER.read_text(encoding="utf-8").splitlines()
    Path("small.csv").write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")  # in tmp_path
    screen = pilot.app.screen
    screen.query_one("#import-path", Input).value = "small.csv"
    screen.query_one("#import-archive", Checkbox).value = True
    await pilot.click("#import-preflight")
    await wait_until(pilot, lambda: "Refused" in screen_text(pilot.app))  # type: ignore[arg-type]


async def _search_ready(pilot: Pilot[Any]) -> None:
    """The search screen once the roster is read (its results table is laid out afresh as
    results come in, so a snapshot of it is taken without a query)."""
    await wait_until(
        pilot,
        lambda: "students on the roster" in screen_text(pilot.app),  # type: ignore[arg-type]
    )


async def _tester_swipe(pilot: Pilot[Any]) -> None:
    app = pilot.app
    assert isinstance(app, KioskApp)
    _swipe(app, MARIA_CARD)
    await wait_until(pilot, lambda: "Last swipe from left" in screen_text(app))


def _over_staff(make: Callable[[KioskApp], Any]) -> Step:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = await _ready(pilot)
        await open_staff_menu(pilot)
        app.push_screen(make(app))
        await pilot.pause(0.3)

    return run_before


async def _student_form(pilot: Pilot[Any]) -> None:
    app = await _ready(pilot)
    await pilot.press("f2")
    await wait_until(pilot, lambda: isinstance(app.screen, LookupScreen))
    await pilot.pause(0.2)


async def _walk_in(pilot: Pilot[Any]) -> None:
    app = await _ready(pilot)
    _swipe(app, UNKNOWN_CARD)
    await wait_until(pilot, lambda: showing(app, "unknown"))
    await pilot.press("f3")
    await wait_until(pilot, lambda: isinstance(app.screen, WalkInScreen))
    await pilot.pause(0.2)


async def _pin(pilot: Pilot[Any]) -> None:
    app = await _ready(pilot)
    await pilot.press("f10")
    await wait_until(pilot, lambda: isinstance(app.screen, PinScreen))
    await pilot.pause(0.2)


async def _staff_confirm(pilot: Pilot[Any]) -> None:
    app = await _ready(pilot)
    app.push_screen(StaffConfirmScreen())
    await wait_until(pilot, lambda: isinstance(app.screen, StaffConfirmScreen))
    await pilot.pause(0.2)


SCREENS: dict[str, Step] = {
    # the student screen
    "idle": _answer(),
    "checked_in": _answer((ALEX_CARD, "checked_in")),
    "already": _answer((ALEX_CARD, "checked_in"), (ALEX_CARD, "already")),
    "unknown": _answer((UNKNOWN_CARD, "unknown")),
    "misread": _answer((MISREAD_CARD, "misread")),
    "payment_card": _answer((PAYMENT_CARD, "refused")),
    "lookup": _student_form,
    "walk_in": _walk_in,
    "pin": _pin,
    "staff_confirm": _staff_confirm,
    # staff mode
    "staff_menu": _menu,
    "events": _staff("events", EventsScreen),
    "recent": _staff("recent", RecentScreen),
    "student_search": _staff("search", StudentSearchScreen, _search_ready),
    "attendance": _staff("attendance", AttendanceScreen),
    "nametags": _staff("nametags", NametagsScreen),
    "manual_checkin": _staff("manual", ManualCheckinScreen),
    "rule_tester": _staff("tester", RuleTesterScreen, _tester_swipe),
    "rules": _staff("rules", RulesScreen),
    "rule_wizard": _over_staff(lambda app: RuleWizardScreen(app.desk.rules)),
    "registrations": _staff("registrations", RegistrationsScreen),
    "import": _staff("import", ImportScreen),
    "import_refused": _staff("import", ImportScreen, _import_refused),
    "status": _staff("status", StatusScreen),
    "export": _staff("export", ExportScreen, _export_path),
}


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", SCREENS)
def test_screen(snap_compare: Any, pinned_setup: KioskSetup, name: str, size: str) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await SCREENS[name](pilot)
        for field in pilot.app.screen.query(Input):  # a blinking cursor: on or off by chance
            field.cursor_blink = False
        await pilot.pause(0.3)

    app = make_app(pinned_setup)
    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)


@pytest.mark.parametrize("size", SIZES)
def test_no_reader_connected(snap_compare: Any, pinned_setup: KioskSetup, size: str) -> None:
    reader = open_reader("serial:ttyUSB-not-plugged-in", name="desk")
    app = make_app(replace(pinned_setup, readers=[reader]))

    async def run_before(pilot: Pilot[Any]) -> None:
        await _ready(pilot)
        await wait_until(pilot, lambda: NO_READER in screen_text(app))

    assert snap_compare(app, terminal_size=SIZES[size], run_before=run_before)


WITH_BUTTONS = (
    "unknown",
    "walk_in",
    "events",
    "export",
    "registrations",
    "import",
    "import_refused",
    "rule_wizard",
)


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("name", WITH_BUTTONS)
async def test_no_button_runs_off_the_screen_or_is_cut(
    pinned_setup: KioskSetup, name: str, size: str
) -> None:
    app = make_app(pinned_setup)
    async with app.run_test(size=SIZES[size]) as pilot:
        await SCREENS[name](pilot)
        screen = app.screen.region
        buttons = [b for b in app.screen.query(Button) if b.display and b.region.area]
        assert buttons
        for button in buttons:
            assert screen.contains_region(button.region), (button.id, button.region)
            # the label and a space each side fit inside the button
            assert button.region.width >= len(str(button.label)) + 2, button.id


async def test_the_archive_guard_refusal_is_shown_once(pinned_setup: KioskSetup) -> None:
    app = make_app(pinned_setup)
    async with app.run_test(size=SIZES["120x40"]) as pilot:
        await SCREENS["import_refused"](pilot)
        report = str(app.screen.query_one("#import-report").render())
        assert report.count("This import would archive 38 of 40 current students") == 1
