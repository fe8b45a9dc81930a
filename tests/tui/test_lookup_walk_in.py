"""Checking in without a recognized card: by username or email, or as a walk-in."""

from __future__ import annotations

from sqlmodel import Session, select
from textual.widgets import Input

from kiosk.checkin.outcome import NOT_FOUND_MESSAGE
from kiosk.db.models import CheckIn, WalkIn
from kiosk.tui.app import make_app
from kiosk.tui.screens.lookup import LookupScreen
from kiosk.tui.screens.walk_in import WalkInScreen
from kiosk.tui.setup import KioskSetup
from tests.tui.conftest import (
    UNKNOWN_CARD,
    click_when_ready,
    push,
    result_message,
    screen_text,
    showing,
    type_text,
    wait_until,
)


async def test_check_in_by_username_from_the_idle_screen(kiosk_setup: KioskSetup) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupScreen))
        await type_text(pilot, "STU10002")  # usernames match case-insensitively
        await pilot.press("enter")
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        assert app.screen is app.student_screen
        assert "Welcome, Mari G. — you're checked in" in result_message(app)
    with Session(kiosk_setup.engine) as session:
        (row,) = session.exec(select(CheckIn)).all()
    assert row.method == "manual"


async def test_check_in_by_email_after_an_unknown_card(kiosk_setup: KioskSetup) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        push(app, UNKNOWN_CARD)
        await wait_until(pilot, lambda: showing(app, "unknown"))
        await click_when_ready(pilot, "#lookup")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupScreen))
        await type_text(pilot, "Alex.Tester@Example.edu")
        await pilot.press("enter")
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        assert "Welcome, Alex T." in result_message(app)


async def test_typing_shows_no_other_students_data_and_no_match_is_neutral(
    kiosk_setup: KioskSetup,
) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f2")
        for prefix in ("stu1000", "maria", "a"):
            app.screen.query_one("#lookup-query", Input).value = ""
            await type_text(pilot, prefix)
            await pilot.pause()
            text = screen_text(app)
            for private in ("stu10001", "Maria", "Garcia", "alex.tester", "Tester", "@example"):
                assert private not in text
        answers = []
        for query in ("nobody@example.edu", "stu1000", "maria"):
            if not isinstance(app.screen, LookupScreen):
                await pilot.press("f2")
            app.screen.query_one("#lookup-query", Input).value = query
            await pilot.press("enter")
            await wait_until(pilot, lambda: showing(app, "unknown") or showing(app, "archived"))
            answers.append(result_message(app))
            app.student_screen.show_idle()
        # whatever the reason (no such user, partial username, a first name), the same words
        assert len(set(answers)) == 1 and NOT_FOUND_MESSAGE in answers[0]
    with Session(kiosk_setup.engine) as session:
        assert session.exec(select(CheckIn)).all() == []


async def test_escape_leaves_the_lookup_and_checks_in_nobody(kiosk_setup: KioskSetup) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f2")
        await type_text(pilot, "stu10001")
        await pilot.press("escape")
        assert app.screen is app.student_screen
    with Session(kiosk_setup.engine) as session:
        assert session.exec(select(CheckIn)).all() == []


async def test_register_an_unknown_card_as_a_walk_in(kiosk_setup: KioskSetup) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        push(app, UNKNOWN_CARD)
        await wait_until(pilot, lambda: showing(app, "unknown"))
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, WalkInScreen))
        # both fields are needed
        await click_when_ready(pilot, "#walk-in-submit")
        await wait_until(pilot, lambda: "Please type your name and your email." in screen_text(app))
        await type_text(pilot, "Jordan Kim")
        await pilot.press("enter")  # on to the email field
        await type_text(pilot, "jordan.kim@gmail.com")
        await pilot.press("enter")
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        assert "Jordan K." in result_message(app)
        assert "555123456" not in screen_text(app)
    with Session(kiosk_setup.engine) as session:
        (walk_in,) = session.exec(select(WalkIn)).all()
        (check_in,) = session.exec(select(CheckIn)).all()
    assert (walk_in.name, walk_in.email_address) == ("Jordan Kim", "jordan.kim@gmail.com")
    assert check_in.method == "walk-in" and check_in.walk_in_id == walk_in.id
    assert check_in.card_id == "555123456"  # kept for staff to reconcile


async def test_walk_in_is_only_offered_after_an_unknown_card(kiosk_setup: KioskSetup) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f3")
        assert app.screen is app.student_screen


async def test_a_swipe_while_the_lookup_is_open_is_answered(kiosk_setup: KioskSetup) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f2")
        await type_text(pilot, "stu")
        push(app, ";90123456701?")
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        assert app.screen is app.student_screen
        assert "Welcome, Alex T." in result_message(app)


async def test_a_failed_lookup_does_not_blame_a_card(kiosk_setup: KioskSetup) -> None:
    # The student typed a username and swiped nothing: "CARD NOT RECOGNIZED" would confuse.
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupScreen))
        await type_text(pilot, "nobody")
        await pilot.press("enter")
        await wait_until(pilot, lambda: showing(app, "unknown"))
        assert "CARD" not in result_message(app)
        assert "NOT FOUND" in result_message(app)
        app.student_screen.show_idle()
        push(app, UNKNOWN_CARD)
        await wait_until(pilot, lambda: showing(app, "unknown") and "CARD" in result_message(app))
        assert "CARD NOT RECOGNIZED" in result_message(app)


async def test_enter_on_the_idle_screen_opens_nothing(kiosk_setup: KioskSetup) -> None:
    # The idle screen's buttons are hidden; none of them may hold the focus and take Enter.
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: app.screen is app.student_screen)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is app.student_screen
        push(app, UNKNOWN_CARD)
        await wait_until(pilot, lambda: showing(app, "unknown"))
        app.student_screen.show_idle()
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is app.student_screen
