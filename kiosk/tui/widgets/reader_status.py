"""One line per reader: its name and state, coloured (connected green, anything else red);
a reader that is flooding the kiosk (``drivers.flood``) says so, in red, with the count."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from rich.text import Text
from textual.widgets import Static

from drivers.flood import FloodEpisode

_STATE_STYLE = {
    "connected": "bold green",
    "reconnecting": "bold yellow",
    "stopped": "dim",
}


def reader_status_text(
    readers: Iterable[Any], floods: Mapping[str, FloodEpisode] | None = None
) -> Text:
    """``● name: state`` for each reader (objects with ``name`` and ``status``);
    ``● name: flooding (N dropped)`` for a reader in ``floods``."""
    text = Text()
    for index, reader in enumerate(readers):
        status = getattr(reader, "status", None)
        state = getattr(status, "state", "unknown")
        if index:
            text.append("   ")
        flood = (floods or {}).get(reader.name)
        if flood is not None:
            text.append("● ", style="bold red")
            text.append(f"{reader.name}: flooding ({flood.dropped:,} dropped)")
            continue
        text.append("● ", style=_STATE_STYLE.get(state, "bold red"))
        text.append(f"{reader.name}: {state.replace('_', ' ')}")
    if not text:
        text.append("no card reader configured", style="bold red")
    return text


class ReaderStatusBar(Static):
    """Shows each reader's status; ``refresh_from(readers, floods)`` updates it."""

    def refresh_from(
        self, readers: Iterable[Any], floods: Mapping[str, FloodEpisode] | None = None
    ) -> None:
        self.update(reader_status_text(readers, floods))
