"""``kiosk run --reader SPEC``: the status line names each reader after its device."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from drivers.readers import open_reader
from kiosk.config import readers_from_specs
from kiosk.tui.app import make_app
from kiosk.tui.setup import KioskSetup
from tests.tui.conftest import screen_text, wait_until


async def test_missing_command_line_readers_are_named_after_their_devices(
    kiosk_setup: KioskSetup, tmp_path: Path
) -> None:
    specs = [
        f"serial:{tmp_path}/ttyUSB7?baud=9600",
        f"hid:{tmp_path}/usb-Mag-Tek_USB_Swipe_Reader-event-kbd",
        f"serial:{tmp_path}/ttyUSB7",
    ]
    configs = readers_from_specs(specs)
    readers = [open_reader(c.spec, c.name, **c.options) for c in configs]
    app = make_app(replace(kiosk_setup, readers=readers))
    async with app.run_test(size=(140, 30)) as pilot:
        await wait_until(
            pilot,
            lambda: (
                "● ttyUSB7: missing   ● Mag-Tek_USB_Swipe_Reader: missing   ● ttyUSB7-2: missing"
                in screen_text(app)
            ),
        )
        assert "reader1" not in screen_text(app)
