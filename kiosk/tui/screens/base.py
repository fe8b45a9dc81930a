"""Base classes that say what kind of screen a screen is (the app routes swipes by them)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Footer, Static

from drivers.base import Swipe

if TYPE_CHECKING:
    from kiosk.tui.app import KioskApp


class SwipeTaker:
    """A screen that wants the next swipes itself (rule tester, rule wizard)."""

    def take_swipe(self, swipe: Swipe) -> None:
        raise NotImplementedError


class StudentFacingScreen(Screen[Any]):
    """A screen a student uses (lookup, walk-in): Escape goes back to the student screen."""

    app: KioskApp
    BINDINGS = [Binding("escape", "back", "Back")]

    def action_back(self) -> None:
        self.app.back_to_student_screen()


class StaffScreen(Screen[Any]):
    """A staff-mode screen: a title line, the body, and the footer with its keys."""

    app: KioskApp
    BINDINGS = [Binding("escape", "back", "Back")]
    TITLE_TEXT = "Staff"

    def compose(self) -> ComposeResult:
        yield Static(f"Staff mode — {self.TITLE_TEXT}", classes="staff-title")
        yield from self.compose_body()
        yield Footer()

    def compose_body(self) -> ComposeResult:
        yield from ()

    def action_back(self) -> None:
        self.app.pop_screen()
