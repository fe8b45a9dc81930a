"""Flood control for swipes: a token bucket per reader, and flood episodes for staff.

A line of students gives one reader at most one swipe every second or so; a stuck, broken or
hostile reader (or a script writing to a serial port) can send thousands a second, and each
would cost a check-in and an answer on screen. So every reader gets a token bucket: ``burst``
swipes may come at once, and tokens come back at ``rate`` a second. A swipe that finds no
token is dropped before it reaches the check-in service: it is never recorded and never
answered (the student whose swipe it was, if any, sees nothing and swipes again).

The first dropped swipe opens a *flood episode* for its reader (since when, how many
dropped); it closes once ``quiet_after`` seconds pass without a drop. Each episode is logged
when it starts and, with its count, when it ends: reader names and counts, never swipe text.

There is no clock here: a swipe is judged at its own arrival time (``Swipe.monotonic``, its
wall time for what staff read) and ``settle(at)`` is given the time, so tests run on a fake one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from drivers.base import Swipe

log = logging.getLogger(__name__)

#: Tokens come back at this many a second: a busy line swipes far less often on one reader.
DEFAULT_RATE = 2.0
#: Swipes that may arrive at once (a student swiping again right after a misread, and more).
DEFAULT_BURST = 5
#: A flood episode ends after this many seconds without a dropped swipe.
QUIET_AFTER_S = 5.0


@dataclass
class TokenBucket:
    """``burst`` tokens at most, refilled at ``rate`` a second; ``take`` spends one."""

    rate: float
    burst: float
    tokens: float
    updated: float

    @classmethod
    def full(cls, rate: float, burst: float, at: float) -> TokenBucket:
        return cls(rate, burst, float(burst), at)

    def available(self, at: float) -> float:
        """Tokens in the bucket at ``at`` (without spending any)."""
        return min(self.burst, self.tokens + max(0.0, at - self.updated) * self.rate)

    def take(self, at: float) -> bool:
        """Spend a token at ``at``; False when none is left."""
        self.tokens = self.available(at)
        self.updated = max(self.updated, at)
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return True
        return False


@dataclass(frozen=True)
class FloodEpisode:
    """One reader's flood: the first dropped swipe's times, the last one's, and the count."""

    reader: str
    since: datetime  # wall time of the first dropped swipe
    started: float  # its monotonic time
    last_drop: float  # monotonic time of the latest dropped swipe
    last_wall: datetime
    dropped: int
    ongoing: bool = True

    def describe(self) -> str:
        """One line for staff, in local time."""
        since = self.since.astimezone().strftime("%H:%M:%S")
        plural = "" if self.dropped == 1 else "s"
        if self.ongoing:
            return f"flooding since {since}: {self.dropped:,} swipe{plural} dropped"
        until = self.last_wall.astimezone().strftime("%H:%M:%S")
        return f"flooded {since}–{until}: {self.dropped:,} swipe{plural} dropped"


class SwipeLimiter:
    """Decides, reader by reader, which swipes go on to be checked in (module docstring)."""

    def __init__(
        self,
        rate: float = DEFAULT_RATE,
        burst: float = DEFAULT_BURST,
        quiet_after: float = QUIET_AFTER_S,
    ) -> None:
        if rate <= 0 or burst < 1 or quiet_after <= 0:
            raise ValueError("rate and quiet_after must be positive and burst at least 1")
        self.rate = rate
        self.burst = burst
        self.quiet_after = quiet_after
        self._buckets: dict[str, TokenBucket] = {}
        self._episodes: dict[str, FloodEpisode] = {}
        self._dropped: dict[str, int] = {}

    def admit(self, swipe: Swipe) -> bool:
        """True when ``swipe`` may be checked in; False drops it (and counts the drop)."""
        at = swipe.monotonic
        bucket = self._buckets.get(swipe.reader)
        if bucket is None:
            bucket = self._buckets[swipe.reader] = TokenBucket.full(self.rate, self.burst, at)
        self._close_if_quiet(swipe.reader, at)
        if bucket.take(at):
            return True
        self._dropped[swipe.reader] = self._dropped.get(swipe.reader, 0) + 1
        episode = self._episodes.get(swipe.reader)
        if episode is None or not episode.ongoing:
            self._episodes[swipe.reader] = FloodEpisode(
                swipe.reader, swipe.wall, at, at, swipe.wall, 1
            )
            log.warning(
                "reader %s is flooding the kiosk (more than %g swipes a second): the extra "
                "swipes are dropped, not checked in",
                swipe.reader,
                self.rate,
            )
        else:
            self._episodes[swipe.reader] = replace(
                episode, last_drop=at, last_wall=swipe.wall, dropped=episode.dropped + 1
            )
        return False

    def would_admit(self, reader: str, at: float) -> bool:
        """Whether a swipe from ``reader`` at ``at`` would be admitted (nothing is spent)."""
        bucket = self._buckets.get(reader)
        return bucket is None or bucket.available(at) >= 1.0

    def settle(self, at: float) -> list[FloodEpisode]:
        """Close the episodes quiet since ``quiet_after`` seconds before ``at``; returns them."""
        closed = []
        for reader in list(self._episodes):
            episode = self._close_if_quiet(reader, at)
            if episode is not None:
                closed.append(episode)
        return closed

    def _close_if_quiet(self, reader: str, at: float) -> FloodEpisode | None:
        episode = self._episodes.get(reader)
        if episode is None or not episode.ongoing or at - episode.last_drop < self.quiet_after:
            return None
        closed = self._episodes[reader] = replace(episode, ongoing=False)
        log.warning(
            "reader %s stopped flooding: %d swipes dropped in %.1f s",
            reader,
            closed.dropped,
            closed.last_drop - closed.started,
        )
        return closed

    def episode(self, reader: str) -> FloodEpisode | None:
        """``reader``'s ongoing flood, else its last one (None if it never flooded)."""
        return self._episodes.get(reader)

    def flooding(self) -> dict[str, FloodEpisode]:
        """The ongoing floods, by reader name."""
        return {name: episode for name, episode in self._episodes.items() if episode.ongoing}

    def dropped(self, reader: str) -> int:
        """Swipes dropped from ``reader`` since the kiosk started (all episodes)."""
        return self._dropped.get(reader, 0)
