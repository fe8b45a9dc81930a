"""Issue 16 in the kiosk through Pilot: the live attendance screen and its chart, registered /
walk-in answers, a registered-only event, check-out, the export's no-shows. Real services on
a real SQLite file (the demo's sample roster)."""

from __future__ import annotations

import csv
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select
from textual.widgets import Checkbox, DataTable, Input, Sparkline

from drivers.base import Swipe
from kiosk.checkin import CheckInService
from kiosk.checkin.event_options import set_event_options
from kiosk.checkin.events import create_event, get_event
from kiosk.checkin.registration_import import import_registrations
from kiosk.checkin.summary import attendance_summary
from kiosk.db.models import CheckIn, Event
from kiosk.tui.app import make_app
from kiosk.tui.presentation import SEE_STAFF
from kiosk.tui.screens.attendance import AttendanceScreen
from kiosk.tui.screens.export import ExportScreen
from kiosk.tui.screens.lookup import LookupScreen
from kiosk.tui.screens.recent import RecentScreen
from kiosk.tui.screens.registrations import RegistrationsScreen
from kiosk.tui.screens.staff_confirm import StaffConfirmScreen
from kiosk.tui.setup import KioskSetup
from tests.tui.conftest import (
    ALEX_CARD,
    MARIA_CARD,
    PIN,
    click_when_ready,
    open_staff_screen,
    push,
    result_message,
    screen_text,
    setup_for_event,
    showing,
    type_text,
    wait_until,
)


def _squashed(text: str) -> str:
    return " ".join(text.split())


def _registrants(tmp_path: Path, *emails: str) -> Path:
    path = tmp_path / "registrants.csv"
    path.write_text("Attendee Email\n" + "".join(f"{e}\n" for e in emails), encoding="utf-8")
    return path


async def test_the_attendance_screen_updates_live_with_its_chart(
    kiosk_setup: KioskSetup, tmp_path: Path
) -> None:
    desk = kiosk_setup.desk
    event = create_event(desk.engine, "Resume Review")
    assert event.id is not None
    import_registrations(
        desk.engine, event.id, _registrants(tmp_path, "alex.tester@example.edu", "no@show.org")
    )
    app = make_app(setup_for_event(kiosk_setup, event))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_staff_screen(pilot, "attendance", AttendanceScreen)
        await wait_until(pilot, lambda: screen.summary is not None)
        await wait_until(
            pilot,
            lambda: (
                "0 checked in registered 2: 0 came, 2 no-show(s)" in _squashed(screen_text(app))
            ),
        )
        push(app, ALEX_CARD)  # a swipe in staff mode still checks in
        push(app, MARIA_CARD)
        await wait_until(
            pilot,
            lambda: screen.summary is not None and screen.summary.total == 2,
        )
        await wait_until(pilot, lambda: "College of Engineering" in screen_text(app))
        shown = _squashed(screen_text(app))
        assert "2 checked in registered 2: 1 came, 1 no-show(s)" in shown
        assert "walk-ins (not registered) 1" in shown
        assert "1 Freshman" in shown and "1 Sophomore" in shown and "1 Biology" in shown
        # the chart holds the summary's quarter hours, as the database counts them
        truth = attendance_summary(desk.engine, event.id)
        chart = screen.query_one("#attendance-chart", Sparkline)
        assert list(chart.data or []) == [float(n) for _, n in truth.per_quarter_hour] == [2.0]
        assert truth.total == 2 and truth.no_shows == 1


async def test_staff_turn_registered_only_on_and_walk_ins_are_sent_to_staff(
    kiosk_setup: KioskSetup, tmp_path: Path
) -> None:
    desk = kiosk_setup.desk
    event = create_event(desk.engine, "Employer Dinner")
    assert event.id is not None
    import_registrations(desk.engine, event.id, _registrants(tmp_path, "alex.tester@example.edu"))
    app = make_app(setup_for_event(kiosk_setup, event))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_staff_screen(pilot, "attendance", AttendanceScreen)
        await wait_until(pilot, lambda: screen.summary is not None)
        await pilot.press("r")
        await wait_until(pilot, lambda: "Now checking in only registered" in screen_text(app))
        assert get_event(desk.engine, event.id).registered_only is True
        await pilot.press("escape")  # the menu
        await pilot.press("escape")  # the kiosk
        await wait_until(pilot, lambda: not app.in_staff_mode)
        push(app, MARIA_CARD)
        await wait_until(pilot, lambda: showing(app, "not_registered"))
        assert SEE_STAFF in result_message(app)
        assert "registered students only" in result_message(app)
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        assert "you're registered and checked in" in result_message(app)
        assert attendance_summary(desk.engine, event.id).total == 1


async def test_a_walk_in_is_told_so_once_the_event_has_registrants(
    kiosk_setup: KioskSetup, tmp_path: Path
) -> None:
    desk = kiosk_setup.desk
    event = create_event(desk.engine, "Info Session")
    assert event.id is not None
    import_registrations(desk.engine, event.id, _registrants(tmp_path, "someone@else.org"))
    app = make_app(setup_for_event(kiosk_setup, event))
    async with app.run_test(size=(120, 40)) as pilot:
        push(app, MARIA_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        assert "you're checked in as a walk-in" in result_message(app)


def _alex_checked_in_long_ago(kiosk_setup: KioskSetup, name: str) -> tuple[Event, datetime]:
    """An appointment event with check-out after 20 minutes, and Alex checked in to it 50
    minutes ago (another kiosk's swipe, recorded with its time)."""
    desk = kiosk_setup.desk
    event = create_event(desk.engine, name, kind="appointment")
    assert event.id is not None
    set_event_options(desk.engine, event.id, checkout_after_minutes=20)
    earlier = datetime.now(UTC) - timedelta(minutes=50)
    CheckInService(desk.engine, event.id, desk.rules).handle_swipe(
        Swipe(text=ALEX_CARD, reader="door", wall=earlier)
    )
    return event, earlier


async def test_a_second_swipe_after_the_time_checks_out(kiosk_setup: KioskSetup) -> None:
    desk = kiosk_setup.desk
    event, earlier = _alex_checked_in_long_ago(kiosk_setup, "Drop-in Hours")
    app = make_app(setup_for_event(kiosk_setup, event))
    async with app.run_test(size=(120, 40)) as pilot:
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_out"))
        message = result_message(app)
        assert "CHECKED OUT — SEE YOU" in message
        assert "you were here 50 min" in message or "you were here 49 min" in message
        push(app, MARIA_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        push(app, MARIA_CARD)  # too early to check out: as always
        await wait_until(pilot, lambda: showing(app, "already"))
    assert attendance_summary(desk.engine, event.id).checked_out == 1


async def test_recent_check_ins_show_when_each_student_checked_out(
    kiosk_setup: KioskSetup,
) -> None:
    desk = kiosk_setup.desk
    event, earlier = _alex_checked_in_long_ago(kiosk_setup, "Advising Drop-in")
    app = make_app(setup_for_event(kiosk_setup, get_event(desk.engine, event.id)))
    async with app.run_test(size=(140, 30)) as pilot:
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_out"))
        push(app, MARIA_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        await open_staff_screen(pilot, "recent", RecentScreen)
        table = app.screen.query_one("#recent-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == 2)
        labels = [str(column.label) for column in table.columns.values()]
        assert labels[:3] == ["time", "out", "name"]
        by_name = {str(table.get_row_at(i)[2]): table.get_row_at(i) for i in range(2)}
    [alex] = [row for name, row in by_name.items() if name.startswith("Alex")]
    [maria] = [row for name, row in by_name.items() if "Garcia" in name]
    with Session(desk.engine) as session:
        stored = session.exec(select(CheckIn).where(CheckIn.event_id == event.id)
                              .order_by(CheckIn.id)).first()
    assert stored is not None and stored.checked_out_at is not None
    assert alex[0] == earlier.astimezone().strftime("%H:%M:%S")
    assert alex[1] == stored.checked_out_at.astimezone().strftime("%H:%M:%S")
    assert maria[1] == ""  # still here


async def test_recent_check_ins_have_no_out_column_for_an_event_without_check_out(
    kiosk_setup: KioskSetup,
) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(140, 30)) as pilot:
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        await open_staff_screen(pilot, "recent", RecentScreen)
        table = app.screen.query_one("#recent-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == 1)
        assert "out" not in [str(column.label) for column in table.columns.values()]


async def test_the_export_screen_writes_no_shows_when_asked(
    kiosk_setup: KioskSetup, tmp_path: Path
) -> None:
    desk = kiosk_setup.desk
    event = create_event(desk.engine, "Career Panel", handshake_id="9001")
    assert event.id is not None
    import_registrations(
        desk.engine,
        event.id,
        _registrants(tmp_path, "alex.tester@example.edu", "maria.garcia@example.edu"),
    )
    out = tmp_path / "panel.csv"
    app = make_app(setup_for_event(kiosk_setup, event))
    async with app.run_test(size=(120, 40)) as pilot:
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        screen = await open_staff_screen(pilot, "export", ExportScreen)
        field = screen.query_one("#export-handshake-id", Input)
        await wait_until(pilot, lambda: field.value == "9001")
        screen.query_one("#export-path", Input).value = str(out)
        screen.query_one("#export-no-shows", Checkbox).value = True
        await click_when_ready(pilot, "#export-go")
        await wait_until(pilot, lambda: out.exists() and "no-shows" in screen_text(app))
    with out.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))[1:]
    assert [(r[0], r[1], r[2]) for r in rows] == [
        ("alex.tester@example.edu", "TRUE", "TRUE"),
        ("maria.garcia@example.edu", "TRUE", "FALSE"),
    ]


async def test_staff_import_registrations_from_staff_mode(
    kiosk_setup: KioskSetup, tmp_path: Path
) -> None:
    desk = kiosk_setup.desk
    event = create_event(desk.engine, "Networking Night")
    assert event.id is not None
    good = _registrants(tmp_path, "alex.tester@example.edu", "guest@else.org")
    bad = tmp_path / "names.csv"
    bad.write_text("Name\nAlex\n", encoding="utf-8")
    app = make_app(setup_for_event(kiosk_setup, event))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_staff_screen(pilot, "registrations", RegistrationsScreen)
        field = screen.query_one("#registrations-path", Input)
        field.value = str(bad)
        await pilot.press("enter")
        await wait_until(
            pilot, lambda: "names.csv has no email column" in _squashed(screen_text(app))
        )
        field.value = str(good)
        await click_when_ready(pilot, "#registrations-go")
        await wait_until(
            pilot,
            lambda: "1 matched to the roster, 1 not in the roster" in _squashed(screen_text(app)),
        )
    assert attendance_summary(desk.engine, event.id).registered == 2


async def test_staff_set_check_out_on_the_attendance_screen(kiosk_setup: KioskSetup) -> None:
    desk = kiosk_setup.desk
    event = create_event(desk.engine, "Advising Drop-ins", kind="appointment")
    assert event.id is not None
    app = make_app(setup_for_event(kiosk_setup, event))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_staff_screen(pilot, "attendance", AttendanceScreen)
        field = screen.query_one("#attendance-checkout", Input)
        await wait_until(pilot, lambda: screen.summary is not None and field.region.area > 0)
        assert field.value == ""  # check-out off
        field.focus()
        await pilot.press("2", "5", "enter")
        await wait_until(pilot, lambda: "25 minutes or more" in _squashed(screen_text(app)))
        assert get_event(desk.engine, event.id).checkout_after_minutes == 25
        assert app.focused is None  # saved: the field gives the keys back
        await pilot.press("r")
        await wait_until(pilot, lambda: get_event(desk.engine, event.id).registered_only)
        assert field.value == "25"
        field.focus()
        await pilot.press("backspace", "backspace", "enter")
        await wait_until(pilot, lambda: "Check-out is off" in screen_text(app))
        assert get_event(desk.engine, event.id).checkout_after_minutes is None


async def test_at_a_registered_only_event_staff_confirm_a_walk_in_with_the_pin(
    kiosk_setup: KioskSetup, tmp_path: Path
) -> None:
    """Sent to staff, the student types their username (F2) and staff confirm it with the
    PIN: checked in, and the full export says who let them in."""
    engine = kiosk_setup.desk.engine
    event = create_event(engine, "Closed Info Session")
    assert event.id is not None
    import_registrations(engine, event.id, _registrants(tmp_path, "alex.tester@example.edu"))
    set_event_options(engine, event.id, registered_only=True)
    setup = setup_for_event(kiosk_setup, event)
    desk = setup.desk
    desk.set_manual_checkin("staff-confirm")
    app = make_app(setup)
    async with app.run_test(size=(120, 40)) as pilot:
        push(app, MARIA_CARD)
        await wait_until(pilot, lambda: showing(app, "not_registered"))
        await pilot.press("f2")
        await wait_until(pilot, lambda: isinstance(app.screen, LookupScreen))
        await type_text(pilot, "stu10002")
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, StaffConfirmScreen))
        await type_text(pilot, PIN)
        await pilot.press("enter")
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        assert "you're checked in as a walk-in" in result_message(app)
    out = tmp_path / "full.csv"
    await desk.export("full", out)
    with out.open(encoding="utf-8", newline="") as handle:
        (row,) = list(csv.DictReader(handle))
    assert (row["username"], row["method"], row["registered"]) == ("stu10002", "manual", "FALSE")
    assert row["checked_in_by"] == "staff PIN at kiosk kiosk"


async def test_the_attendance_screen_shows_another_kiosks_check_ins_within_a_tick(
    kiosk_setup: KioskSetup,
) -> None:
    """Nothing happens on this kiosk: check-ins made at another kiosk of the event (another
    service on the same database) reach the open screen, counts and chart, by its refresh."""
    desk = kiosk_setup.desk
    event = create_event(desk.engine, "Spring Fair")
    assert event.id is not None
    app = make_app(setup_for_event(kiosk_setup, event))
    async with app.run_test(size=(120, 40)) as pilot:
        screen = await open_staff_screen(pilot, "attendance", AttendanceScreen)
        await wait_until(pilot, lambda: screen.summary is not None)
        assert screen.summary is not None and screen.summary.total == 0
        other = CheckInService(desk.engine, event.id, desk.rules, kiosk_id="door-b")
        assert other.handle_swipe(Swipe(text=ALEX_CARD, reader="door")).kind == "checked_in"
        assert other.handle_swipe(Swipe(text=MARIA_CARD, reader="door")).kind == "checked_in"
        await wait_until(pilot, lambda: screen.summary is not None and screen.summary.total == 2)
        await wait_until(pilot, lambda: "2 checked in" in _squashed(screen_text(app)))
        chart = screen.query_one("#attendance-chart", Sparkline)
        assert sum(chart.data or []) == 2.0
