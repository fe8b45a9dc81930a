"""The student screen end to end: swipes through a real reader object, the real check-in
service, a real SQLite file. What the student sees, and what is (or is not) recorded."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select
from textual.widgets import ContentSwitcher

from drivers.capture import write_capture
from drivers.replay import ReplayReader
from kiosk.checkin import CheckInOutcome
from kiosk.db.models import AuditEvent, CheckIn, Student
from kiosk.tui.app import make_app
from kiosk.tui.setup import KioskSetup
from tests.tui.conftest import (
    ALEX_CARD,
    MARIA_CARD,
    MISREAD_CARD,
    PAYMENT_CARD,
    UNKNOWN_CARD,
    push,
    result_message,
    screen_text,
    showing,
    wait_until,
)


def _check_ins(setup: KioskSetup) -> list[CheckIn]:
    with Session(setup.desk.engine) as session:
        return list(session.exec(select(CheckIn)).all())


async def test_idle_screen_shows_event_prompt_count_and_readers(kiosk_setup: KioskSetup) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: "checked in so far" in screen_text(app))
        text = screen_text(app)
        assert "Demo Career Fair" in text
        assert "Swipe your student ID" in text
        assert "0 checked in so far" in text
        assert "left: connected" in text


async def test_a_valid_swipe_is_committed_and_greeted_in_green(kiosk_setup: KioskSetup) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        assert "Welcome, Alex T. — you're checked in" in result_message(app)
        assert app.student_screen.query_one("#result").has_class("outcome-green")
        # committed before the answer showed: another connection sees it now
        rows = _check_ins(kiosk_setup)
        assert [(r.method, r.reader, r.card_id) for r in rows] == [("swipe", "left", "901234567")]
        await wait_until(pilot, lambda: "1 checked in so far" in screen_text(app))
        text = screen_text(app)
        # privacy: nothing but the display name about the student
        for private in ("901234567", "stu10001", "alex.tester@example.edu", "Tester"):
            assert private not in text


async def test_the_same_card_again_is_yellow_with_the_first_time(kiosk_setup: KioskSetup) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: showing(app, "already"))
        first = _check_ins(kiosk_setup)[0].checked_in_at.astimezone().strftime("%H:%M")
        assert f"Welcome back, Alex T. — you already checked in at {first}" in result_message(app)
        assert app.student_screen.query_one("#result").has_class("outcome-yellow")
        assert len(_check_ins(kiosk_setup)) == 1


async def test_unknown_misread_and_payment_cards_are_red_and_record_no_check_in(
    kiosk_setup: KioskSetup,
) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        push(app, UNKNOWN_CARD)
        await wait_until(pilot, lambda: showing(app, "unknown"))
        assert "username or email" in result_message(app)
        assert "F3 to register as a walk-in" in screen_text(app)
        push(app, MISREAD_CARD)
        await wait_until(pilot, lambda: showing(app, "misread"))
        assert "Please swipe again" in result_message(app)
        push(app, PAYMENT_CARD)
        await wait_until(pilot, lambda: showing(app, "refused"))
        assert "That looks like a payment card — please swipe your student ID" in result_message(
            app
        )
        assert app.student_screen.query_one("#result").has_class("outcome-red")
        assert "4111" not in screen_text(app)
    assert _check_ins(kiosk_setup) == []
    with Session(kiosk_setup.desk.engine) as session:
        audits = session.exec(select(AuditEvent)).all()
    # the refused payment card left only the fact, never its number
    assert all("4111" not in (audit.detail or "") for audit in audits)


async def test_swipes_arriving_while_a_result_shows_are_queued_none_dropped(
    kiosk_setup: KioskSetup,
) -> None:
    kiosk_setup.min_result_seconds = 0.3
    app = make_app(kiosk_setup)
    shown: list[str] = []
    shown_at: list[float] = []

    def record(outcome: CheckInOutcome) -> None:
        shown.append(outcome.kind)
        shown_at.append(app.student_screen.shown_at)

    app.result_hooks.append(record)
    async with app.run_test(size=(100, 30)) as pilot:
        for text in (ALEX_CARD, ALEX_CARD, UNKNOWN_CARD, MARIA_CARD):
            push(app, text)
        await wait_until(pilot, lambda: len(shown) == 4)
        assert shown == ["checked_in", "already", "unknown", "checked_in"]
        # each answer stayed on screen its minimum time before the next one replaced it
        gaps = [later - earlier for earlier, later in zip(shown_at, shown_at[1:], strict=False)]
        assert all(gap >= 0.3 - 0.02 for gap in gaps), gaps
        assert "Welcome, Mari G. — you're checked in" in result_message(app)
    assert len(_check_ins(kiosk_setup)) == 2


async def test_the_next_swipe_replaces_the_answer_at_once(kiosk_setup: KioskSetup) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        push(app, UNKNOWN_CARD)
        await wait_until(pilot, lambda: showing(app, "unknown"))
        push(app, MARIA_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        assert app.student_screen.pending_count == 0


async def test_the_answer_goes_back_to_idle_after_idle_seconds(kiosk_setup: KioskSetup) -> None:
    kiosk_setup.idle_seconds = 1.0
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        switcher = app.student_screen.query_one("#student-view", ContentSwitcher)
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: switcher.current == "result")
        await wait_until(pilot, lambda: switcher.current == "idle")
        assert app.student_screen.current is None


async def test_quit_keys_do_not_leave_the_student_screen(kiosk_setup: KioskSetup) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.press("ctrl+q")
        await pilot.press("ctrl+c")
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running
        assert app.screen is app.student_screen


def _archive(setup: KioskSetup, username: str) -> None:
    with Session(setup.desk.engine) as session:
        student = session.exec(select(Student).where(Student.username == username)).one()
        student.archived = True
        session.add(student)
        session.commit()


async def test_an_archived_student_is_refused_under_the_refuse_policy(
    kiosk_setup: KioskSetup,
) -> None:
    _archive(kiosk_setup, "stu10001")
    kiosk_setup.desk.archived_policy = "refuse"
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: showing(app, "archived"))
        assert "please see a staff member" in result_message(app)
        assert app.student_screen.query_one("#result").has_class("outcome-red")
    assert _check_ins(kiosk_setup) == []


async def test_an_archived_student_is_let_in_with_a_note_to_staff_under_allow(
    kiosk_setup: KioskSetup,
) -> None:
    _archive(kiosk_setup, "stu10001")
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        current = app.student_screen.current
        assert current is not None and current.staff_note
        # the note is for staff: the student screen shows the greeting only
        assert current.staff_note not in screen_text(app)
    (row,) = _check_ins(kiosk_setup)
    assert row.note


async def test_a_reader_that_goes_missing_shows_on_the_idle_screen(
    kiosk_setup: KioskSetup,
) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: "left: connected" in screen_text(app))
        app.readers[0]._set_status("missing", "Plug the reader back in.")
        await wait_until(pilot, lambda: "left: missing" in screen_text(app))


async def test_swipes_replayed_from_a_capture_file_each_get_an_answer(
    kiosk_setup: KioskSetup, tmp_path: Path
) -> None:
    capture = tmp_path / "swipes.txt"
    with capture.open("w", encoding="utf-8") as handle:
        write_capture([ALEX_CARD, PAYMENT_CARD, MARIA_CARD, ALEX_CARD], handle)
    kiosk_setup.readers = [ReplayReader(capture, interval=0.0, name="replay")]
    kiosk_setup.min_result_seconds = 0.05
    app = make_app(kiosk_setup)
    shown: list[str] = []
    app.result_hooks.append(lambda outcome: shown.append(outcome.kind))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: len(shown) == 4)
    assert shown == ["checked_in", "refused", "checked_in", "already"]
    assert [row.reader for row in _check_ins(kiosk_setup)] == ["replay", "replay"]
