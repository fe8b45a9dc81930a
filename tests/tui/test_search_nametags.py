"""Issue 16.2 and 16.4 through Pilot, on each database (PostgreSQL when KIOSK_TEST_PG_URL is
set): staff find a student by name and check them in (method manual, who did it recorded);
name tags print in the background at each check-in (a dir: printer writes one PDF each; lp
missing, out of paper or hanging never delays the answer, and the failure reaches staff);
a tag is printed again from Recent check-ins; the Name tags screen sets the event's label."""

from __future__ import annotations

import io
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlmodel import Session, select
from textual.widgets import DataTable, OptionList

from drivers.replay import QueueReader
from kiosk.checkin.event_options import set_event_options
from kiosk.checkin.events import get_event
from kiosk.db.models import CheckIn
from kiosk.demo import prepare_demo
from kiosk.desk import KioskDesk
from kiosk.nametags.printers import DirPrinter, LpPrinter, Printer
from kiosk.tui.app import KioskApp, make_app
from kiosk.tui.screens.nametags import NametagsScreen
from kiosk.tui.screens.recent import RecentScreen
from kiosk.tui.screens.status import StatusScreen
from kiosk.tui.screens.student_search import StudentSearchScreen
from kiosk.tui.setup import KioskSetup
from tests.nametags.conftest import fake_lp
from tests.tui.conftest import (
    ALEX_CARD,
    MARIA_CARD,
    choose_staff_item,
    open_staff_screen,
    push,
    screen_text,
    showing,
    type_text,
    wait_until,
)

SLEEP = shutil.which("sleep")


@pytest.fixture
def demo(db_url: str, tmp_path: Path) -> Iterator[KioskSetup]:
    """The demo (sample roster, event, PIN) on this database, one in-memory reader."""
    setup = prepare_demo(tmp_path, idle_seconds=60, database_url=db_url)
    yield replace(setup, readers=[QueueReader("left")], demo=None, min_result_seconds=0.0)
    setup.desk.engine.dispose()


def with_tags(setup: KioskSetup, printer: Printer, label: str | None = "30252") -> KioskSetup:
    """The same kiosk, printing name tags on ``printer`` for an event on ``label``."""
    desk = setup.desk
    event = set_event_options(desk.engine, desk.event_id, nametag_label=label)
    tagging = KioskDesk(
        desk.engine,
        event,
        desk.rules,
        rules_path=desk.rules_file,
        kiosk_id="front",
        tag_printer=printer,
    )
    return replace(setup, desk=tagging)


def notices(app: KioskApp) -> str:
    return " ".join(str(notification.message) for notification in app._notifications)


def answered(app: KioskApp, name: str) -> bool:
    """The student screen's answer now is a check-in of ``name``."""
    current = app.student_screen.current
    return current is not None and current.kind == "checked_in" and name in current.message


def pdf_text(path: Path) -> str:
    return PdfReader(io.BytesIO(path.read_bytes())).pages[0].extract_text()


async def test_staff_find_a_student_by_name_and_check_them_in(demo: KioskSetup) -> None:
    app = make_app(demo)
    async with app.run_test(size=(140, 36)) as pilot:
        screen = await open_staff_screen(pilot, "search", StudentSearchScreen)
        await type_text(pilot, "MUELLER emma")  # no umlaut but "ue", another case
        table = screen.query_one("#search-results", DataTable)
        await wait_until(pilot, lambda: table.row_count >= 1)
        first = table.get_row_at(0)  # staff see the full name and the email
        assert first[:3] == ["Emma Müller", "stu10016", "emma.muller@example.edu"]
        await pilot.press("enter")  # the query: search now, then the results table
        await wait_until(pilot, lambda: app.focused is table)
        await pilot.press("enter")  # the first result: check in
        await wait_until(pilot, lambda: "Checked in: Emma Müller." in screen_text(app))
        await wait_until(pilot, lambda: str(table.get_row_at(0)[-1]).startswith("checked in "))
        await pilot.press("enter")  # again: already
        await wait_until(pilot, lambda: "was already checked in" in screen_text(app))
    with Session(demo.desk.engine) as session:
        (row,) = session.exec(select(CheckIn)).all()
    assert (row.method, row.checked_in_by) == ("manual", "staff PIN at kiosk demo")


async def test_manual_checkin_off_refuses_the_staff_check_in_too(demo: KioskSetup) -> None:
    demo.desk.set_manual_checkin("off")
    app = make_app(demo)
    async with app.run_test(size=(140, 36)) as pilot:
        screen = await open_staff_screen(pilot, "search", StudentSearchScreen)
        await type_text(pilot, "alex tester")
        await pilot.press("enter")
        table = screen.query_one("#search-results", DataTable)
        await wait_until(pilot, lambda: table.row_count >= 1 and app.focused is table)
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Manual check-in is off" in screen_text(app))
    with Session(demo.desk.engine) as session:
        assert session.exec(select(CheckIn)).all() == []


async def test_a_dir_printer_gets_one_tag_per_check_in_and_a_reprint(
    demo: KioskSetup, tmp_path: Path
) -> None:
    folder = tmp_path / "tags"
    setup = with_tags(demo, DirPrinter(folder))
    app = make_app(setup)
    async with app.run_test(size=(140, 36)) as pilot:
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        push(app, MARIA_CARD)
        await wait_until(
            pilot, lambda: "Mari G." in (app.student_screen.current or object()).message
        )
        await wait_until(pilot, lambda: len(list(folder.glob("*.pdf"))) == 2)
        push(app, ALEX_CARD)  # already checked in: no second tag
        await wait_until(pilot, lambda: showing(app, "already"))
        texts = sorted(pdf_text(path) for path in folder.glob("*.pdf"))
        assert "Alex Tester" in texts[0] and "Mari Garcia" in texts[1]  # preferred name
        assert all(setup.desk.event.name in text for text in texts)
        await open_staff_screen(pilot, "recent", RecentScreen)
        table = app.screen.query_one("#recent-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == 2)
        await pilot.press("p")  # the newest row: Maria's tag again
        await wait_until(pilot, lambda: len(list(folder.glob("*.pdf"))) == 3)
        assert "Name tags on folder" in screen_text(app)  # the summary names the printer
        await wait_until(pilot, lambda: "3 printed, 0 failed" in setup.desk.nametag_status())
    newest = max(folder.glob("*.pdf"), key=lambda path: path.stat().st_mtime_ns)
    assert "Mari Garcia" in pdf_text(newest)


async def test_lp_missing_the_check_in_is_answered_and_staff_see_why(
    demo: KioskSetup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "no-lp"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    setup = with_tags(demo, LpPrinter("dymo"))
    app = make_app(setup)
    async with app.run_test(size=(140, 36)) as pilot:
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        await wait_until(pilot, lambda: "lp is not installed" in notices(app))
        assert "Alex" not in notices(app)  # the student screen may show it: no names
        await open_staff_screen(pilot, "status", StatusScreen)  # Readers and database
        await wait_until(pilot, lambda: "NOT printed for Alex Tester" in screen_text(app))
        await pilot.press("escape")
        await choose_staff_item(pilot, "nametags")
        await wait_until(pilot, lambda: isinstance(app.screen, NametagsScreen))
        await wait_until(pilot, lambda: "NOT printed for Alex Tester" in screen_text(app))
    with Session(setup.desk.engine) as session:
        (row,) = session.exec(select(CheckIn)).all()
    assert row.method == "swipe"


@pytest.mark.parametrize(
    ("body", "why"),
    [
        (f"exec {SLEEP} 30", "did not answer within 10 s"),
        ("echo 'lp: Error - printer dymo is out of paper' >&2; exit 1", "out of paper"),
    ],
    ids=["hangs", "out-of-paper"],
)
async def test_a_printer_in_trouble_never_delays_the_next_answers(
    demo: KioskSetup, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, body: str, why: str
) -> None:
    """lp records that it started, waits for the test's gate, then hangs or fails: both
    answers are on screen while lp holds the first tag, and only then does it fail."""
    started, gate = tmp_path / "lp-started", tmp_path / "gate"
    script = f"echo started >> {started}\nwhile [ ! -e {gate} ]; do {SLEEP} 0.05; done\n{body}"
    monkeypatch.setenv("PATH", f"{fake_lp(tmp_path / 'bin', script)}:/usr/bin:/bin")
    setup = with_tags(demo, LpPrinter("dymo", timeout=10.0))
    app = make_app(setup)
    async with app.run_test(size=(140, 36)) as pilot:
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        push(app, MARIA_CARD)
        await wait_until(pilot, lambda: answered(app, "Mari G."))
        await wait_until(pilot, started.exists)  # lp holds Alex's tag...
        status = setup.desk.nametag_status()
        assert "0 printed, 0 failed, 2 waiting" in status  # ...and both answers are shown
        gate.touch()
        await wait_until(pilot, lambda: why in notices(app))
        await wait_until(pilot, lambda: " 0 failed" not in setup.desk.nametag_status())
        assert "0 printed" in setup.desk.nametag_status()
    with Session(setup.desk.engine) as session:
        assert len(session.exec(select(CheckIn)).all()) == 2


async def test_the_name_tags_screen_sets_the_events_label(demo: KioskSetup) -> None:
    app = make_app(demo)
    async with app.run_test(size=(140, 36)) as pilot:
        screen = await open_staff_screen(pilot, "nametags", NametagsScreen)
        assert "Name tags on folder" in screen_text(app)  # the demo's: its nametags folder
        labels = screen.query_one("#nametag-labels", OptionList)
        labels.highlighted = labels.get_option_index("30256")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Name tags are now 30256" in screen_text(app))
        assert get_event(demo.desk.engine, demo.desk.event_id).nametag_label == "30256"
        labels.highlighted = labels.get_option_index("off")
        await pilot.press("enter")
        await wait_until(pilot, lambda: "Name tags are now off" in screen_text(app))
    assert get_event(demo.desk.engine, demo.desk.event_id).nametag_label is None


def test_kiosk_run_prints_tags_on_the_printer_of_kiosk_toml(db_url: str, tmp_path: Path) -> None:
    from kiosk.checkin.events import create_event
    from kiosk.checkin.staff import set_pin
    from kiosk.commands.run_cmd import build_setup
    from kiosk.config import load_config
    from kiosk.db.session import open_database

    engine = open_database(db_url)
    set_pin(engine, "2468")
    create_event(engine, "Spring Expo", None, "fair", None)
    engine.dispose()
    settings = tmp_path / "kiosk.toml"
    settings.write_text(
        'event = "Spring Expo"\nnametag_printer = "dir:tags"\nnametag_timeout_seconds = 5\n'
        '[[readers]]\nname = "left"\nspec = "queue"\n',
        encoding="utf-8",
    )
    setup = build_setup(load_config(settings), db_url)
    try:
        assert setup.desk.nametag_status().startswith(f"Name tags on folder {tmp_path / 'tags'}:")
    finally:
        setup.desk.engine.dispose()
    without = tmp_path / "plain.toml"
    without.write_text('event = "Spring Expo"\n', encoding="utf-8")
    setup = build_setup(load_config(without), db_url)
    try:
        assert setup.desk.nametag_status().startswith("No name tag printer")
    finally:
        setup.desk.engine.dispose()


async def test_the_search_screen_reads_the_roster_when_it_opens(demo: KioskSetup) -> None:
    app = make_app(demo)
    async with app.run_test(size=(140, 36)) as pilot:
        await open_staff_screen(pilot, "search", StudentSearchScreen)
        await wait_until(pilot, lambda: "students on the roster." in screen_text(app))


async def test_a_label_set_with_the_cli_reaches_the_running_kiosk(
    demo: KioskSetup, db_url: str, tmp_path: Path
) -> None:
    """`kiosk events set EVENT --nametags 30252` in another process while the kiosk runs
    with name tags off: within a tick (3 s) the next check-in prints a tag, no restart."""
    folder = tmp_path / "tags"
    setup = with_tags(demo, DirPrinter(folder), label=None)
    app = make_app(setup)
    async with app.run_test(size=(140, 36)) as pilot:
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        subprocess.run(
            [sys.executable, "-m", "kiosk", "--db", db_url, "events", "set",
             str(setup.desk.event_id), "--nametags", "30252"],
            check=True, capture_output=True,
        )  # fmt: skip
        await wait_until(pilot, lambda: setup.desk.nametag_label == "30252")
        push(app, MARIA_CARD)
        await wait_until(pilot, lambda: answered(app, "Mari G."))
        await wait_until(pilot, lambda: len(list(folder.glob("*.pdf"))) == 1)
    (tag,) = folder.glob("*.pdf")
    assert "Mari Garcia" in pdf_text(tag)


async def test_the_name_tag_printer_stops_with_the_kiosk(demo: KioskSetup, tmp_path: Path
                                                         ) -> None:
    folder = tmp_path / "tags"
    setup = with_tags(demo, DirPrinter(folder))
    app = make_app(setup)
    before = set(threading.enumerate())  # (other tests' printers may still be running)
    async with app.run_test(size=(140, 36)) as pilot:
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: "1 printed, 0 failed" in setup.desk.nametag_status())
        workers = [thread for thread in set(threading.enumerate()) - before
                   if thread.name == "name-tag printer"]
        assert len(workers) == 1 and workers[0].is_alive()
    workers[0].join(timeout=10)  # the app has exited: the printer's thread ends too
    assert not workers[0].is_alive()
