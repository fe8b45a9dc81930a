"""The students already in the database, as the import plan needs them.

The whole roster is held only as a compact index (ids, archived flags and who owns each
unique value); the full stored values are streamed past the file's rows once, so
re-importing 100,000 students does not hold two copies of the roster.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection

from kiosk.db.models import Student
from kiosk.roster.schema import ATTRIBUTES, CATEGORIES, LIST_ATTRIBUTES, split_list

STUDENT: Table = Student.__table__  # type: ignore[attr-defined]

#: Stored rows fetched at a time when streaming stored values.
STREAM_BATCH = 2000

StoredValues = tuple[str | None, ...]


@dataclass(frozen=True, slots=True)
class StoredStudent:
    id: int
    archived: bool


@dataclass
class StoredIndex:
    """Every stored student (archived ones too) by username, and who owns each unique value."""

    by_username: dict[str, StoredStudent] = field(default_factory=dict)
    card_owner: dict[str, str] = field(default_factory=dict)
    email_owner: dict[str, str] = field(default_factory=dict)
    auth_owner: dict[str, str] = field(default_factory=dict)

    @property
    def active_count(self) -> int:
        return sum(1 for student in self.by_username.values() if not student.archived)


def load_index(connection: Connection) -> StoredIndex:
    """The compact index of every stored student, in one query."""
    c = STUDENT.c
    index = StoredIndex()
    query = select(c.id, c.archived, c.username, c.email_key, c.card_id, c.auth_identifier)
    for student_id, archived, username, email_key, card_id, auth in connection.execute(query):
        index.by_username[username] = StoredStudent(student_id, bool(archived))
        index.email_owner[email_key] = username
        if card_id is not None:
            index.card_owner[card_id] = username
        if auth is not None:
            index.auth_owner[auth] = username
    return index


def iter_stored_values(connection: Connection) -> Iterator[tuple[int, StoredValues]]:
    """Every stored student's id and values (in schema.ATTRIBUTES order), streamed in
    batches so the whole roster is never held at once."""
    query = select(STUDENT.c.id, *(STUDENT.c[a] for a in ATTRIBUTES)).execution_options(
        yield_per=STREAM_BATCH
    )
    for row in connection.execute(query):
        yield row[0], tuple(row[1:])


def load_known_values(connection: Connection) -> dict[str, set[str]]:
    """Each gut-check category's values already stored (lists split), by distinct values."""
    known: dict[str, set[str]] = {}
    for category, attributes in CATEGORIES.items():
        values: set[str] = set()
        for attribute in attributes:
            column = STUDENT.c[attribute]
            distinct = connection.execute(select(column).distinct()).scalars()
            values.update(_items(distinct, attribute in LIST_ATTRIBUTES))
        known[category] = values
    return known


def _items(distinct: Iterable[str | None], is_list: bool) -> set[str]:
    items: set[str] = set()
    for value in distinct:
        if not value:
            continue
        if is_list:
            items.update(split_list(value))
        else:
            items.add(value.strip())
    return items
