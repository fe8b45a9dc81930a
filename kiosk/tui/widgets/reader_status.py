"""One line per reader: its name and state, coloured (connected green, anything else red)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from rich.text import Text
from textual.widgets import Static

_STATE_STYLE = {
    "connected": "bold green",
    "reconnecting": "bold yellow",
    "stopped": "dim",
}


def reader_status_text(readers: Iterable[Any]) -> Text:
    """``● name: state`` for each reader (objects with ``name`` and ``status``)."""
    text = Text()
    for index, reader in enumerate(readers):
        status = getattr(reader, "status", None)
        state = getattr(status, "state", "unknown")
        if index:
            text.append("   ")
        text.append("● ", style=_STATE_STYLE.get(state, "bold red"))
        text.append(f"{reader.name}: {state.replace('_', ' ')}")
    if not text:
        text.append("no card reader configured", style="bold red")
    return text


class ReaderStatusBar(Static):
    """Shows each reader's status; ``refresh_from(readers)`` updates it."""

    def refresh_from(self, readers: Iterable[Any]) -> None:
        self.update(reader_status_text(readers))
