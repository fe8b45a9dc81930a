"""Readers without hardware: a capture-file replay and an in-memory queue.

``ReplayReader(path, interval=0.5, loop=False)`` emits the swipes of a capture file
(``drivers.capture`` format) one every ``interval`` seconds, starting one interval after
``swipes()`` is first iterated; with ``loop=True`` it starts over at the end, otherwise
``swipes()`` ends after the last one. Spec: ``replay:FILE?interval=0.5&loop=1``.

``QueueReader(name)`` delivers whatever is ``push``-ed to it: the demo's simulated reader and
a convenient source in tests. Spec: ``queue`` (or ``queue:NAME``).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

from drivers.base import BackgroundReader
from drivers.capture import read_capture
from drivers.spec import ReaderSpec, SpecOptions
from kiosk.errors import UsageError


class ReplayReader(BackgroundReader):
    """Emits a capture file's swipes at a steady interval, optionally looping."""

    def __init__(
        self,
        path: str | Path,
        interval: float = 0.5,
        loop: bool = False,
        name: str | None = None,
        spec: str | None = None,
    ) -> None:
        if interval < 0:
            raise UsageError(f"The replay interval must be 0 or more seconds, not {interval}.")
        self.path = Path(path)
        super().__init__(name or f"replay:{self.path.name}", spec or f"replay:{path}")
        self.interval = interval
        self.loop = loop
        self._texts = [captured.text for captured in read_capture(self.path)]
        if self.loop and not self._texts:
            raise UsageError(
                f"The capture file {self.path} holds no swipes, so it cannot be looped; "
                "record some with 'kiosk readers capture -o FILE'."
            )
        self._set_status("connected", f"Replaying {len(self._texts)} swipes from {self.path}.")

    async def _run(self) -> None:
        while True:
            for text in self._texts:
                await asyncio.sleep(self.interval)
                self._emit(text)
            if not self.loop:
                return


class QueueReader(BackgroundReader):
    """An in-memory reader: every ``push(text)`` becomes one swipe."""

    def __init__(self, name: str = "queue", spec: str | None = None) -> None:
        super().__init__(name, spec or "queue")
        self._set_status("connected", f"Reader {name} is ready.")

    def push(self, text: str) -> None:
        """Deliver ``text`` as one swipe from this reader (empty text is ignored as noise)."""
        self._emit(text)


def open_replay_reader(spec: ReaderSpec, options: SpecOptions, name: str | None) -> ReplayReader:
    """A ReplayReader for a parsed ``replay:FILE`` spec."""
    if not spec.target:
        raise UsageError(f"Reader spec '{spec.text}' needs a capture file: replay:FILE.")
    return ReplayReader(
        spec.target,
        interval=options.number("interval", 0.5),
        loop=options.flag("loop", False),
        name=name or f"replay:{spec.target}",
        spec=spec.text,
    )


def open_queue_reader(spec: ReaderSpec, options: SpecOptions, name: str | None) -> QueueReader:
    """A QueueReader for a parsed ``queue`` / ``queue:NAME`` spec."""
    return QueueReader(name or spec.target or "queue", spec.text)
