"""Whether the shared database answers now: the one place a kiosk decides online or offline.

A venue network that drops usually swallows packets rather than refusing connections, so a
kiosk never waits on it for long: a check-in that has no answer within ``ONLINE_WAIT_S`` is
made locally instead (with the same idempotency key, so if the shared database did commit it
after all, it is stored once), and from then on every swipe goes straight to the replica
until a probe finds the shared database answering again.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable

from sqlalchemy import text
from sqlalchemy.engine import Engine

log = logging.getLogger(__name__)

#: The longest a swipe waits on the shared database before the kiosk answers from its replica.
ONLINE_WAIT_S = 1.0


class SharedLink:
    """Online or offline, since when, and why (for the status line and the logs)."""

    def __init__(
        self,
        shared: Engine,
        *,
        online: bool = True,
        reason: str = "",
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.shared = shared
        self._clock = clock
        self._online = online
        self._since = clock()
        self.reason = reason

    @property
    def online(self) -> bool:
        return self._online

    @property
    def offline_for(self) -> float:
        """Seconds offline (0 when online)."""
        return 0.0 if self._online else self._clock() - self._since

    def lost(self, reason: str) -> None:
        """The shared database did not answer: go on from the replica."""
        if self._online:
            log.warning("shared database unreachable (%s): checking in from the replica", reason)
            self._online = False
            self._since = self._clock()
            self.reason = reason

    def back(self) -> None:
        if not self._online:
            log.info("shared database answering again after %.0f s", self.offline_for)
            self._online = True
            self._since = self._clock()
            self.reason = ""

    def probe(self) -> bool:
        """True when the shared database answers a trivial query now (blocking: call it in a
        thread; the engine's connect and statement timeouts bound it)."""
        try:
            with self.shared.connect() as connection:
                connection.execute(text("SELECT 1"))
        except Exception as error:  # any failure means "not now"
            log.debug("shared database probe failed (%s)", type(error).__name__)
            return False
        return True
