"""Idle-gap framing: the one swipe assembler shared by the HID and serial drivers.

Readers do not say where a swipe ends. ID TECH keyboard readers send Enter after every track,
serial readers may end each track with CR, and bytes arrive in bursts. So a swipe ends only
when the input goes quiet for ``idle_gap`` seconds (default 0.1) after a terminator (Enter, CR,
LF, ETX, DLE); with ``require_terminator=False`` (keyboard readers) any quiet gap ends it.
A swipe that never gets its terminator is given up after ``partial_timeout`` seconds and
emitted as it is (the card parser reports it as a misread, so the student swipes again).

The emitted text drops the final terminator(s); terminators between tracks keep the text the
caller gave them (``"\\n"`` for Enter, ``"\\r"`` for CR, ``""`` for ETX). Empty swipes (a lone
Enter) are noise and are not emitted.

The assembler has no clock of its own: every call passes ``at`` (seconds on the caller's
clock, e.g. evdev event timestamps); ``SourceClock`` and ``next_or_idle`` map that clock onto
the event loop so a driver wakes up when the deadline passes with no input.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

DEFAULT_IDLE_GAP = 0.1
DEFAULT_PARTIAL_TIMEOUT = 1.0

T = TypeVar("T")


class SwipeAssembler:
    """Collects text and terminators into swipes separated by idle gaps."""

    def __init__(
        self,
        idle_gap: float = DEFAULT_IDLE_GAP,
        *,
        require_terminator: bool = False,
        partial_timeout: float = DEFAULT_PARTIAL_TIMEOUT,
        close_segment: Callable[[str], str] | None = None,
    ) -> None:
        if idle_gap <= 0 or partial_timeout < idle_gap:
            raise ValueError("idle_gap must be positive and partial_timeout at least idle_gap")
        self.idle_gap = idle_gap
        self.require_terminator = require_terminator
        self.partial_timeout = partial_timeout
        self._close_segment = close_segment
        self._parts: list[tuple[str, bool]] = []  # (text, is_terminator)
        self._segment: list[str] = []
        self._last_at: float | None = None
        self._discarding = False

    @property
    def pending(self) -> bool:
        """True while a swipe is being collected (or dropped input is being skipped)."""
        return bool(self._parts or self._segment or self._discarding)

    @property
    def _complete(self) -> bool:
        terminated = bool(self._parts) and not self._segment and self._parts[-1][1]
        return terminated or not self.require_terminator

    @property
    def deadline(self) -> float | None:
        """When (on the ``at`` clock) the pending swipe ends if nothing more arrives."""
        if not self.pending or self._last_at is None:
            return None
        if self._discarding or self._complete:
            return self._last_at + self.idle_gap
        return self._last_at + self.partial_timeout

    def poll(self, at: float) -> str | None:
        """The pending swipe if its deadline has passed at ``at``."""
        deadline = self.deadline
        if deadline is None or at < deadline:
            return None
        if self._discarding:
            self._discarding = False
            return None
        return self.flush()

    def add_text(self, text: str, at: float) -> str | None:
        """Append data; returns the previous swipe if a gap ended it before this text."""
        finished = self.poll(at)
        self._last_at = at
        if not self._discarding:
            self._segment.append(text)
        return finished

    def add_terminator(self, kept: str, at: float) -> str | None:
        """A terminator; ``kept`` is what it becomes when it turns out to lie between tracks."""
        finished = self.poll(at)
        self._last_at = at
        if not self._discarding:
            self._end_segment()
            self._parts.append((kept, True))
        return finished

    def start_frame(self) -> str | None:
        """A frame start (serial STX): a terminated pending swipe is finished without waiting
        for the idle gap, so several framed messages in one read stay apart."""
        if self._parts and not self._segment and self._parts[-1][1] and not self._discarding:
            return self.flush()
        return None

    def flush(self) -> str | None:
        """End the pending swipe now (unplug, close); None when there is nothing to emit."""
        self._end_segment()
        self._discarding = False
        parts = self._parts
        while parts and parts[-1][1]:
            parts.pop()
        text = "".join(part for part, _ in parts)
        self._parts = []
        return text or None

    def discard_until_gap(self) -> None:
        """Drop the pending swipe and everything up to the next idle gap (lost input)."""
        self._parts, self._segment = [], []
        self._discarding = self._last_at is not None

    def _end_segment(self) -> None:
        if self._segment:
            text = "".join(self._segment)
            if self._close_segment is not None:
                text = self._close_segment(text)
            self._parts.append((text, False))
            self._segment = []


class SourceClock:
    """Maps a source's timestamps (e.g. evdev event times) onto ``time.monotonic``."""

    def __init__(self) -> None:
        self._source: float | None = None
        self._local = 0.0

    def mark(self, source_time: float) -> None:
        """The item stamped ``source_time`` is being handled now."""
        self._source = source_time
        self._local = time.monotonic()

    def now(self) -> float:
        """The current time on the source's clock."""
        if self._source is None:
            return time.monotonic()
        return self._source + (time.monotonic() - self._local)


async def next_or_idle(
    queue: asyncio.Queue[T], assembler: SwipeAssembler, clock: SourceClock
) -> T | None:
    """The next queued item, or None once the assembler's deadline passes without one."""
    deadline = assembler.deadline
    if deadline is None or not queue.empty():
        return await queue.get()
    timeout = deadline - clock.now()
    if timeout <= 0:
        return None
    try:
        return await asyncio.wait_for(queue.get(), timeout)
    except TimeoutError:
        return None


async def frame_until_lost(
    queue: asyncio.Queue[T | Exception],
    assembler: SwipeAssembler,
    handle: Callable[[T, SourceClock], Iterable[str | None]],
    deliver: Callable[[str], None],
) -> Exception:
    """The reading loop every device reader shares: hand each queued item to ``handle`` (which
    marks the clock with the item's time and returns the swipes it finished), finish a swipe
    when its idle gap passes, and on the error that ends the device deliver what was pending
    and return that error."""
    clock = SourceClock()
    while True:
        item = await next_or_idle(queue, assembler, clock)
        if item is None:
            finished: Iterable[str | None] = (assembler.poll(clock.now()),)
        elif isinstance(item, Exception):
            pending = assembler.flush()
            if pending is not None:
                deliver(pending)
            return item
        else:
            finished = handle(item, clock)
        for text in finished:
            if text is not None:
                deliver(text)
