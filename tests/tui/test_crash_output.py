"""A crash never shows a swipe's text: not in Textual's crash report, not in the CLI's."""

from __future__ import annotations

import subprocess
import sys

import pytest

from drivers.base import Swipe
from kiosk.logs import redacted_traceback
from kiosk.tui.app import KioskApp, make_app
from kiosk.tui.setup import KioskSetup

SECRET_SWIPE = ";6009999012345675=29081200000000000?"


def _buggy_handler(swipe: Swipe) -> None:
    text = swipe.text  # a local holding the raw swipe, as real code might have
    raise RuntimeError(f"bug while handling {text}")


async def test_the_kiosk_crash_report_holds_no_swipe_text(
    kiosk_setup: KioskSetup, capfd: pytest.CaptureFixture[str]
) -> None:
    app = make_app(kiosk_setup)
    with pytest.raises(RuntimeError):
        async with app.run_test(size=(100, 30)) as pilot:
            # an uncaught bug in the app's message loop, with a swipe in its locals
            app.call_later(_buggy_handler, Swipe(text=SECRET_SWIPE, reader="left"))
            for _ in range(200):
                await pilot.pause(0.02)
    report = capfd.readouterr().err  # Textual prints its crash report to stderr on exit
    assert "RuntimeError" in report and "bug while handling" in report
    assert "6009999012345675" not in report and SECRET_SWIPE not in report


def test_redacted_traceback_has_no_locals_and_masks_numbers() -> None:
    def fail(text: str) -> None:
        raise ValueError(f"cannot use {text}")

    try:
        fail(SECRET_SWIPE)
    except ValueError as error:
        report = redacted_traceback(error)
    assert "ValueError: cannot use" in report
    assert "6009999012345675" not in report


def test_the_cli_crash_report_is_redacted() -> None:
    code = (
        "import sys\n"
        "from kiosk.logs import install_crash_redaction\n"
        "install_crash_redaction()\n"
        f"raise RuntimeError('swipe {SECRET_SWIPE}')\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 1
    assert "RuntimeError" in done.stderr and "6009999012345675" not in done.stderr


async def test_a_swipe_that_cannot_be_saved_says_so_and_the_kiosk_goes_on(
    kiosk_setup: KioskSetup,
) -> None:
    from kiosk.checkin import CheckInNotSaved
    from tests.tui.conftest import ALEX_CARD, push, showing, wait_until

    app = make_app(kiosk_setup)
    async with app.run_test(size=(100, 30), notifications=True) as pilot:
        await app.desk.ready.wait()
        service = app.desk.service
        real = service.handle_swipe
        calls = []

        def database_down_once(swipe: Swipe, client_key: str | None = None):  # type: ignore[no-untyped-def]
            calls.append(swipe.reader)
            if len(calls) == 1:
                raise CheckInNotSaved("The check-in could not be saved.")
            return real(swipe, client_key)

        service.handle_swipe = database_down_once  # type: ignore[method-assign]
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: any("was not saved" in toast for toast in _toasts(app)))
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_in"))


def _toasts(app: KioskApp) -> list[str]:
    """The text of the notifications on screen now."""
    return [str(toast.render()) for toast in app.screen.query("Toast")]
