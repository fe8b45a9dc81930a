"""Terminal escape injection (issue 10, point 4), on the real screens: a name stored with ESC
or a bidi override is shown without it, and the walk-in and lookup boxes never show or store
one."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session, select
from textual import events
from textual.widgets import Button, Input

from kiosk.db.models import CheckIn, Event, WalkIn
from kiosk.text_safety import first_forbidden
from kiosk.tui.app import make_app
from kiosk.tui.screens.events import EventsScreen
from kiosk.tui.screens.lookup import LookupScreen
from kiosk.tui.screens.walk_in import WalkInScreen
from kiosk.tui.setup import KioskSetup
from tests.tui.conftest import (
    ALEX_CARD,
    UNKNOWN_CARD,
    click_when_ready,
    open_staff_screen,
    push,
    screen_text,
    showing,
    type_text,
    wait_until,
)

CLEAR_SCREEN = "\x1b[H\x1b[J"


def _screen_is_clean(shown: str) -> bool:
    return first_forbidden(shown, multiline=True) is None


async def test_an_old_name_with_escape_sequences_is_shown_without_them(
    kiosk_setup: KioskSetup,
) -> None:
    # a row stored before the import refused control characters, written straight to SQLite
    with kiosk_setup.desk.engine.begin() as connection:
        connection.execute(
            text(
                "UPDATE student SET first_name = :first, last_name = :last, "
                "preferred_name = NULL WHERE username = 'stu10001'"
            ),
            {"first": "Al" + CLEAR_SCREEN + "ex\x1bc", "last": "\u202eTester"},
        )
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        shown = screen_text(app)
        assert "Welcome, Alex T. — you're checked in" in shown
        assert _screen_is_clean(shown)


async def test_a_walk_in_name_holding_esc_is_refused_with_a_sentence(
    kiosk_setup: KioskSetup,
) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        push(app, UNKNOWN_CARD)
        await wait_until(pilot, lambda: showing(app, "unknown"))
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, WalkInScreen))
        # set as a value, past the box's own filter (which refuses typing or pasting it)
        app.screen.query_one("#walk-in-name", Input).value = "Jordan" + CLEAR_SCREEN + " Kim"
        app.screen.query_one("#walk-in-email", Input).value = "jordan.kim@gmail.com"
        await click_when_ready(pilot, "#walk-in-submit")
        sentence = "Your name contains a control character (U+001B ESC); please type it again."
        error = app.screen.query_one("#walk-in-error")
        await wait_until(pilot, lambda: str(error.render()) == sentence)
        assert "Your name contains a control character (U+001B ESC); please type" in (
            screen_text(app)
        )
        assert isinstance(app.screen, WalkInScreen)
    with Session(kiosk_setup.desk.engine) as session:
        assert session.exec(select(WalkIn)).all() == []
        assert session.exec(select(CheckIn)).all() == []


async def test_pasting_escape_sequences_into_the_boxes_shows_and_keeps_nothing_of_them(
    kiosk_setup: KioskSetup,
) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupScreen))
        box = app.screen.query_one("#lookup-query", Input)
        for pasted in ("stu" + CLEAR_SCREEN + "10001", "\x1bc", "stu\u202e10001", "a\x00b"):
            box.post_message(events.Paste(pasted))
            await pilot.pause()
            assert box.value == ""  # the lookup echoes what is typed: nothing of this
            assert _screen_is_clean(screen_text(app))
        await type_text(pilot, "stu10001")  # ordinary typing still works
        assert box.value == "stu10001"
        push(app, UNKNOWN_CARD)
        await wait_until(pilot, lambda: showing(app, "unknown"))
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, WalkInScreen))
        name = app.screen.query_one("#walk-in-name", Input)
        name.post_message(events.Paste("Jordan" + CLEAR_SCREEN))
        await pilot.pause()
        assert name.value == ""
        assert _screen_is_clean(screen_text(app))


async def test_the_staff_events_screen_refuses_an_event_name_holding_esc(
    kiosk_setup: KioskSetup,
) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(120, 34)) as pilot:
        screen = await open_staff_screen(pilot, "events", EventsScreen)
        box = screen.query_one("#event-name-input", Input)
        box.post_message(events.Paste("Expo" + CLEAR_SCREEN))
        await pilot.pause()
        assert box.value == ""  # a paste holding ESC is refused by the box
        box.value = "Expo" + CLEAR_SCREEN  # and past the box, the domain refuses it
        screen.query_one("#event-create", Button).press()
        sentence = "The event name contains a control character (U+001B ESC)"
        await wait_until(
            pilot, lambda: sentence in str(screen.query_one("#event-message").render())
        )
        assert app.desk.event.name == "Demo Career Fair"
    with Session(kiosk_setup.desk.engine) as session:
        assert [e.name for e in session.exec(select(Event)).all()] == ["Demo Career Fair"]
