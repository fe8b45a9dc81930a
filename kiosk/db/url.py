"""Which database to use: the one resolver, ``--db`` > ``$KIOSK_DB`` > kiosk.toml > default."""

from __future__ import annotations

import os

from kiosk.paths import default_database_url

DB_ENV_VAR = "KIOSK_DB"


def resolve_database_url(explicit: str | None = None, configured: str | None = None) -> str:
    """The URL to use: ``explicit`` (``--db``), then ``$KIOSK_DB``, then ``configured``
    (kiosk.toml's ``database``), then the default SQLite file in the state directory."""
    return explicit or os.environ.get(DB_ENV_VAR) or configured or default_database_url()
