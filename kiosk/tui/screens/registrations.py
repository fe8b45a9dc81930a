"""Staff: import this event's registrants from the CSV Handshake exports for its attendees or
registrations (kiosk.checkin.registration_import), as ``kiosk registrations import`` does.

The import only adds registrants (and refreshes their match to the roster), all or nothing,
so there is no preflight: a bad file is refused with its sentence and nothing is written.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, Input, Static

from kiosk.errors import DatabaseUnavailable, UserError
from kiosk.tui.screens.base import StaffScreen


class RegistrationsScreen(StaffScreen):
    TITLE_TEXT = "import registrations"

    def compose_body(self) -> ComposeResult:
        yield Static(
            "Path of the CSV Handshake exports for this event's attendees or registrations "
            "(its email column is found by name). Registrants are added to this event.",
            classes="staff-help",
        )
        with Horizontal(classes="form-row"):
            yield Input(placeholder="/path/to/attendees.csv", id="registrations-path")
            yield Button("Import", id="registrations-go", variant="primary")
        yield Static("", markup=False, id="registrations-message")

    def on_mount(self) -> None:
        self.query_one("#registrations-path", Input).focus()

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        await self.run_import()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "registrations-go":
            await self.run_import()

    async def run_import(self) -> None:
        message = self.query_one("#registrations-message", Static)
        typed = self.query_one("#registrations-path", Input).value.strip()
        if not typed:
            message.update("Type the path of the registrations CSV first.")
            return
        message.update("Importing…")
        try:
            report = await self.app.desk.import_registrations(Path(typed).expanduser())
        except (UserError, DatabaseUnavailable) as error:
            message.update(str(error))
            return
        message.update(f"{self.app.desk.event.name}: {report.summary()}")
