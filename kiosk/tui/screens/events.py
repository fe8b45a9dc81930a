"""Staff: choose the event students check in to, or create one."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Button, DataTable, Input, Select, Static

from kiosk.checkin.events import EVENT_KINDS
from kiosk.desk import Event
from kiosk.errors import UserError
from kiosk.text_safety import safe_input_pattern
from kiosk.tui.screens.base import StaffScreen

_FORM_FIELDS = ("event-name-input", "event-date-input", "event-handshake-input")


class EventsScreen(StaffScreen):
    TITLE_TEXT = "events"

    def __init__(self) -> None:
        super().__init__()
        self._events: dict[str, Event] = {}

    def compose_body(self) -> ComposeResult:
        yield Static("Enter on an event to check students in to it.", classes="staff-help")
        yield DataTable(id="events-table", cursor_type="row")
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
        lines = await self.app.desk.events()
        table = self.query_one("#events-table", DataTable)
        table.clear()
        self._events = {}
        for line in lines:
            event = line.event
            key = str(event.id)
            self._events[key] = event
            current = "← in use" if event.id == self.app.desk.event.id else ""
            table.add_row(
                key,
                event.name,
                event.date or "",
                event.kind,
                event.handshake_id or "",
                str(line.live_check_ins),
                current,
                key=key,
            )

    async def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        chosen = self._events.get(str(event.row_key.value))
        if chosen is not None:
            await self.use(chosen)

    async def use(self, event: Event) -> None:
        await self.app.switch_event(event)
        self.query_one("#event-message", Static).update(f"Now checking in to: {event.name}")
        await self.reload()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "event-create":
            await self.create()

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the name, date or Handshake-id field creates the event, as the button does."""
        if event.input.id in _FORM_FIELDS:
            await self.create()

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
