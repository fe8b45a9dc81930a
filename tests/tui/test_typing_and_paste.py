"""Fast typing, editing keys and pastes in the walk-in form and staff fields are the field's,
never a swipe; a card reader's swipe while a form is open still never types card data into it
(issue 13.8). The demo's terminal reader (a keyboard-wedge reader on the kiosk's own
keyboard) sees every key, as in ``kiosk demo``; Pilot types at machine speed, as fast as a
reader, which is exactly the hard case."""

from __future__ import annotations

from sqlmodel import Session, select
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input

from drivers.terminal import TerminalReader
from kiosk.db.models import CheckIn, Event
from kiosk.tui.app import KioskApp, make_app
from kiosk.tui.screens.events import EventsScreen
from kiosk.tui.screens.walk_in import WalkInScreen
from kiosk.tui.setup import KioskSetup
from tests.tui.conftest import open_staff_screen, showing, wait_until

SIZE = (120, 40)
KEY_NAMES = {";": "semicolon", "?": "question_mark", "%": "percent_sign", " ": "space"}
KEY_NAMES |= {"@": "at", ".": "full_stop", "\n": "enter", "\t": "tab", "-": "minus"}


def _burst(app: KioskApp, text: str) -> None:
    """Keys all at once, as a reader (or a terminal pasting without bracketed paste) sends
    them: a few ms apart at most."""
    for character in text:
        key = KEY_NAMES.get(character, character)
        app.post_message(events.Key(key, "\r" if character == "\n" else character))


async def _settled(pilot: Pilot[None], app: KioskApp) -> None:
    """Past the reader's idle gap: whatever it held is a swipe or given back by now."""
    readers = [reader for reader in app.readers if isinstance(reader, TerminalReader)]
    assert readers
    await wait_until(pilot, lambda: not any(reader.detector.busy for reader in readers))
    await pilot.pause(0.5)  # and a swipe it made would have been answered


async def _walk_in_form(pilot: Pilot[None], app: KioskApp) -> WalkInScreen:
    await pilot.press("3")  # the demo's unknown card
    await wait_until(pilot, lambda: showing(app, "unknown"))
    await pilot.press("f3")
    await wait_until(pilot, lambda: isinstance(app.screen, WalkInScreen))
    screen = app.screen
    assert isinstance(screen, WalkInScreen)
    return screen


def _check_ins(setup: KioskSetup) -> list[CheckIn]:
    with Session(setup.desk.engine) as session:
        return list(session.exec(select(CheckIn)).all())


async def test_fast_typing_and_a_burst_of_backspace_in_the_walk_in_form(
    demo_setup: KioskSetup,
) -> None:
    demo_setup.min_result_seconds = 0.0
    app = make_app(demo_setup)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _walk_in_form(pilot, app)
        name = screen.query_one("#walk-in-name", Input)
        _burst(app, "Pat Smithers")
        await wait_until(pilot, lambda: name.value == "Pat Smithers")
        await pilot.press(*["backspace"] * 5)
        await wait_until(pilot, lambda: name.value == "Pat Smi")
        _burst(app, "th")  # typed fast, then Backspace at once: both the field's
        await pilot.press("backspace")
        await wait_until(pilot, lambda: name.value == "Pat Smit")
        await _settled(pilot, app)
        assert isinstance(app.screen, WalkInScreen)  # no swipe answer took the form away
        assert name.value == "Pat Smit"
    assert _check_ins(demo_setup) == []


async def test_a_paste_into_the_walk_in_form_goes_to_the_focused_field(
    demo_setup: KioskSetup,
) -> None:
    demo_setup.min_result_seconds = 0.0
    app = make_app(demo_setup)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _walk_in_form(pilot, app)
        name = screen.query_one("#walk-in-name", Input)
        email = screen.query_one("#walk-in-email", Input)
        # a terminal without bracketed paste types the pasted text, Enter and all
        _burst(app, "Pat Smith\n")
        await wait_until(pilot, lambda: name.value == "Pat Smith" and email.has_focus)
        # bracketed paste, right after keys typed fast (still held): they come first
        _burst(app, "pat")
        app.post_message(events.Paste(".smith@example.edu"))
        await wait_until(pilot, lambda: email.value == "pat.smith@example.edu")
        await _settled(pilot, app)
        assert email.value == "pat.smith@example.edu"
        assert isinstance(app.screen, WalkInScreen)
        await pilot.press("enter")  # and the form registers the walk-in
        await wait_until(pilot, lambda: showing(app, "checked_in"))
    (row,) = _check_ins(demo_setup)
    assert row.method == "walk-in"


async def test_fast_typing_and_paste_in_a_staff_field(demo_setup: KioskSetup) -> None:
    app = make_app(demo_setup)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_staff_screen(pilot, "events", EventsScreen)
        field = screen.query_one("#event-name-input", Input)
        field.focus()
        _burst(app, "Spring Expo")
        await wait_until(pilot, lambda: field.value == "Spring Expo")
        await pilot.press(*["backspace"] * 4)
        await wait_until(pilot, lambda: field.value == "Spring ")
        app.post_message(events.Paste("Fair"))
        await wait_until(pilot, lambda: field.value == "Spring Fair")
        _burst(app, "!\n")  # Enter typed fast creates the event, as a slow Enter does
        await wait_until(pilot, lambda: app.desk.event.name == "Spring Fair!")
        assert isinstance(app.screen, EventsScreen)
    with Session(demo_setup.desk.engine) as session:
        assert session.exec(select(Event).where(Event.name == "Spring Fair!")).one()
    assert _check_ins(demo_setup) == []


async def test_a_reader_swipe_while_a_staff_form_is_open_never_types_into_it(
    demo_setup: KioskSetup,
) -> None:
    app = make_app(demo_setup)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_staff_screen(pilot, "events", EventsScreen)
        field = screen.query_one("#event-name-input", Input)
        field.focus()
        _burst(app, ";90181590801?\n")  # Maria's card through the keyboard-wedge reader
        await wait_until(pilot, lambda: len(_check_ins(demo_setup)) == 1)
        await _settled(pilot, app)
        assert field.value == ""
        assert isinstance(app.screen, EventsScreen)
    (row,) = _check_ins(demo_setup)
    assert (row.reader, row.card_id) == ("keyboard", "901815908")


async def test_a_reader_swipe_on_the_walk_in_form_is_a_swipe_not_its_name(
    demo_setup: KioskSetup,
) -> None:
    demo_setup.min_result_seconds = 0.0
    app = make_app(demo_setup)
    async with app.run_test(size=SIZE) as pilot:
        screen = await _walk_in_form(pilot, app)
        name = screen.query_one("#walk-in-name", Input)
        _burst(app, ";90181590801?\n")
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        assert name.value == ""
    (row,) = _check_ins(demo_setup)
    assert row.card_id == "901815908"


async def test_tabs_then_typing_in_one_burst_reach_the_next_fields(demo_setup: KioskSetup) -> None:
    # Tab from the events table to the new event's name and type it, all within a few ms (a
    # fast typist, or a terminal typing a paste): Tab moves the focus, it starts no swipe, and
    # the letters after it are the name field's (they were a 'we don't recognize this card').
    app = make_app(demo_setup)
    async with app.run_test(size=SIZE) as pilot:
        screen = await open_staff_screen(pilot, "events", EventsScreen)
        table = screen.query_one("#events-table")
        await wait_until(pilot, lambda: table.has_focus)
        name = screen.query_one("#event-name-input", Input)
        _burst(app, "\t\t\t\tSpring Expo")
        await wait_until(pilot, lambda: name.value == "Spring Expo")
        await _settled(pilot, app)
        assert name.value == "Spring Expo" and name.has_focus
        assert not app._notifications  # no swipe was answered
        _burst(app, "\t2027-03-04\n")  # on to the date, and Enter creates the event
        await wait_until(pilot, lambda: app.desk.event.name == "Spring Expo")
        assert app.desk.event.date == "2027-03-04"
    assert _check_ins(demo_setup) == []
