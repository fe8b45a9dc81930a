"""How a student is named on the student-facing screen: preferred or first name + last initial.

Nothing else about a student (no email, username or card_id) ever reaches that screen, and no
control or invisible format character does either (:func:`kiosk.text_safety.sanitise`: names
stored before the import refused them are shown without them).
"""

from __future__ import annotations

from typing import Protocol

from kiosk.text_safety import sanitise


class _Named(Protocol):
    first_name: str
    last_name: str | None
    preferred_name: str | None


def short_name(given: str | None, last: str | None) -> str:
    """``"Alex T."`` from ``("Alex", "Tester")``; just the given name when there is no last name."""
    given = sanitise(given or "").strip()
    last = sanitise(last or "").strip()
    if not last:
        return given
    return f"{given} {last[0].upper()}." if given else f"{last[0].upper()}."


def display_name(student: _Named) -> str:
    """The preferred name (else the first name) and the last initial, e.g. ``"Alex T."``."""
    given = sanitise(student.preferred_name or "").strip() or student.first_name
    return short_name(given, student.last_name)


def display_name_from_full(full_name: str) -> str:
    """A typed full name (a walk-in's) shown the same way: ``"Jordan Kim"`` -> ``"Jordan K."``."""
    given, last = split_full_name(full_name)
    return short_name(given, last)


def split_full_name(full_name: str) -> tuple[str, str | None]:
    """``(given, last)`` of a typed name: the last word is the last name."""
    words = sanitise(full_name).split()
    if not words:
        return "", None
    if len(words) == 1:
        return words[0], None
    return " ".join(words[:-1]), words[-1]
