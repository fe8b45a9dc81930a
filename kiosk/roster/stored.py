"""What the import reads of the stored roster besides the plan's SQL: each gut-check
category's known values (distinct values only, so this does not grow with the roster)."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy.engine import Connection

from kiosk.roster.schema import CATEGORIES, LIST_ATTRIBUTES, split_list


def load_known_values(connection: Connection) -> dict[str, set[str]]:
    """Each gut-check category's values already stored (lists split), by distinct values."""
    known: dict[str, set[str]] = {}
    for category, attributes in CATEGORIES.items():
        values: set[str] = set()
        for attribute in attributes:
            distinct = connection.exec_driver_sql(
                f"SELECT DISTINCT {attribute} FROM student").scalars()
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
