"""The kiosk's main flow on each database the project supports (PostgreSQL when
KIOSK_TEST_PG_URL is set): swipe, duplicate, lookup, undo from staff mode."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from sqlmodel import Session, select
from textual.widgets import DataTable

from drivers.replay import QueueReader
from kiosk.db.models import CheckIn
from kiosk.demo import prepare_demo
from kiosk.tui.app import make_app
from kiosk.tui.screens.recent import RecentScreen
from tests.tui.conftest import (
    ALEX_CARD,
    open_staff_screen,
    push,
    screen_text,
    showing,
    type_text,
    wait_until,
)


async def test_swipe_duplicate_lookup_and_undo(db_url: str, tmp_path: Path) -> None:
    demo = prepare_demo(tmp_path, idle_seconds=60, database_url=db_url)
    setup = replace(demo, readers=[QueueReader("left")], demo=None, min_result_seconds=0.0)
    app = make_app(setup)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            push(app, ALEX_CARD)
            await wait_until(pilot, lambda: showing(app, "checked_in"))
            push(app, ALEX_CARD)
            await wait_until(pilot, lambda: showing(app, "already"))
            await pilot.press("f2")
            await type_text(pilot, "maria.garcia@example.edu")
            await pilot.press("enter")
            await wait_until(pilot, lambda: showing(app, "checked_in"))
            await wait_until(pilot, lambda: "2 checked in so far" in screen_text(app))
            await open_staff_screen(pilot, "recent", RecentScreen)
            table = app.screen.query_one("#recent-table", DataTable)
            await wait_until(pilot, lambda: table.row_count == 2)
            await pilot.press("u", "u")  # the newest: Mari G.'s lookup check-in
            await wait_until(pilot, lambda: table.row_count == 1)
            await pilot.press("escape", "escape")
            await wait_until(pilot, lambda: "1 checked in so far" in screen_text(app))
        with Session(setup.desk.engine) as session:
            rows = session.exec(select(CheckIn).order_by(CheckIn.id)).all()
        assert [(row.method, row.undone_at is None) for row in rows] == [
            ("swipe", True),
            ("manual", False),
        ]
    finally:
        setup.desk.engine.dispose()
