"""The kiosk's roster in memory: every card_id with its student id, in a few flat structures.

A million students fit in about 20 MB and load in one SQL statement, with no Python object
per student kept: the database concatenates the card_ids in card_id order (SQLite walks its
unique index; PostgreSQL sorts with ``COLLATE "C"``, code-point order as Python compares
strings) and the ids in the same order. The card_ids then sit in one string, searched by
bisection: fixed-width records when every card_id has the same length (the usual roster),
else with an array of offsets; the ids beside them, in an array or (from SQLite) as one
string of fixed-width decimals read by position.

- :meth:`CardIdTable.owners`: the student ids whose card_id is exactly a given one;
- :meth:`CardIdTable.contained_in`: the roster card_ids that are substrings of a swipe's
  text (Handshake's matching), found by looking up every substring of each card_id length
  the roster has: a few hundred bisections for a swipe whatever the roster's size.

Blank card_ids (empty or only whitespace) are left out. A card_id shared by several students
keeps all of them (the database's card_id is unique; pairs given by a caller may repeat one).
"""

from __future__ import annotations

import bisect
import json
from array import array
from collections.abc import Iterable, Sequence
from itertools import accumulate
from operator import itemgetter
from typing import TYPE_CHECKING, cast, overload

from kiosk.cards.card_ids import is_blank
from kiosk.checkin.roster_preread import SQLITE_ROSTER

if TYPE_CHECKING:
    from sqlalchemy.engine import Engine

_SEPARATOR = "\n"

_SQLITE = SQLITE_ROSTER  # kiosk.checkin.roster_preread runs it too, before SQLAlchemy loads
_POSTGRESQL = (
    "SELECT count(*), "
    "string_agg(card_id, E'\\n' ORDER BY card_id COLLATE \"C\", id), "
    "string_agg(id::text, ',' ORDER BY card_id COLLATE \"C\", id) "
    "FROM student WHERE card_id IS NOT NULL AND card_id <> ''"
)
_ROWS = "SELECT card_id, id FROM student WHERE card_id IS NOT NULL"


class _Keys(Sequence[str]):
    """The card_ids of a table, as a sequence ``bisect`` can search."""

    __slots__ = ("_text", "_width", "_offsets", "_count")

    def __init__(self, text: str, count: int, width: int, offsets: array[int] | None) -> None:
        self._text = text
        self._count = count
        self._width = width  # when every card_id has this length (then no offsets)
        self._offsets = offsets

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> str: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[str]: ...
    def __getitem__(self, index: int | slice) -> str | Sequence[str]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if self._offsets is None:
            start = index * self._width
            return self._text[start : start + self._width]
        return self._text[self._offsets[index] : self._offsets[index + 1]]


class _FixedWidthIds(Sequence[int]):
    """Student ids as zero-padded decimals of one width, one after the other, read by
    position: a million ids need no parsing to be loaded, and a lookup parses one."""

    __slots__ = ("_digits", "_width", "_count")

    def __init__(self, digits: str, width: int, count: int) -> None:
        self._digits = digits
        self._width = width
        self._count = count

    def __len__(self) -> int:
        return self._count

    @overload
    def __getitem__(self, index: int) -> int: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[int]: ...
    def __getitem__(self, index: int | slice) -> int | Sequence[int]:
        if isinstance(index, slice):
            return [self[i] for i in range(*index.indices(self._count))]
        if not -self._count <= index < self._count:
            raise IndexError("student id index out of range")
        start = (index % self._count) * self._width
        return int(self._digits[start : start + self._width])


class CardIdTable:
    """Card_ids in code-point order, with the student id of each."""

    def __init__(
        self, card_ids: list[str], ids: Sequence[int], distinct: int | None = None
    ) -> None:
        """``card_ids`` sorted, ``ids[i]`` the student of ``card_ids[i]``; ``distinct``: how
        many distinct card_ids there are (default: all, as the database's unique card_id
        makes it). The list is not kept."""
        lengths = set(map(len, card_ids))
        width = next(iter(lengths)) if len(lengths) == 1 else 0
        offsets = (
            None if len(lengths) <= 1 else array("q", accumulate(map(len, card_ids), initial=0))
        )
        self._init("".join(card_ids), ids, width, offsets, lengths, distinct)

    def _init(
        self,
        joined: str,
        ids: Sequence[int],
        width: int,
        offsets: array[int] | None,
        lengths: set[int],
        distinct: int | None,
    ) -> None:
        self._ids = ids
        self._keys = _Keys(joined, len(ids), width, offsets)
        self._lengths = tuple(sorted(lengths))
        self._distinct = len(ids) if distinct is None else distinct

    @classmethod
    def _of_one_width(cls, joined: str, ids: Sequence[int], width: int) -> CardIdTable:
        table = cls.__new__(cls)
        table._init(joined, ids, width, None, {width} if ids else set(), None)
        return table

    # ------------------------------------------------------------------ building

    @classmethod
    def from_pairs(cls, pairs: Iterable[tuple[str | None, int]]) -> CardIdTable:
        """The table of ``(card_id, student_id)`` pairs."""
        present = cast("list[tuple[str, int]]", [p for p in pairs if not is_blank(p[0])])
        present.sort(key=itemgetter(0))  # stable: a shared card_id keeps its keys' order
        card_ids = [card_id for card_id, _ in present]
        ids = array("q", [key for _, key in present])
        return cls(card_ids, ids, len(set(card_ids)))

    @classmethod
    def from_sqlite_row(
        cls, row: tuple[int, str | None, str | None, int | None]
    ) -> CardIdTable | None:
        """From the row of kiosk.checkin.roster_preread.SQLITE_ROSTER (count, card_ids, ids
        of one width, that width); None as :meth:`from_joined`."""
        count, card_ids, ids, id_width = row
        return cls.from_joined(card_ids or "", ids or "", count, id_width or 0)

    @classmethod
    def from_joined(
        cls, card_ids: str, ids: str, count: int, id_width: int = 0
    ) -> CardIdTable | None:
        """From ``count`` card_ids in order joined by newlines and their ids joined by commas
        (``id_width`` 0), or zero-padded to ``id_width`` digits each, one after the other, as
        the database sends them; None when a card_id holds a newline itself (then the
        newlines do not add up) or the two lists differ in length."""
        numbers: Sequence[int]
        if id_width > 0:
            if len(ids) != count * id_width:
                return None
            numbers = _FixedWidthIds(ids, id_width, count)
        else:
            numbers = array("q", json.loads(f"[{ids}]")) if count else array("q")
        if len(numbers) != count or card_ids.count(_SEPARATOR) != max(count - 1, 0):
            return None
        if count == 0:
            return cls._of_one_width("", numbers, 0)
        width = card_ids.find(_SEPARATOR) if count > 1 else len(card_ids)
        one_width = len(card_ids) == count * (width + 1) - 1 and (
            card_ids[width :: width + 1].count(_SEPARATOR) == count - 1
        )
        joined = card_ids.replace(_SEPARATOR, "")
        if one_width and joined.isalnum():  # the usual roster: no blank card_id possible
            return cls._of_one_width(joined, numbers, width)
        parts = card_ids.split(_SEPARATOR)
        if any(map(str.isspace, parts)):  # leave out card_ids of whitespace only
            kept = [i for i, part in enumerate(parts) if not part.isspace()]
            parts = [parts[i] for i in kept]
            numbers = array("q", [numbers[i] for i in kept])
        return cls(parts, numbers)

    @classmethod
    def load(cls, engine: Engine) -> CardIdTable:
        """Every student's card_id (archived ones too) from the database, in one statement."""
        from sqlalchemy import text  # here: kiosk.checkin.roster_preread imports this module

        with engine.connect() as connection:
            table: CardIdTable | None = None
            dialect = connection.dialect.name
            if dialect == "sqlite":
                count, card_ids, ids, id_width = connection.execute(text(_SQLITE)).one()
                table = cls.from_sqlite_row((count, card_ids, ids, id_width))
            elif dialect == "postgresql":
                count, card_ids, ids = connection.execute(text(_POSTGRESQL)).one()
                table = cls.from_joined(card_ids or "", ids or "", count)
            if table is not None:
                return table
            rows = connection.execute(text(_ROWS))
            return cls.from_pairs((card_id, student_id) for card_id, student_id in rows)

    # ------------------------------------------------------------------ questions

    def __len__(self) -> int:
        """How many distinct card_ids the table holds."""
        return self._distinct

    def owners(self, card_id: str) -> tuple[int, ...]:
        """The student ids whose card_id is exactly ``card_id`` (empty when none)."""
        keys = self._keys
        index = bisect.bisect_left(keys, card_id)
        found: list[int] = []
        while index < len(keys) and keys[index] == card_id:
            found.append(self._ids[index])
            index += 1
        return tuple(found)

    def contained_in(self, swipe_text: str, limit: int = 2) -> list[tuple[str, int]]:
        """``(card_id, student_id)`` for the roster card_ids contained in ``swipe_text``, each
        card_id once (one pair per owner), shortest card_ids first; at most ``limit`` pairs
        (the kiosk only asks whether there is exactly one)."""
        found: list[tuple[str, int]] = []
        seen: set[str] = set()
        keys = self._keys
        size = len(swipe_text)
        for width in self._lengths:
            if width > size:
                break
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
