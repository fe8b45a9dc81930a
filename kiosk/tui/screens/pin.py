"""The staff PIN prompt. Wrong PINs slow down (the PinGate's delay runs in a thread)."""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import ModalScreen
from textual.widgets import Input, Static

from kiosk.staff import PinGate

if TYPE_CHECKING:
    from kiosk.tui.app import KioskApp


class PinScreen(ModalScreen[bool]):
    app: KioskApp
    BINDINGS = [Binding("escape", "cancel", "Cancel")]

    def compose(self) -> ComposeResult:
        with Vertical(id="pin-dialog"):
            yield Static("Staff PIN", classes="form-title")
            yield Input(password=True, id="pin-input", placeholder="PIN")
            yield Static(
                "Enter to open staff mode, Escape to cancel.", markup=False, id="pin-message"
            )

    def on_mount(self) -> None:
        self._gate = PinGate(self.app.setup.engine)
        self.query_one("#pin-input", Input).focus()

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        pin = event.value
        event.input.value = ""
        if not pin:
            return
        event.input.disabled = True
        message = self.query_one("#pin-message", Static)
        message.update("Checking…")
        check = await asyncio.to_thread(self._gate.check, pin)
        if check.ok:
            self.dismiss(True)
            return
        event.input.disabled = False
        event.input.focus()
        message.update(f"{check.message}. Escape to cancel.")

    def action_cancel(self) -> None:
        self.dismiss(False)
