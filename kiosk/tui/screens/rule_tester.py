"""Staff: swipe a card and see what the rules make of it, and which student it matches.
Nothing is recorded: the tester takes swipes instead of the check-in service."""

from __future__ import annotations

import asyncio

from textual.app import ComposeResult
from textual.widgets import Static

from drivers.base import Swipe
from kiosk.cards.parse import explain_swipe
from kiosk.checkin.outcome import IdentifiedStudent
from kiosk.text_safety import sanitise
from kiosk.tui.screens.base import StaffScreen, SwipeTaker
from kiosk.tui.widgets.swipe_view import explanation_text

WAITING = "Swipe a card on any reader (nothing is recorded while this screen is open)."


class RuleTesterScreen(StaffScreen, SwipeTaker):
    TITLE_TEXT = "rule tester"

    def compose_body(self) -> ComposeResult:
        yield Static(WAITING, markup=False, id="tester-help", classes="staff-help")
        yield Static("", markup=False, id="tester-result")

    def __init__(self) -> None:
        super().__init__()
        self._one_at_a_time = asyncio.Lock()  # answers in swipe order

    def take_swipe(self, swipe: Swipe) -> None:
        self.run_worker(self._explain_in_order(swipe), group="tester")

    async def _explain_in_order(self, swipe: Swipe) -> None:
        async with self._one_at_a_time:
            await self._explain(swipe)

    async def _explain(self, swipe: Swipe) -> None:
        explanation = explain_swipe(swipe.text, self.app.desk.rules, swipe.reader)
        identified = await self.app.desk.identify(swipe.text, explanation.result)
        student = describe(identified)
        self.query_one("#tester-help", Static).update(f"Last swipe from {swipe.reader}. {WAITING}")
        self.query_one("#tester-result", Static).update(explanation_text(explanation, student))


def describe(identified: IdentifiedStudent | None) -> str | None:
    """``"Alex Tester (atester) — matched by rule"`` for the staff screen (whole names, as
    every staff view), or None."""
    if identified is None:
        return None
    archived = ", archived" if identified.archived else ""
    how = "by rule" if identified.matched_by == "rule" else "by containment"
    username = sanitise(identified.username)  # a row stored before ESC was refused
    return f"{identified.full_name} ({username}{archived}) — matched {how}"
