"""The kiosk's roster in memory: every card_id with its student id, in a few flat strings.

A million students fit in about 20 MB and load in one SQL statement, with no Python object
per student: the database concatenates ``card_id + zero-padded id`` records in card_id
order (SQLite walks its unique index; PostgreSQL sorts with ``COLLATE "C"``, code-point order
as Python compares strings), and records of one card_id length form one string of fixed-width
records, searched by bisection.

- :meth:`CardIdTable.owners`: the student ids whose card_id is exactly a given one;
- :meth:`CardIdTable.contained_in`: the roster card_ids that are substrings of a swipe's
  text (Handshake's matching), found by looking up every substring of each card_id length
  the roster has, a few hundred bisections for a swipe whatever the roster's size.

Blank card_ids (empty or only whitespace) are left out. A card_id shared by several students
keeps all of them (the database's card_id is unique; pairs given by a caller may repeat one).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Iterable, Sequence
from typing import cast, overload

from sqlalchemy import text
from sqlalchemy.engine import Engine

from kiosk.cards.card_ids import is_blank

#: Ids are written with at least this many digits (more when the largest id needs them).
MIN_ID_DIGITS = 10
_SEPARATOR = "\n"


class _Keys(Sequence[str]):
    """The card_ids of one string of fixed-width records, as a sequence ``bisect`` can search."""

    __slots__ = ("_records", "_width", "_step", "_count")

    def __init__(self, records: str, width: int, step: int) -> None:
        self._records = records
        self._width = width
        self._step = step
        self._count = len(records) // step

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        start = index * self._step
        return self._records[start : start + self._width]


class CardIdTable:
    """Card_ids and student ids as sorted fixed-width records, one string per card_id length."""

    def __init__(self, groups: dict[int, str], id_digits: int, distinct: int | None = None) -> None:
        """``groups``: for each card_id length, its ``card_id + id`` records (``id_digits``
        digits each) concatenated in card_id order; ``distinct``: how many distinct card_ids
        they hold (default: one per record, as the database's unique card_id makes it)."""
        self._id_digits = id_digits
        self._groups = {
            width: (records, _Keys(records, width, width + id_digits))
            for width, records in sorted(groups.items())
            if records
        }
        self._widths = tuple(self._groups)
        records = sum(len(keys) for _, keys in self._groups.values())
        self._distinct = records if distinct is None else distinct

    # ------------------------------------------------------------------ building

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str | None, int]]) -> CardIdTable:
        """The table of ``(card_id, student_id)`` pairs (ids of 0 or more)."""
        present = cast("list[tuple[str, int]]", [pair for pair in pairs if not is_blank(pair[0])])
        digits = max([MIN_ID_DIGITS, *(len(str(key)) for _, key in present)])
        records = sorted(f"{card_id}{key:0{digits}d}" for card_id, key in present)
        return cls._from_sorted(records, digits, len({card_id for card_id, _ in present}))

    @classmethod
    def _from_sorted(
        cls, records: list[str], id_digits: int, distinct: int | None = None
    ) -> CardIdTable:
        """From records already in card_id order (any lengths): grouped by length, in order."""
        by_length = sorted(records, key=len)  # stable: each length keeps card_id order
        groups = {
            length - id_digits: "".join(group)
            for length, group in itertools.groupby(by_length, key=len)
        }
        return cls(groups, id_digits, distinct)

    @classmethod
    def from_joined(
        cls, joined: str, count: int, shortest: int, longest: int, id_digits: int
    ) -> CardIdTable | None:
        """From ``count`` records in card_id order joined by newlines, as the database sends
        them; None when a card_id holds a newline itself (then the count does not add up)."""
        if count == 0:
            return cls({}, id_digits)
        if joined.count(_SEPARATOR) != count - 1:
            return None
        if shortest == longest:  # one length, the usual roster: already one group
            return cls({shortest: joined.replace(_SEPARATOR, "")}, id_digits)
        return cls._from_sorted(joined.split(_SEPARATOR), id_digits)

    @classmethod
    def load(cls, engine: Engine) -> CardIdTable:
        """Every student's card_id (archived ones too) from the database, in one statement."""
        with engine.connect() as connection:
            dialect = connection.dialect.name
            largest = connection.execute(text("SELECT max(id) FROM student")).scalar()
            digits = max(MIN_ID_DIGITS, len(str(largest or 0)))
            # the id's width is a number computed here, written into the statement: a format
            # given as a parameter would be parsed again for every row
            if dialect == "sqlite":
                statement = (
                    "SELECT count(*), min(length(card_id)), max(length(card_id)), "
                    f"group_concat(card_id || printf('%0{digits:d}d', id), char(10)) "
                    "FROM (SELECT card_id, id FROM student "
                    "WHERE card_id IS NOT NULL AND trim(card_id) <> '' ORDER BY card_id)"
                )
            elif dialect == "postgresql":
                statement = (
                    "SELECT count(*), min(length(card_id)), max(length(card_id)), "
                    f"string_agg(card_id || lpad(id::text, {digits:d}, '0'), E'\\n' "
                    'ORDER BY card_id COLLATE "C") '
                    "FROM student WHERE card_id IS NOT NULL AND trim(card_id) <> ''"
                )
            else:
                statement = ""
            if statement:
                count, shortest, longest, joined = connection.execute(text(statement)).one()
                table = cls.from_joined(joined or "", count, shortest, longest, digits)
                if table is not None:
                    return table
            rows = connection.execute(
                text("SELECT card_id, id FROM student WHERE card_id IS NOT NULL")
            )
            return cls.from_pairs((card_id, student_id) for card_id, student_id in rows)

    # ------------------------------------------------------------------ questions

    def __len__(self) -> int:
        """How many distinct card_ids the table holds."""
        return self._distinct

    def owners(self, card_id: str) -> tuple[int, ...]:
        """The student ids whose card_id is exactly ``card_id`` (empty when none)."""
        group = self._groups.get(len(card_id))
        if group is None:
            return ()
        records, keys = group
        index = bisect.bisect_left(keys, card_id)
        found: list[int] = []
        step = len(card_id) + self._id_digits
        while index < len(keys) and keys[index] == card_id:
            start = index * step + len(card_id)
            found.append(int(records[start : start + self._id_digits]))
            index += 1
        return tuple(found)

    def contained_in(self, swipe_text: str, limit: int = 2) -> list[tuple[str, int]]:
        """``(card_id, student_id)`` for the roster card_ids contained in ``swipe_text``, each
        card_id once (one pair per owner), shortest card_ids first; at most ``limit`` pairs
        (the kiosk only asks whether there is exactly one)."""
        found: list[tuple[str, int]] = []
        seen: set[str] = set()
        size = len(swipe_text)
        for width in self._widths:
            if width > size:
                break
            keys = self._groups[width][1]
            for start in range(size - width + 1):
                part = swipe_text[start : start + width]
                if part in seen:
                    continue
                index = bisect.bisect_left(keys, part)
                if index < len(keys) and keys[index] == part:
                    seen.add(part)
                    found.extend((part, owner) for owner in self.owners(part))
                    if len(found) >= limit:
                        return found[:limit]
        return found
