"""Which roster student a card_id or a swipe's text belongs to, answered from memory.

Built once per roster load: a :class:`kiosk.checkin.roster_index.CardIdTable` (every card_id
with its student id in a few flat strings, loaded in one SQL statement) gives both the exact
card_id -> student lookup and Handshake-style containment (every substring of the swipe of a
roster card_id length looked up), whatever the roster's size.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from concurrent.futures import Future
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine

from kiosk.cards.clean import clean_swipe
from kiosk.cards.parse import SwipeResult
from kiosk.checkin import roster_preread
from kiosk.checkin.roster_index import CardIdTable

# Rosters being read ahead of their first load (see RosterMatcher.preload), by engine, with
# when they were started: one older than PRELOAD_FRESH_S is read again rather than used.
_PRELOADS: dict[Engine, tuple[float, Future[CardIdTable]]] = {}
PRELOAD_FRESH_S = 10.0
_PRELOADS_LOCK = threading.Lock()


@dataclass(frozen=True)
class RosterMatch:
    """A student found for a swipe: their id and the roster card_id that matched."""

    student_id: int
    card_id: str = field(repr=False)


class RosterMatcher:
    """Roster card_ids in memory, for exact and containment matching."""

    def __init__(self, pairs: Iterable[tuple[str | None, int]] | CardIdTable) -> None:
        self._index = pairs if isinstance(pairs, CardIdTable) else CardIdTable.from_pairs(pairs)

    @classmethod
    def load(cls, engine: Engine) -> RosterMatcher:
        """Every student with a card_id (archived ones too: the policy decides about them).
        The first load after :meth:`preload` on the same engine takes the preloaded roster;
        on a SQLite file, the first after :func:`kiosk.checkin.roster_preread.start` takes
        that roster when nothing was written to the database since."""
        with _PRELOADS_LOCK:
            started, preloaded = _PRELOADS.pop(engine, (0.0, None))
        if engine.dialect.name == "sqlite" and engine.url.database:
            roster = roster_preread.take(engine.url.database)
            if roster is not None:
                table = CardIdTable.from_sqlite_row(roster)
                if table is not None:
                    return cls(table)
        if (
            preloaded is not None
            and time.monotonic() - started < PRELOAD_FRESH_S
            and preloaded.exception() is None
        ):
            return cls(preloaded.result())
        return cls(CardIdTable.load(engine))  # a failed or stale preload is read again

    @staticmethod
    def preload(engine: Engine) -> None:
        """Start reading the roster in a thread now, for the next :meth:`load` on ``engine``.

        For a kiosk starting up: the database does the work (without Python's global lock)
        while the screen's modules import. When it fails (a database away at start-up), that
        ``load`` reads the roster itself."""
        future: Future[CardIdTable] = Future()

        def read() -> None:
            try:
                future.set_result(CardIdTable.load(engine))
            except Exception as error:  # load() then reads the roster itself
                future.set_exception(error)

        with _PRELOADS_LOCK:
            _PRELOADS[engine] = (time.monotonic(), future)
        threading.Thread(target=read, name="roster-preload", daemon=True).start()

    def __len__(self) -> int:
        return len(self._index)

    def by_card_id(self, card_id: str) -> RosterMatch | None:
        """The one student whose card_id is exactly ``card_id``."""
        keys = self._index.owners(card_id)
        return RosterMatch(keys[0], card_id) if len(keys) == 1 else None

    def by_containment(self, text: str) -> RosterMatch | None:
        """The student whose card_id is contained in ``text``, accepted only when exactly one
        student's is (two contained card_ids, e.g. one nested in the other, match nobody)."""
        hits = self._index.contained_in(text, limit=2)
        if len(hits) != 1:
            return None
        card_id, student_id = hits[0]
        return RosterMatch(student_id, card_id)

    def match(self, text: str, result: SwipeResult) -> RosterMatch | None:
        """The student a parsed swipe belongs to: by the rule's card_id when a rule matched
        (exactly), by containment when none did (or none is configured), else nobody."""
        if result.status == "ok" and result.card_id is not None:
            return self.by_card_id(result.card_id)
        if result.status == "no_match":
            return self.by_containment(clean_swipe(text))
        return None
