"""Manual check-in (by username/email, or as a walk-in): who may use it, and how it is marked.

A manual check-in names a student by what is typed, not by a card, so anyone at the kiosk
could check anyone in. ``kiosk.toml``'s ``manual_checkin`` chooses:

- ``anyone``: as before, anyone may (what Handshake's kiosk does);
- ``staff-confirm`` (the default of ``kiosk.toml``): a staff member confirms each one with
  the staff PIN or the staff card before anything is recorded;
- ``off``: only cards check in; F2 and F3 answer :data:`MANUAL_OFF_MESSAGE`.

Manual check-ins carry method ``manual`` (username/email) or ``walk-in`` in the database and
in the full export; :data:`MANUAL_METHODS` are both.
"""

from __future__ import annotations

from typing import Literal, get_args

from kiosk.checkin.outcome import CheckInOutcome
from kiosk.errors import UserError

ManualCheckin = Literal["anyone", "staff-confirm", "off"]
MANUAL_CHECKIN_MODES: tuple[ManualCheckin, ...] = get_args(ManualCheckin)
DEFAULT_MANUAL_CHECKIN: ManualCheckin = "staff-confirm"
# How a staff member confirmed a manual check-in.
Confirmation = Literal["pin", "card"]

MANUAL_METHODS = ("manual", "walk-in")

MANUAL_OFF_MESSAGE = "Manual check-in is off — please see a staff member"
# An unknown card under "off" (else outcome.UNKNOWN_CARD_MESSAGE offers username or email).
UNKNOWN_CARD_OFF_MESSAGE = "We don't recognize this card — please see a staff member"
STAFF_CONFIRM_MESSAGE = "A staff member must confirm this check-in — please see a staff member"

MANUAL_OFF = CheckInOutcome(kind="see_staff", message=MANUAL_OFF_MESSAGE)
NEEDS_STAFF = CheckInOutcome(kind="see_staff", message=STAFF_CONFIRM_MESSAGE)

DESCRIPTIONS: dict[ManualCheckin, str] = {
    "anyone": "anyone may check in by username, email or as a walk-in",
    "staff-confirm": "a staff member confirms each one with the staff PIN or card",
    "off": "only cards check in; F2 says to see a staff member",
}


def validate_mode(value: object, where: str = "manual_checkin") -> ManualCheckin:
    """``value`` if it is a known mode, else a UserError naming the choices."""
    for mode in MANUAL_CHECKIN_MODES:
        if value == mode:
            return mode
    raise UserError(
        f"{where} must be one of {', '.join(repr(m) for m in MANUAL_CHECKIN_MODES)} "
        f"(got {value!r})."
    )


def refusal(mode: ManualCheckin, confirmed_by: Confirmation | None) -> CheckInOutcome | None:
    """The answer when ``mode`` does not allow this manual check-in, else None."""
    if mode == "off":
        return MANUAL_OFF
    if mode == "staff-confirm" and confirmed_by is None:
        return NEEDS_STAFF
    return None


def staff_label(confirmed_by: Confirmation | None, kiosk_id: str) -> str | None:
    """Who made a manual check-in, as ``CheckIn.checked_in_by`` stores it: ``"staff PIN at
    kiosk front"`` when staff confirmed it with the PIN (or ``staff card``); None when
    nobody confirmed it (the student alone, under ``anyone``)."""
    how = {"pin": "staff PIN", "card": "staff card"}.get(confirmed_by or "")
    return f"{how} at kiosk {kiosk_id}" if how else None


def manual_summary(counts: dict[str, int]) -> str:
    """``"12 manual check-ins (9 by username or email, 3 walk-ins)"`` from counts per method."""
    lookups, walk_ins = counts.get("manual", 0), counts.get("walk-in", 0)
    total = lookups + walk_ins
    noun = "check-in" if total == 1 else "check-ins"
    if not total:
        return f"0 manual {noun}"
    walk_noun = "walk-in" if walk_ins == 1 else "walk-ins"
    return f"{total} manual {noun} ({lookups} by username or email, {walk_ins} {walk_noun})"
