"""card_id quality warnings for an import, from the shared analysis in :mod:`kiosk.cards.card_ids`.

The roster analysed is the one the import would leave: the file's accepted rows with their
effective card_ids plus every stored student the file does not mention, read from the
staging table and the database. Only a roster whose card_ids are not all digits of one
length is loaded for the analysis (the usual roster settles it in one SQL query). Warnings
name rows and usernames, never card data.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import NamedTuple

from sqlalchemy.engine import Connection

from kiosk.roster.card_guard import (
    DAMAGE_WARNING_SUMMARY,
    TRAILING_POINT_ZERO,
    damage_warning,
    excel_damage,
)
from kiosk.roster.findings import Finding
from kiosk.roster.plan import STREAM_BATCH
from kiosk.roster.staging import (
    ACCEPTED,
    CLEAR_SQL,
    SKIPPED,
    TABLE,
    VALID,
    WITH_STORED,
    WITH_STORED_IF_ANY,
)

_COLUMN = "card_id"

#: Each student's card_id after the import: the accepted rows' (in the planner's order:
#: new students by line, then stored ones by id, a skipped row's student keeping its own),
#: then the stored students with a card_id that no accepted row names (by id).
_AFTER_IMPORT = (
    f"SELECT CASE s.card_id WHEN '' THEN st.card_id WHEN {CLEAR_SQL} THEN NULL "
    f"ELSE s.card_id END AS card_id, s.username, s.line, "
    f"CASE WHEN st.id IS NULL THEN 0 ELSE 1 END AS part, COALESCE(st.id, s.line) AS position "
    f"FROM {TABLE} s {WITH_STORED_IF_ANY} WHERE {ACCEPTED} "
    f"UNION ALL SELECT st.card_id, st.username, s.line, 1, st.id FROM {TABLE} s "
    f"JOIN student st ON st.username = s.username WHERE s.kind = {SKIPPED} "
    f"UNION ALL SELECT st.card_id, st.username, NULL, 2, st.id FROM student st "
    f"WHERE st.card_id IS NOT NULL AND st.id NOT IN "
    f"(SELECT m.id FROM {TABLE} s {WITH_STORED} WHERE {ACCEPTED}) AND st.username NOT IN "
    f"(SELECT username FROM {TABLE} WHERE kind = {SKIPPED})"
)


class RosterStudent(NamedTuple):
    """A student of the roster after the import: ``line`` is None for one the file's
    accepted rows do not name."""

    username: str
    line: int | None
    card_id: str | None


def _plain(connection: Connection) -> bool:
    """True when every card_id stored or in the file's valid rows is ASCII digits of one
    length (the usual roster): the roster the import leaves holds no other card_id, so no
    quality check can find anything, and the roster is not loaded."""
    non_digit = ("card_id ~ '[^0-9]'" if connection.dialect.name == "postgresql"
                 else "card_id GLOB '*[^0-9]*'")
    aggregate = (f"SELECT MIN(LENGTH(card_id)), MAX(LENGTH(card_id)), "
                 f"COUNT(CASE WHEN {non_digit} THEN 1 END) FROM")
    lengths: set[int] = set()
    for source in ("student WHERE card_id IS NOT NULL",
                   f"{TABLE} WHERE kind = {VALID} AND card_id <> '' AND "
                   f"card_id <> {CLEAR_SQL}"):
        shortest, longest, odd = connection.exec_driver_sql(f"{aggregate} {source}").one()
        if odd:
            return False
        if shortest is not None:
            lengths.update((shortest, longest))
    return len(lengths) <= 1 and 0 not in lengths


def _after_import(connection: Connection) -> Iterator[tuple[str | None, RosterStudent]]:
    rows = connection.exec_driver_sql(
        f"SELECT c.card_id, c.username, c.line FROM ({_AFTER_IMPORT}) c "
        f"ORDER BY c.part, c.position", execution_options={"yield_per": STREAM_BATCH})
    for card_id, username, line in rows:
        yield card_id, RosterStudent(username, line, card_id)


def import_card_id_warnings(connection: Connection) -> list[Finding]:
    """The card_id warnings for the accepted rows of the staged file, against the roster
    the import would leave."""
    if _plain(connection):
        return []
    return card_id_warnings(_after_import(connection))


def card_id_warnings(pairs: Iterable[tuple[str | None, RosterStudent]]) -> list[Finding]:
    """Warnings for the rows of the file, from every student's ``(card_id, student)``
    after the import."""
    from kiosk.cards.card_ids import analyze_card_ids  # only for an unusual roster

    quality = analyze_card_ids(pairs)
    warnings: list[Finding] = []

    def warn(student: RosterStudent, message: str, code: str, summary: str | None = None) -> None:
        if student.line is not None:
            warnings.append(Finding(student.line, _COLUMN, message, code, summary))

    for student in quality.excel_damage:
        card_id = student.card_id
        kind = (excel_damage(card_id) if card_id else None) or TRAILING_POINT_ZERO
        warn(student, damage_warning(kind), "card_id_excel", DAMAGE_WARNING_SUMMARY)
    if quality.length_outliers is not None:
        usual = quality.length_outliers.common_length
        for student in quality.length_outliers.shorter:
            warn(student, f"card_id is shorter than the roster's usual {usual} characters: "
                 "were leading zeros lost?", "card_id_short")
        for student in quality.length_outliers.longer:
            warn(student, f"card_id is longer than the roster's usual {usual} characters",
                 "card_id_long")
    for student in quality.character_outliers:
        warn(student, "card_id has characters other than digits, unlike almost every other "
             "card_id", "card_id_characters")
    nested = ("card_id is contained in another student's card_id, or contains one: matching "
              "a swipe by containment would be ambiguous")
    for inner, outer in quality.nested:
        outer_where = "already stored" if outer.line is None else f"row {outer.line}"
        inner_where = "already stored" if inner.line is None else f"row {inner.line}"
        if inner.line is not None:
            warn(inner, f"card_id is contained in the card_id of {outer.username!r} "
                 f"({outer_where}): matching a swipe by containment would be ambiguous",
                 "card_id_nested", nested)
        else:
            warn(outer, f"card_id contains the card_id of {inner.username!r} "
                 f"({inner_where}): matching a swipe by containment would be ambiguous",
                 "card_id_nested", nested)
    warnings.sort(key=lambda finding: finding.row or 0)
    return warnings
