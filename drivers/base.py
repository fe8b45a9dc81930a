"""The messages every reader produces, and the interface every reader implements.

Raw swipe text lives in memory only. A reader is opened from a spec
(``drivers.readers.open_reader``) and consumed with ``async for swipe in reader.swipes(): ...``;
it keeps running (reconnecting by itself after an unplug) until ``await reader.close()``. Its
``status`` says whether it is connected, missing, lacks permission or is reconnecting;
``on_status`` (optional) is called with each new ``ReaderStatus`` so a UI can show it.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Literal, Protocol, runtime_checkable

log = logging.getLogger(__name__)

ReaderState = Literal["connected", "missing", "no_permission", "reconnecting", "stopped"]


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


@dataclass(frozen=True, slots=True)
class ReaderStatus:
    """What a reader is doing now; ``message`` is one sentence for staff (and says what to do)."""

    reader: str
    state: ReaderState
    message: str


StatusCallback = Callable[[ReaderStatus], None]


@runtime_checkable
class Reader(Protocol):
    """The one interface every reader implements."""

    name: str
    spec: str
    on_status: StatusCallback | None

    @property
    def status(self) -> ReaderStatus: ...

    def swipes(self) -> AsyncIterator[Swipe]:
        """Swipes until the reader is closed (or a replay ends); reconnects by itself."""
        ...

    async def close(self) -> None: ...


@dataclass(frozen=True, slots=True)
class _End:
    error: BaseException | None = None


class BackgroundReader:
    """Shared plumbing: the reader's work runs in one task that calls ``_emit(text)``.

    Subclasses implement ``_run()``; it is started by the first ``swipes()`` iteration and
    cancelled by ``close()`` (so its ``finally`` blocks release devices). One consumer per reader.
    """

    def __init__(self, name: str, spec: str) -> None:
        self.name = name
        self.spec = spec
        self.on_status: StatusCallback | None = None
        self._status = ReaderStatus(name, "reconnecting", f"Reader {name} is starting.")
        self._queue: asyncio.Queue[Swipe | _End] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    @property
    def status(self) -> ReaderStatus:
        return self._status

    def _set_status(self, state: ReaderState, message: str) -> None:
        if self._status.state == state and self._status.message == message:
            return
        self._status = ReaderStatus(self.name, state, message)
        log.info("reader %s: %s", self.name, state)
        if self.on_status is not None:
            self.on_status(self._status)

    def _emit(self, text: str) -> None:
        """Deliver one swipe (empty text is noise and is dropped). Logs the length only."""
        if not text or self._closed:
            return
        log.debug("reader %s: swipe of %d characters", self.name, len(text))
        self._queue.put_nowait(Swipe(text=text, reader=self.name))

    async def _run(self) -> None:
        """The reader's work; returns when there is nothing more to read."""
        await asyncio.Event().wait()

    def _start(self) -> None:
        if self._task is None and not self._closed:
            self._task = asyncio.get_running_loop().create_task(
                self._run(), name=f"reader {self.name}"
            )
            self._task.add_done_callback(self._finished)

    def _finished(self, task: asyncio.Task[None]) -> None:
        if task.cancelled():
            return
        error = task.exception()
        if error is None:
            self._set_status("stopped", f"Reader {self.name} has no more swipes.")
        self._queue.put_nowait(_End(error))

    async def swipes(self) -> AsyncIterator[Swipe]:
        self._start()
        while True:
            item = await self._queue.get()
            if isinstance(item, _End):
                self._queue.put_nowait(item)  # later calls end too
                if item.error is not None:
                    raise item.error
                return
            yield item

    async def close(self) -> None:
        """Stop reading, release the device, and end ``swipes()``. Safe to call twice."""
        if self._closed:
            return
        self._closed = True
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        self._set_status("stopped", f"Reader {self.name} is stopped.")
        self._queue.put_nowait(_End())
