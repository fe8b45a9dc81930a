"""The staff menu: every staff task one key away."""

from __future__ import annotations

from collections.abc import Callable

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import OptionList
from textual.widgets.option_list import Option

from kiosk.tui.screens.base import StaffScreen


def _screen_factories() -> dict[str, tuple[str, Callable[[], Screen[object]]]]:
    from kiosk.tui.screens.attendance import AttendanceScreen
    from kiosk.tui.screens.events import EventsScreen
    from kiosk.tui.screens.export import ExportScreen
    from kiosk.tui.screens.import_roster import ImportScreen
    from kiosk.tui.screens.manual_checkin import ManualCheckinScreen
    from kiosk.tui.screens.nametags import NametagsScreen
    from kiosk.tui.screens.recent import RecentScreen
    from kiosk.tui.screens.registrations import RegistrationsScreen
    from kiosk.tui.screens.rule_tester import RuleTesterScreen
    from kiosk.tui.screens.rules import RulesScreen
    from kiosk.tui.screens.status import StatusScreen
    from kiosk.tui.screens.student_search import StudentSearchScreen

    return {
        "events": ("Events: choose or create", EventsScreen),
        "recent": ("Recent check-ins (undo, print a name tag again)", RecentScreen),
        "search": ("Find a student by name and check them in", StudentSearchScreen),
        "attendance": ("Attendance at a glance (live)", AttendanceScreen),
        "manual": ("Manual check-in: username, email, walk-in", ManualCheckinScreen),
        "tester": ("Rule tester", RuleTesterScreen),
        "rules": ("Card rules", RulesScreen),
        "nametags": ("Name tags: label and printer", NametagsScreen),
        "import": ("Import a roster", ImportScreen),
        "registrations": ("Import this event's registrations", RegistrationsScreen),
        "status": ("Readers and database", StatusScreen),
        "export": ("Export check-ins", ExportScreen),
    }


class StaffMenuScreen(StaffScreen):
    TITLE_TEXT = "menu"
    BINDINGS = [
        Binding("escape", "back", "Back to the kiosk"),
        Binding("q", "quit_kiosk", "Quit the kiosk"),
    ]

    def compose_body(self) -> ComposeResult:
        options = [Option(label, id=key) for key, (label, _) in _screen_factories().items()]
        options.append(Option("Back to the kiosk", id="back"))
        options.append(Option("Quit the kiosk", id="quit"))
        yield OptionList(*options, id="staff-menu")

    def on_mount(self) -> None:
        self.query_one("#staff-menu", OptionList).focus()

    def on_option_list_option_selected(self, event: OptionList.OptionSelected) -> None:
        choice = event.option.id
        if choice == "back":
            self.action_back()
        elif choice == "quit":
            self.action_quit_kiosk()
        elif choice is not None:
            _, factory = _screen_factories()[choice]
            self.app.push_screen(factory())

    def action_back(self) -> None:
        self.app.leave_staff_mode()

    def action_quit_kiosk(self) -> None:
        self.app.exit()
