"""Writing a plan: bulk executemany in batches, all inside the caller's one transaction.

An update sets a unique column (username, email_key, auth_identifier, card_id) only when
its value changes: SQLite rewrites the index entries of every column named in SET, equal or
not, and a kiosk waits for the whole write. Updates are grouped by the columns they set (at
most 32 statements).

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
from operator import itemgetter
from typing import Any

from sqlalchemy import Table, insert
from sqlalchemy.engine import Connection

from kiosk.db.models import AuditEvent
from kiosk.roster.schema import ATTRIBUTES, CLEAR, INDEX
from tests.roster.legacy.plan import Plan, Row, Update
from tests.roster.legacy.stored import STUDENT

#: Rows per executemany call.
BATCH_SIZE = 2000

#: progress(done, total) after each batch.
BatchProgress = Callable[[int, int], None]

Parameters = tuple[Any, ...]

_EMAIL = INDEX["email_address"]
_DISABLED = INDEX["disabled"]
_AUDIT: Table = AuditEvent.__table__  # type: ignore[attr-defined]
_PLACEHOLDERS = {"qmark": "?", "format": "%s", "pyformat": "%s"}
_STAGING = "kiosk_roster_staging"


def _batches(items: Iterable[Parameters], size: int) -> Iterator[list[Parameters]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _execute_batch(connection: Connection, sql: str, batch: list[Parameters]) -> None:
    if sql.startswith("COPY "):  # PostgreSQL (psycopg): the rows go in as one COPY
        driver: Any = connection.connection.driver_connection
        with driver.cursor() as cursor, cursor.copy(sql) as copy:
            for row in batch:
                copy.write_row(row)
        return
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

    # PostgreSQL: the new values are copied into a temporary table, then one UPDATE ... FROM
    # writes them all (three times faster than an UPDATE per row, and the rows whose unique
    # values change stay locked against the kiosks' check-ins for less time).

    def staging_table(self, columns: Sequence[str]) -> str:
        names = ", ".join(self._quote(c) for c in ("id", *columns))
        return (f"CREATE TEMPORARY TABLE {_STAGING} ON COMMIT DROP AS "
                f"SELECT {names} FROM {self._table} WITH NO DATA")

    def copy_staging(self, columns: Sequence[str]) -> str:
        names = ", ".join(self._quote(c) for c in (*columns, "id"))
        return f"COPY {_STAGING} ({names}) FROM STDIN"

    def update_from_staging(self, columns: Sequence[str]) -> str:
        assignments = ", ".join(f"{self._quote(c)} = new.{self._quote(c)}" for c in columns)
        return (f"UPDATE {self._table} AS s SET {assignments} FROM {_STAGING} AS new "
                f"WHERE s.{self._quote('id')} = new.{self._quote('id')}")


_CREATE_COLUMNS = (*ATTRIBUTES, "email_key", "archived", "archived_at", "created_at",
                   "updated_at")
_ARCHIVE_COLUMNS = ("archived", "archived_at", "updated_at")
#: Values with a unique index (the email's is on email_key). On PostgreSQL, changing one
#: (not merely setting it to the same value) locks the row FOR UPDATE, which a kiosk's
#: check-in of that student waits for (its foreign key check takes FOR KEY SHARE).
_UNIQUE = frozenset(INDEX[a] for a in ("username", "card_id", "auth_identifier"))


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


class _UpdateGroup:
    """Updates that set the same columns: every value but the unique ones that stay the
    same, email_key when the email changes, the archived state when it changes (an archived
    student stays archived since the first time), updated_at."""

    def __init__(self, unique: tuple[int, ...], email: bool, archiving: bool) -> None:
        picks = [i for i in range(len(ATTRIBUTES)) if i not in _UNIQUE or i in unique]
        self._pick = itemgetter(*picks)
        self._email, self._archiving = email, archiving
        columns = [ATTRIBUTES[i] for i in picks]
        columns += ["email_key"] if email else []
        columns += ["archived", "archived_at"] if archiving else []
        self.columns = (*columns, "updated_at")
        self.changes_unique = bool(unique) or email
        self.updates: list[Update] = []

    def parameters(self, sql: _Statements) -> Iterator[Parameters]:
        for change in self.updates:
            values = self._pick(change.values)
            email = (change.values[_EMAIL].lower(),) if self._email else ()  # type: ignore[union-attr]
            archived = (((sql.true, sql.now) if change.archived else (sql.false, None))
                        if self._archiving else ())
            yield (*values, *email, *archived, sql.now, change.student_id)


def _update_groups(updates: Iterable[Update]) -> list[_UpdateGroup]:
    """The updates grouped by the columns they set (one statement each, 32 at most), those
    changing a unique value last."""
    groups: dict[tuple[tuple[int, ...], bool, bool], _UpdateGroup] = {}
    for change in updates:
        unique = tuple(i for i in change.changed if i in _UNIQUE)
        key = (unique, _EMAIL in change.changed, change.archived != change.was_archived)
        group = groups.get(key)
        if group is None:
            group = groups[key] = _UpdateGroup(*key)
        group.updates.append(change)
    return sorted(groups.values(), key=lambda group: group.changes_unique)


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
    staged = connection.dialect.driver == "psycopg"
    for group in _update_groups(plan.updates):
        columns, parameters = group.columns, group.parameters(sql)
        if not staged:
            write(sql.update(columns), parameters)
            continue
        connection.exec_driver_sql(sql.staging_table(columns))
        write(sql.copy_staging(columns), parameters)
        connection.exec_driver_sql(sql.update_from_staging(columns))
        connection.exec_driver_sql(f"DROP TABLE {_STAGING}")


def record_audit(connection: Connection, detail: str, now: datetime) -> None:
    """An AuditEvent(kind="roster_import") with the summary counts."""
    connection.execute(insert(_AUDIT).values(kind="roster_import", detail=detail, at=now))
