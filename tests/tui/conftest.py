"""Kiosk app fixtures: the real services on a real SQLite file with the bundled sample roster.

``kiosk_setup`` is the demo's setup (sample roster imported, sample event, demo rules, staff
PIN) without the terminal reader, so Pilot can type at machine speed; swipes come from the
demo's QueueReader (``push``). Helpers wait on conditions instead of sleeping fixed times.
"""

from __future__ import annotations

import html
import re
import time
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy.engine import Engine
from textual.pilot import Pilot
from textual.screen import Screen

from drivers.replay import QueueReader
from kiosk.db.models import Event
from kiosk.demo import prepare_demo
from kiosk.desk import KioskDesk
from kiosk.tui.app import KioskApp
from kiosk.tui.setup import KioskSetup

ALEX_CARD = ";90123456701?"  # sample roster: stu10001 Alex Tester, card_id 901234567
MARIA_CARD = ";90181590801?"  # stu10002 Maria "Mari" Garcia, card_id 901815908
UNKNOWN_CARD = ";55512345601?"
MISREAD_CARD = "%E?;E?"
PAYMENT_CARD = (
    "%B4111111111111111^CARDHOLDER/TEST^28121011000000000000000?"
    ";4111111111111111=28121011000000000000?"
)
PIN = "2468"


@pytest.fixture
def demo_setup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[KioskSetup]:
    """The demo as ``kiosk demo`` builds it (terminal reader included)."""
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))  # default export folder
    setup = prepare_demo(tmp_path, idle_seconds=60)
    yield setup
    setup.desk.engine.dispose()


@pytest.fixture
def kiosk_setup(demo_setup: KioskSetup) -> KioskSetup:
    """A plain kiosk (no demo legend) with one in-memory reader named "left"."""
    return replace(demo_setup, readers=[QueueReader("left")], demo=None, min_result_seconds=0.0)


def setup_for_event(
    setup: KioskSetup, event: Event | None = None, engine: Engine | None = None
) -> KioskSetup:
    """The same kiosk, checking students in to ``event`` or on another ``engine``."""
    desk = setup.desk
    other = KioskDesk(
        engine or desk.engine, event or desk.event, desk.rules, rules_path=desk.rules_file
    )
    return replace(setup, desk=other)


def push(app: KioskApp, text: str) -> None:
    """Swipe ``text`` on the kiosk's first reader."""
    app.readers[0].push(text)


async def wait_until(
    pilot: Pilot[None], condition: Callable[[], object], timeout: float = 30.0
) -> None:
    """Let the app run until ``condition()`` is true (fails after ``timeout`` seconds).

    The timeout is generous on purpose: it only matters when something is wrong, and a
    loaded CI machine must not turn a slow frame into a failure.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        await pilot.pause(0.02)
    assert condition(), "the app did not get there in time"


async def click_when_ready(pilot: Pilot[None], selector: str) -> None:
    """Click a widget once it is laid out on screen (a click before that hits nothing) and,
    for a button, once its last press has ended (Textual ignores a click on a button in its
    0.2 s press effect: a second click that soon after the first did nothing, now and then)."""

    def ready() -> bool:
        found = pilot.app.screen.query(selector)
        if not found:
            return False
        widget = found.first()
        return bool(widget.display) and widget.region.area > 0 and not widget.has_class("-active")

    await wait_until(pilot, ready)
    await pilot.click(selector)


def screen_text(app: KioskApp) -> str:
    """Everything on the terminal now, as plain text (from the SVG screenshot)."""
    svg = app.export_screenshot()
    rows: dict[float, list[str]] = {}
    for match in re.finditer(r'<text[^>]*\by="([0-9.]+)"[^>]*>(.*?)</text>', svg, flags=re.S):
        rows.setdefault(float(match.group(1)), []).append(match.group(2))
    lines = ("".join(rows[y]) for y in sorted(rows))
    return html.unescape("\n".join(lines)).replace("\xa0", " ")


def result_message(app: KioskApp) -> str:
    return str(app.student_screen.query_one("#result-message").render())


def _squash(text: str) -> str:
    """Text with box borders removed and white space folded (wrapped lines join up)."""
    return " ".join(re.sub(r"[┃│┏┓┗┛━]", " ", text).split())


def showing(app: KioskApp, kind: str) -> bool:
    """The student screen holds an answer of ``kind`` and the terminal really shows it."""
    current = app.student_screen.current
    if current is None or current.kind != kind:
        return False
    return _squash(current.message) in _squash(screen_text(app))


async def type_text(pilot: Pilot[None], text: str) -> None:
    await pilot.press(*text)


async def open_staff_menu(pilot: Pilot[None]) -> None:
    from kiosk.tui.screens.staff_menu import StaffMenuScreen

    await pilot.press("f10")
    await type_text(pilot, PIN)
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, StaffMenuScreen))


ScreenT = TypeVar("ScreenT", bound=Screen[Any])


async def open_staff_screen(
    pilot: Pilot[None], item_id: str, screen_type: type[ScreenT]
) -> ScreenT:
    """Open staff mode with the PIN, go to menu item ``item_id`` and return its screen."""
    await open_staff_menu(pilot)
    await choose_staff_item(pilot, item_id)
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, screen_type))
    screen = pilot.app.screen
    assert isinstance(screen, screen_type)
    return screen


async def choose_staff_item(pilot: Pilot[None], item_id: str) -> None:
    from textual.widgets import OptionList

    menu = pilot.app.screen.query_one("#staff-menu", OptionList)
    menu.highlighted = menu.get_option_index(item_id)
    await pilot.press("enter")
    await pilot.pause()
