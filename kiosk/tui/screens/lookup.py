"""Check in by username or email. Nothing typed here ever shows another student's data:
no suggestions, and the same neutral sentence for every kind of "no match". Under
``manual_checkin = "staff-confirm"`` a staff member confirms before anything is looked up."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from kiosk.text_safety import safe_input_pattern
from kiosk.tui.screens.base import StudentFacingScreen
from kiosk.tui.screens.staff_confirm import staff_confirmation


class LookupScreen(StudentFacingScreen):
    def compose(self) -> ComposeResult:
        with Vertical(classes="student-form"):
            yield Static("Check in with your username or email", classes="form-title")
            # restrict: what is typed is echoed; a paste holding ESC or a bidi override is
            # refused, never shown
            yield Input(
                placeholder="username or email", id="lookup-query", restrict=safe_input_pattern()
            )
            yield Static("Press Enter to check in, Escape to go back.", classes="form-hint")

    def on_mount(self) -> None:
        self.query_one("#lookup-query", Input).focus()

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        query = event.value.strip()
        if not query or event.input.disabled:
            return
        event.input.disabled = True
        self.run_worker(self._check_in(query, event.input), group="lookup")

    async def _check_in(self, query: str, field: Input) -> None:
        desk = self.app.desk
        go_on, confirmed_by = await staff_confirmation(self.app, desk.manual_checkin)
        if not go_on:  # staff did not confirm: the student may correct or leave
            field.disabled = False
            field.focus()
            return
        outcome = await desk.lookup(query, confirmed_by)
        self.app.show_outcome(outcome)
