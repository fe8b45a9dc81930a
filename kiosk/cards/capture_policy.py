"""What may be written to a capture file: the payment guard's verdict, in words for staff.

``kiosk readers capture`` records real swipes for ``kiosk verify`` and ``kiosk rules
suggest``; a payment card or encrypted reader output must never be written, so each swipe is
put to the guard first (``drivers.capture_session`` counts the refusals by kind).
"""

from __future__ import annotations

from kiosk.cards.clean import clean_swipe
from kiosk.cards.guard import guard_swipe

_REFUSALS = {
    "payment": (
        "payment card",
        "a payment card was swiped; it was not recorded. If it was a campus card whose "
        "number looks like a payment card, add its prefix with --allow-prefix DIGITS.",
    ),
    "encrypted": (
        "encrypted reader output",
        "the reader sent encrypted output, which was not recorded; set the reader to "
        "unencrypted output.",
    ),
}


def capture_refusal(text: str, campus_prefixes: tuple[str, ...] = ()) -> tuple[str, str] | None:
    """``(kind, sentence)`` when the swipe must not be recorded, else None."""
    verdict = guard_swipe(text, clean_swipe(text), campus_prefixes)
    return None if verdict is None else _REFUSALS[verdict]
