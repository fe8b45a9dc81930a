"""The students already in the database, as the import plan needs them (one query)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import Table, select
from sqlalchemy.engine import Connection

from kiosk.db.models import Student
from kiosk.roster.schema import ATTRIBUTES, CATEGORIES, INDEX, LIST_ATTRIBUTES, split_list

STUDENT: Table = Student.__table__  # type: ignore[attr-defined]

_USERNAME = INDEX["username"]
_CARD = INDEX["card_id"]
_AUTH = INDEX["auth_identifier"]

StoredValues = tuple[str | None, ...]


@dataclass(frozen=True, slots=True)
class StoredStudent:
    id: int
    archived: bool
    values: StoredValues  # in schema.ATTRIBUTES order


@dataclass
class StoredRoster:
    """Stored students by username, and who owns each unique value."""

    by_username: dict[str, StoredStudent] = field(default_factory=dict)
    card_owner: dict[str, str] = field(default_factory=dict)
    email_owner: dict[str, str] = field(default_factory=dict)
    auth_owner: dict[str, str] = field(default_factory=dict)

    @property
    def active_count(self) -> int:
        return sum(1 for student in self.by_username.values() if not student.archived)

    def known_values(self) -> dict[str, set[str]]:
        """Each gut-check category's values already stored (lists split)."""
        known: dict[str, set[str]] = {}
        for category, attributes in CATEGORIES.items():
            values: set[str] = set()
            for attribute in attributes:
                index = INDEX[attribute]
                distinct = {s.values[index] for s in self.by_username.values()}
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


def load_stored(connection: Connection) -> StoredRoster:
    """Every stored student (archived ones too), in one query."""
    columns = [
        STUDENT.c.id,
        STUDENT.c.archived,
        STUDENT.c.email_key,
        *(STUDENT.c[a] for a in ATTRIBUTES),
    ]
    roster = StoredRoster()
    for row in connection.execute(select(*columns)):
        values: StoredValues = tuple(row[3:])
        username = values[_USERNAME]
        assert username is not None
        roster.by_username[username] = StoredStudent(row[0], bool(row[1]), values)
        card_id, email_key, auth = values[_CARD], row[2], values[_AUTH]
        if card_id is not None:
            roster.card_owner[card_id] = username
        roster.email_owner[email_key] = username
        if auth is not None:
            roster.auth_owner[auth] = username
    return roster
