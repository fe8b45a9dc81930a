"""Staff: write this event's check-ins to a CSV file (Handshake attendees import or full)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Select, Static

from kiosk.errors import UserError
from kiosk.export import EXPORT_FORMATS, export_to_file
from kiosk.paths import data_dir
from kiosk.tui.screens.base import StaffScreen


def default_export_path(event_id: int, fmt: str) -> Path:
    return data_dir() / f"checkins-event{event_id}-{fmt}-{date.today():%Y%m%d}.csv"


class ExportScreen(StaffScreen):
    TITLE_TEXT = "export check-ins"

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
            yield Static("", markup=False, id="export-message")

    def on_mount(self) -> None:
        self._suggest_path("handshake")

    def _suggest_path(self, fmt: str) -> None:
        assert self.app.event.id is not None
        self.query_one("#export-path", Input).value = str(
            default_export_path(self.app.event.id, fmt)
        )

    def on_select_changed(self, event: Select.Changed) -> None:
        self._suggest_path(str(event.value))

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "export-go":
            await self.export()

    async def export(self) -> None:
        fmt = str(self.query_one("#export-format", Select).value)
        path = Path(self.query_one("#export-path", Input).value.strip()).expanduser()
        message = self.query_one("#export-message", Static)
        assert self.app.event.id is not None
        try:
            summary = await self.run_blocking(
                export_to_file, self.app.setup.engine, self.app.event.id, fmt, path
            )
        except UserError as exc:
            message.update(str(exc))
            return
        text = f"Wrote {summary.rows} row(s) to {path}."
        if summary.walk_ins_file is not None:
            text += (
                f" {summary.unmatched_walk_ins} walk-in(s) without a roster email are in "
                f"{summary.walk_ins_file}."
            )
        message.update(text)
