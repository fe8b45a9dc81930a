"""Staff: name tags for the current event — on which label, or off — and how printing goes
(the printer, tags printed and failed, the last failure). A failed tag is printed again from
Recent check-ins (p)."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from kiosk.errors import UserError
from kiosk.nametags.labels import LABELS
from kiosk.tui.screens.base import StaffScreen

OFF = "off"


class NametagsScreen(StaffScreen):
    TITLE_TEXT = "name tags"

    def compose_body(self) -> ComposeResult:
        yield Static("", markup=False, id="nametags-status", classes="staff-help")
        yield OptionList(*self._options(), id="nametag-labels")
        yield Static("", markup=False, id="nametags-message", classes="form-error")

    def _options(self) -> list[Option]:
        current = self.app.desk.nametag_label or OFF
        options = [
            Option(
                f"{'●' if label.name == current else '○'} {label.name}: {label.description}, "
                f"{label.size_text}",
                id=label.name,
            )
            for label in LABELS.values()
        ]
        options.append(Option(f"{'●' if current == OFF else '○'} off: no name tags", id=OFF))
        return options

    def on_mount(self) -> None:
        self.refresh_status()
        self.set_interval(1.0, self.refresh_status)
        self.query_one("#nametag-labels", OptionList).focus()

    def refresh_status(self) -> None:
        desk = self.app.desk
        label = desk.nametag_label
        head = f"{desk.event.name}: " + (
            f"a name tag on label {label} at each check-in." if label else "no name tags."
        )
        self.query_one("#nametags-status", Static).update(f"{head}\n{desk.nametag_status()}")

    async def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        choice = event.option.id
        message = self.query_one("#nametags-message", Static)
        try:
            await self.app.desk.set_nametag_label(None if choice == OFF else choice)
        except UserError as error:
            message.update(str(error))
            return
        labels = self.query_one("#nametag-labels", OptionList)
        highlighted = labels.highlighted
        labels.clear_options()
        labels.add_options(self._options())
        labels.highlighted = highlighted
        message.update(
            f"Name tags are now {choice} for {self.app.desk.event.name} (every kiosk of it)."
        )
        self.refresh_status()
