"""Staff: write this event's check-ins to a CSV file (Handshake attendees import or full)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, Input, Select, Static

from kiosk.errors import UserError
from kiosk.export import EXPORT_FORMATS, ExportSummary, export_checkins
from kiosk.paths import data_dir
from kiosk.tui.screens.base import StaffScreen


def default_export_path(event_id: int, fmt: str) -> Path:
    return data_dir() / f"checkins-event{event_id}-{fmt}-{date.today():%Y%m%d}.csv"


def walk_ins_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}-walk-ins{path.suffix}")


def write_export(engine: object, event_id: int, fmt: str, path: Path) -> ExportSummary:
    """The export in ``path`` (and walk-ins beside it for handshake); nothing left on error."""
    from sqlalchemy.engine import Engine

    assert isinstance(engine, Engine)
    partial = path.with_name(f".{path.name}.partial")
    partial_walk_ins = walk_ins_path(partial)
    try:
        with partial.open("w", newline="", encoding="utf-8") as out:
            if fmt == "handshake":
                with partial_walk_ins.open("w", newline="", encoding="utf-8") as walk_ins:
                    summary = export_checkins(
                        engine, event_id, "handshake", out, walk_ins_out=walk_ins
                    )
            else:
                summary = export_checkins(engine, event_id, "full", out)
    except OSError as exc:
        raise UserError(
            f"Cannot write {path} ({exc.strerror}); choose a folder the kiosk may write to."
        ) from None
    except BaseException:
        partial.unlink(missing_ok=True)
        partial_walk_ins.unlink(missing_ok=True)
        raise
    partial.replace(path)
    if partial_walk_ins.exists():
        if summary.unmatched_walk_ins:
            partial_walk_ins.replace(walk_ins_path(path))
        else:
            partial_walk_ins.unlink()
    return summary


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
                write_export, self.app.setup.engine, self.app.event.id, fmt, path
            )
        except UserError as exc:
            message.update(str(exc))
            return
        text = f"Wrote {summary.rows} row(s) to {path}."
        if summary.unmatched_walk_ins:
            text += (
                f" {summary.unmatched_walk_ins} walk-in(s) without a roster email are in "
                f"{walk_ins_path(path)}."
            )
        message.update(text)
