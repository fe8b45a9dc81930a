"""Which roster student a card_id or a swipe's text belongs to, answered from memory.

Built once per roster load: a :class:`kiosk.cards.card_ids.CardIdIndex` keyed by student id gives
both the exact card_id -> student lookup (a dict) and Handshake-style containment (one
pyahocorasick pass over the swipe text, whatever the roster's size).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from kiosk.cards.card_ids import CardIdIndex
from kiosk.cards.clean import clean_swipe
from kiosk.cards.parse import SwipeResult
from kiosk.db.models import Student


@dataclass(frozen=True)
class RosterMatch:
    """A student found for a swipe: their id and the roster card_id that matched."""

    student_id: int
    card_id: str = field(repr=False)


class RosterMatcher:
    """Roster card_ids in memory, for exact and containment matching."""

    def __init__(self, pairs: Iterable[tuple[str | None, int]]) -> None:
        self._index: CardIdIndex[int] = CardIdIndex(pairs)

    @classmethod
    def load(cls, engine: Engine) -> RosterMatcher:
        """Every student with a card_id (archived ones too: the policy decides about them)."""
        statement = select(Student.card_id, Student.id).where(col(Student.card_id).is_not(None))
        with Session(engine) as session:
            rows = session.exec(statement).all()
        return cls((card_id, student_id) for card_id, student_id in rows if student_id is not None)

    def __len__(self) -> int:
        return len(self._index)

    def by_card_id(self, card_id: str) -> RosterMatch | None:
        """The one student whose card_id is exactly ``card_id``."""
        keys = self._index.lookup(card_id)
        return RosterMatch(keys[0], card_id) if len(keys) == 1 else None

    def by_containment(self, text: str) -> RosterMatch | None:
        """The student whose card_id is contained in ``text``, accepted only when exactly one
        student's is (two contained card_ids, e.g. one nested in the other, match nobody)."""
        hits = self._index.contained_in(text)
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
