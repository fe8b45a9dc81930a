"""The student screen's waiting answers: bounded, fresh and fair between readers.

Answers wait while the one on screen has its minimum time. Without bounds a flooding reader
would queue hours of them ahead of a real student's, so:

- each source (a reader's name; ``None`` for lookups and walk-ins) keeps at most
  ``per_source`` waiting answers; when one more comes, only the newest is kept and the older
  ones are skipped (counted: "show the latest, count the rest");
- an answer that waited ``stale_after`` seconds is skipped too: it is no longer worth showing;
- the next answer shown comes from the source shown least recently, so a flood on one reader
  never holds back another reader's student for more than one answer.

A skipped answer only goes unshown: a check-in that was recorded stays recorded. Pure logic,
no Textual: ``at`` is the caller's ``time.monotonic()``.
"""

from __future__ import annotations

from collections import deque
from typing import Generic, TypeVar

T = TypeVar("T")

#: Answers one reader may have waiting before only its newest is kept.
PER_SOURCE = 3
#: Seconds an answer may wait before it is skipped as stale.
STALE_AFTER_S = 5.0


class AnswerQueue(Generic[T]):
    """Waiting answers; ``put`` and ``pop`` (see the module docstring)."""

    def __init__(self, per_source: int = PER_SOURCE, stale_after: float = STALE_AFTER_S) -> None:
        if per_source < 1 or stale_after <= 0:
            raise ValueError("per_source must be at least 1 and stale_after positive")
        self.per_source = per_source
        self.stale_after = stale_after
        self._waiting: dict[str | None, deque[tuple[float, T]]] = {}
        self._last_shown: dict[str | None, int] = {}
        self._shown = 0
        self.skipped: dict[str | None, int] = {}

    def __len__(self) -> int:
        return sum(len(answers) for answers in self._waiting.values())

    def put(self, answer: T, source: str | None, at: float) -> None:
        """Queue ``answer`` from ``source``, keeping only the newest if too many wait."""
        answers = self._waiting.setdefault(source, deque())
        if len(answers) >= self.per_source:
            self._skip(source, len(answers))
            answers.clear()
        answers.append((at, answer))

    def drop_stale(self, at: float) -> None:
        """Skip every answer that has waited ``stale_after`` seconds or more."""
        for source, answers in self._waiting.items():
            while answers and at - answers[0][0] >= self.stale_after:
                answers.popleft()
                self._skip(source, 1)

    def pop(self, at: float) -> T | None:
        """The next answer to show (None when none is left fresh)."""
        self.drop_stale(at)
        ready = [source for source, answers in self._waiting.items() if answers]
        if not ready:
            return None
        # least recently shown source first; among those never shown, the oldest answer
        source = min(
            ready, key=lambda s: (self._last_shown.get(s, -1), self._waiting[s][0][0])
        )
        self._shown += 1
        self._last_shown[source] = self._shown
        return self._waiting[source].popleft()[1]

    def skipped_total(self) -> int:
        return sum(self.skipped.values())

    def _skip(self, source: str | None, count: int) -> None:
        self.skipped[source] = self.skipped.get(source, 0) + count
