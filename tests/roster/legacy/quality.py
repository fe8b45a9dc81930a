"""card_id quality warnings for an import, from the shared analysis in :mod:`kiosk.cards.card_ids`.

The roster analysed is the one the import would leave: the file's accepted rows with their
effective card_ids plus every stored student the file does not mention. Warnings name rows
and usernames, never card data.
"""

from __future__ import annotations

from collections.abc import Mapping

from kiosk.cards.card_ids import analyze_card_ids
from kiosk.roster.card_guard import (
    DAMAGE_WARNING_SUMMARY,
    TRAILING_POINT_ZERO,
    damage_warning,
    excel_damage,
)
from kiosk.roster.findings import Finding
from tests.roster.legacy.stored import StoredIndex

_COLUMN = "card_id"


def card_id_warnings(
    file_card_ids: Mapping[str, str | None],
    lines: Mapping[str, int],
    stored: StoredIndex,
) -> list[Finding]:
    """Warnings for the file's rows. ``file_card_ids``: username -> card_id after the import;
    ``lines``: username -> the row it came from."""
    pairs: list[tuple[str | None, str]] = [
        (card_id, username) for username, card_id in file_card_ids.items()
    ]
    pairs.extend(
        (card_id, username)
        for card_id, username in stored.card_owner.items()
        if username not in file_card_ids
    )
    quality = analyze_card_ids(pairs)
    warnings: list[Finding] = []

    def warn(username: str, message: str, code: str, summary: str | None = None) -> None:
        line = lines.get(username)
        if line is not None:
            warnings.append(Finding(line, _COLUMN, message, code, summary))

    for username in quality.excel_damage:
        card_id = file_card_ids.get(username)
        kind = (excel_damage(card_id) if card_id else None) or TRAILING_POINT_ZERO
        warn(username, damage_warning(kind), "card_id_excel", DAMAGE_WARNING_SUMMARY)
    if quality.length_outliers is not None:
        usual = quality.length_outliers.common_length
        for username in quality.length_outliers.shorter:
            warn(username, f"card_id is shorter than the roster's usual {usual} characters: "
                 "were leading zeros lost?", "card_id_short")
        for username in quality.length_outliers.longer:
            warn(username, f"card_id is longer than the roster's usual {usual} characters",
                 "card_id_long")
    for username in quality.character_outliers:
        warn(username, "card_id has characters other than digits, unlike almost every other "
             "card_id", "card_id_characters")
    nested = ("card_id is contained in another student's card_id, or contains one: matching "
              "a swipe by containment would be ambiguous")
    for inner, outer in quality.nested:
        outer_where = f"row {lines[outer]}" if outer in lines else "already stored"
        inner_where = f"row {lines[inner]}" if inner in lines else "already stored"
        if inner in lines:
            warn(inner, f"card_id is contained in the card_id of {outer!r} ({outer_where}): "
                 "matching a swipe by containment would be ambiguous", "card_id_nested", nested)
        else:
            warn(outer, f"card_id contains the card_id of {inner!r} ({inner_where}): "
                 "matching a swipe by containment would be ambiguous", "card_id_nested", nested)
    warnings.sort(key=lambda finding: finding.row or 0)
    return warnings
