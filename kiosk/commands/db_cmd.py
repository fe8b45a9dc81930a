"""``kiosk db upgrade|status``: the database in use and its schema version."""

from __future__ import annotations

import argparse
from typing import Any

from kiosk.db.migrate import current_revision, head_revision
from kiosk.db.session import open_database
from kiosk.db.url import resolve_database_url


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("db", help="show or upgrade the database schema")
    actions = parser.add_subparsers(dest="db_action", metavar="ACTION")
    actions.required = True
    status = actions.add_parser("status", help="the database URL and schema revision")
    status.set_defaults(func=_status)
    upgrade = actions.add_parser("upgrade", help="apply pending schema migrations")
    upgrade.set_defaults(func=_upgrade)


def _status(args: argparse.Namespace) -> int:
    engine = open_database(args.db, migrate=False)
    url = engine.url.render_as_string(hide_password=True)
    print(f"database: {url}")
    print(f"schema:   {current_revision(engine) or 'empty'} (newest: {head_revision()})")
    return 0


def _upgrade(args: argparse.Namespace) -> int:
    engine = open_database(resolve_database_url(args.db))
    print(f"schema at {current_revision(engine)}")
    return 0
