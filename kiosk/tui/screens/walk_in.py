"""Register an unknown card as a walk-in: name and email, checked in for staff to reconcile.
A manual check-in: ``manual_checkin`` decides whether a staff member confirms it first."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Button, Input, Static

from kiosk.errors import UserError
from kiosk.text_safety import safe_input_pattern
from kiosk.tui.screens.base import StudentFacingScreen
from kiosk.tui.screens.staff_confirm import staff_confirmation


class WalkInScreen(StudentFacingScreen):
    def __init__(self, card_id: str | None) -> None:
        super().__init__()
        self._card_id = card_id  # never displayed

    def compose(self) -> ComposeResult:
        with Vertical(classes="student-form"):
            yield Static("Register as a walk-in", classes="form-title")
            # restrict: a paste holding ESC or a bidi override is refused, never shown
            yield Input(
                placeholder="your full name", id="walk-in-name", restrict=safe_input_pattern()
            )
            yield Input(placeholder="your email", id="walk-in-email", restrict=safe_input_pattern())
            yield Static("", markup=False, id="walk-in-error", classes="form-error")
            yield Button("Register and check in", id="walk-in-submit", variant="success")
            yield Static("Escape to go back.", classes="form-hint")

    def on_mount(self) -> None:
        self.query_one("#walk-in-name", Input).focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id == "walk-in-name":
            self.query_one("#walk-in-email", Input).focus()
        else:
            self._start_submit()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "walk-in-submit":
            self._start_submit()

    def _start_submit(self) -> None:
        # A worker: under "staff-confirm" it waits for the staff member's confirmation.
        self.run_worker(self.submit(), group="walk-in", exclusive=True)

    async def submit(self) -> None:
        name = self.query_one("#walk-in-name", Input).value.strip()
        email = self.query_one("#walk-in-email", Input).value.strip()
        error = self.query_one("#walk-in-error", Static)
        if not name or not email:
            error.update("Please type your name and your email.")
            self.query_one("#walk-in-name" if not name else "#walk-in-email", Input).focus()
            return
        desk = self.app.desk
        go_on, confirmed_by = await staff_confirmation(self.app, desk.manual_checkin)
        if not go_on:
            return
        try:
            outcome = await desk.walk_in(name, email, self._card_id, confirmed_by)
        except UserError as exc:
            error.update(str(exc))
            return
        self.app.show_outcome(outcome)
