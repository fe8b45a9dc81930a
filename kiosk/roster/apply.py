"""Writing a plan: bulk Core executemany in batches, all inside the caller's one transaction.

Nothing here commits: the caller's transaction makes the import all-or-nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import datetime
from itertools import islice
from typing import Any

from sqlalchemy import Executable, Table, bindparam, insert, update
from sqlalchemy.engine import Connection

from kiosk.db.models import AuditEvent
from kiosk.roster.plan import Plan, Row, as_new, is_disabled
from kiosk.roster.schema import ATTRIBUTES, INDEX
from kiosk.roster.stored import STUDENT, StoredValues

#: Rows per executemany call.
BATCH_SIZE = 2000

#: progress(done, total) after each batch.
BatchProgress = Callable[[int, int], None]

_EMAIL = INDEX["email_address"]
_AUDIT: Table = AuditEvent.__table__  # type: ignore[attr-defined]


def _batches(items: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _execute_batch(connection: Connection, statement: Executable,
                   batch: list[dict[str, Any]]) -> None:
    connection.execute(statement, batch)


def _student_parameters(values: StoredValues, archived: bool, now: datetime) -> dict[str, Any]:
    parameters: dict[str, Any] = dict(zip(ATTRIBUTES, values, strict=True))
    email = values[_EMAIL]
    assert email is not None
    parameters["email_key"] = email.lower()
    parameters["archived"] = archived
    parameters["archived_at"] = now if archived else None
    parameters["updated_at"] = now
    return parameters


def _creations(rows: Sequence[Row], indexes: list[int], now: datetime
               ) -> Iterator[dict[str, Any]]:
    for index in indexes:
        values = as_new(rows[index][1])
        parameters = _student_parameters(values, is_disabled(values), now)
        parameters["created_at"] = now
        yield parameters


def _updates(plan: Plan, now: datetime) -> Iterator[dict[str, Any]]:
    for change in plan.updates:
        parameters = _student_parameters(change.values, change.archived, now)
        if change.archived and change.was_archived:
            del parameters["archived_at"]  # keep the original archiving time
        parameters["_student_id"] = change.student_id
        yield parameters


def apply_plan(
    connection: Connection,
    plan: Plan,
    rows: Sequence[Row],
    now: datetime,
    progress: BatchProgress | None = None,
) -> None:
    """Insert, update and archive as planned, in batches, inside the open transaction."""
    total = len(plan.creates) + len(plan.updates) + len(plan.archive_missing_ids)
    done = 0

    def step(batch: list[dict[str, Any]], statement: Executable) -> None:
        nonlocal done
        _execute_batch(connection, statement, batch)
        done += len(batch)
        if progress is not None:
            progress(done, total)

    for batch in _batches(_creations(rows, plan.creates, now), BATCH_SIZE):
        step(batch, insert(STUDENT))
    # Updates with and without archived_at get separate statements (one shape each).
    by_shape: dict[bool, list[dict[str, Any]]] = {True: [], False: []}
    for parameters in _updates(plan, now):
        by_shape["archived_at" in parameters].append(parameters)
        if len(by_shape[True]) + len(by_shape[False]) >= BATCH_SIZE:
            for group in by_shape.values():
                if group:
                    step(group, _update_statement())
                    group.clear()
    for group in by_shape.values():
        if group:
            step(group, _update_statement())
    archive = (
        update(STUDENT)
        .where(STUDENT.c.id == bindparam("_student_id"))
        .values(archived=True, archived_at=now, updated_at=now)
    )
    missing = ({"_student_id": student_id} for student_id in plan.archive_missing_ids)
    for batch in _batches(missing, BATCH_SIZE):
        step(batch, archive)


def _update_statement() -> Executable:
    return update(STUDENT).where(STUDENT.c.id == bindparam("_student_id"))


def record_audit(connection: Connection, detail: str, now: datetime) -> None:
    """An AuditEvent(kind="roster_import") with the summary counts."""
    connection.execute(insert(_AUDIT).values(kind="roster_import", detail=detail, at=now))
