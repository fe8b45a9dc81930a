"""Checking in without a recognized card: by username or email, or as a walk-in, under each
manual_checkin mode (the kiosk_setup fixture's is "anyone")."""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session, select
from textual.pilot import Pilot
from textual.widgets import Input, OptionList

from kiosk.checkin.manual import MANUAL_OFF_MESSAGE
from kiosk.checkin.outcome import NOT_FOUND_MESSAGE
from kiosk.checkin.staff import set_staff_card
from kiosk.db.models import CheckIn, WalkIn
from kiosk.tui.app import make_app
from kiosk.tui.screens.lookup import LookupScreen
from kiosk.tui.screens.manual_checkin import ManualCheckinScreen
from kiosk.tui.screens.staff_confirm import StaffConfirmScreen
from kiosk.tui.screens.walk_in import WalkInScreen
from kiosk.tui.setup import KioskSetup
from tests.tui.conftest import (
    ALEX_CARD,
    PIN,
    UNKNOWN_CARD,
    click_when_ready,
    open_staff_screen,
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
    with Session(kiosk_setup.desk.engine) as session:
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
            await wait_until(pilot, lambda: showing(app, "not_found") or showing(app, "archived"))
            answers.append(result_message(app))
            app.student_screen.show_idle()
        # whatever the reason (no such user, partial username, a first name), the same words
        assert len(set(answers)) == 1 and NOT_FOUND_MESSAGE in answers[0]
    with Session(kiosk_setup.desk.engine) as session:
        assert session.exec(select(CheckIn)).all() == []


async def test_escape_leaves_the_lookup_and_checks_in_nobody(kiosk_setup: KioskSetup) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f2")
        await type_text(pilot, "stu10001")
        await pilot.press("escape")
        assert app.screen is app.student_screen
    with Session(kiosk_setup.desk.engine) as session:
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
    with Session(kiosk_setup.desk.engine) as session:
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
        await wait_until(pilot, lambda: showing(app, "not_found"))
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


# --- manual_checkin: "staff-confirm" and "off" ------------------------------------------------


def _check_ins(setup: KioskSetup) -> list[CheckIn]:
    with Session(setup.desk.engine) as session:
        return list(session.exec(select(CheckIn)).all())


async def _look_up(pilot: Pilot[None], query: str) -> None:
    await pilot.press("f2")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, LookupScreen))
    await type_text(pilot, query)
    await pilot.press("enter")


async def test_staff_confirm_asks_for_the_pin_before_recording(kiosk_setup: KioskSetup) -> None:
    kiosk_setup.desk.set_manual_checkin("staff-confirm")
    setup = kiosk_setup
    app = make_app(setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await _look_up(pilot, "stu10002")
        await wait_until(pilot, lambda: isinstance(app.screen, StaffConfirmScreen))
        assert "type the PIN or swipe the staff card" in screen_text(app)
        assert _check_ins(setup) == []  # nothing before staff confirm
        await type_text(pilot, "0000")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Wrong PIN" in screen_text(app))
        assert isinstance(app.screen, StaffConfirmScreen) and _check_ins(setup) == []
        await type_text(pilot, PIN)
        await pilot.press("enter")
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        assert "Welcome, Mari G." in result_message(app)
    (row,) = _check_ins(setup)
    assert row.method == "manual"


async def test_staff_confirm_cancelled_records_nothing(kiosk_setup: KioskSetup) -> None:
    kiosk_setup.desk.set_manual_checkin("staff-confirm")
    setup = kiosk_setup
    app = make_app(setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await _look_up(pilot, "stu10002")
        await wait_until(pilot, lambda: isinstance(app.screen, StaffConfirmScreen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupScreen))
        field = app.screen.query_one("#lookup-query", Input)
        await wait_until(pilot, lambda: not field.disabled)
        assert field.value == "stu10002"  # the student may correct it or go back
    assert _check_ins(setup) == []


async def test_staff_confirm_by_the_staff_card(kiosk_setup: KioskSetup) -> None:
    set_staff_card(kiosk_setup.desk.engine, "777000111")
    kiosk_setup.desk.set_manual_checkin("staff-confirm")
    setup = kiosk_setup
    app = make_app(setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await _look_up(pilot, "alex.tester@example.edu")
        await wait_until(pilot, lambda: isinstance(app.screen, StaffConfirmScreen))
        push(app, ";77700011101?")  # the demo rule reads card_id 777000111
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        assert "Welcome, Alex T." in result_message(app) and not app.in_staff_mode
    (row,) = _check_ins(setup)
    assert row.method == "manual"


async def test_a_students_card_during_the_confirmation_checks_them_in(
    kiosk_setup: KioskSetup,
) -> None:
    kiosk_setup.desk.set_manual_checkin("staff-confirm")
    setup = kiosk_setup
    app = make_app(setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await _look_up(pilot, "stu10002")
        await wait_until(pilot, lambda: isinstance(app.screen, StaffConfirmScreen))
        push(app, ALEX_CARD)  # the student found a card after all
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        assert "Welcome, Alex T." in result_message(app)
    (row,) = _check_ins(setup)
    assert row.method == "swipe"  # Alex by card; Mari's lookup was never confirmed


async def test_staff_confirm_for_a_walk_in(kiosk_setup: KioskSetup) -> None:
    kiosk_setup.desk.set_manual_checkin("staff-confirm")
    setup = kiosk_setup
    app = make_app(setup)
    async with app.run_test(size=(100, 30)) as pilot:
        push(app, UNKNOWN_CARD)
        await wait_until(pilot, lambda: showing(app, "unknown"))
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, WalkInScreen))
        await type_text(pilot, "Jordan Kim")
        await pilot.press("enter")
        await type_text(pilot, "jordan.kim@gmail.com")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, StaffConfirmScreen))
        assert _check_ins(setup) == []
        await type_text(pilot, PIN)
        await pilot.press("enter")
        await wait_until(pilot, lambda: showing(app, "checked_in"))
    (row,) = _check_ins(setup)
    assert row.method == "walk-in"


async def test_off_f2_and_f3_say_to_see_a_staff_member(kiosk_setup: KioskSetup) -> None:
    kiosk_setup.desk.set_manual_checkin("off")
    setup = kiosk_setup
    app = make_app(setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: "Swipe your student ID" in screen_text(app))
        assert "F2" not in screen_text(app)  # the idle hint is not offered
        await pilot.press("f2")
        await wait_until(pilot, lambda: showing(app, "see_staff"))
        assert result_message(app).endswith(MANUAL_OFF_MESSAGE)
        assert "PLEASE SEE A STAFF MEMBER" in result_message(app)
        assert app.screen is app.student_screen
        push(app, UNKNOWN_CARD)
        await wait_until(pilot, lambda: showing(app, "unknown"))
        assert "please see a staff member" in result_message(app)
        assert "F2" not in screen_text(app) and "F3" not in screen_text(app)
        await pilot.press("f3")
        await wait_until(pilot, lambda: showing(app, "see_staff"))
        assert app.screen is app.student_screen
        push(app, ALEX_CARD)  # cards still check in
        await wait_until(pilot, lambda: showing(app, "checked_in"))
    assert [row.method for row in _check_ins(setup)] == ["swipe"]


async def test_staff_choose_the_mode_and_see_how_many_manual_check_ins(
    kiosk_setup: KioskSetup,
) -> None:
    app = make_app(kiosk_setup)  # "anyone"
    async with app.run_test(size=(100, 30)) as pilot:
        await _look_up(pilot, "stu10002")
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        app.student_screen.show_idle()
        screen = await open_staff_screen(pilot, "manual", ManualCheckinScreen)
        await wait_until(pilot, lambda: "1 manual check-in (1 by username" in screen_text(app))
        modes = screen.query_one("#manual-modes", OptionList)
        modes.highlighted = modes.get_option_index("off")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "now 'off' on this kiosk" in screen_text(app))
        assert app.desk.manual_checkin == "off" and app.desk.service.manual_checkin == "off"
        await pilot.press("escape")  # back to the menu
        await pilot.press("escape")  # back to the kiosk
        await wait_until(pilot, lambda: app.screen is app.student_screen)
        await wait_until(pilot, lambda: "Swipe your student ID" in screen_text(app))
        assert "F2" not in screen_text(app)
        await pilot.press("f2")
        await wait_until(pilot, lambda: showing(app, "see_staff"))


async def test_database_trouble_while_confirming_is_one_sentence(kiosk_setup: KioskSetup) -> None:
    set_staff_card(kiosk_setup.desk.engine, "777000111")
    kiosk_setup.desk.set_manual_checkin("staff-confirm")
    setup = kiosk_setup
    app = make_app(setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await _look_up(pilot, "stu10002")
        await wait_until(pilot, lambda: isinstance(app.screen, StaffConfirmScreen))
        with setup.desk.engine.begin() as connection:  # the staff card cannot be read
            connection.execute(text("ALTER TABLE staff_secret RENAME TO staff_secret_away"))
        push(app, ";77700011101?")
        await wait_until(pilot, lambda: "database is unavailable" in screen_text(app))
        assert app.is_running and isinstance(app.screen, StaffConfirmScreen)
    assert _check_ins(setup) == []
