"""Snapshots of the main screens at 100x30 (pytest-textual-snapshot; refresh them with
``pytest tests/tui/test_snapshots.py --snapshot-update`` after a deliberate change and look at
the SVGs). Times are fixed: swipes carry a set wall time and the zone is UTC."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
from textual.pilot import Pilot

from drivers.base import Swipe
from kiosk.tui.app import KioskApp, make_app
from kiosk.tui.setup import KioskSetup
from tests.tui.conftest import (
    ALEX_CARD,
    UNKNOWN_CARD,
    open_staff_menu,
    screen_text,
    showing,
    wait_until,
)

SIZE = (100, 30)
MORNING = datetime(2026, 10, 14, 9, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def utc_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def _swipe(app: KioskApp, text: str) -> None:
    app.take_swipe(Swipe(text, "left", wall=MORNING))


def _after(*steps: tuple[str, str]) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, KioskApp)
        await wait_until(pilot, lambda: "checked in so far" in screen_text(app))
        for text, kind in steps:
            _swipe(app, text)
            await wait_until(pilot, lambda kind=kind: showing(app, kind))  # type: ignore[misc]
        await wait_until(pilot, lambda: app.student_screen.count == app.desk.service.count())

    return run_before


def test_idle(snap_compare: Any, kiosk_setup: KioskSetup) -> None:
    assert snap_compare(make_app(kiosk_setup), terminal_size=SIZE, run_before=_after())


def test_checked_in(snap_compare: Any, kiosk_setup: KioskSetup) -> None:
    run_before = _after((ALEX_CARD, "checked_in"))
    assert snap_compare(make_app(kiosk_setup), terminal_size=SIZE, run_before=run_before)


def test_already_checked_in(snap_compare: Any, kiosk_setup: KioskSetup) -> None:
    run_before = _after((ALEX_CARD, "checked_in"), (ALEX_CARD, "already"))
    assert snap_compare(make_app(kiosk_setup), terminal_size=SIZE, run_before=run_before)


def test_unknown_card(snap_compare: Any, kiosk_setup: KioskSetup) -> None:
    run_before = _after((UNKNOWN_CARD, "unknown"))
    assert snap_compare(make_app(kiosk_setup), terminal_size=SIZE, run_before=run_before)


def test_staff_menu(snap_compare: Any, kiosk_setup: KioskSetup) -> None:
    async def run_before(pilot: Pilot[Any]) -> None:
        await open_staff_menu(pilot)

    assert snap_compare(make_app(kiosk_setup), terminal_size=SIZE, run_before=run_before)


def test_demo_idle_with_its_legend(snap_compare: Any, demo_setup: KioskSetup) -> None:
    assert snap_compare(make_app(demo_setup), terminal_size=SIZE, run_before=_after())
