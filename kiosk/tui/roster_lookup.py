"""Staff-side "whose card is this?" for the rule tester: the same matching the check-in
service uses (kiosk.checkin.matching), read-only. Never used on student screens."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.engine import Engine
from sqlmodel import Session

from kiosk.cards.clean import clean_swipe
from kiosk.cards.parse import SwipeResult
from kiosk.checkin.matching import RosterMatcher
from kiosk.db.models import Student
from kiosk.names import display_name


@dataclass
class RosterLookup:
    engine: Engine
    matcher: RosterMatcher

    @classmethod
    def load(cls, engine: Engine) -> RosterLookup:
        return cls(engine, RosterMatcher.load(engine))

    def describe(self, text: str, result: SwipeResult) -> str | None:
        """``"Alex T. (atester)"`` for the student this swipe matches, or None."""
        if result.status == "ok" and result.card_id is not None:
            match = self.matcher.by_card_id(result.card_id)
            how = "by rule"
        elif result.status == "no_match":
            match = self.matcher.by_containment(clean_swipe(text))
            how = "by containment"
        else:
            return None
        if match is None:
            return None
        with Session(self.engine) as session:
            student = session.get(Student, match.student_id)
        if student is None:
            return None
        archived = ", archived" if student.archived else ""
        return f"{display_name(student)} ({student.username}{archived}) — matched {how}"
