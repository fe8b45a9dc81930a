"""The check-in domain: match a swipe to a student, record it, undo, walk-ins, queries.

Never imports Textual; the TUI calls :class:`CheckInService` and renders its outcomes.
"""

from kiosk.checkin.outcome import CheckInOutcome, CheckInRow, IdentifiedStudent, OutcomeKind
from kiosk.checkin.recording import ArchivedPolicy
from kiosk.checkin.service import CheckInNotSaved, CheckInService

__all__ = [
    "ArchivedPolicy",
    "CheckInOutcome",
    "CheckInNotSaved",
    "CheckInRow",
    "CheckInService",
    "IdentifiedStudent",
    "OutcomeKind",
]
