"""A reader flood (issue 10.3): thousands of swipes from one reader as fast as it can send
them must not starve real students. The kiosk runs with its real answer timing (each answer
at least 1 s on screen when others wait); before the fix 10,000 flood swipes queued 10,000
answers, hours of them, ahead of a real student's.

Waits are condition waits with generous caps, never speed asserts: how fast is measured by
``benchmarks/reader_flood.py``.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlmodel import Session, select

from drivers.readers import open_reader
from drivers.replay import QueueReader
from drivers.serialport import SerialReader
from kiosk.checkin import CheckInOutcome
from kiosk.db.models import CheckIn
from kiosk.tui.app import KioskApp, make_app
from kiosk.tui.screens.status import StatusScreen
from kiosk.tui.setup import KioskSetup
from tests.drivers.test_serial import SimulatedReader
from tests.tui.conftest import (
    ALEX_CARD,
    UNKNOWN_CARD,
    open_staff_screen,
    screen_text,
    wait_until,
)

FLOOD = 10_000
ALEX = "Welcome, Alex T. — you're checked in"


def _check_ins(setup: KioskSetup) -> list[tuple[str, str | None]]:
    with Session(setup.desk.engine) as session:
        return [(row.card_id or "", row.reader) for row in session.exec(select(CheckIn)).all()]


def _record_answers(app: KioskApp) -> list[str]:
    shown: list[str] = []

    def record(outcome: CheckInOutcome) -> None:
        shown.append(outcome.message)

    app.result_hooks.append(record)
    return shown


@pytest.fixture
def two_readers(kiosk_setup: KioskSetup) -> KioskSetup:
    kiosk_setup.readers = [QueueReader("left"), QueueReader("right")]
    kiosk_setup.min_result_seconds = 1.0  # the kiosk's real timing
    return kiosk_setup


def _flood(reader: QueueReader) -> None:
    for _ in range(FLOOD):
        reader.push(UNKNOWN_CARD)


async def test_a_real_swipe_on_another_reader_is_answered_after_a_flood(
    two_readers: KioskSetup,
) -> None:
    app = make_app(two_readers)
    shown = _record_answers(app)
    async with app.run_test(size=(120, 30)) as pilot:
        left, right = app.readers
        assert isinstance(left, QueueReader) and isinstance(right, QueueReader)
        _flood(left)
        right.push(ALEX_CARD)
        await wait_until(pilot, lambda: ALEX in shown)  # hooks run once it is rendered
        # answered next or nearly (behind at most the flood's first few answers, which a slow
        # machine may show while Alex's swipe waits its turn): not behind all of them
        assert shown.index(ALEX) <= 3, shown
        dropped = app.swipe_limiter.dropped("left")
        assert dropped >= FLOOD - 50
        # the flood is on the status line, with its count, while it lasts
        await wait_until(pilot, lambda: "left: flooding" in screen_text(app))
        assert "right: connected" in screen_text(app)
        await open_staff_screen(pilot, "status", StatusScreen)
        text = screen_text(app)
        assert "flooding since" in text
        assert f"{dropped:,} swipes dropped" in text
    # only the admitted swipes were checked: the flood's unknown card recorded nothing
    assert _check_ins(two_readers) == [("901234567", "right")]


async def test_the_flooding_reader_answers_a_real_swipe_once_it_takes_swipes_again(
    two_readers: KioskSetup,
) -> None:
    app = make_app(two_readers)
    shown = _record_answers(app)
    async with app.run_test(size=(120, 30)) as pilot:
        left = app.readers[0]
        assert isinstance(left, QueueReader)
        _flood(left)
        await wait_until(pilot, lambda: app.swipe_limiter.dropped("left") >= FLOOD - 50)
        # a token comes back within half a second of the flood's end
        await wait_until(pilot, lambda: app.swipe_limiter.would_admit("left", time.monotonic()))
        left.push(ALEX_CARD)
        await wait_until(pilot, lambda: ALEX in shown)  # hooks run once it is rendered
        # the flood's waiting answers were coalesced to their newest, not queued for hours
        assert shown.index(ALEX) <= 2, shown
        skipped = app.student_screen.skipped["left"]
        assert skipped >= 3
        await open_staff_screen(pilot, "status", StatusScreen)
        assert f"{skipped:,} answers not shown on the student screen" in screen_text(app)
    assert _check_ins(two_readers) == [("901234567", "left")]


async def test_a_dropped_swipe_is_never_checked_in_nor_shown(two_readers: KioskSetup) -> None:
    """A student's real card in the middle of a flood on the same reader: dropped, so no
    check-in is recorded and no answer claims one."""
    app = make_app(two_readers)
    shown = _record_answers(app)
    async with app.run_test(size=(120, 30)) as pilot:
        left = app.readers[0]
        assert isinstance(left, QueueReader)
        _flood(left)
        left.push(ALEX_CARD)  # the bucket is empty: dropped
        _flood(left)
        await wait_until(pilot, lambda: app.swipe_limiter.dropped("left") >= 2 * FLOOD - 50)
        await wait_until(pilot, lambda: len(shown) >= 1 and not app.student_screen.pending_count)
        assert ALEX not in shown
    assert _check_ins(two_readers) == []


# --- a real serial flood over a pty ------------------------------------------------------


@pytest.fixture
def ptys(tmp_path: Path) -> Iterator[tuple[SimulatedReader, SimulatedReader]]:
    pair = (SimulatedReader(tmp_path / "ttyFLOOD"), SimulatedReader(tmp_path / "ttyDESK"))
    yield pair
    for simulated in pair:
        for fd in (simulated.master, simulated.slave):
            with contextlib.suppress(OSError):
                os.close(fd)


def _frame(text: str) -> bytes:
    """A MagTek-style serial frame: STX, the card data, ETX, CR."""
    return b"\x02" + text.encode("ascii") + b"\x03\r"


async def test_a_serial_flood_of_10000_lines_then_a_real_card_on_another_reader(
    kiosk_setup: KioskSetup, ptys: tuple[SimulatedReader, SimulatedReader]
) -> None:
    flood_pty, desk_pty = ptys
    readers = [
        open_reader(f"serial:{flood_pty.link}", name="flood"),
        open_reader(f"serial:{desk_pty.link}", name="desk"),
    ]
    assert all(isinstance(reader, SerialReader) for reader in readers)
    kiosk_setup.readers = readers
    kiosk_setup.min_result_seconds = 1.0
    app = make_app(kiosk_setup)
    shown = _record_answers(app)
    async with app.run_test(size=(120, 30)) as pilot:
        await wait_until(pilot, lambda: all(r.status.state == "connected" for r in readers))
        flood = _frame(UNKNOWN_CARD) * FLOOD
        # written from a thread: the pty holds a few kilobytes, the kiosk drains the rest
        await asyncio.to_thread(os.write, flood_pty.master, flood)
        desk_pty.write(_frame(ALEX_CARD))
        await wait_until(pilot, lambda: ALEX in shown)  # hooks run once it is rendered
        assert shown.index(ALEX) <= 3, shown  # as above: not behind the flood's answers
        # every flood line was a swipe, and nearly all of them were dropped
        await wait_until(pilot, lambda: app.swipe_limiter.dropped("flood") >= FLOOD - 100)
        episode = app.swipe_limiter.episode("flood")
        assert episode is not None and episode.dropped == app.swipe_limiter.dropped("flood")
        assert app.swipe_limiter.episode("desk") is None
    assert _check_ins(kiosk_setup) == [("901234567", "desk")]
