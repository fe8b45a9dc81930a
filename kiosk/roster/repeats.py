"""Which of a file's unique columns may hold a repeated value: a quick look while the rows
are checked, so the import asks SQL for the repeating rows (and their messages) only in the
columns that may have some (:meth:`StagingTable.duplicates_in_file`).

Each counted value's hash is kept (Python's ``hash`` of the text the row is staged with),
not the value: 8 bytes a value, in the checker process (:mod:`checker`), whose memory is
apart from the import's. Two rows with the same value have the same hash, so a column whose
hashes all differ holds no repeat and needs no query; equal hashes (a repeat, or two values
that happen to hash alike) send the column to SQL, which decides. Counted as SQL counts: a
row of the header's width (valid or not) whose exempting cell is neither blank nor
**CLEAR**. In a real roster no column repeats, and the four grouping queries (0.15 s at
100,000 rows on PostgreSQL, 0.2 s on SQLite) are not run at all.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Mapping
from itertools import filterfalse

from kiosk.roster.schema import CLEAR

#: Values that are unique inside a file: (the staged column compared, the column whose
#: blank or **CLEAR** exempts a row, the name in the message). The staging table's duplicate
#: queries read it too (:meth:`StagingTable.duplicates_in_file`).
UNIQUE_IN_FILE: tuple[tuple[str, str, str], ...] = (
    ("username", "username", "username"),
    ("email_key", "email_address", "email_address"),
    ("card_id", "card_id", "card_id"),
    ("auth_identifier", "auth_identifier", "auth_identifier"),
)
#: The columns unique in a file, by their names in the staging table.
WATCHED = tuple(column for column, _, _ in UNIQUE_IN_FILE)

#: Cells that exempt a row from a column's uniqueness.
_EXEMPT = frozenset(("", CLEAR))


def counted(cells: Iterable[str]) -> list[str]:
    """The cells of one column that its uniqueness counts (neither blank nor **CLEAR**)."""
    return list(filterfalse(_EXEMPT.__contains__, cells))


class RepeatWatch:
    """The hashes of each watched column's counted values, chunk by chunk."""

    def __init__(self) -> None:
        self._hashes = {column: array("q") for column in WATCHED}

    def see(self, values: Mapping[str, Iterable[str]]) -> None:
        """Count a chunk's values of each watched column (its counted ones only)."""
        for column, column_values in values.items():
            self._hashes[column].extend(map(hash, column_values))

    def may_repeat(self) -> list[str]:
        """The columns where two counted values hash alike (in :data:`WATCHED` order)."""
        return [column for column, hashes in self._hashes.items()
                if len(set(hashes)) < len(hashes)]
