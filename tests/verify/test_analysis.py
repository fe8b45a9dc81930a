"""Verify's verdicts, with the real card parser (guard, tracks, rules) and real rule files."""

from __future__ import annotations

from typing import Any

import pytest

from drivers.capture import CapturedSwipe
from kiosk.cards.card_ids import CardIdIndex
from kiosk.cards.clean import clean_swipe
from kiosk.cards.rules import RuleSet, rules_from_toml
from kiosk.verify.analysis import CAMPUS_PREFIX_HINT, check_swipe, verify
from kiosk.verify.model import SwipeCheck
from kiosk.verify.roster_source import RosterCardIds
from tests.conftest import load_corpus

ISO_CARD = "%B6009999012345675^TESTER/ALEX J^2908120000000000?;6009999012345675=29081200000000000?"
VISA = "%B4111111111111111^TEST/CARD^2512101000000000000?;4111111111111111=25121010000000000?"
ID_PLUS_ISSUE_RULES = rules_from_toml("[[rules]]\nname = 'id9'\npattern = ';(\\d{9})\\d{2}\\?'\n")


def _roster(*pairs: tuple[str | None, str]) -> RosterCardIds:
    return RosterCardIds(source="test", pairs=list(pairs))


def _check(
    text: str, roster: RosterCardIds, rules: RuleSet | None = None
) -> SwipeCheck | None:
    index: CardIdIndex[str] = CardIdIndex(roster.pairs)
    return check_swipe(
        7, text, index, rules or RuleSet.empty(), rules_given=rules is not None
    )


def _verdict(text: str, roster: RosterCardIds, rules: RuleSet | None = None) -> str:
    check = _check(text, roster, rules)
    assert check is not None
    return check.verdict


ALEX = _roster(("901234567", "alex"), ("41234567", "river"))


def test_matched_without_rules_when_one_students_card_id_is_inside() -> None:
    check = _check(";90123456701?", ALEX)
    assert check is not None
    assert (check.line, check.verdict, check.contained, check.extracted) == (
        7, "matched", ("alex",), None
    )
    assert check.text == ""  # a matched swipe keeps nothing of its text


def test_matched_with_a_rule_that_extracts_the_contained_card_id() -> None:
    check = _check(";90123456701?", ALEX, ID_PLUS_ISSUE_RULES)
    assert check is not None
    assert (check.verdict, check.extracted, check.rule) == ("matched", "901234567", "id9")


def test_leading_zero_case_from_handshake_never_matches() -> None:
    roster = _roster(("0012341234", "alex"))
    # Handshake's own example: characters can be trimmed from a swipe, never added.
    check = _check(";1234123400;", roster)
    assert check is not None
    assert check.verdict != "matched"
    assert check.contained == ()
    # The same digits as a complete track 2: a readable swipe with no card_id inside.
    check = _check(";1234123400?", roster)
    assert check is not None
    assert (check.verdict, check.contained) == ("unmatched", ())
    assert _verdict(";0012341234?", roster) == "matched"


def test_overlapping_card_ids_make_the_swipe_ambiguous() -> None:
    roster = _roster(("12345", "short"), ("0012345", "long"))
    check = _check(";001234500?", roster)
    assert check is not None
    assert check.verdict == "ambiguous"
    assert check.contained == ("long", "short")
    assert [(h.card_id, h.start, h.end) for h in check.occurrences] == [
        ("0012345", 1, 8),
        ("12345", 3, 8),
    ]
    assert check.text == ";001234500?"


def test_one_card_id_shared_by_two_students_is_ambiguous() -> None:
    roster = _roster(("901234567", "alex"), ("901234567", "alexis"))
    check = _check(";90123456701?", roster, ID_PLUS_ISSUE_RULES)
    assert check is not None
    assert (check.verdict, check.contained) == ("ambiguous", ("alex", "alexis"))


def test_a_rule_match_is_judged_by_the_extracted_card_id_alone() -> None:
    # The kiosk looks the rule's card_id up exactly and never asks containment, so another
    # card_id nested inside the swipe does not make it ambiguous (issue 13).
    roster = _roster(("12345", "short"), ("901234567", "long"))
    check = _check(";90123456701?", roster, ID_PLUS_ISSUE_RULES)
    assert check is not None
    assert (check.verdict, check.contained, check.extracted) == ("matched", ("long",), "901234567")
    # Without rules the kiosk matches by containment: there, both inside is ambiguous.
    assert _verdict(";90123456701?", roster) == "ambiguous"


ISSUE_13_ROSTER = _roster(("012345678", "bea"), ("901234567", "sam"))
ISSUE_13_SWIPE = ";01234567890123456701?"  # bea's card: its number holds sam's card_id too
ID_AT_START = rules_from_toml("[[rules]]\nname = 'id9'\npattern = ';(\\d{9})\\d+\\?'\n")


def test_issue_13_card_is_matched_with_rules_as_the_kiosk_reads_it() -> None:
    check = _check(ISSUE_13_SWIPE, ISSUE_13_ROSTER, ID_AT_START)
    assert check is not None
    assert (check.verdict, check.contained, check.extracted, check.rule) == (
        "matched", ("bea",), "012345678", "id9"
    )
    report = verify(ISSUE_13_ROSTER, [CapturedSwipe(1, ISSUE_13_SWIPE)], ID_AT_START)
    assert [c.verdict for c in report.checks] == ["matched"]
    assert _verdict(ISSUE_13_SWIPE, ISSUE_13_ROSTER) == "ambiguous"  # no rules: containment


@pytest.mark.parametrize(
    ("roster", "text", "rules"),
    [
        (ISSUE_13_ROSTER, ISSUE_13_SWIPE, ID_AT_START),
        (ISSUE_13_ROSTER, ISSUE_13_SWIPE, None),
        (ALEX, ";90123456701?", ID_PLUS_ISSUE_RULES),
        (ALEX, ";55555555501?", ID_PLUS_ISSUE_RULES),
        (_roster(("901234567", "a"), ("901234567", "b")), ";90123456701?", ID_PLUS_ISSUE_RULES),
        (_roster(("12345", "s"), ("901234567", "l")), ";90123456701?", ID_PLUS_ISSUE_RULES),
        (_roster(("12345", "s"), ("901234567", "l")), ";90123456701?", None),
        (ALEX, ";90123456701?", rules_from_toml("[[rules]]\nname = 'p'\npattern = '^(\\d{5})$'\n")),
    ],
)
def test_matched_exactly_when_the_kiosk_would_check_the_student_in(
    roster: RosterCardIds, text: str, rules: RuleSet | None
) -> None:
    from kiosk.cards.parse import parse_swipe
    from kiosk.checkin.matching import RosterMatcher

    keys = sorted({key for _, key in roster.pairs})
    matcher = RosterMatcher((card_id, keys.index(key)) for card_id, key in roster.pairs)
    found = matcher.match(text, parse_swipe(text, rules or RuleSet.empty()))
    check = _check(text, roster, rules)
    assert check is not None
    kiosk_student = None if found is None else keys[found.student_id]
    if check.verdict == "matched":
        assert check.contained == (kiosk_student,)
    elif rules is None or check.verdict != "rule_mismatch" or check.extracted is not None:
        assert kiosk_student is None  # verify says not matched: the kiosk matches nobody


def test_rule_mismatch_when_the_rule_extracts_something_else() -> None:
    rules = rules_from_toml("[[rules]]\nname = 'all11'\npattern = ';(\\d{11})\\?'\n")
    check = _check(";90123456701?", ALEX, rules)
    assert check is not None
    assert (check.verdict, check.contained, check.extracted, check.rule) == (
        "rule_mismatch", ("alex",), "90123456701", "all11"
    )
    assert [(h.start, h.end) for h in check.occurrences] == [(1, 10)]


def test_rule_mismatch_when_no_rule_matches() -> None:
    rules = rules_from_toml("[[rules]]\nname = 'prox'\npattern = '^(\\d{5})$'\n")
    check = _check(";90123456701?", ALEX, rules)
    assert check is not None
    assert (check.verdict, check.extracted) == ("rule_mismatch", None)


def test_unmatched_when_the_rule_extracts_a_card_id_nobody_has() -> None:
    check = _check(";55555555501?", ALEX, ID_PLUS_ISSUE_RULES)
    assert check is not None
    assert (check.verdict, check.extracted, check.contained) == ("unmatched", "555555555", ())


def test_misread_swipes_are_misread_even_with_a_card_id_inside() -> None:
    assert _verdict("%E?;E?", ALEX) == "misread"
    assert _verdict(";90123456701", ALEX) == "misread"  # track never ended: partial swipe


def test_noise_is_skipped() -> None:
    assert _check("\x02\x03", ALEX) is None
    assert _check("", ALEX) is None


def test_payment_card_is_refused_and_keeps_nothing() -> None:
    check = _check(VISA, _roster(("4111111111111111", "odd"), ("1111", "x")))
    assert check is not None
    assert check.verdict == "refused"
    assert (check.contained, check.extracted, check.text, check.occurrences) == ((), None, "", ())
    assert check.hint == CAMPUS_PREFIX_HINT  # a roster card_id sits inside it


def test_campus_card_refused_without_campus_prefix_gets_the_hint() -> None:
    check = _check(ISO_CARD, ALEX)
    assert check is not None
    assert (check.verdict, check.hint) == ("refused", CAMPUS_PREFIX_HINT)
    allowed = RuleSet(campus_prefixes=("600999",))
    assert _verdict(ISO_CARD, ALEX, allowed) == "rule_mismatch"  # no rules: nothing extracted
    iso_rule = rules_from_toml(
        "[guard]\ncampus_prefixes = ['600999']\n"
        "[[rules]]\nname = 'iso'\npattern = ';600999(\\d{9})\\d='\n"
    )
    assert _verdict(ISO_CARD, ALEX, iso_rule) == "matched"


def test_encrypted_output_gets_no_campus_prefix_hint() -> None:
    masked = "%B4111********1111^TESTER/ALEX^2812?;41234567****?"  # masked: the reader encrypts
    check = _check(masked, ALEX)
    assert check is not None
    assert (check.verdict, check.hint) == ("refused", None)
    assert "unencrypted" in check.message


def test_refused_swipe_without_roster_card_id_gets_no_hint() -> None:
    check = _check(VISA, ALEX)
    assert check is not None
    assert (check.verdict, check.hint) == ("refused", None)


def test_refused_comes_before_ambiguous() -> None:
    roster = _roster(("411111", "a"), ("111111", "b"))
    assert _verdict(VISA, roster) == "refused"


def test_verify_counts_and_exit_status() -> None:
    roster = _roster(("901234567", "alex"), ("41234567", "river"), (None, "nocard"))
    swipes = [
        CapturedSwipe(1, ";90123456701?"),
        CapturedSwipe(2, "\x02\x03"),
        CapturedSwipe(4, ";941234567020000?"),
    ]
    report = verify(roster, swipes)
    assert report.counts["matched"] == 2
    assert report.noise == 1
    assert [c.line for c in report.checks] == [1, 4]
    assert report.exit_status == 0
    report = verify(roster, [*swipes, CapturedSwipe(9, ";1234123400?")])
    assert report.counts["unmatched"] == 1
    assert report.exit_status == 1


def test_nested_or_shared_card_ids_fail_even_without_swipes() -> None:
    assert verify(_roster(("901234567", "a"), ("41234567", "b"))).exit_status == 0
    nested = verify(_roster(("12345", "inner"), ("0012345", "outer")))
    assert nested.contained_in_other == ("inner",)
    assert nested.exit_status == 1
    shared = verify(_roster(("555", "a"), ("555", "b")))
    assert shared.contained_in_other == ("a", "b")
    assert shared.exit_status == 1


def test_roster_findings_alone_do_not_fail_when_swipes_match() -> None:
    roster = _roster(("901234567", "alex"), ("6.00999E+15", "excel"), (None, "nocard"))
    report = verify(roster, [CapturedSwipe(1, ";90123456701?")])
    assert report.quality.excel_damage == ("excel",)
    assert report.quality.missing == ("nocard",)
    assert report.exit_status == 0


CORPUS = load_corpus()


@pytest.mark.parametrize("case", CORPUS, ids=[case["id"] for case in CORPUS])
def test_every_corpus_swipe_gets_the_verdict_its_outcome_implies(case: dict[str, Any]) -> None:
    expected = case["expected"]
    card_id = expected.get("card_id")
    roster = _roster((card_id or "000000000000000000000", "student"))
    check = _check(case["raw"], roster)
    if expected["outcome"] == "ignore":
        assert check is None
        return
    assert check is not None
    if expected["outcome"] == "reject":
        assert check.verdict in ("refused", "misread")
        return
    if card_id in clean_swipe(case["raw"]):
        # The card_id Handshake needs is inside: matched, or refused by the payment guard
        # (a campus ISO number) with the hint to add the campus prefix.
        assert (check.verdict, check.hint) in (("matched", None), ("refused", CAMPUS_PREFIX_HINT))
    else:
        # Only a transform (hex, reversed bytes) gives this card_id: Handshake cannot match.
        assert check.verdict == "unmatched"
