"""The gut check's counts: each category's values over the accepted rows, counted while the
file is read.

Counted per distinct combination of a category's cells (a few hundred in a real roster)
over the valid rows, with the first line of each. The rows a plan then rejects are taken
off again; a category where one of them was the first row of its combination is counted
again by SQL over the staging table (rare: a rejected row is usually not the first with its
major): :meth:`StagingTable.uncount`. No SQL here: the checker process, which counts, loads
no database module.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

from kiosk.roster.schema import CATEGORIES, CLEAR, LIST_ATTRIBUTES, split_list
from kiosk.roster.typos import ValueTally

Key = tuple[str, ...]


class CategoryCounts:
    """Each category's combinations of cells: how many rows, and the first row's line."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[Key]] = {category: Counter() for category in CATEGORIES}
        self.first: dict[str, dict[Key, int]] = {category: {} for category in CATEGORIES}

    def add(self, lines: Sequence[int], keys: dict[str, list[Key]]) -> None:
        """Count rows (their lines, and each category's key per row, in the same order)."""
        for category, rows in keys.items():
            self.counts[category].update(rows)
            first = self.first[category]
            new = set(rows).difference(first)
            if new:
                for line, key in zip(lines, rows, strict=True):
                    if key in new and key not in first:
                        first[key] = line

    def copy(self) -> CategoryCounts:
        counts = CategoryCounts()
        counts.counts = {category: Counter(c) for category, c in self.counts.items()}
        counts.first = {category: dict(f) for category, f in self.first.items()}
        return counts

    def take_off(self, rows: Iterable[Sequence[Any]]) -> set[str]:
        """Take rows off the counts: each ``(line, *cells)``, the category cells in
        :data:`CATEGORIES`' order. Returns the categories where a row taken off was the first
        of its combination, which must be counted again (:meth:`recount`)."""
        dirty: set[str] = set()
        for line, *values in rows:
            position = 0
            for category, attributes in CATEGORIES.items():
                key = tuple(values[position:position + len(attributes)])
                position += len(attributes)
                counts = self.counts[category]
                counts[key] -= 1
                if counts[key] <= 0:
                    del counts[key]
                    del self.first[category][key]
                elif self.first[category][key] == line:
                    dirty.add(category)
        return dirty

    def recount(self, category: str, rows: Iterable[Sequence[Any]]) -> None:
        """Count a category again from ``(*cells, first line, rows)`` per combination."""
        rows = list(rows)
        self.counts[category] = Counter({tuple(row[:-2]): row[-1] for row in rows})
        self.first[category] = {tuple(row[:-2]): row[-2] for row in rows}

    def tally(self) -> ValueTally:
        """Each category's items (a row counts once per item), first lines included."""
        tally = ValueTally()
        for category, attributes in CATEGORIES.items():
            first = self.first[category]
            for key, count in sorted(self.counts[category].items(),
                                     key=lambda item: first[item[0]]):
                items: set[str] = set()
                for value, attribute in zip(key, attributes, strict=True):
                    if value and value != CLEAR:
                        items.update(split_list(value) if attribute in LIST_ATTRIBUTES
                                     else (value.strip(),))
                tally.add(category, sorted(items), first[key], count)
        return tally
