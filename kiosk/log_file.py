"""The kiosk's log file while the full-screen kiosk runs: rotating, owner-only.

Apart from :mod:`kiosk.logs` so that a command that never writes a log file (every one but
``kiosk run``) does not import ``logging.handlers`` and the data directories at start-up.
"""

from __future__ import annotations

from io import TextIOWrapper
from logging.handlers import RotatingFileHandler
from pathlib import Path

from kiosk.paths import open_private


class PrivateLogFile(RotatingFileHandler):
    """A rotating log file (and its rotated copies) only the kiosk's user can read."""

    def _open(self) -> TextIOWrapper:
        return open_private(Path(self.baseFilename), "a", encoding=self.encoding or "utf-8")
