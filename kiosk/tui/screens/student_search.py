"""Staff: find a student by name, username or email, and check them in from the result.

Typing searches as you go (kiosk.checkin.search through the desk: accents, case, word order
and small typos do not matter). Results show full names, emails, year and major (staff only)
and whether the student is already checked in. Enter on a row checks them in: method
``manual``, recorded as done by staff ("staff PIN at kiosk front"), under ``manual_checkin``
("off" refuses; staff mode's own PIN or card is the confirmation "staff-confirm" asks for).
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.timer import Timer
from textual.widgets import DataTable, Input, Static

from kiosk.desk import FoundStudent
from kiosk.errors import UserError
from kiosk.text_safety import safe_input_pattern
from kiosk.tui.screens.base import StaffScreen

TYPING_PAUSE_S = 0.25  # search once typing pauses this long


class StudentSearchScreen(StaffScreen):
    TITLE_TEXT = "find a student"

    def __init__(self) -> None:
        super().__init__()
        self._found: dict[str, FoundStudent] = {}
        self._pending: Timer | None = None
        self._searched = False

    def compose_body(self) -> ComposeResult:
        yield Static(
            "Type a name, username or email; Enter on a result checks the student in.",
            classes="staff-help",
        )
        yield Input(placeholder="e.g. zoe nunez", id="search-query", restrict=safe_input_pattern())
        yield DataTable(id="search-results", cursor_type="row")
        yield Static("", markup=False, id="search-message", classes="form-error")

    def on_mount(self) -> None:
        table = self.query_one("#search-results", DataTable)
        table.add_columns("name", "username", "email", "year", "major", "")
        self.query_one("#search-query", Input).focus()
        self.run_worker(self._prepare(), group="search")

    async def _prepare(self) -> None:
        """Fold the roster while staff start typing (searches wait for it)."""
        message = self.query_one("#search-message", Static)
        message.update("Reading the roster…")
        try:
            count = await self.app.desk.prepare_search()
        except UserError as error:
            message.update(str(error))
            return
        if not self._searched:  # a search's own answer stays
            message.update(f"{count:,} students on the roster.")

    def on_input_changed(self, event: Input.Changed) -> None:
        if self._pending is not None:
            self._pending.stop()
        self._pending = self.set_timer(TYPING_PAUSE_S, self._search_now)

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if self._pending is not None:
            self._pending.stop()
        self._search_now()
        self.query_one("#search-results", DataTable).focus()

    def _search_now(self) -> None:
        self._pending = None
        query = self.query_one("#search-query", Input).value
        self.run_worker(self._search(query), group="search", exclusive=True)

    async def _search(self, query: str) -> None:
        message = self.query_one("#search-message", Static)
        self._searched = True
        if not query.strip():
            self._show([])
            message.update("")
            return
        message.update("Searching…")
        try:
            found = await self.app.desk.search_students(query)
        except UserError as error:
            message.update(str(error))
            return
        self._show(found)
        message.update(f"{len(found)} found." if found else "Nobody matches that.")

    def _show(self, found: list[FoundStudent]) -> None:
        table = self.query_one("#search-results", DataTable)
        table.clear()
        self._found = {}
        for line in found:
            student = line.hit.student
            key = str(student.id)
            self._found[key] = line
            table.add_row(
                student.full_name,
                student.username,
                student.email,
                student.school_year or "",
                student.major or "",
                _state(line),
                key=key,
            )

    async def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        line = self._found.get(str(event.row_key.value))
        if line is None:
            return
        if self._pending is not None:  # a search still to come must not overwrite the answer
            self._pending.stop()
        self.workers.cancel_group(self, "search")
        message = self.query_one("#search-message", Static)
        name = line.hit.student.full_name
        try:
            outcome = await self.app.desk.staff_check_in(
                line.hit.student.id, self.app.staff_confirmation
            )
        except UserError as error:
            message.update(str(error))
            return
        if outcome.kind == "checked_in":
            text = f"Checked in: {name}."
        elif outcome.kind == "already":
            text = f"{name} was already checked in: {outcome.message}."
        else:
            note = f" ({outcome.staff_note})" if outcome.staff_note else ""
            text = f"{name} was not checked in: {outcome.message}{note}."
        self.app.refresh_count()
        await self._search(self.query_one("#search-query", Input).value)  # the new state
        message.update(text)


def _state(line: FoundStudent) -> str:
    parts = []
    if line.checked_in_at is not None:
        parts.append(f"checked in {line.checked_in_at.astimezone():%H:%M}")
    if line.hit.student.archived:
        parts.append("archived")
    return ", ".join(parts)
