"""The messages every reader produces. Raw swipe text lives in memory only."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime


@dataclass(frozen=True, slots=True)
class Swipe:
    """One swipe as a reader delivered it.

    ``text`` is the raw reader output with the final terminator removed (CR/LF between
    tracks and framing bytes other than the terminator may remain). It must never be
    written to the database, a log or crash output: ``repr`` shows only its length.
    """

    text: str = field(repr=False)
    reader: str
    monotonic: float = field(default_factory=time.monotonic)
    wall: datetime = field(default_factory=lambda: datetime.now(UTC))

    def __repr__(self) -> str:
        return f"Swipe(reader={self.reader!r}, length={len(self.text)}, wall={self.wall:%H:%M:%S})"
