"""A staff member confirms a manual check-in (``manual_checkin = "staff-confirm"``): the staff
PIN (slowed down like F10's, through the same PinGate) or a swipe of the staff card.

Any other swipe cancels the confirmation and is checked in as usual: a student who finds
their card after all is not kept waiting.
"""

from __future__ import annotations

import logging
from typing import TYPE_CHECKING

from textual.widgets import Static

from drivers.base import Swipe
from kiosk.checkin.manual import Confirmation, ManualCheckin
from kiosk.errors import DatabaseUnavailable
from kiosk.tui.screens.base import SwipeTaker
from kiosk.tui.screens.pin import DATABASE_TROUBLE, PinPrompt

if TYPE_CHECKING:
    from kiosk.tui.app import KioskApp

log = logging.getLogger(__name__)


class StaffConfirmScreen(PinPrompt, SwipeTaker):
    """Dismissed with ``"pin"`` or ``"card"`` when staff confirmed, None when cancelled."""

    TITLE_TEXT = "A staff member confirms this check-in"
    HINT = "Staff: type the PIN or swipe the staff card. Escape to cancel."

    def pin_accepted(self) -> None:
        self.dismiss("pin")

    def take_swipe(self, swipe: Swipe) -> None:
        self.run_worker(self._swiped(swipe), group="staff-card")

    async def _swiped(self, swipe: Swipe) -> None:
        app = self.app
        try:
            staff = await app.desk.is_staff_card(swipe, strict=True)
        except DatabaseUnavailable:
            self.query_one("#pin-message", Static).update(DATABASE_TROUBLE)
            return
        if staff:
            self.dismiss("card")
            return
        # A student's card after all: checked in as usual. The dismissal takes this screen
        # off the stack at once (not awaited: that would wait on this worker's own end), so
        # the swipe queued next no longer comes back here.
        self.dismiss(None)
        app.take_swipe(swipe)


async def staff_confirmation(
    app: KioskApp, mode: ManualCheckin
) -> tuple[bool, Confirmation | None]:
    """(go on?, how staff confirmed: ``"pin"``, ``"card"`` or None when no confirmation is
    needed). Call it from a worker: it waits for the confirmation screen."""
    if mode != "staff-confirm":
        return True, None
    confirmed: Confirmation | None = await app.push_screen_wait(StaffConfirmScreen())
    return confirmed is not None, confirmed
