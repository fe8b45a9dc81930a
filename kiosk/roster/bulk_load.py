"""PostgreSQL's bulk load of an empty student table: the first import of a campus.

Keeping four unique indexes up to date row by row costs more than inserting the rows (about
0.5 of 0.9 s at 100,000 students); building each index once the rows are in costs a fifth of
that. So when a large insert goes into a student table that holds no row at all, archived
ones included, the student table's secondary indexes are dropped, the rows inserted and the
indexes created again from their own definitions (``pg_get_indexdef``), all inside the
import's one transaction: an import that fails or is killed leaves the indexes as they were,
and no other session ever sees the table without them.

Dropping an index takes the table's ACCESS EXCLUSIVE lock until the import commits (about a
second at 100,000 rows): a kiosk reading the empty roster waits that long. The lock is asked
for with NOWAIT: when any session holds the table (a kiosk's open transaction, another
import), the import inserts with the indexes in place, as on a table that has students.
The primary key stays (other tables' foreign keys need it), and so does any index that backs
a constraint.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.engine import Connection
from sqlalchemy.exc import OperationalError

from kiosk.roster.stored import any_student

#: The fewest rows worth the lock and the rebuild (below, the inserts take milliseconds).
BULK_LOAD_ROWS = 5000

#: The student table's indexes other than its primary key and those backing a constraint,
#: as (name as SQL would write it, the statement that creates it).
_SECONDARY_INDEXES = (
    "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
    "WHERE i.indrelid = 'student'::regclass AND NOT i.indisprimary AND NOT EXISTS "
    "(SELECT 1 FROM pg_constraint k WHERE k.conindid = i.indexrelid) ORDER BY 1"
)


@contextmanager
def indexes_built_after(connection: Connection, rows: int) -> Iterator[bool]:
    """Around an insert of ``rows`` students in the caller's open transaction: on
    PostgreSQL, into an empty student table, drop its secondary indexes before and create
    them again after. Yields whether it did (False: the insert maintains the indexes)."""
    if not _worth_it(connection, rows) or not _locked_empty(connection):
        yield False
        return
    indexes = connection.exec_driver_sql(_SECONDARY_INDEXES).all()
    if indexes:
        connection.exec_driver_sql(f"DROP INDEX {', '.join(name for name, _ in indexes)}")
    yield True
    for _, definition in indexes:
        connection.exec_driver_sql(definition)


def _worth_it(connection: Connection, rows: int) -> bool:
    return (connection.dialect.name == "postgresql" and rows >= BULK_LOAD_ROWS
            and not any_student(connection))


def _locked_empty(connection: Connection) -> bool:
    """Take the student table's ACCESS EXCLUSIVE lock without waiting; True when it was
    free and the table is still empty (a student may have come since the first look)."""
    savepoint = connection.begin_nested()
    try:
        connection.exec_driver_sql("LOCK TABLE student IN ACCESS EXCLUSIVE MODE NOWAIT")
    except OperationalError:  # lock_not_available: someone holds the table
        savepoint.rollback()
        return False
    savepoint.commit()
    return not any_student(connection)
