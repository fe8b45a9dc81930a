"""A kiosk checking students in on a background thread while something else (an import) runs.

Shared by tests/roster/test_import_during_checkins.py and
benchmarks/import_during_checkins.py. The kiosk has its own engine on the database, as a
kiosk process would, and swipes roster cards through :class:`kiosk.checkin.CheckInService`
one every 0.2-1 s, recording how long each swipe waited and every swipe that failed.
"""

from __future__ import annotations

import random
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from drivers.base import Swipe
from kiosk.cards.rules import RuleSet
from kiosk.checkin import CheckInService
from kiosk.db.engine import make_engine

#: Outcomes that mean the check-in was not recorded because of the database.
FAILED_KINDS = ("not_saved",)


@dataclass(frozen=True)
class Swiped:
    started: float  # time.monotonic()
    seconds: float
    kind: str

    @property
    def ended(self) -> float:
        return self.started + self.seconds


class SwipingKiosk(threading.Thread):
    """Swipes ``card_ids`` (chosen at random) at the check-in service until :meth:`stop`."""

    def __init__(
        self,
        url: str,
        event_id: int,
        card_ids: Sequence[str],
        *,
        pause: tuple[float, float] = (0.2, 1.0),
        seed: int = 5,
        kiosk_id: str = "load",
    ) -> None:
        super().__init__(name=f"kiosk-{kiosk_id}", daemon=True)
        self._url, self._event_id, self._cards = url, event_id, list(card_ids)
        self._pause, self._rng, self._kiosk_id = pause, random.Random(seed), kiosk_id
        self._stopping = threading.Event()
        self._ready = threading.Event()
        self.swipes: list[Swiped] = []
        #: what went wrong, without card data: outcome kinds or exception type names
        self.failures: list[str] = []

    def run(self) -> None:
        engine = make_engine(self._url)
        try:
            service = CheckInService(engine, self._event_id, RuleSet.empty(),
                                     kiosk_id=self._kiosk_id)
            self._ready.set()
            while not self._stopping.is_set():
                self._swipe(service, self._rng.choice(self._cards))
                self._stopping.wait(self._rng.uniform(*self._pause))
        finally:
            self._ready.set()
            engine.dispose()

    def _swipe(self, service: CheckInService, card_id: str) -> None:
        started = time.monotonic()
        try:
            kind: str = service.handle_swipe(Swipe(text=f";{card_id}?", reader="load")).kind
        except Exception as error:  # noqa: BLE001 - every failure is counted, by type only
            kind = f"raised {type(error).__name__}"
        self.swipes.append(Swiped(started, time.monotonic() - started, kind))
        if kind in FAILED_KINDS or kind.startswith("raised"):
            self.failures.append(kind)

    def start_swiping(self) -> None:
        """Start, and return once the kiosk has loaded its roster and is swiping."""
        self.start()
        self._ready.wait(timeout=120)

    def stop(self) -> None:
        self._stopping.set()
        self.join(timeout=120)

    def during(self, start: float, end: float) -> list[Swiped]:
        """The swipes that were waiting at some moment between ``start`` and ``end``."""
        return [s for s in self.swipes if s.started < end and s.ended > start]

    def kinds(self) -> Counter[str]:
        return Counter(s.kind for s in self.swipes)
