"""The results of a verify run: per-swipe checks and the whole report (plain data)."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Literal, get_args

from kiosk.card_ids import CardIdQuality, Occurrence

Verdict = Literal["refused", "misread", "ambiguous", "unmatched", "rule_mismatch", "matched"]
VERDICTS: tuple[Verdict, ...] = get_args(Verdict)


@dataclass(slots=True)
class SwipeCheck:
    """What verify found in one swipe (not frozen: 100,000 of them are built in a run, and a
    frozen dataclass costs five times as much to construct).

    ``text`` (the cleaned swipe) and ``occurrences`` are kept only for swipes that are not
    matched and not refused, so the report can show where the card_ids sit; a refused
    swipe keeps nothing of its text, not even the roster card_id found inside it.
    """

    line: int
    verdict: Verdict
    contained: tuple[str, ...]
    extracted: str | None = field(repr=False)
    rule: str | None
    message: str
    hint: str | None = None
    text: str = field(default="", repr=False)
    occurrences: tuple[Occurrence[str], ...] = field(default=(), repr=False)


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """Everything ``kiosk verify`` found: roster findings and per-swipe verdicts."""

    roster_source: str
    students: int
    quality: CardIdQuality[str]
    checks: list[SwipeCheck]
    swipes_given: bool
    rules_given: bool
    noise: int = 0

    @property
    def counts(self) -> dict[Verdict, int]:
        tally = Counter(check.verdict for check in self.checks)
        return {verdict: tally.get(verdict, 0) for verdict in VERDICTS}

    @property
    def contained_in_other(self) -> tuple[str, ...]:
        """Students whose card_id is inside another student's card_id, or equal to it."""
        shared = (key for group in self.quality.duplicates for key in group)
        return tuple(dict.fromkeys([*self.quality.contained_in_other, *shared]))

    @property
    def failing(self) -> list[SwipeCheck]:
        return [check for check in self.checks if check.verdict != "matched"]

    @property
    def exit_status(self) -> int:
        """0 when every swipe matched and no card_id is inside another's; else 1."""
        if self.contained_in_other or any(c.verdict != "matched" for c in self.checks):
            return 1
        return 0
