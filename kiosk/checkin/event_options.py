"""An event's optional behaviours: registered students only, check-out after N minutes, and
name tags printed on a label size (kiosk.nametags).

Both are read at every check-in (kiosk.checkin.recording.event_terms), so a change made with
the CLI or in staff mode applies to every kiosk from its next swipe.
"""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlmodel import Session

from kiosk.db.models import Event
from kiosk.errors import UserError
from kiosk.nametags.labels import label_size

#: The longest check-out delay accepted: a day (an appointment block or drop-in hours).
MAX_CHECKOUT_MINUTES = 24 * 60
_UNSET = object()


def parse_checkout_minutes(text: str) -> int | None:
    """``"30"`` -> 30; ``"off"`` (or ``"none"``, ``"0"``) -> None: check-out off."""
    value = text.strip().lower()
    if value in ("off", "none", "no", "0"):
        return None
    if not value.isdigit() or not 0 < int(value) <= MAX_CHECKOUT_MINUTES:
        raise UserError(
            f"The check-out delay {text!r} is not a number of minutes; give one from 1 to "
            f"{MAX_CHECKOUT_MINUTES}, or 'off' to turn check-out off."
        )
    return int(value)


def set_event_options(
    engine: Engine,
    event_id: int,
    *,
    registered_only: bool | None = None,
    checkout_after_minutes: int | None | object = _UNSET,
    nametag_label: str | None | object = _UNSET,
) -> Event:
    """Change the options given (None / unset: left as they are; ``checkout_after_minutes``
    None turns check-out off, ``nametag_label`` None turns name tags off; a label's name is
    checked against kiosk.nametags.labels) and return the event as stored."""
    if isinstance(nametag_label, str):
        nametag_label = label_size(nametag_label).name
    if isinstance(checkout_after_minutes, int) and not (
        0 < checkout_after_minutes <= MAX_CHECKOUT_MINUTES
    ):
        raise UserError(
            f"The check-out delay must be 1 to {MAX_CHECKOUT_MINUTES} minutes, not "
            f"{checkout_after_minutes}."
        )
    with Session(engine, expire_on_commit=False) as session:
        event = session.get(Event, event_id)
        if event is None:
            raise UserError(f"There is no event with id {event_id}; see `kiosk events list`.")
        if registered_only is not None:
            event.registered_only = registered_only
        if checkout_after_minutes is not _UNSET:
            event.checkout_after_minutes = checkout_after_minutes  # type: ignore[assignment]
        if nametag_label is not _UNSET:
            event.nametag_label = nametag_label  # type: ignore[assignment]
        session.add(event)
        session.commit()
        session.refresh(event)
    return event


def describe_options(event: Event) -> str:
    """``registered students only; check-out after 30 min; name tags on 30252`` (or ``open to
    all; no check-out``: name tags named only when on)."""
    who = "registered students only" if event.registered_only else "open to all"
    out = (
        f"check-out after {event.checkout_after_minutes} min"
        if event.checkout_after_minutes
        else "no check-out"
    )
    tags = f"; name tags on {event.nametag_label}" if event.nametag_label else ""
    return f"{who}; {out}{tags}"
