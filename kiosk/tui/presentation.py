"""How each kind of answer looks on the student screen: one table, one row per outcome kind.

The table is exhaustive over ``OutcomeKind`` (tests/tui/test_presentation.py checks it), so a
new kind cannot reach the screen without someone deciding its headline, colour, hint and
whether the F2/F3 buttons show. The screen never looks at an answer's message to decide.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from kiosk.checkin.outcome import OutcomeKind

Colour = Literal["green", "yellow", "red"]

UNKNOWN_HINT = "Press F2 to check in with your username or email, or F3 to register as a walk-in."
SEE_STAFF = "✖  PLEASE SEE A STAFF MEMBER"
SWIPE_PROMPT = "Swipe your student ID"
# The idle screen while none of the kiosk's readers is connected (missing, unplugged, no
# permission): in the red of a "see staff" answer, cleared by itself once one is back.
NO_READER = "Card reader not connected — please see a staff member"
NO_READER_COLOUR: Colour = "red"


@dataclass(frozen=True)
class Presentation:
    """``shown``: False for kinds that never reach the student (noise, the staff card)."""

    headline: str
    colour: Colour
    offers_manual_checkin: bool = False  # the F2/F3 hint and buttons (when manual is not off)
    shown: bool = True


PRESENTATION: dict[OutcomeKind, Presentation] = {
    "checked_in": Presentation("✔  CHECKED IN", "green"),
    "already": Presentation("✔  ALREADY CHECKED IN", "yellow"),
    "checked_out": Presentation("✔  CHECKED OUT — SEE YOU", "green"),
    "not_registered": Presentation(SEE_STAFF, "red"),
    "unknown": Presentation("✖  CARD NOT RECOGNIZED", "red", offers_manual_checkin=True),
    "not_found": Presentation("✖  NOT FOUND", "red"),
    "archived": Presentation(SEE_STAFF, "red"),
    "refused": Presentation("✖  NOT A STUDENT ID", "red"),
    "misread": Presentation("↻  PLEASE SWIPE AGAIN", "red"),
    "not_saved": Presentation(SEE_STAFF, "red"),
    "see_staff": Presentation(SEE_STAFF, "red"),
    "noise": Presentation("", "red", shown=False),
    "staff": Presentation("", "red", shown=False),
}


def presentation_of(kind: OutcomeKind) -> Presentation:
    return PRESENTATION[kind]
