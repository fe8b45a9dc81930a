"""RosterMatcher: the in-memory roster, exact by rule card_id, else unique containment."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.cards.parse import parse_swipe
from kiosk.cards.rules import Rule, RuleSet
from kiosk.checkin.matching import RosterMatch, RosterMatcher

ROSTER = [("901234567", 1), ("41234567", 2), ("12345678", 3), ("2345678", 4), (None, 5), ("", 6)]
RULES = RuleSet(rules=(Rule(name="t2-id", pattern=r";(\d{9})\d{2}\?"),))


@pytest.fixture(scope="module")
def matcher() -> RosterMatcher:
    return RosterMatcher(ROSTER)


@pytest.mark.parametrize(
    ("text", "rules", "expected"),
    [
        (";90123456701?", RULES, RosterMatch(1, "901234567")),  # rule, exact
        (";90123456701?", RuleSet.empty(), RosterMatch(1, "901234567")),  # containment
        ("\x02;941234567020000?\r\x03", RuleSet.empty(), RosterMatch(2, "41234567")),
        (";99999999901?", RULES, None),  # rule card_id not on the roster: no containment
        (";12345678?", RuleSet.empty(), None),  # contains 12345678 and 2345678: ambiguous
        (";2345678?", RuleSet.empty(), RosterMatch(4, "2345678")),
        (";901234567=41234567?", RuleSet.empty(), None),  # two students' ids
        (";55555?", RuleSet.empty(), None),
        ("%E?;E?", RuleSet.empty(), None),  # misread
        ("", RuleSet.empty(), None),  # noise
    ],
)
def test_match(
    matcher: RosterMatcher, text: str, rules: RuleSet, expected: RosterMatch | None
) -> None:
    assert matcher.match(text, parse_swipe(text, rules)) == expected


def test_blank_card_ids_are_left_out(matcher: RosterMatcher) -> None:
    assert len(matcher) == 4
    assert matcher.by_card_id("") is None


def test_a_shared_card_id_matches_nobody() -> None:
    shared = RosterMatcher([("777", 1), ("777", 2)])
    assert shared.by_card_id("777") is None
    assert shared.by_containment(";777?") is None


def test_a_large_roster_still_finds_the_one_student() -> None:
    matcher = RosterMatcher((f"{500000000 + n * 11:09d}", n) for n in range(100_000))
    assert len(matcher) == 100_000
    assert matcher.by_containment(";50000011001?") == RosterMatch(10, "500000110")
    assert matcher.by_card_id(f"{500000000 + 99_999 * 11:09d}") == RosterMatch(
        99_999, f"{500000000 + 99_999 * 11:09d}"
    )


@settings(max_examples=200, deadline=None)
@given(
    card_ids=st.lists(st.text("0123456789AB", min_size=1, max_size=6), max_size=12, unique=True),
    text=st.text("0123456789AB;?=", max_size=30),
)
def test_containment_agrees_with_a_naive_search(card_ids: list[str], text: str) -> None:
    matcher = RosterMatcher((card_id, n) for n, card_id in enumerate(card_ids))
    contained = [(card_id, n) for n, card_id in enumerate(card_ids) if card_id in text]
    expected = RosterMatch(contained[0][1], contained[0][0]) if len(contained) == 1 else None
    assert matcher.by_containment(text) == expected
