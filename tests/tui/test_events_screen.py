"""Staff mode's Events screen: rename and delete (issue 13.2), with the CLI's sentences and
its never-lose-check-ins rule. Real services on a real SQLite file, driven through Pilot."""

from __future__ import annotations

import csv
import re
import stat
from pathlib import Path

from sqlmodel import Session, col, select
from textual.widgets import Button, DataTable, Input

from kiosk.checkin.events import create_event
from kiosk.db.models import CheckIn, Event
from kiosk.tui.app import KioskApp, make_app
from kiosk.tui.screens.events import EventsScreen
from kiosk.tui.setup import KioskSetup
from tests.tui.conftest import (
    ALEX_CARD,
    open_staff_screen,
    push,
    screen_text,
    showing,
    type_text,
    wait_until,
)

SIZE = (120, 40)


def _message(app: KioskApp) -> str:
    return " ".join(str(app.screen.query_one("#event-message").render()).split())


def _highlight(app: KioskApp, name: str) -> None:
    """Put the Events table's cursor on the row of the event called ``name``."""
    table = app.screen.query_one("#events-table", DataTable)
    for index in range(table.row_count):
        if table.get_row_at(index)[1] == name:
            table.move_cursor(row=index)
            return
    raise AssertionError(f"no row {name!r}")


def _event_names(setup: KioskSetup) -> list[str]:
    with Session(setup.desk.engine) as session:
        return sorted(event.name for event in session.exec(select(Event)).all())


async def test_rename_the_highlighted_event_and_refuse_a_duplicate(
    kiosk_setup: KioskSetup,
) -> None:
    engine = kiosk_setup.desk.engine
    create_event(engine, "Spring Expo", None)
    create_event(engine, "Winter Expo", None)
    app = make_app(kiosk_setup)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_staff_screen(pilot, "events", EventsScreen)
        await wait_until(pilot, lambda: screen.query_one("#events-table", DataTable).row_count == 3)
        _highlight(app, "Spring Expo")
        field = screen.query_one("#event-rename-input", Input)
        field.focus()
        await type_text(pilot, "winter expo")
        await pilot.press("enter")  # Enter in the field renames, like the button
        await wait_until(pilot, lambda: "There is already an event called" in _message(app))
        assert _message(app) == (
            "There is already an event called 'Winter Expo' without a date (id 3); "
            "use that one, or give this one another name."
        )
        field.value = "Summer Expo"
        screen.query_one("#event-rename", Button).press()
        await wait_until(pilot, lambda: "is now called 'Summer Expo'" in _message(app))
        assert "Summer Expo" in screen_text(app)
    assert _event_names(kiosk_setup) == ["Demo Career Fair", "Summer Expo", "Winter Expo"]


async def test_creating_a_duplicate_in_staff_mode_is_refused_with_the_cli_sentence(
    kiosk_setup: KioskSetup,
) -> None:
    create_event(kiosk_setup.desk.engine, "Spring Expo", "2027-03-04")
    app = make_app(kiosk_setup)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_staff_screen(pilot, "events", EventsScreen)
        screen.query_one("#event-name-input", Input).value = "SPRING expo"
        screen.query_one("#event-date-input", Input).value = "2027-03-04"
        screen.query_one("#event-create", Button).press()
        await wait_until(pilot, lambda: "There is already an event called" in _message(app))
        assert _message(app) == (
            "There is already an event called 'Spring Expo' on 2027-03-04 (id 2); "
            "use that one, or give this one another name."
        )
        assert app.desk.event.name == "Demo Career Fair"  # the kiosk stays on its event
    assert _event_names(kiosk_setup) == ["Demo Career Fair", "Spring Expo"]


async def test_renaming_the_event_in_use_renames_the_student_screen(
    kiosk_setup: KioskSetup,
) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_staff_screen(pilot, "events", EventsScreen)
        await wait_until(pilot, lambda: screen.query_one("#events-table", DataTable).row_count == 1)
        screen.query_one("#event-rename-input", Input).value = "Fall Fair"
        screen.query_one("#event-rename", Button).press()
        await wait_until(pilot, lambda: app.desk.event.name == "Fall Fair")
        await pilot.press("escape", "escape")
        await wait_until(pilot, lambda: app.screen is app.student_screen)
        assert "Fall Fair" in screen_text(app)
        assert "Demo Career Fair" not in screen_text(app)


async def test_delete_asks_once_more_then_deletes_an_event_without_check_ins(
    kiosk_setup: KioskSetup,
) -> None:
    create_event(kiosk_setup.desk.engine, "Spring Expo", None)
    app = make_app(kiosk_setup)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_staff_screen(pilot, "events", EventsScreen)
        table = screen.query_one("#events-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == 2)
        _highlight(app, "Spring Expo")
        screen.query_one("#event-delete", Button).press()
        await wait_until(pilot, lambda: "Press Delete again to confirm" in _message(app))
        assert _event_names(kiosk_setup) == ["Demo Career Fair", "Spring Expo"]
        screen.query_one("#event-delete", Button).press()
        await wait_until(pilot, lambda: _message(app).startswith("Deleted event 2 (Spring Expo)."))
        assert "saved to" not in _message(app)  # it had no check-ins
        await wait_until(pilot, lambda: table.row_count == 1)
    assert _event_names(kiosk_setup) == ["Demo Career Fair"]


async def test_deleting_an_event_with_check_ins_saves_them_to_a_file_first(
    kiosk_setup: KioskSetup, tmp_path: Path
) -> None:
    expo = create_event(kiosk_setup.desk.engine, "Spring Expo", "2027-03-04")
    app = make_app(kiosk_setup)
    async with app.run_test(size=SIZE) as pilot:
        await app.switch_event(expo)
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        screen = await open_staff_screen(pilot, "events", EventsScreen)
        table = screen.query_one("#events-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == 2)
        # choose the demo event (Enter on it), then delete the expo
        _highlight(app, "Demo Career Fair")
        table.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.desk.event.name == "Demo Career Fair")
        _highlight(app, "Spring Expo")
        screen.query_one("#event-delete", Button).press()
        await wait_until(pilot, lambda: "Its 1 check-in(s) are saved to a file" in _message(app))
        screen.query_one("#event-delete", Button).press()
        await wait_until(pilot, lambda: "were first saved to" in _message(app))
        match = re.search(r"Its 1 check-in\(s\) were first saved to (\S+\.csv)", _message(app))
        assert match is not None, _message(app)
    saved = Path(match.group(1))
    assert saved.parent == tmp_path  # the demo's folder: the kiosk's export folder
    assert stat.S_IMODE(saved.stat().st_mode) == 0o600
    with saved.open(newline="", encoding="utf-8-sig") as handle:
        rows = list(csv.DictReader(handle))
    assert [row["email"] for row in rows] == ["alex.tester@example.edu"]
    assert _event_names(kiosk_setup) == ["Demo Career Fair"]
    with Session(kiosk_setup.desk.engine) as session:
        assert session.exec(select(CheckIn).where(col(CheckIn.event_id) == expo.id)).all() == []


async def test_the_event_in_use_cannot_be_deleted(kiosk_setup: KioskSetup) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=SIZE) as pilot:
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        screen = await open_staff_screen(pilot, "events", EventsScreen)
        await wait_until(pilot, lambda: screen.query_one("#events-table", DataTable).row_count == 1)
        for _ in range(2):
            screen.query_one("#event-delete", Button).press()
            await pilot.pause()
        await wait_until(pilot, lambda: "choose another event first" in _message(app))
        assert _message(app) == (
            "The kiosk is checking students in to 'Demo Career Fair'; choose another event "
            "first (Enter on it), then delete this one."
        )
    assert _event_names(kiosk_setup) == ["Demo Career Fair"]
