"""What a check-in attempt produced, and the student-facing sentences for it.

``CheckInOutcome.message`` is the only text the student screen shows (with the colour chosen
from ``kind``); ``staff_note`` and ``card_id`` are for staff screens and walk-in registration.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from kiosk.db.models import CheckIn

OutcomeKind = Literal[
    "checked_in",
    "already",
    "checked_out",
    "not_registered",
    "unknown",
    "not_found",
    "archived",
    "refused",
    "misread",
    "noise",
    "not_saved",
    "see_staff",
    "staff",
]

PAYMENT_CARD_MESSAGE = "That looks like a payment card — please swipe your student ID"
MISREAD_MESSAGE = "Please swipe again"
UNKNOWN_CARD_MESSAGE = (
    "We don't recognize this card — you can check in with your username or email instead"
)
NOT_FOUND_MESSAGE = "We couldn't check you in with that — please check it or ask a staff member"
ARCHIVED_REFUSED_MESSAGE = "We can't check you in here — please see a staff member"
NOT_SAVED_MESSAGE = "We couldn't confirm your check-in — please see a staff member"
NOT_REGISTERED_MESSAGE = (
    "This event is for registered students only — please see a staff member"
)


def local_clock(moment: datetime) -> str:
    """``HH:MM`` of an aware datetime in the machine's local time zone."""
    return moment.astimezone().strftime("%H:%M")


def checked_in_message(name: str, registered: bool | None = None) -> str:
    """``registered``: None when the event has no registrants imported (nothing said)."""
    if registered is None:
        return f"Welcome, {name} — you're checked in"
    if registered:
        return f"Welcome, {name} — you're registered and checked in"
    return f"Welcome, {name} — you're checked in as a walk-in"


def stay_text(stay: timedelta) -> str:
    """``1 h 05 min`` / ``45 min`` (whole minutes, rounded down)."""
    minutes = max(0, int(stay.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min"


def checked_out_message(name: str, stay: timedelta) -> str:
    return f"Checked out — see you, {name} (you were here {stay_text(stay)})"


def already_out_message(name: str, checked_out_at: datetime) -> str:
    return f"See you, {name} — you already checked out at {local_clock(checked_out_at)}"


def checkout_offline_message(name: str, first_checked_in_at: datetime) -> str:
    return (
        f"Welcome back, {name} — you checked in at {local_clock(first_checked_in_at)}; "
        "check-out is not available right now, please see a staff member"
    )


def already_message(name: str, first_checked_in_at: datetime) -> str:
    return f"Welcome back, {name} — you already checked in at {local_clock(first_checked_in_at)}"


@dataclass(frozen=True)
class CheckInOutcome:
    """The answer to one swipe, lookup or walk-in.

    kinds: ``checked_in`` (green; an archived student let in under archived_policy "allow"
    is ``checked_in`` with a ``staff_note``), ``already`` (yellow; ``first_checked_in_at`` is
    the live check-in's time), ``unknown`` (red; no single roster student matched; ``card_id``
    is the id a rule extracted, if any, for walk-in registration, never to be shown to the
    student), ``not_found`` (a username or email lookup that checked nobody in: the same
    neutral answer whatever the reason), ``archived`` (refused under archived_policy
    "refuse"), ``refused`` (payment card; nothing of it kept), ``misread`` (swipe again),
    ``noise`` (show nothing),
    ``see_staff`` (manual check-in is off or needs a staff member: nothing recorded),
    ``checked_out`` (green; a second swipe at an event with check-out, after its time:
    ``checked_out_at`` is set), ``not_registered`` (a registered-only event, and this person
    is not registered: nothing recorded),
    ``staff`` (the staff card: staff mode opens, nothing recorded).
    """

    kind: OutcomeKind
    message: str
    display_name: str | None = None
    check_in_id: int | None = None
    first_checked_in_at: datetime | None = None
    card_id: str | None = field(default=None, repr=False)
    staff_note: str | None = None
    # Whether the person is registered for the event; None: the event has no registrants.
    registered: bool | None = None
    checked_out_at: datetime | None = None
    # The live check-in this answer is about, as stored (fair mode copies it to the kiosk's
    # replica); never shown.
    record: CheckIn | None = field(default=None, repr=False, compare=False)

    @property
    def accepted(self) -> bool:
        """True when the person is (now or already) checked in."""
        return self.kind in ("checked_in", "already")


NOISE = CheckInOutcome(kind="noise", message="")
MISREAD = CheckInOutcome(kind="misread", message=MISREAD_MESSAGE)
PAYMENT_CARD = CheckInOutcome(kind="refused", message=PAYMENT_CARD_MESSAGE)
NOT_FOUND = CheckInOutcome(kind="not_found", message=NOT_FOUND_MESSAGE)
# Database trouble (locked, full, read-only, unreachable, no answer in time): red, nothing
# claimed; the check-in was not recorded, or (no answer in time) may not have been.
NOT_SAVED = CheckInOutcome(kind="not_saved", message=NOT_SAVED_MESSAGE)
STAFF_CARD = CheckInOutcome(kind="staff", message="Staff mode")


@dataclass(frozen=True)
class CheckInRow:
    """One check-in as staff screens list it (may show more than the student screen)."""

    id: int
    checked_in_at: datetime
    display_name: str  # "Bea R.", as the student screen shows it
    full_name: str  # "Beatrice Rossi": what staff screens show
    username: str | None
    email: str | None
    method: str
    rule: str | None
    reader: str | None
    kiosk_id: str | None
    walk_in: bool
    note: str | None
    undone_at: datetime | None
    undone_by: str | None
    #: when a second swipe checked the student out (events with check-out), else None
    checked_out_at: datetime | None = None

    @property
    def undone(self) -> bool:
        return self.undone_at is not None


@dataclass(frozen=True)
class IdentifiedStudent:
    """Whose card a swipe is, for staff screens (the rule tester); never for students."""

    full_name: str  # "Beatrice Rossi": staff screens show whole names
    username: str
    archived: bool
    matched_by: Literal["rule", "containment"]
    rule: str | None
