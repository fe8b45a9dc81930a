"""Where the kiosk keeps its files: platformdirs, or $STATE_DIRECTORY under systemd."""

from __future__ import annotations

import os
from pathlib import Path

from platformdirs import user_config_path, user_data_path

APP_NAME = "swipe-kiosk"


def data_dir() -> Path:
    """The directory for the database and other state; created if missing.

    systemd sets ``$STATE_DIRECTORY`` (``StateDirectory=`` in the unit), possibly as a
    colon-separated list; the first entry wins.
    """
    state = os.environ.get("STATE_DIRECTORY")
    path = Path(state.split(":")[0]) if state else user_data_path(APP_NAME)
    path.mkdir(parents=True, exist_ok=True)
    return path


def config_dir() -> Path:
    """The directory holding kiosk.toml and card-rules.toml (not created)."""
    configuration = os.environ.get("CONFIGURATION_DIRECTORY")
    if configuration:
        return Path(configuration.split(":")[0])
    return user_config_path(APP_NAME)


def default_database_url() -> str:
    """A SQLite file in the data directory."""
    return f"sqlite:///{data_dir() / 'kiosk.sqlite3'}"
