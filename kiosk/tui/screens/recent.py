"""Staff: the newest check-ins of this event (with the time each student checked out, for an
event with check-out); undo a mistaken one (the undo is recorded); print a name tag again
(p), e.g. after the printer ran out of paper."""

from __future__ import annotations

from datetime import datetime

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from kiosk.checkin import CheckInRow
from kiosk.errors import UserError
from kiosk.tui.screens.base import StaffScreen

RECENT_LIMIT = 50


def _clock(moment: datetime | None) -> str:
    """A check-in's or check-out's local time of day ("" for none)."""
    return "" if moment is None else moment.astimezone().strftime("%H:%M:%S")


class RecentScreen(StaffScreen):
    TITLE_TEXT = "recent check-ins"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("u", "undo", "Undo selected"),
        Binding("r", "reload", "Refresh"),
        Binding("p", "reprint", "Print name tag again"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self._rows: dict[str, CheckInRow] = {}
        self._armed: str | None = None

    def compose_body(self) -> ComposeResult:
        yield Static("", markup=False, id="recent-summary", classes="staff-help")
        yield DataTable(id="recent-table", cursor_type="row")
        yield Static("", markup=False, id="recent-message", classes="form-error")

    async def on_mount(self) -> None:
        table = self.query_one("#recent-table", DataTable)
        table.add_columns("time", *(("out",) if self._checks_out() else ()), "name", "username",
                          "email", "method", "reader", "note")
        await self.action_reload()
        table.focus()

    async def action_reload(self) -> None:
        desk = self.app.desk
        rows = await desk.recent(RECENT_LIMIT)
        count = await desk.live_count()
        table = self.query_one("#recent-table", DataTable)
        table.clear()
        self._rows = {}
        out = self._checks_out()
        for row in rows:
            key = str(row.id)
            self._rows[key] = row
            table.add_row(
                _clock(row.checked_in_at),
                *((_clock(row.checked_out_at),) if out else ()),
                row.full_name,  # staff see full names; the student screen keeps "Alex T."
                row.username or "",
                row.email or "",
                row.method,
                row.reader or "",
                row.note or "",
                key=key,
            )
        summary = (
            f"{desk.event.name}: {count} checked in. Select a row and press u twice to undo it."
        )
        if desk.nametag_label:
            summary += f"\n{desk.nametag_status()} p prints the selected row's tag again."
        self.query_one("#recent-summary", Static).update(summary)

    def _checks_out(self) -> bool:
        return self.app.desk.event.checkout_after_minutes is not None

    def action_reprint(self) -> None:
        row = self._selected()
        if row is None:
            return
        message = self.query_one("#recent-message", Static)
        try:
            message.update(self.app.desk.reprint_nametag(row.id))
        except UserError as exc:
            message.update(str(exc))

    def _selected(self) -> CheckInRow | None:
        table = self.query_one("#recent-table", DataTable)
        if not self._rows:
            return None
        key = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        return self._rows.get(key)

    async def action_undo(self) -> None:
        table = self.query_one("#recent-table", DataTable)
        if not self._rows:
            return
        key = str(table.coordinate_to_cell_key(table.cursor_coordinate).row_key.value)
        row = self._rows.get(key)
        if row is None:
            return
        message = self.query_one("#recent-message", Static)
        if self._armed != key:
            self._armed = key
            message.update(f"Press u again to undo {row.full_name}'s check-in.")
            return
        self._armed = None
        try:
            await self.app.desk.undo(row.id, "staff")
        except UserError as exc:
            message.update(str(exc))
            return
        message.update(f"Undone: {row.full_name}'s check-in is out of the count and the exports.")
        await self.action_reload()
        self.app.refresh_count()
