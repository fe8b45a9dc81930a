"""What commands take from kiosk.toml (the settings file in the configuration directory) when
the command line does not say: the card rules file, and the database.

``kiosk run`` and ``kiosk doctor`` read their settings file whole (``--config``); the other
commands use these. kiosk.toml is read (with pydantic) only when it exists, so ``kiosk
parse`` without one still starts without the settings library.
"""

from __future__ import annotations

import os
from pathlib import Path

from kiosk.db.url import DB_ENV_VAR
from kiosk.paths import default_config_path, default_rules_path


def rules_path(given: Path | None = None) -> Path | None:
    """``given`` (``--rules``), else kiosk.toml's ``rules_file``, else card-rules.toml in the
    configuration directory when it exists; None: no rules file, swipes match by card_id
    containment only. A kiosk.toml that cannot be used raises its one-sentence ConfigError;
    a configured rules file that is missing is returned, for loading it to say so."""
    if given is not None:
        return given
    if default_config_path().exists():
        from kiosk.config import load_config

        configured = load_config().rules_file
        if configured is not None:
            return configured
    default = default_rules_path()
    return default if default.exists() else None


def configured_database() -> str | None:
    """kiosk.toml's ``database`` for a command given no ``--db``, unless ``$KIOSK_DB`` (which
    comes first: kiosk.db.url.resolve_database_url) names one; None: no kiosk.toml, or it
    names no database."""
    if os.environ.get(DB_ENV_VAR) or not default_config_path().exists():
        return None
    from kiosk.config import load_config

    return load_config().database
