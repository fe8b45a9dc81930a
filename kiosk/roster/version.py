"""The roster's version: one number every import that changes the roster raises, in the same
transaction as its changes, so running kiosks notice a new roster by polling one row.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, column, select, table
from sqlalchemy.engine import Connection, Engine

from kiosk.db.types import UTCDateTime

#: The roster_version table (kiosk.db.models.RosterVersion), named here without the ORM's
#: models so that ``kiosk import`` does not load them.
_TABLE = table("roster_version", column("id", Integer), column("version", Integer),
               column("changed_at", UTCDateTime()))
_ROW = 1


def roster_version(engine: Engine) -> int:
    """The roster's current version (0 when no import has changed it yet)."""
    with engine.connect() as connection:
        return current_version(connection)


def current_version(connection: Connection) -> int:
    """The version as this connection's transaction sees it (0 when there is no row)."""
    version = connection.execute(
        select(_TABLE.c.version).where(_TABLE.c.id == _ROW)
    ).scalar_one_or_none()
    return int(version or 0)


def bump_version(connection: Connection, now: datetime) -> int:
    """Raise the version by one (creating the row at 1 when missing), inside the caller's
    transaction, and return the new version. One statement, so two imports committing at
    once on PostgreSQL cannot both see the same old version: the second waits for the
    first's row lock and then counts on from the first's version."""
    dialect = connection.dialect.name
    # Each dialect's module only when used: sqlalchemy.dialects.postgresql loads asyncio and
    # asyncpg's dialect too (about 40 ms of a SQLite import's start-up).
    if dialect == "postgresql":
        from sqlalchemy.dialects import postgresql

        insert = postgresql.insert(_TABLE)
    elif dialect == "sqlite":
        from sqlalchemy.dialects import sqlite

        insert = sqlite.insert(_TABLE)  # type: ignore[assignment]
    else:
        raise NotImplementedError(f"roster_version on {dialect}")
    statement = (
        insert.values(id=_ROW, version=1, changed_at=now)
        .on_conflict_do_update(
            index_elements=[_TABLE.c.id],
            set_={"version": _TABLE.c.version + 1, "changed_at": now},
        )
        .returning(_TABLE.c.version)
    )
    return int(connection.execute(statement).scalar_one())
