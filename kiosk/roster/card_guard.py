"""Spreadsheet damage in a row's card_id, judged against the student's stored card_id.

"Bad input loses nothing": a row that would replace a stored card_id with a value a
spreadsheet made of a number (``9.01235E+08``, ``975432319.0``) or with the stored card_id
stripped of its leading zeros (``081909378`` -> ``81909378``) is rejected whole, so the
stored card_id keeps matching at the kiosk. A new student (or one with no stored card_id)
has nothing to lose: a damaged card_id is imported with a warning instead
(:func:`damage_warning`). Messages name the damage, never the card data.
"""

from __future__ import annotations

from kiosk.roster.schema import CLEAR

# kiosk.cards.card_ids is imported where it is used: most imports never need it, and it
# brings the kiosk's card modules with it.

SCIENTIFIC = "scientific notation"
TRAILING_POINT_ZERO = "a trailing .0"
LEADING_ZEROS_LOST = "leading zeros lost"

#: How to get an undamaged file, said in every card_id damage message.
FIX_THE_FILE = (
    "format the card_id column as Text in Excel, or export the file as CSV UTF-8 without "
    "opening it in Excel"
)


def excel_damage(card_id: str) -> str | None:
    """``SCIENTIFIC`` or ``TRAILING_POINT_ZERO`` when a spreadsheet made a number of the
    card_id, else None."""
    from kiosk.cards.card_ids import is_excel_damaged

    if not is_excel_damaged(card_id):
        return None
    return SCIENTIFIC if "e" in card_id.lower() else TRAILING_POINT_ZERO


def _digits_before_point_zero(card_id: str) -> str:
    value = card_id.strip()
    return value.partition(".")[0] if excel_damage(value) == TRAILING_POINT_ZERO else value


def lost_leading_zeros(card_id: str, stored: str) -> bool:
    """True when ``card_id`` (ignoring a trailing ``.0``) is ``stored`` without some or all
    of its leading zeros: ``81909378`` for a stored ``081909378``."""
    digits = _digits_before_point_zero(card_id)
    if not digits or not digits.isdigit() or len(digits) >= len(stored):
        return False
    lost = stored[: len(stored) - len(digits)]
    return stored.endswith(digits) and lost.strip("0") == ""


def replacement_damage(card_id: str, stored: str | None) -> list[str]:
    """The damage a row's ``card_id`` shows when it would replace the non-blank ``stored``
    card_id (empty when it would not replace one, or shows none). A blank cell or
    ``**CLEAR**`` replaces nothing with damage."""
    from kiosk.cards.card_ids import is_blank

    if not card_id or card_id in (CLEAR, stored) or stored is None or is_blank(stored):
        return []
    found: list[str] = []
    kind = excel_damage(card_id)
    if kind is not None:
        found.append(kind)
    if lost_leading_zeros(card_id, stored):
        found.append(LEADING_ZEROS_LOST)
    return found


def replacement_error(damage: list[str]) -> str:
    """The message for a row rejected because its card_id shows ``damage``."""
    return (
        f"card_id shows spreadsheet damage ({', '.join(damage)}): the stored card_id is kept "
        "and this whole row is rejected (none of its changes were imported); to fix the file, "
        f"{FIX_THE_FILE}, then import it again"
    )


def damage_warning(kind: str) -> str:
    """The warning for a damaged card_id imported as written (nothing stored to keep)."""
    return (
        f"card_id looks damaged by a spreadsheet ({kind}): it is stored as written, but this "
        f"card will not match at the kiosk until the card_id is fixed; {FIX_THE_FILE}, then "
        "import it again"
    )


#: The damage warning when it concerns most rows (folded into one for the file).
DAMAGE_WARNING_SUMMARY = (
    f"card_id looks damaged by a spreadsheet ({SCIENTIFIC} or {TRAILING_POINT_ZERO}): stored "
    "as written, but these cards will not match at the kiosk until their card_ids are fixed; "
    f"{FIX_THE_FILE}, then import it again"
)
