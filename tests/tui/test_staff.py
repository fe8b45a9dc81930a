"""Staff mode through Pilot: PIN, staff card, recent check-ins with undo, events, export,
reader status, quitting. Real services on a real SQLite file."""

from __future__ import annotations

import csv
import re
from datetime import timedelta
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session, select
from textual.widgets import Button, DataTable, Input, Select, Static

from kiosk.checkin.events import create_event, get_event
from kiosk.checkin.staff import PinGate, set_staff_card
from kiosk.db.models import AuditEvent, CheckIn, Event, StaffSecret, utcnow
from kiosk.tui.app import KioskApp, make_app
from kiosk.tui.screens.events import EventsScreen
from kiosk.tui.screens.export import ExportScreen
from kiosk.tui.screens.pin import PinScreen
from kiosk.tui.screens.recent import RecentScreen
from kiosk.tui.screens.staff_menu import StaffMenuScreen
from kiosk.tui.screens.status import StatusScreen
from kiosk.tui.setup import KioskSetup
from tests.tui.conftest import (
    ALEX_CARD,
    MARIA_CARD,
    PIN,
    choose_staff_item,
    click_when_ready,
    open_staff_menu,
    open_staff_screen,
    push,
    screen_text,
    setup_for_event,
    showing,
    type_text,
    wait_until,
)


async def test_wrong_pin_keeps_the_student_screen_right_pin_opens_staff_mode(
    kiosk_setup: KioskSetup,
) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f10")
        assert isinstance(app.screen, PinScreen)
        await type_text(pilot, "0000")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Wrong PIN" in screen_text(app))
        assert isinstance(app.screen, PinScreen)
        await pilot.press("escape")
        assert app.screen is app.student_screen
        await open_staff_menu(pilot)
        assert app.in_staff_mode
        await pilot.press("escape")  # back to the kiosk
        assert app.screen is app.student_screen and not app.in_staff_mode


def _wrong_pins_so_far(setup: KioskSetup, count: int, seconds_ago: float) -> None:
    """As if ``count`` wrong PINs had been typed, the last ``seconds_ago`` seconds ago."""
    with Session(setup.desk.engine) as session:
        row = session.exec(select(StaffSecret).where(StaffSecret.kind == "pin")).one()
        row.failed_attempts = count
        row.last_failed_at = utcnow() - timedelta(seconds=seconds_ago)
        session.add(row)
        session.commit()


def _pin_message(app: KioskApp) -> str:
    return " ".join(str(app.screen.query_one("#pin-message", Static).render()).split())


def _seconds_shown(app: KioskApp) -> int | None:
    found = re.search(r"Too many wrong PINs: try again in (\d+) s", _pin_message(app))
    return int(found.group(1)) if found else None


async def test_repeated_wrong_pins_slow_down_with_a_countdown(kiosk_setup: KioskSetup) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f10")
        pin_input = app.screen.query_one("#pin-input", Input)
        gate = PinGate(kiosk_setup.desk.engine)
        for attempt in range(1, 3):
            await type_text(pilot, "1111")
            await pilot.press("enter")
            await wait_until(
                pilot, lambda n=attempt: gate.wrong_attempts == n and not pin_input.disabled
            )
        _wrong_pins_so_far(kiosk_setup, 7, 60)  # their wait is over; the next costs 30 s
        await type_text(pilot, "1111")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Wrong PIN. Too many wrong PINs" in _pin_message(app))
        first = _seconds_shown(app)
        assert first is not None and 1 <= first <= 30 and pin_input.disabled
        await type_text(pilot, PIN)  # the field is off while the wait runs: nothing happens
        await pilot.press("enter")
        assert isinstance(app.screen, PinScreen) and gate.wrong_attempts == 8
        # the countdown counts down
        await wait_until(pilot, lambda: (_seconds_shown(app) or first) < first)
        assert isinstance(app.screen, PinScreen)


async def test_a_wait_from_before_a_restart_shows_at_once(kiosk_setup: KioskSetup) -> None:
    _wrong_pins_so_far(kiosk_setup, 9, 0)  # a kiosk that restarted right after them
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f10")
        await wait_until(pilot, lambda: _seconds_shown(app) is not None)
        assert app.screen.query_one("#pin-input", Input).disabled
        assert "Wrong PIN" not in _pin_message(app)


async def test_the_right_pin_opens_staff_mode_once_the_wait_is_over(
    kiosk_setup: KioskSetup,
) -> None:
    _wrong_pins_so_far(kiosk_setup, 3, 0.5)  # half a second of a 1 s wait left, at most
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f10")
        pin_input = app.screen.query_one("#pin-input", Input)
        gate = PinGate(kiosk_setup.desk.engine)
        await wait_until(pilot, lambda: gate.retry_after() == 0)
        await wait_until(pilot, lambda: not pin_input.disabled and pin_input.has_focus)
        await type_text(pilot, PIN)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, StaffMenuScreen))
        assert gate.wrong_attempts == 0


async def test_the_staff_card_opens_staff_mode_without_the_pin(kiosk_setup: KioskSetup) -> None:
    set_staff_card(kiosk_setup.desk.engine, "777000111")
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        push(app, ";77700011101?")  # the demo rule reads card_id 777000111
        await wait_until(pilot, lambda: isinstance(app.screen, StaffMenuScreen))
        assert app.student_screen.current is None  # no "unknown card" shown for it


async def test_swipes_in_staff_mode_are_still_checked_in(kiosk_setup: KioskSetup) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await open_staff_menu(pilot)
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: "Welcome, Alex T." in screen_text(app))
        assert isinstance(app.screen, StaffMenuScreen)
    with Session(kiosk_setup.desk.engine) as session:
        assert len(session.exec(select(CheckIn)).all()) == 1


async def test_recent_check_ins_and_undo(kiosk_setup: KioskSetup) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(120, 30)) as pilot:
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        push(app, MARIA_CARD)
        await wait_until(pilot, lambda: "2 checked in so far" in screen_text(app))
        await open_staff_screen(pilot, "recent", RecentScreen)
        table = app.screen.query_one("#recent-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == 2)
        text = screen_text(app)
        assert "stu10002" in text and "maria.garcia@example.edu" in text  # staff may see more
        assert "Mari (Maria) Garcia" in text  # staff see full names (the student screen: Mari G.)
        # newest first: Mari G. is row 0; undo Alex (row 1): u arms, u again undoes
        table.move_cursor(row=1)
        await pilot.press("u")
        assert "Press u again to undo Alex Tester's check-in." in screen_text(app)
        await pilot.press("u")
        await wait_until(pilot, lambda: table.row_count == 1)
        assert "Undone: Alex Tester's check-in is out of the count and the exports." in screen_text(
            app
        )
        await pilot.press("escape", "escape")
        await wait_until(pilot, lambda: "1 checked in so far" in screen_text(app))
    with Session(kiosk_setup.desk.engine) as session:
        rows = session.exec(select(CheckIn).order_by(CheckIn.id)).all()
        assert [row.undone_at is not None for row in rows] == [True, False]
        assert rows[0].undone_by == "staff"
        kinds = [audit.kind for audit in session.exec(select(AuditEvent)).all()]
    assert any("undo" in kind for kind in kinds)


async def test_create_an_event_and_check_in_to_it(kiosk_setup: KioskSetup) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(120, 34)) as pilot:
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        await open_staff_screen(pilot, "events", EventsScreen)
        screen = app.screen
        screen.query_one("#event-name-input", Input).value = "Spring Expo"
        screen.query_one("#event-date-input", Input).value = "2027-03-04"
        screen.query_one("#event-kind-select", Select).value = "fair"
        screen.query_one("#event-handshake-input", Input).value = "4242"
        screen.query_one("#event-create", Button).press()
        await wait_until(pilot, lambda: app.desk.event.name == "Spring Expo")
        assert "Now checking in to: Spring Expo" in screen_text(app)
        await pilot.press("escape", "escape")
        assert "Spring Expo" in screen_text(app)
        await wait_until(pilot, lambda: "0 checked in so far" in screen_text(app))
        push(app, ALEX_CARD)  # a new event: Alex checks in again, not "already"
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        # and back to the first event by choosing it in the table
        await open_staff_screen(pilot, "events", EventsScreen)
        table = app.screen.query_one("#events-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == 2)
        table.move_cursor(row=1)  # newest date first: the demo event (today) is below
        table.focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.desk.event.name == "Demo Career Fair")
    with Session(kiosk_setup.desk.engine) as session:
        expo = session.exec(select(Event).where(Event.name == "Spring Expo")).one()
        assert (expo.date, expo.kind, expo.handshake_id) == ("2027-03-04", "fair", "4242")


async def test_bad_event_input_is_one_sentence_and_creates_nothing(
    kiosk_setup: KioskSetup,
) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(120, 34)) as pilot:
        await open_staff_screen(pilot, "events", EventsScreen)
        app.screen.query_one("#event-create", Button).press()
        await wait_until(pilot, lambda: "The event needs a name" in screen_text(app))
        assert app.desk.event.name == "Demo Career Fair"


def _events_named(setup: KioskSetup, name: str) -> list[Event]:
    with Session(setup.desk.engine) as session:
        return list(session.exec(select(Event).where(Event.name == name)).all())


async def test_enter_in_any_event_field_creates_the_event(kiosk_setup: KioskSetup) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(120, 34)) as pilot:
        # Enter in the name field, the only one filled
        screen = await open_staff_screen(pilot, "events", EventsScreen)
        screen.query_one("#event-name-input", Input).focus()
        await type_text(pilot, "Spring Expo")
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.desk.event.name == "Spring Expo")
        assert "Now checking in to: Spring Expo" in screen_text(app)
        # Enter in the date field, then in the Handshake-id field
        for field, value in (("#event-date-input", "2027-03-04"), ("#event-handshake-input", "77")):
            screen.query_one("#event-name-input", Input).value = f"Expo {value}"
            screen.query_one(field, Input).focus()
            await type_text(pilot, value)
            await pilot.press("enter")
            await wait_until(pilot, lambda value=value: app.desk.event.name == f"Expo {value}")
    (dated,) = _events_named(kiosk_setup, "Expo 2027-03-04")
    (with_id,) = _events_named(kiosk_setup, "Expo 77")
    assert (dated.date, with_id.handshake_id) == ("2027-03-04", "77")


async def test_enter_in_an_event_field_checks_the_input_like_the_button(
    kiosk_setup: KioskSetup,
) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(120, 34)) as pilot:
        screen = await open_staff_screen(pilot, "events", EventsScreen)
        screen.query_one("#event-name-input", Input).value = "Winter Expo"
        screen.query_one("#event-date-input", Input).focus()
        await type_text(pilot, "next week")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "'next week' is not a date" in screen_text(app))
        screen.query_one("#event-name-input", Input).value = ""
        screen.query_one("#event-date-input", Input).value = ""
        screen.query_one("#event-handshake-input", Input).focus()
        await pilot.press("enter")
        await wait_until(pilot, lambda: "The event needs a name" in screen_text(app))
        assert app.desk.event.name == "Demo Career Fair"
    assert _events_named(kiosk_setup, "Winter Expo") == []


def _handshake_ids(path: Path) -> list[tuple[str, str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [
            (r["student_email_address"], r["identifiable_type"], r["identifiable_id"])
            for r in csv.DictReader(handle)
        ]


async def test_export_asks_for_the_handshake_id_and_saves_it_to_the_event(
    kiosk_setup: KioskSetup, tmp_path: Path
) -> None:
    event = create_event(kiosk_setup.desk.engine, "No Handshake id yet", kind="fair")
    app = make_app(setup_for_event(kiosk_setup, event))
    out = tmp_path / "hs.csv"
    async with app.run_test(size=(120, 30)) as pilot:
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        screen = await open_staff_screen(pilot, "export", ExportScreen)
        field = screen.query_one("#export-handshake-id", Input)
        await wait_until(pilot, lambda: screen.is_mounted and field.region.area > 0)
        assert field.value == ""  # the event has none
        screen.query_one("#export-path", Input).value = str(out)
        await click_when_ready(pilot, "#export-go")
        await wait_until(
            pilot,
            lambda: (
                "type it in the Handshake id field (the digits at the end of the event's "
                "Handshake URL)" in " ".join(screen_text(app).split())
            ),
        )
        assert "kiosk events set-handshake-id" not in screen_text(app)
        assert not out.exists()
        assert app.focused is field  # staff can type the id at once
        await type_text(pilot, "4242")
        await pilot.press("enter")
        await wait_until(pilot, lambda: out.exists() and "Wrote 1 row" in screen_text(app))
        assert _handshake_ids(out) == [("alex.tester@example.edu", "CareerFairSession", "4242")]
        assert event.id is not None
        assert get_event(kiosk_setup.desk.engine, event.id).handshake_id == "4242"
        # the event keeps it: the next visit shows it, and the Events table lists it
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, StaffMenuScreen))
        await choose_staff_item(pilot, "export")
        await wait_until(pilot, lambda: isinstance(app.screen, ExportScreen))
        field = app.screen.query_one("#export-handshake-id", Input)
        await wait_until(pilot, lambda: field.value == "4242")
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, StaffMenuScreen))
        await choose_staff_item(pilot, "events")
        await wait_until(pilot, lambda: isinstance(app.screen, EventsScreen))
        table = app.screen.query_one("#events-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == 2 and "4242" in screen_text(app))


async def test_export_changes_a_wrong_handshake_id_and_refuses_one_that_is_not_a_number(
    kiosk_setup: KioskSetup, tmp_path: Path
) -> None:
    app = make_app(kiosk_setup)  # the demo event has Handshake id 12345
    out = tmp_path / "hs.csv"
    assert kiosk_setup.desk.event.id is not None
    async with app.run_test(size=(120, 30)) as pilot:
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        screen = await open_staff_screen(pilot, "export", ExportScreen)
        field = screen.query_one("#export-handshake-id", Input)
        await wait_until(pilot, lambda: field.value == "12345")
        screen.query_one("#export-path", Input).value = str(out)
        field.value = "https://app.joinhandshake.com/events/999"
        await click_when_ready(pilot, "#export-go")
        await wait_until(pilot, lambda: "is not a number" in screen_text(app))
        assert not out.exists()
        assert get_event(kiosk_setup.desk.engine, kiosk_setup.desk.event.id).handshake_id == "12345"
        field.value = "999"
        await click_when_ready(pilot, "#export-go")
        await wait_until(pilot, lambda: out.exists() and "Wrote 1 row" in screen_text(app))
    assert _handshake_ids(out) == [("alex.tester@example.edu", "CareerFairSession", "999")]
    assert get_event(kiosk_setup.desk.engine, kiosk_setup.desk.event.id).handshake_id == "999"


async def test_the_full_export_needs_no_handshake_id_and_hides_its_field(
    kiosk_setup: KioskSetup, tmp_path: Path
) -> None:
    event = create_event(kiosk_setup.desk.engine, "No Handshake id yet")
    app = make_app(setup_for_event(kiosk_setup, event))
    out = tmp_path / "full.csv"
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await open_staff_screen(pilot, "export", ExportScreen)
        screen.query_one("#export-format", Select).value = "full"
        await wait_until(pilot, lambda: "Handshake id" not in screen_text(app))
        screen.query_one("#export-path", Input).value = str(out)
        await click_when_ready(pilot, "#export-go")
        await wait_until(pilot, lambda: out.exists() and "Wrote 0 row" in screen_text(app))
    assert event.id is not None
    assert get_event(kiosk_setup.desk.engine, event.id).handshake_id is None


async def test_export_from_staff_mode(kiosk_setup: KioskSetup, tmp_path: Path) -> None:
    event = create_event(kiosk_setup.desk.engine, "No Handshake id yet", kind="fair")
    app = make_app(setup_for_event(kiosk_setup, event))
    out = tmp_path / "full.csv"
    async with app.run_test(size=(120, 30)) as pilot:
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        await open_staff_screen(pilot, "export", ExportScreen)
        screen = app.screen
        # an event without a Handshake id: the attendees import cannot be made
        screen.query_one("#export-path", Input).value = str(tmp_path / "hs.csv")
        screen.query_one("#export-go", Button).press()
        message = screen.query_one("#export-message")
        await wait_until(pilot, lambda: "Handshake" in str(message.render()))
        assert not (tmp_path / "hs.csv").exists()
        screen.query_one("#export-format", Select).value = "full"
        await pilot.pause()
        screen.query_one("#export-path", Input).value = str(out)
        screen.query_one("#export-go", Button).press()
        await wait_until(pilot, lambda: out.exists() and "Wrote 1 row" in screen_text(app))
    with out.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert [(r["username"], r["method"], r["reader"], r["undone"]) for r in rows] == [
        ("stu10001", "swipe", "left", "FALSE")
    ]


async def test_reader_status_and_database_in_use(kiosk_setup: KioskSetup) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(120, 30)) as pilot:
        await open_staff_screen(pilot, "status", StatusScreen)
        text = screen_text(app)
        assert "left" in text and "connected" in text
        assert "demo.sqlite3" in text
        assert "card-rules.toml" in text


async def test_quit_from_the_staff_menu_stops_the_kiosk(kiosk_setup: KioskSetup) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await open_staff_menu(pilot)
        await choose_staff_item(pilot, "quit")
        await wait_until(pilot, lambda: not app.is_running)


async def test_database_trouble_at_the_pin_prompt_is_one_sentence_not_a_crash(
    kiosk_setup: KioskSetup,
) -> None:
    def staff_table(name_from: str, name_to: str) -> None:
        with kiosk_setup.desk.engine.begin() as connection:
            connection.execute(text(f"ALTER TABLE {name_from} RENAME TO {name_to}"))

    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        staff_table("staff_secret", "staff_secret_away")  # the PIN cannot be read
        try:
            await pilot.press("f10")
            await wait_until(pilot, lambda: isinstance(app.screen, PinScreen))
            await type_text(pilot, PIN)
            await pilot.press("enter")
            await wait_until(pilot, lambda: "database is unavailable" in _pin_message(app))
            assert app.is_running and isinstance(app.screen, PinScreen)
        finally:
            staff_table("staff_secret_away", "staff_secret")
        pin_input = app.screen.query_one("#pin-input", Input)
        await wait_until(pilot, lambda: not pin_input.disabled)
        await type_text(pilot, PIN)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, StaffMenuScreen))
