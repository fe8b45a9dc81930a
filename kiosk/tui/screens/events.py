"""Staff: choose the event students check in to, create one, rename or delete one.

Rename and Delete act on the highlighted row. Delete asks once more ("Delete again to
confirm"); then the event's check-ins, if any, are saved to a file first (the screen says
where), as ``kiosk events delete --force`` does. The event in use cannot be deleted.
"""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.coordinate import Coordinate
from textual.widgets import Button, DataTable, Input, Select, Static

from kiosk.checkin.events import EVENT_KINDS
from kiosk.desk import Event
from kiosk.errors import DatabaseUnavailable, UserError
from kiosk.text_safety import safe_input_pattern
from kiosk.tui.screens.base import StaffScreen

_FORM_FIELDS = ("event-name-input", "event-date-input", "event-handshake-input")
#: Fair mode with the shared database out of reach: the list is the replica's.
OFFLINE_COUNTS = (
    "The shared database cannot be reached: this is the kiosk's copy of the events, and only "
    "the event in use has a count (— : not known here until the network returns)."
)


class EventsScreen(StaffScreen):
    TITLE_TEXT = "events"

    def __init__(self) -> None:
        super().__init__()
        self._events: dict[str, Event] = {}
        self._counts: dict[str, int | None] = {}
        self._delete_pending: str | None = None  # the row Delete was pressed on once

    def compose_body(self) -> ComposeResult:
        yield Static("Enter on an event to check students in to it.", classes="staff-help")
        yield DataTable(id="events-table", cursor_type="row")
        with Horizontal(classes="form-row", id="event-actions"):
            yield Input(
                placeholder="new name for the highlighted event",
                id="event-rename-input",
                restrict=safe_input_pattern(),
            )
            yield Button("Rename", id="event-rename")
            yield Button("Delete", id="event-delete", variant="error")
        with Vertical(id="event-form", classes="staff-form"):
            yield Static("New event", classes="form-title")
            with Horizontal(classes="form-row"):
                yield Input(
                    placeholder="name", id="event-name-input", restrict=safe_input_pattern()
                )  # no pasted ESC is shown
                yield Input(placeholder="date YYYY-MM-DD (optional)", id="event-date-input")
            with Horizontal(classes="form-row"):
                yield Select(
                    [(kind, kind) for kind in EVENT_KINDS],
                    value=EVENT_KINDS[0],
                    allow_blank=False,
                    id="event-kind-select",
                )
                yield Input(placeholder="Handshake id (optional)", id="event-handshake-input")
                yield Button("Create and use", id="event-create", variant="primary")
            yield Static("", markup=False, id="event-message", classes="form-error")

    async def on_mount(self) -> None:
        table = self.query_one("#events-table", DataTable)
        table.add_columns("id", "name", "date", "kind", "Handshake id", "checked in", "")
        await self.reload()
        table.focus()

    async def reload(self) -> None:
        try:
            lines = await self.app.desk.events()
        except DatabaseUnavailable as error:  # the list on screen stays
            self._say(str(error))
            return
        if any(line.live_check_ins is None for line in lines):
            self._say(OFFLINE_COUNTS)
        table = self.query_one("#events-table", DataTable)
        table.clear()
        self._events = {}
        self._counts = {}
        for line in lines:
            event = line.event
            key = str(event.id)
            self._events[key] = event
            self._counts[key] = line.live_check_ins
            current = "← in use" if event.id == self.app.desk.event.id else ""
            table.add_row(
                key,
                event.name,
                event.date or "",
                event.kind,
                event.handshake_id or "",
                "—" if line.live_check_ins is None else str(line.live_check_ins),
                current,
                key=key,
            )

    async def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        chosen = self._events.get(str(event.row_key.value))
        if chosen is not None:
            await self.use(chosen)

    async def use(self, event: Event) -> None:
        try:
            await self.app.switch_event(event)
        except UserError as exc:  # the event is gone, or the replica cannot be read
            self._say(str(exc))
            return
        await self.reload()
        self._say(f"Now checking in to: {event.name}")

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "event-create":
            await self.create()
        elif event.button.id == "event-rename":
            await self.rename()
        elif event.button.id == "event-delete":
            await self.delete()

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the name, date or Handshake-id field creates the event, as the button does;
        Enter in the new-name field renames the highlighted event."""
        if event.input.id in _FORM_FIELDS:
            await self.create()
        elif event.input.id == "event-rename-input":
            await self.rename()

    def on_data_table_row_highlighted(self, event: DataTable.RowHighlighted) -> None:
        self._cancel_delete()

    def _say(self, text: str) -> None:
        self.query_one("#event-message", Static).update(text)

    def _highlighted(self) -> tuple[str, Event] | None:
        """The highlighted row's key and event (None: no events, or none highlighted)."""
        table = self.query_one("#events-table", DataTable)
        if not table.row_count:
            return None
        row_key = table.coordinate_to_cell_key(Coordinate(table.cursor_row, 0)).row_key
        key = str(row_key.value)
        event = self._events.get(key)
        return None if event is None else (key, event)

    async def rename(self) -> None:
        chosen = self._highlighted()
        if chosen is None:
            self._say("There is no event to rename; create one first.")
            return
        key, event = chosen
        field = self.query_one("#event-rename-input", Input)
        assert event.id is not None
        try:
            renamed = await self.app.desk.rename_event(event.id, field.value)
        except UserError as exc:
            self._say(str(exc))
            return
        field.value = ""
        if renamed.id == self.app.desk.event.id:
            self.app.student_screen.set_event_name(renamed.name)
        await self.reload()
        self._move_to(key)
        self._say(f"Event {renamed.id} is now called {renamed.name!r}.")

    async def delete(self) -> None:
        chosen = self._highlighted()
        if chosen is None:
            self._say("There is no event to delete.")
            return
        key, event = chosen
        assert event.id is not None
        if event.id != self.app.desk.event.id and self._delete_pending != key:
            self._ask_to_confirm(key, event)  # the event in use: the desk refuses it
            return
        self._cancel_delete()
        try:
            deleted = await self.app.desk.delete_event(event.id)
        except UserError as exc:
            self._say(str(exc))
            return
        await self.reload()
        message = f"Deleted event {deleted.id} ({deleted.name})."
        if deleted.export is not None:
            message += f" Its {deleted.check_ins} check-in(s) were first saved to {deleted.export}"
        self._say(message)

    def _ask_to_confirm(self, key: str, event: Event) -> None:
        self._delete_pending = key
        self.query_one("#event-delete", Button).label = "Delete: sure?"
        count = self._counts.get(key)
        saved = f" Its {count} check-in(s) are saved to a file first." if count else ""
        self._say(
            f"Delete the event {event.name!r} (id {event.id})?{saved} "
            "Press Delete again to confirm."
        )

    def _cancel_delete(self) -> None:
        if self._delete_pending is not None:
            self._delete_pending = None
            self.query_one("#event-delete", Button).label = "Delete"

    def _move_to(self, key: str) -> None:
        table = self.query_one("#events-table", DataTable)
        if key in self._events:
            table.move_cursor(row=table.get_row_index(key))

    async def create(self) -> None:
        kind = self.query_one("#event-kind-select", Select).value
        try:
            created = await self.app.desk.create_event(
                self.query_one("#event-name-input", Input).value,
                self.query_one("#event-date-input", Input).value.strip() or None,
                str(kind),
                self.query_one("#event-handshake-input", Input).value.strip() or None,
            )
        except UserError as exc:
            self.query_one("#event-message", Static).update(str(exc))
            return
        for field in _FORM_FIELDS:
            self.query_one(f"#{field}", Input).value = ""
        await self.use(created)
