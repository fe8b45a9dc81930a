"""The staff PIN prompt. Wrong PINs slow down: while the PinGate says to wait, the field is
off and a countdown says for how long ("Too many wrong PINs: try again in 12 s").

``PinPrompt`` is the prompt itself; ``PinScreen`` opens staff mode with it, and
``kiosk.tui.screens.staff_confirm`` uses it for a staff member to confirm a manual check-in.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable
from typing import TYPE_CHECKING, Any, TypeVar

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.timer import Timer
from textual.widgets import Input, Static

from kiosk.checkin.staff import wait_message
from kiosk.errors import DatabaseUnavailable

if TYPE_CHECKING:
    from kiosk.tui.app import KioskApp

log = logging.getLogger(__name__)

TICK_S = 0.25
DATABASE_TROUBLE = (
    "The database is unavailable, so the PIN cannot be checked now; try again in a moment."
)
T = TypeVar("T")


class PinPrompt(ModalScreen[Any]):
    """A PIN field checked by the PinGate; ``pin_accepted`` says what a right PIN does."""

    app: KioskApp
    BINDINGS = [Binding("escape", "cancel", "Cancel")]
    TITLE_TEXT = "Staff PIN"
    HINT = "Enter to open staff mode, Escape to cancel."

    def __init__(self) -> None:
        super().__init__()
        self._deadline = 0.0
        self._prefix = ""
        self._ticker: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="pin-dialog"):
            yield Static(self.TITLE_TEXT, markup=False, classes="form-title")
            yield Input(password=True, id="pin-input", placeholder="PIN")
            yield Static(self.HINT, markup=False, id="pin-message")

    def on_mount(self) -> None:
        self.query_one("#pin-input", Input).focus()
        self.run_worker(self._wait_left_from_before(), group="pin")

    async def _wait_left_from_before(self) -> None:
        """A wait still running (an earlier prompt, another kiosk, before a restart)."""
        wait = await self._ask_gate(self.app.desk.pin_retry_after())
        if wait is not None and wait > 0 and self._ticker is None:
            self._start_wait(wait)

    @property
    def waiting(self) -> bool:
        """True while the countdown runs (the field is off)."""
        return self._ticker is not None

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        pin = event.value
        event.input.value = ""
        if not pin or self.waiting:
            return
        event.input.disabled = True
        message = self.query_one("#pin-message", Static)
        message.update("Checking…")
        check = await self._ask_gate(self.app.desk.check_pin(pin))
        if check is None:
            event.input.disabled = False
            event.input.focus()
            message.update(DATABASE_TROUBLE)
            return
        if check.ok:
            self.pin_accepted()
            return
        if check.retry_after > 0:
            prefix = "Wrong PIN. " if check.message.startswith("Wrong PIN") else ""
            self._start_wait(check.retry_after, prefix)
            return
        event.input.disabled = False
        event.input.focus()
        message.update(f"{check.message}. Escape to cancel.")

    async def _ask_gate(self, question: Awaitable[T]) -> T | None:
        """The PIN gate's answer, or None when the database cannot give one (the kiosk keeps
        running; the PIN is simply not checked)."""
        try:
            return await question
        except DatabaseUnavailable:
            return None

    def _start_wait(self, wait: float, prefix: str = "") -> None:
        self._deadline = time.monotonic() + wait
        self._prefix = prefix
        self.query_one("#pin-input", Input).disabled = True
        if self._ticker is not None:
            self._ticker.stop()
        self._ticker = self.set_interval(TICK_S, self._tick)
        self._tick()

    def _tick(self) -> None:
        left = self._deadline - time.monotonic()
        message = self.query_one("#pin-message", Static)
        if left > 0:
            message.update(f"{self._prefix}{wait_message(left)}. Escape to cancel.")
            return
        if self._ticker is not None:
            self._ticker.stop()
            self._ticker = None
        pin_input = self.query_one("#pin-input", Input)
        pin_input.disabled = False
        pin_input.focus()
        message.update(f"Type the PIN again. {self.HINT}")

    def pin_accepted(self) -> None:
        raise NotImplementedError

    def action_cancel(self) -> None:
        self.dismiss(None)


class PinScreen(PinPrompt):
    """F10: the staff PIN opens staff mode (dismissed with True)."""

    def pin_accepted(self) -> None:
        self.dismiss(True)

    def action_cancel(self) -> None:
        self.dismiss(False)
