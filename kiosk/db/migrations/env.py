"""Alembic environment: runs on the connection handed over by kiosk.db.migrate."""

from __future__ import annotations

from alembic import context
from sqlmodel import SQLModel

import kiosk.db.models  # noqa: F401  (registers the tables on SQLModel.metadata)
from kiosk.db.migrate import include_object

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is None:
        raise RuntimeError("kiosk migrations run through kiosk.db.migrate.upgrade()")
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        include_object=include_object(connection.dialect.name),
    )
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise RuntimeError("offline migrations are not supported")
run_migrations_online()
