"""SQLite: an event's or check-in's id is never handed out again after it is deleted.

Without ``AUTOINCREMENT`` SQLite gives a new row the highest id in the table plus one, so
deleting the newest event (``kiosk events delete``) and creating another gave the new event
the deleted one's id: a kiosk started with ``--event 7`` or a kiosk.toml naming event 7, or a
command run from the shell history, checked students in to a different event than the one
it was set up for. Check-ins are named by id outside the database too (undo and name tag
reprints from a screen's list, ``check_in=N`` in the audit log) and are deleted with their
event. Both tables are rebuilt with ``INTEGER PRIMARY KEY AUTOINCREMENT`` (SQLite cannot
alter a primary key in place): rows, ids, indexes and the foreign keys pointing at them are
kept; SQLite then hands out ids above the highest ever used (``sqlite_sequence``).
PostgreSQL's sequences never hand an id out twice: nothing to do there.

kiosk.db.migrate.upgrade runs SQLite migrations with foreign key enforcement off (SQLite
allows switching it only outside a transaction) and checks every foreign key before it
commits, as SQLite's own procedure for rebuilding a table asks.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-05 08:50:00
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

#: The tables whose ids are named outside the database and whose rows are deleted.
TABLES = ("event", "check_in")


def _rebuild(table: str, autoincrement: bool) -> None:
    with op.batch_alter_table(
        table, recreate="always", table_kwargs={"sqlite_autoincrement": autoincrement}
    ):
        pass


def upgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        _rebuild(table, autoincrement=True)


def downgrade() -> None:
    if op.get_bind().dialect.name != "sqlite":
        return
    for table in TABLES:
        _rebuild(table, autoincrement=False)
