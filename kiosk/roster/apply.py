"""Writing a plan: a few set-based statements from the import's temporary tables into the
student table, all inside the caller's one transaction.

- creates: one ``INSERT … SELECT`` of the accepted rows with no stored student, in file
  order (it reads only the import's tables: reading the student table too would make
  SQLite stage the whole SELECT before inserting); on PostgreSQL, a large one into an empty
  student table builds the table's indexes after the rows (:mod:`bulk_load`);
- a sync's archives: one ``UPDATE`` of the current students on no row of the file;
- updates: ``UPDATE … FROM`` the changes table (:func:`plan.build_plan` put there only the
  students whose values or archived state change), in two statements: one for the students
  whose unique values (card_id, auth_identifier, email) stay the same, which does not name
  those columns (SQLite rewrites the index entries of every column named in SET, equal or
  not, and a kiosk waits for the whole write), then one for the others.

The import's timestamp goes through its column type once per statement (no adapter per
row). Nothing here commits: the caller's transaction makes the import all-or-nothing. The
statements are SQL text over the import's tables, not the ORM's models: ``kiosk import``
never loads SQLModel and the models (about 0.15 s of its start-up).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import bindparam, text
from sqlalchemy.engine import Connection
from sqlalchemy.sql.elements import TextClause

from kiosk.db.types import UTCDateTime
from kiosk.roster.bulk_load import indexes_built_after
from kiosk.roster.plan import UNIQUE_COLUMNS, Plan, distinct, missing_students
from kiosk.roster.schema import ATTRIBUTES
from kiosk.roster.staging import ACCEPTED, CHANGES, CLEAR_SQL, NEW, TABLE

#: progress(done, total) after each statement, counting students.
BatchProgress = Callable[[int, int], None]

#: The type of the student and audit_event timestamps (kiosk.db.models).
_NOW = UTCDateTime()


def _execute(connection: Connection, statement: TextClause, parameters: Mapping[str, Any]
             ) -> None:
    """Run one write statement (the one place the write goes through)."""
    connection.execute(statement, dict(parameters))


def _create_sql() -> str:
    values = ", ".join(
        f"CASE WHEN s.{a} = '' OR s.{a} = {CLEAR_SQL} THEN NULL ELSE s.{a} END"
        for a in ATTRIBUTES
    )
    columns = ", ".join((*ATTRIBUTES, "email_key", "row_fingerprint", "archived",
                         "archived_at", "created_at", "updated_at"))
    return (
        f"INSERT INTO student ({columns}) SELECT {values}, s.email_key, s.fingerprint, "
        f"s.disabled = 'TRUE', CASE WHEN s.disabled = 'TRUE' THEN :now END, :now, :now "
        f"FROM {TABLE} s WHERE {ACCEPTED} AND {NEW} ORDER BY s.line"
    )


def _archive_sql() -> str:
    # The student no longer is as its row left it: the row, if it comes back, is planned.
    return (f"UPDATE student SET archived = TRUE, archived_at = :now, updated_at = :now, "
            f"row_fingerprint = NULL WHERE {missing_students()}")


def _update_sql(unique_changed: bool) -> str:
    columns = [a for a in ATTRIBUTES if unique_changed or a not in UNIQUE_COLUMNS]
    if unique_changed:
        columns.append("email_key")
    assignments = ", ".join(f"{a} = c.{a}" for a in columns)
    return (
        f"UPDATE student SET {assignments}, row_fingerprint = c.fingerprint, "
        f"archived = c.archived, "
        f"archived_at = CASE WHEN c.archived = c.was_archived THEN student.archived_at "
        f"WHEN c.archived THEN :now END, updated_at = :now "
        f"FROM {CHANGES} c WHERE student.id = c.id AND "
        f"{'' if unique_changed else 'NOT '}c.unique_changed"
    )


def _restamp_sql(differs: str) -> str:
    """Store the fingerprint of each accepted row that leaves its student unchanged (a
    student imported before migration 0007, or whose row changed only where it changes
    nothing): the next import of the row skips it. Not a change of the roster."""
    return (
        f"UPDATE student SET row_fingerprint = s.fingerprint FROM {TABLE} s "
        f"WHERE student.username = s.username AND {ACCEPTED} "
        f"AND student.row_fingerprint {differs} s.fingerprint"
    )


def apply_plan(
    connection: Connection,
    plan: Plan,
    now: datetime,
    progress: BatchProgress | None = None,
) -> None:
    """Insert, archive and update as planned, inside the open transaction."""
    changes = plan.updated + plan.archived_by_rows
    # (statement, students it counts for progress, students it creates)
    steps: list[tuple[str, int, int]] = []
    if plan.created:
        steps.append((_create_sql(), plan.created, plan.created))
    if plan.archive_missing and plan.archived_missing:
        steps.append((_archive_sql(), plan.archived_missing, 0))
    if changes:
        steps += [(_update_sql(unique_changed=False), 0, 0),
                  (_update_sql(unique_changed=True), changes, 0)]
    if plan.restamp:
        steps.append((_restamp_sql(distinct(connection)), 0, 0))
    total, done = sum(count for _, count, _ in steps), 0
    for sql, count, created in steps:
        with indexes_built_after(connection, created):
            _run(connection, sql, now)
        done += count
        if progress is not None:
            progress(done, total)


def _run(connection: Connection, sql: str, now: datetime) -> None:
    if ":now" in sql:
        _execute(connection, text(sql).bindparams(bindparam("now", type_=_NOW)), {"now": now})
    else:
        _execute(connection, text(sql), {})


def record_audit(connection: Connection, detail: str, now: datetime) -> None:
    """An AuditEvent(kind="roster_import") with the summary counts."""
    statement = text("INSERT INTO audit_event (kind, detail, at) VALUES (:kind, :detail, :at)")
    connection.execute(statement.bindparams(bindparam("at", type_=_NOW)),
                       {"kind": "roster_import", "detail": detail, "at": now})
