"""Check in by username or email. Nothing typed here ever shows another student's data:
no suggestions, and the same neutral sentence for every kind of "no match"."""

from __future__ import annotations

import asyncio

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.widgets import Input, Static

from kiosk.text_safety import safe_input_pattern
from kiosk.tui.screens.base import StudentFacingScreen


class LookupScreen(StudentFacingScreen):
    def compose(self) -> ComposeResult:
        with Vertical(classes="student-form"):
            yield Static("Check in with your username or email", classes="form-title")
            # restrict: what is typed is echoed; a paste holding ESC or a bidi override is
            # refused, never shown
            yield Input(placeholder="username or email", id="lookup-query",
                        restrict=safe_input_pattern())
            yield Static("Press Enter to check in, Escape to go back.", classes="form-hint")

    def on_mount(self) -> None:
        self.query_one("#lookup-query", Input).focus()

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        query = event.value.strip()
        if not query:
            return
        event.input.disabled = True
        service = await self.app.service_ready()
        outcome = await asyncio.to_thread(service.check_in_by_lookup, query)
        self.app.show_outcome(outcome)
