"""Staff: swipe a card and see what the rules make of it, and which student it matches.
Nothing is recorded: the tester takes swipes instead of the check-in service."""

from __future__ import annotations

import asyncio

from textual.app import ComposeResult
from textual.widgets import Static

from drivers.base import Swipe
from kiosk.cards.parse import explain_swipe
from kiosk.tui.roster_lookup import RosterLookup
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
        self._lookup: RosterLookup | None = None
        self._one_at_a_time = asyncio.Lock()  # answers in swipe order

    async def roster(self) -> RosterLookup:
        """The roster index for "which student is this?" (loaded once, in a thread)."""
        if self._lookup is None:
            self._lookup = await self.run_blocking(RosterLookup.load, self.app.setup.engine)
        return self._lookup

    def take_swipe(self, swipe: Swipe) -> None:
        self.run_worker(self._explain_in_order(swipe), group="tester")

    async def _explain_in_order(self, swipe: Swipe) -> None:
        async with self._one_at_a_time:
            await self._explain(swipe)

    async def _explain(self, swipe: Swipe) -> None:
        explanation = explain_swipe(swipe.text, self.app.rules, swipe.reader)
        lookup = await self.roster()
        student = await self.run_blocking(lookup.describe, swipe.text, explanation.result)
        self.query_one("#tester-help", Static).update(f"Last swipe from {swipe.reader}. {WAITING}")
        self.query_one("#tester-result", Static).update(explanation_text(explanation, student))
