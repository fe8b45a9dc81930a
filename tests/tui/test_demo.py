"""``kiosk demo``: the sample setup, keys 1-5, and swipes typed into the terminal as a
keyboard-wedge reader types them (through drivers.terminal.TerminalReader)."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlmodel import Session, func, select
from textual import events
from textual.widgets import Input

from kiosk.checkin.export import export_to_file
from kiosk.checkin.staff import PinGate
from kiosk.db.models import CheckIn, Student
from kiosk.demo import DEMO_PIN, DEMO_RULES
from kiosk.tui.app import KioskApp, make_app
from kiosk.tui.screens.lookup import LookupScreen
from kiosk.tui.screens.walk_in import WalkInScreen
from kiosk.tui.setup import KioskSetup
from tests.tui.conftest import result_message, screen_text, showing, wait_until


def test_the_demo_setup_is_complete_and_throwaway(demo_setup: KioskSetup, tmp_path: Path) -> None:
    with Session(demo_setup.desk.engine) as session:
        assert session.exec(select(func.count()).select_from(Student)).one() == 40
    assert demo_setup.desk.event.name == "Demo Career Fair"
    assert PinGate(demo_setup.desk.engine).check(DEMO_PIN).ok
    # staff mode may save rules: a copy in the demo's folder, never the packaged file
    assert demo_setup.desk.rules_path == tmp_path / "card-rules.toml"
    assert demo_setup.desk.rules_path.read_text() == DEMO_RULES.read_text()
    assert str(demo_setup.desk.engine.url).endswith(str(tmp_path / "demo.sqlite3"))
    assert [reader.spec for reader in demo_setup.readers] == ["queue", "terminal"]


async def test_keys_one_to_five_swipe_the_sample_cards(demo_setup: KioskSetup) -> None:
    demo_setup.min_result_seconds = 0.0
    app = make_app(demo_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        assert "Staff mode: press F10, PIN 2468" in screen_text(app)
        expected = [
            ("1", "checked_in", "Welcome, Alex T. — you're checked in"),
            ("2", "already", "Welcome back, Alex T."),
            ("3", "unknown", "We don't recognize this card"),
            ("4", "misread", "Please swipe again"),
            ("5", "refused", "That looks like a payment card — please swipe your student ID"),
        ]
        for key, kind, words in expected:
            await pilot.press(key)
            await wait_until(pilot, lambda kind=kind: showing(app, kind))  # type: ignore[misc]
            assert words in result_message(app)


def _type_burst(app: KioskApp, text: str) -> None:
    """Keys as a keyboard-wedge reader sends them: all at once, a few ms apart at most."""
    for character in text:
        key = {";": "semicolon", "?": "question_mark", "%": "percent_sign"}.get(
            character, character
        )
        app.post_message(events.Key(key, character))
    app.post_message(events.Key("enter", "\r"))


async def test_a_swipe_typed_into_the_terminal_checks_in(demo_setup: KioskSetup) -> None:
    app = make_app(demo_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        _type_burst(app, ";90181590801?")
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        assert "Welcome, Mari G." in result_message(app)
    with Session(demo_setup.desk.engine) as session:
        (row,) = session.exec(select(CheckIn)).all()
    assert (row.reader, row.card_id) == ("keyboard", "901815908")


async def test_typing_at_human_speed_still_reaches_the_lookup_box(demo_setup: KioskSetup) -> None:
    app = make_app(demo_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupScreen))
        box = app.screen.query_one("#lookup-query", Input)
        for character in "stu10001":
            await pilot.press(character)
            await pilot.pause(0.06)  # people type 50 ms or more apart
        await wait_until(pilot, lambda: box.value == "stu10001")
        await pilot.press("enter")
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        assert "Welcome, Alex T." in result_message(app)


async def test_the_demo_exports_handshake_attendees(demo_setup: KioskSetup, tmp_path: Path) -> None:
    # Staff mode's export offers Handshake's attendees import first: in the demo it must work.
    demo_setup.min_result_seconds = 0.0
    app = make_app(demo_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("1")
        await wait_until(pilot, lambda: showing(app, "checked_in"))
    assert demo_setup.desk.event.id is not None
    out = tmp_path / "attendees.csv"
    summary = export_to_file(demo_setup.desk.engine, demo_setup.desk.event.id, "handshake", out)
    assert summary.rows == 1
    with out.open(newline="", encoding="utf-8") as handle:
        (row,) = list(csv.DictReader(handle))
    assert row["student_email_address"] == "alex.tester@example.edu"
    assert (row["identifiable_type"], row["identifiable_id"]) == ("CareerFairSession", "12345")


async def test_a_key_typed_right_after_tab_lands_in_the_next_field(demo_setup: KioskSetup) -> None:
    # The terminal reader holds keys for a moment to tell typing from a swipe. Keys it gives
    # back together must each reach the field that has the focus when it is their turn:
    # a Tab then a letter within a few ms (a fast typist) put the letter in the old field.
    demo_setup.min_result_seconds = 0.0
    app = make_app(demo_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("3")
        await wait_until(pilot, lambda: showing(app, "unknown"))
        await pilot.press("f3")
        await wait_until(pilot, lambda: isinstance(app.screen, WalkInScreen))
        name = app.screen.query_one("#walk-in-name", Input)
        email = app.screen.query_one("#walk-in-email", Input)
        for character in "Pat":
            await pilot.press(character)
            await pilot.pause(0.06)  # people type 50 ms or more apart
        app.post_message(events.Key("tab", "\t"))
        app.post_message(events.Key("p", "p"))
        await pilot.pause(0.06)
        for character in "at":
            await pilot.press(character)
            await pilot.pause(0.06)
        await wait_until(pilot, lambda: email.value == "pat")
        assert name.value == "Pat"


def test_the_demo_exports_into_its_own_folder(demo_setup: KioskSetup, tmp_path: Path) -> None:
    # Everything the demo writes stays in its (temporary) folder: the staff Export screen's
    # default file too, never the user's data directory.
    path = demo_setup.desk.default_export_path("handshake")
    assert path.parent == tmp_path
