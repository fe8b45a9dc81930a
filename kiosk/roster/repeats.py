"""Which of a file's unique columns may hold a repeated value: a quick look while the rows
are staged, so the import asks SQL for the repeating rows (and their messages) only in the
columns that may have some (:meth:`StagingTable.duplicates_in_file`).

Each counted value's hash is kept (Python's ``hash`` of the staged text: 8 bytes a value,
6.4 MB for the four columns of a 200,000-row file, Handshake's largest), not the value.
Two rows with the same value have the same hash, so a column whose hashes all differ holds
no repeat and needs no query; equal hashes (a repeat, or two values that happen to hash
alike) send the column to SQL, which decides. Counted as SQL counts: a row of the header's
width (valid, invalid or skipped) whose exempting cell is neither blank nor **CLEAR**.
In a real roster no column repeats, and the four grouping queries (about 0.15 s at 100,000
rows on PostgreSQL, which runs them after the last row is staged) are not run at all.
"""

from __future__ import annotations

from array import array
from collections.abc import Iterable, Sequence
from typing import Any

from kiosk.roster.schema import CLEAR

#: Cells that exempt a row from a column's uniqueness.
_EXEMPT = frozenset(("", CLEAR, None))


class RepeatWatch:
    """The hashes of each unique column's counted values, as rows are staged."""

    def __init__(self, columns: Iterable[str]) -> None:
        self._hashes = {column: array("q") for column in columns}

    def see(self, rows: Sequence[Sequence[Any]], at: Sequence[tuple[str, int, int]]) -> None:
        """Count ``rows``: ``at`` gives, per column watched, where a row holds the value
        compared and the cell that exempts it."""
        for column, value_at, exempt_at in at:
            self._hashes[column].extend(
                hash(row[value_at]) for row in rows if row[exempt_at] not in _EXEMPT
            )

    def may_repeat(self) -> list[str]:
        """The columns where two counted values hash alike (in the order watched)."""
        return [column for column, hashes in self._hashes.items()
                if len(set(hashes)) < len(hashes)]
