"""The gut check: values new to the database, and which of them look like typos.

A new value looks like a typo when it is a few edits away from a known one: a value stored in the
database, or a spelling used more often in the same file ("Biolgy" once, "Biology" 40 times).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass


def typo_limit(value: str) -> int:
    """How many edits (insert, delete, replace, swap two neighbours) still look like a typo.

    1 for values of 5 to 19 characters, 2 from 20, 3 from 30...; values under 5 characters
    only when they differ in case or punctuation ("Math" is no typo of "Bath"). So
    "Biolgy"/"Biology" and "Mechancial Engineering" are typos; "Chemistry"/"Biochemistry"
    (3 edits) and "North Campus"/"South Campus" (2 edits in 12 characters) are not.
    """
    return 0 if len(value) < 5 else max(1, len(value) // 10)


@dataclass(frozen=True, slots=True)
class NewValue:
    """A value of a category not stored before; ``resembles`` is the value it may be a typo of."""

    category: str
    value: str
    rows: int
    first_line: int
    resembles: str | None


class ValueTally:
    """Counts each category's values in a file, remembering the first line of each."""

    def __init__(self) -> None:
        self.counts: dict[str, Counter[str]] = {}
        self.first_line: dict[tuple[str, str], int] = {}

    def add(self, category: str, items: Iterable[str], line: int, rows: int = 1) -> None:
        """Count ``items`` as seen on ``rows`` rows, the first of them at ``line``."""
        counts = self.counts.setdefault(category, Counter())
        for item in items:
            known = self.first_line.get((category, item))
            if known is None or line < known:
                self.first_line[(category, item)] = line
            counts[item] += rows


def closest(value: str, candidates: Iterable[str]) -> str | None:
    """The candidate ``value`` most resembles, when it is within :func:`typo_limit` edits
    (ignoring case and punctuation)."""
    pool = [candidate for candidate in candidates if candidate != value]
    if not pool:
        return None
    from rapidfuzz import process, utils  # imported when first needed (start-up time)
    from rapidfuzz.distance import OSA

    match = process.extractOne(
        value, pool, scorer=OSA.distance, processor=utils.default_process,
        score_cutoff=typo_limit(value),
    )
    return None if match is None else match[0]


def _category_order(known: Mapping[str, set[str]]) -> Callable[[str], int]:
    order = {category: position for position, category in enumerate(known)}
    return lambda category: order.get(category, len(order))


def find_new_values(tally: ValueTally, known: Mapping[str, set[str]]) -> list[NewValue]:
    """Every value in the file not in ``known``, per category, with its look-alike if any."""
    found: list[NewValue] = []
    for category in sorted(tally.counts, key=_category_order(known)):
        counts = tally.counts[category]
        stored = known.get(category, set())
        for value, count in sorted(counts.items()):
            if value in stored:
                continue
            more_frequent = (other for other, n in counts.items() if n > count)
            resembles = closest(value, [*stored, *more_frequent])
            found.append(
                NewValue(category, value, count, tally.first_line[(category, value)], resembles)
            )
    return found
