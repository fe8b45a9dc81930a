"""A kiosk whose card reader is not connected says so on the student screen (issue 13.11),
and clears it by itself when the reader comes back. A real serial reader on a pty pair whose
tty goes away (USB unplugged) and comes back, through Pilot."""

from __future__ import annotations

import contextlib
import os
from dataclasses import replace
from pathlib import Path

from drivers.readers import open_reader
from drivers.serialport import SerialReader
from kiosk.tui.app import make_app
from kiosk.tui.presentation import NO_READER
from kiosk.tui.setup import KioskSetup
from tests.drivers.test_serial import SimulatedReader
from tests.tui.conftest import ALEX_CARD, screen_text, showing, wait_until


def _serial_setup(setup: KioskSetup, link: Path) -> tuple[KioskSetup, SerialReader]:
    reader = open_reader(f"serial:{link}?gap=0.1", name="desk")
    assert isinstance(reader, SerialReader)
    reader.rescan_interval = 0.1
    return replace(setup, readers=[reader]), reader


async def test_an_unplugged_reader_is_said_plainly_and_clears_when_it_returns(
    kiosk_setup: KioskSetup, tmp_path: Path
) -> None:
    link = tmp_path / "ttyUSB-reader"
    first = SimulatedReader(link)
    setup, reader = _serial_setup(kiosk_setup, link)
    app = make_app(setup)
    second: SimulatedReader | None = None
    try:
        async with app.run_test(size=(100, 30)) as pilot:
            await wait_until(pilot, lambda: reader.status.state == "connected")
            await wait_until(pilot, lambda: "Swipe your student ID" in screen_text(app))
            assert NO_READER not in screen_text(app)

            first.vanish()  # unplugged
            await wait_until(pilot, lambda: NO_READER in screen_text(app))
            assert "Swipe your student ID" not in screen_text(app)
            prompt = app.student_screen.query_one("#swipe-prompt")
            assert prompt.has_class("no-reader-red")

            second = SimulatedReader(link)  # plugged in again
            await wait_until(pilot, lambda: "Swipe your student ID" in screen_text(app))
            assert NO_READER not in screen_text(app)
            assert not prompt.has_class("no-reader-red")
            second.write(ALEX_CARD + "\r")  # and it reads again
            await wait_until(pilot, lambda: showing(app, "checked_in"))
    finally:
        for fd in (first.master, first.slave) + (
            (second.master, second.slave) if second else ()
        ):
            with contextlib.suppress(OSError):
                os.close(fd)


async def test_a_reader_missing_from_the_start_is_said_plainly(
    kiosk_setup: KioskSetup, tmp_path: Path
) -> None:
    setup, reader = _serial_setup(kiosk_setup, tmp_path / "ttyUSB-nothing")
    app = make_app(setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: reader.status.state == "missing")
        await wait_until(pilot, lambda: NO_READER in screen_text(app))
        assert "Swipe your student ID" not in screen_text(app)


async def test_one_connected_reader_of_two_is_enough(
    kiosk_setup: KioskSetup, tmp_path: Path
) -> None:
    setup, missing = _serial_setup(kiosk_setup, tmp_path / "ttyUSB-nothing")
    setup = replace(setup, readers=[*kiosk_setup.readers, missing])
    app = make_app(setup)
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: missing.status.state == "missing")
        await wait_until(pilot, lambda: "desk: missing" in screen_text(app))
        assert "Swipe your student ID" in screen_text(app)
        assert NO_READER not in screen_text(app)
