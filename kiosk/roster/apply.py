"""Writing a plan: bulk executemany in batches, all inside the caller's one transaction.

An update sets only the columns whose values change (and ``updated_at``): SQLite rewrites
the index entries of every column named in SET, equal or not, and a kiosk waits for the
whole write. Updates are grouped by the columns they set, one statement per group.

The statements are plain INSERT/UPDATE on the student table in the dialect's own parameter
style (sent with ``exec_driver_sql``): the values are text stored as written, and the few
typed values (the import's timestamp, the archived flag) go through their column type's bind
processor once. That keeps the import close to the speed of a bare ``executemany``.
Nothing here commits: the caller's transaction makes the import all-or-nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection

from kiosk.db.models import AuditEvent
from kiosk.roster.plan import Plan, Row, Update
from kiosk.roster.schema import ATTRIBUTES, CLEAR, INDEX
from kiosk.roster.stored import STUDENT

#: Rows per executemany call.
BATCH_SIZE = 2000

#: progress(done, total) after each batch.
BatchProgress = Callable[[int, int], None]

Parameters = tuple[Any, ...]

_EMAIL = INDEX["email_address"]
_DISABLED = INDEX["disabled"]
_AUDIT: Table = AuditEvent.__table__  # type: ignore[attr-defined]
_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}


def _batches(items: Iterable[Parameters], size: int) -> Iterator[list[Parameters]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _execute_batch(connection: Connection, sql: str, batch: list[Parameters]) -> None:
    connection.exec_driver_sql(sql, batch)


class _Statements:
    """SQL text and pre-processed constants for one connection's dialect."""

    def __init__(self, connection: Connection, now: datetime) -> None:
        dialect = connection.dialect
        try:
            mark = _PLACEHOLDERS[dialect.paramstyle]
        except KeyError:
            raise NotImplementedError(f"paramstyle {dialect.paramstyle}") from None
        quote = dialect.identifier_preparer.quote
        self._mark, self._quote, self._table = mark, quote, quote(STUDENT.name)

        def bound(column: str, value: Any) -> Any:
            processor = STUDENT.c[column].type.bind_processor(dialect)
            return processor(value) if processor is not None else value

        self.now = bound("updated_at", now)
        self.true, self.false = bound("archived", True), bound("archived", False)

    def insert(self, columns: Sequence[str]) -> str:
        names = ", ".join(self._quote(c) for c in columns)
        marks = ", ".join(self._mark for _ in columns)
        return f"INSERT INTO {self._table} ({names}) VALUES ({marks})"

    def update(self, columns: Sequence[str]) -> str:
        assignments = ", ".join(f"{self._quote(c)} = {self._mark}" for c in columns)
        return f"UPDATE {self._table} SET {assignments} WHERE {self._quote('id')} = {self._mark}"


_CREATE_COLUMNS = (*ATTRIBUTES, "email_key", "archived", "archived_at", "created_at",
                   "updated_at")
_ARCHIVE_COLUMNS = ("archived", "archived_at", "updated_at")
#: Columns with a unique index. On PostgreSQL, changing one (not merely setting it to the
#: same value) locks the row FOR UPDATE, which a kiosk's check-in of that student waits for
#: (its foreign key check takes FOR KEY SHARE): those updates are written last.
_UNIQUE_COLUMNS = frozenset({"username", "email_key", "card_id", "auth_identifier"})


def _creations(rows: Sequence[Row], indexes: list[int], sql: _Statements
               ) -> Iterator[Parameters]:
    now, true, false = sql.now, sql.true, sql.false
    for index in indexes:
        values = rows[index][1]
        email = values[_EMAIL]
        if values[_DISABLED] == "TRUE":
            archived, archived_at = true, now
        else:
            archived, archived_at = false, None
        yield (
            *(None if value == "" or value == CLEAR else value for value in values),
            email.lower(), archived, archived_at, now, now,
        )


def _update_columns(change: Update) -> tuple[str, ...]:
    """Only what changes: the changed values, email_key with the email, the archived state
    when it changes (an archived student stays archived since the first time), updated_at."""
    columns = [ATTRIBUTES[index] for index in change.changed]
    if _EMAIL in change.changed:
        columns.append("email_key")
    if change.archived != change.was_archived:
        columns.extend(("archived", "archived_at"))
    columns.append("updated_at")
    return tuple(columns)


def _update_parameters(change: Update, sql: _Statements) -> Parameters:
    values = [change.values[index] for index in change.changed]
    if _EMAIL in change.changed:
        email = change.values[_EMAIL]
        assert email is not None
        values.append(email.lower())
    if change.archived != change.was_archived:
        values.extend((sql.true, sql.now) if change.archived else (sql.false, None))
    return (*values, sql.now, change.student_id)


def _updates_by_columns(updates: Iterable[Update]) -> list[tuple[tuple[str, ...], list[Update]]]:
    """The updates grouped by the columns they set (one statement each), those changing a
    unique column last."""
    groups: dict[tuple[str, ...], list[Update]] = {}
    for change in updates:
        groups.setdefault(_update_columns(change), []).append(change)
    return sorted(groups.items(), key=lambda group: not _UNIQUE_COLUMNS.isdisjoint(group[0]))


def apply_plan(
    connection: Connection,
    plan: Plan,
    rows: Sequence[Row],
    now: datetime,
    progress: BatchProgress | None = None,
) -> None:
    """Insert, update and archive as planned, in batches, inside the open transaction."""
    sql = _Statements(connection, now)
    total = len(plan.creates) + len(plan.updates) + len(plan.archive_missing_ids)
    done = 0

    def write(statement: str, parameters: Iterable[Parameters]) -> None:
        nonlocal done
        for batch in _batches(parameters, BATCH_SIZE):
            _execute_batch(connection, statement, batch)
            done += len(batch)
            if progress is not None:
                progress(done, total)

    write(sql.insert(_CREATE_COLUMNS), _creations(rows, plan.creates, sql))
    write(
        sql.update(_ARCHIVE_COLUMNS),
        ((sql.true, sql.now, sql.now, student_id) for student_id in plan.archive_missing_ids),
    )
    for columns, updates in _updates_by_columns(plan.updates):
        write(sql.update(columns), (_update_parameters(u, sql) for u in updates))


def record_audit(connection: Connection, detail: str, now: datetime) -> None:
    """An AuditEvent(kind="roster_import") with the summary counts."""
    connection.execute(insert(_AUDIT).values(kind="roster_import", detail=detail, at=now))
