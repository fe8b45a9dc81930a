"""The check-in domain: match a swipe to a student, record it, undo, walk-ins, queries.

Never imports Textual; the TUI calls :class:`CheckInService` and renders its outcomes.
The service and the recording code (SQLAlchemy) load when first named, so that light
modules of this package (``manual``, ``outcome``) cost no database library to import.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from kiosk.checkin.outcome import CheckInOutcome, CheckInRow, IdentifiedStudent, OutcomeKind
from kiosk.checkin.policies import ArchivedPolicy

if TYPE_CHECKING:
    from kiosk.checkin.service import CheckInNotSaved, CheckInService

_LAZY = {
    "CheckInNotSaved": "kiosk.checkin.service",
    "CheckInService": "kiosk.checkin.service",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "ArchivedPolicy",
    "CheckInOutcome",
    "CheckInNotSaved",
    "CheckInRow",
    "CheckInService",
    "IdentifiedStudent",
    "OutcomeKind",
]
