"""Staff: who may check in without a card (``manual_checkin``), and how many did."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from kiosk.checkin.manual import DESCRIPTIONS, MANUAL_CHECKIN_MODES, manual_summary, validate_mode
from kiosk.errors import DatabaseUnavailable
from kiosk.tui.screens.base import StaffScreen

LASTS_UNTIL_RESTART = (
    "A change here lasts until the kiosk restarts; manual_checkin in kiosk.toml sets it for good."
)


class ManualCheckinScreen(StaffScreen):
    TITLE_TEXT = "manual check-in (username, email, walk-in)"

    def compose_body(self) -> ComposeResult:
        yield Static("", markup=False, id="manual-summary", classes="staff-help")
        yield OptionList(*self._options(), id="manual-modes")
        yield Static(LASTS_UNTIL_RESTART, markup=False, id="manual-message", classes="staff-help")

    def _options(self) -> list[Option]:
        current = self.app.desk.manual_checkin
        return [
            Option(f"{'●' if mode == current else '○'} {mode}: {DESCRIPTIONS[mode]}", id=mode)
            for mode in MANUAL_CHECKIN_MODES
        ]

    async def on_mount(self) -> None:
        modes = self.query_one("#manual-modes", OptionList)
        modes.highlighted = MANUAL_CHECKIN_MODES.index(self.app.desk.manual_checkin)
        modes.focus()
        summary = self.query_one("#manual-summary", Static)
        try:
            counts = await self.app.desk.manual_counts()
        except DatabaseUnavailable:
            summary.update("Manual check-ins cannot be counted now: the database is unavailable.")
            return
        summary.update(f"{self.app.desk.event.name}: {manual_summary(counts)}.")

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        mode = validate_mode(event.option.id)
        self.app.desk.set_manual_checkin(mode)
        modes = self.query_one("#manual-modes", OptionList)
        modes.clear_options()
        modes.add_options(self._options())
        modes.highlighted = MANUAL_CHECKIN_MODES.index(mode)
        self.query_one("#manual-message", Static).update(
            f"Manual check-in is now {mode!r} on this kiosk. {LASTS_UNTIL_RESTART}"
        )
