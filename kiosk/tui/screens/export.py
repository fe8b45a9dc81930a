"""Staff: write this event's check-ins to a CSV file (Handshake attendees import or full).

The Handshake attendees import needs the event's Handshake id: the screen shows it in a field
(empty when the event has none yet), and what staff type there is saved to the event when
they export in that format.
"""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Checkbox, Input, Label, Select, Static

from kiosk.checkin.export import EXPORT_FORMATS
from kiosk.errors import UserError
from kiosk.tui.screens.base import StaffScreen

NO_HANDSHAKE_ID = (
    "Handshake's attendees import needs this event's Handshake id: type it in the Handshake id "
    "field (the digits at the end of the event's Handshake URL), or choose the full format."
)


class ExportScreen(StaffScreen):
    TITLE_TEXT = "export check-ins"
    DEFAULT_CSS = """
    ExportScreen .form-label {
        width: auto;
        padding: 1 1 0 1;
    }
    """

    def compose_body(self) -> ComposeResult:
        with Vertical(classes="staff-form"):
            with Horizontal(classes="form-row"):
                yield Select(
                    [(fmt, fmt) for fmt in EXPORT_FORMATS],
                    value="handshake",
                    allow_blank=False,
                    id="export-format",
                )
                yield Input(id="export-path")
                yield Button("Export", id="export-go", variant="primary")
            with Horizontal(classes="form-row", id="export-handshake-row"):
                yield Label("Handshake id", classes="form-label")
                yield Input(
                    placeholder="the digits at the end of the event's Handshake URL",
                    id="export-handshake-id",
                )
                yield Checkbox("include no-shows (registered, never came)", id="export-no-shows")
            yield Static("", markup=False, id="export-message")

    async def on_mount(self) -> None:
        self._suggest_path("handshake")
        # from the database, not the desk's copy: the CLI may have set it since the kiosk started
        try:
            event = await self.app.desk.fresh_event()
        except UserError as error:  # the desk's copy is shown instead
            self.query_one("#export-message", Static).update(str(error))
            event = self.app.desk.event
        self.query_one("#export-handshake-id", Input).value = event.handshake_id or ""

    def _suggest_path(self, fmt: str) -> None:
        self.query_one("#export-path", Input).value = str(self.app.desk.default_export_path(fmt))

    def on_select_changed(self, event: Select.Changed) -> None:
        fmt = str(event.value)
        self._suggest_path(fmt)
        self.query_one("#export-handshake-row").display = fmt == "handshake"

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export-go":
            await self.export()

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the path or Handshake id field exports, as the button does."""
        if event.input.id in ("export-path", "export-handshake-id"):
            await self.export()

    async def _saved_handshake_id(self) -> str | None:
        """The typed Handshake id, saved to the event when it changed; None (and the reason
        shown) when there is none or it is not a number."""
        message = self.query_one("#export-message", Static)
        field = self.query_one("#export-handshake-id", Input)
        typed = field.value.strip()
        if not typed:
            message.update(NO_HANDSHAKE_ID)
            field.focus()
            return None
        if typed != (self.app.desk.event.handshake_id or ""):
            try:
                await self.app.desk.set_handshake_id(typed)
            except UserError as exc:
                message.update(str(exc))
                field.focus()
                return None
        return typed

    async def export(self) -> None:
        fmt = str(self.query_one("#export-format", Select).value)
        path = Path(self.query_one("#export-path", Input).value.strip()).expanduser()
        message = self.query_one("#export-message", Static)
        handshake_id = None
        if fmt == "handshake":
            handshake_id = await self._saved_handshake_id()
            if handshake_id is None:
                return
        no_shows = self.query_one("#export-no-shows", Checkbox).value
        try:
            summary = await self.app.desk.export(fmt, path, handshake_id, include_no_shows=no_shows)
        except UserError as exc:
            message.update(str(exc))
            return
        text = f"Wrote {summary.rows} row(s) to {path}."
        if summary.no_shows:
            text += f" {summary.no_shows} of them are no-shows (registered, never came)."
        if summary.walk_ins_file is not None:
            text += (
                f" {summary.unmatched_walk_ins} walk-in(s) without a roster email are in "
                f"{summary.walk_ins_file}."
            )
        message.update(text)
