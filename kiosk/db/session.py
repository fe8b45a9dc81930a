"""Opening the kiosk's database: engine + migrations, with errors a user can act on."""

from __future__ import annotations

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from kiosk.db.engine import make_engine
from kiosk.db.migrate import upgrade
from kiosk.db.url import resolve_database_url
from kiosk.errors import UserError


def open_database(url: str | None = None, migrate: bool = True) -> Engine:
    """The engine for ``url`` (or ``$KIOSK_DB`` / the default), schema brought up to date."""
    resolved = resolve_database_url(url)
    engine = make_engine(resolved)
    if migrate:
        try:
            upgrade(engine)
        except OperationalError as exc:
            engine.dispose()
            raise UserError(
                f"Cannot open the database {engine.url.render_as_string(hide_password=True)}: "
                f"{exc.orig}. Check the --db URL or KIOSK_DB, that the server is running and "
                "that the kiosk may write there."
            ) from exc
    return engine
