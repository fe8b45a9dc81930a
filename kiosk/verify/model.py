"""The results of a verify run: per-swipe checks and the whole report (plain data)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Literal, get_args, overload

from kiosk.cards.card_ids import CardIdQuality, Occurrence

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


#: A swipe the batch path found matched, kept as ``(line, contained, extracted, rule,
#: message)``: the fields of its SwipeCheck (verdict "matched", no hint, no text).
MatchedRow = tuple[int, tuple[str, ...], str | None, str | None, str]


def _as_check(row: SwipeCheck | MatchedRow) -> SwipeCheck:
    if type(row) is tuple:
        line, contained, extracted, rule, message = row
        return SwipeCheck(line, "matched", contained, extracted, rule, message)
    assert isinstance(row, SwipeCheck)
    return row


class SwipeChecks(Sequence[SwipeCheck]):
    """Every swipe's check, in capture order.

    A run checks 100,000 swipes and nearly all of them match: those are kept as plain
    :data:`MatchedRow` tuples, and made SwipeChecks only when asked for one by one. Counts,
    the failing checks and the JSON results are read from the rows directly.
    """

    __slots__ = ("_rows", "_not_rows")

    def __init__(self, rows: Iterable[SwipeCheck | MatchedRow] = ()) -> None:
        self._rows: list[SwipeCheck | MatchedRow] = list(rows)
        self._not_rows: list[SwipeCheck] = [
            row for row in self._rows if type(row) is not tuple  # type: ignore[misc]
        ]

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, item: int) -> SwipeCheck: ...

    @overload
    def __getitem__(self, item: slice) -> list[SwipeCheck]: ...

    def __getitem__(self, item: int | slice) -> SwipeCheck | list[SwipeCheck]:
        if isinstance(item, slice):
            return list(map(_as_check, self._rows[item]))
        return _as_check(self._rows[item])

    def __iter__(self) -> Iterator[SwipeCheck]:
        return map(_as_check, self._rows)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, SwipeChecks):
            return NotImplemented
        return list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]

    def rows(self) -> list[SwipeCheck | MatchedRow]:
        """The checks as kept: SwipeChecks, and MatchedRow tuples for matched swipes."""
        return self._rows

    def counts(self) -> dict[Verdict, int]:
        """How many swipes got each verdict (every verdict present, in VERDICTS order)."""
        tally = Counter(check.verdict for check in self._not_rows)
        tally["matched"] += len(self._rows) - len(self._not_rows)
        return {verdict: tally.get(verdict, 0) for verdict in VERDICTS}

    def failing(self) -> list[SwipeCheck]:
        """The checks whose verdict is not ``matched``, in order."""
        return [check for check in self._not_rows if check.verdict != "matched"]


@dataclass(frozen=True, slots=True)
class VerifyReport:
    """Everything ``kiosk verify`` found: roster findings and per-swipe verdicts."""

    roster_source: str
    students: int
    quality: CardIdQuality[str]
    checks: SwipeChecks
    swipes_given: bool
    rules_given: bool
    noise: int = 0

    @property
    def counts(self) -> dict[Verdict, int]:
        return self.checks.counts()

    @property
    def contained_in_other(self) -> tuple[str, ...]:
        """Students whose card_id is inside another student's card_id, or equal to it."""
        shared = (key for group in self.quality.duplicates for key in group)
        return tuple(dict.fromkeys([*self.quality.contained_in_other, *shared]))

    @property
    def failing(self) -> list[SwipeCheck]:
        return self.checks.failing()

    @property
    def exit_status(self) -> int:
        """0 when every swipe matched and no card_id is inside another's; else 1."""
        if self.contained_in_other or self.checks.failing():
            return 1
        return 0
