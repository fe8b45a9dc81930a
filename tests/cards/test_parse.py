"""parse_swipe on hand-written cases: guard, noise, misreads, ordered rules, readers."""

from __future__ import annotations

import pytest

from kiosk.cards.parse import SwipeResult, parse_swipe
from kiosk.cards.rules import Rule, RuleSet, rules_from_toml

VISA = "4111111111111111"
CAMPUS = "6009999012345675"  # IIN 600999 + 901234567 + Luhn digit

CAMPUS_RULES = rules_from_toml(
    """
[guard]
campus_prefixes = ["600999"]

[[rules]]
name = "campus-card"
pattern = ';600999(\\d{9})\\d='
"""
)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (f"%B{VISA}^CARDHOLDER/TEST^2812101?", "payment"),
        (f";{VISA}=2812101?", "payment"),
        (f";{VISA}?", "payment"),
        (f"{VISA}=2812101", "payment"),
        (f"\x02\x1b%B{VISA}^X/Y^2812?\r;{VISA}=2812?\r\x03", "payment"),
        (f"%E?;{VISA}=28121011?", "payment"),
        (";5555555555554444=2812?", "payment"),
        (";378282246310005=2812?", "payment"),  # Amex, 15 digits
        (";2223000048400011=2812?", "payment"),  # Mastercard 2-series
        (f"{VISA}", "payment"),  # a number alone of a brand's range and length
        (";4111********1111=2812****?", "encrypted"),
        ("%B4111********1111^X^2812?", "encrypted"),
        ("\x02\x85\x00%*4111\x03", "encrypted"),
        (";90123456701?\x00", "encrypted"),
        ("90123456701\x9b", "encrypted"),
    ],
)
def test_refused(text: str, reason: str) -> None:
    for rules in (RuleSet.empty(), CAMPUS_RULES):
        result = parse_swipe(text, rules)
        assert (result.status, result.card_id, result.rule, result.reason) == (
            "refused",
            None,
            None,
            reason,
        )
        assert "4111" not in result.message and "5555" not in result.message


def test_refused_message_says_what_to_do() -> None:
    assert "student ID" in parse_swipe(f";{VISA}=2812?", RuleSet.empty()).message
    encrypted = parse_swipe(";4111****1111=2812?", RuleSet.empty()).message
    assert "unencrypted output" in encrypted


@pytest.mark.parametrize(
    "text",
    [
        f";{VISA[:-1]}2=2812?",  # Luhn fails
        ";1111111111111117=2812?",  # starts with 1: not a payment range
        ";7111111111111114=2812?",  # starts with 7
        ";411111111111=2812?",  # 12 digits
        ";41111111111111111111=2812?",  # 20 digits
        "21234000123455",  # a number alone: a library barcode (14 digits, Luhn), no card's
        "6009999012345675",  # a number alone outside the major brands' ranges
        f"x{VISA}=28",  # =YY only, not =YYMM
        "*901234567*",  # Code 39 start/stop, not masking
    ],
)
def test_not_payment(text: str) -> None:
    assert parse_swipe(text, RuleSet.empty()).status != "refused"


def test_campus_prefix_lets_campus_iso_cards_through() -> None:
    text = f"%B{CAMPUS}^TESTER/ALEX J^2908120000000000?;{CAMPUS}=29081200000000000?"
    assert parse_swipe(text, RuleSet.empty()).status == "refused"
    assert parse_swipe(text, CAMPUS_RULES) == SwipeResult(
        "ok", "901234567", "campus-card", "card_id from rule 'campus-card'."
    )


def test_campus_prefix_does_not_hide_a_payment_card_in_the_same_swipe() -> None:
    text = f";{CAMPUS}=2908?;{VISA}=2812?"
    assert parse_swipe(text, CAMPUS_RULES).status == "refused"


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("\r\n", "empty"),
        ("\x02\x03", "empty"),
        ("   ", "empty"),
        ("\x02\x1b1\r\x03", "card_present"),
        ("\x02\x1b0\r\x03", "card_present"),
        ("21088838A01\r", "sign_on"),
        ("21088801A17", "sign_on"),
    ],
)
def test_noise(text: str, reason: str) -> None:
    result = parse_swipe(text, RuleSet((Rule("any", r"(.+)"),)))
    assert (result.status, result.reason, result.card_id) == ("noise", reason, None)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("%E?;E?", "all_failed"),
        ("%E?;E?+E?", "all_failed"),
        ("%E?", "all_failed"),
        ("%?;?", "all_failed"),
        (";60099990123", "partial"),
        ("%B9012345^TESTER/ALEX", "partial"),
        (";90123456701?;1234", "partial"),
        (";6009999012x34567=2908120?", "bad_characters"),
        (";901234567?+12a4?", "bad_characters"),
        ("<90123456701_", "wrong_layout"),
    ],
)
def test_misread(text: str, reason: str) -> None:
    # A rule that would happily take any digits must not turn a misread into a card_id.
    result = parse_swipe(text, RuleSet((Rule("digits", r"(\d{4,})"),)))
    assert (result.status, result.reason, result.card_id) == ("misread", reason, None)


def test_empty_ruleset_gives_no_match_for_readable_swipes() -> None:
    for text in (";90123456701?", "12345", "04A23BC1", "https://id.example.edu/v/1"):
        assert parse_swipe(text, RuleSet.empty()).status == "no_match"


def test_first_matching_rule_wins_and_later_rules_are_fallbacks() -> None:
    rules = RuleSet(
        (
            Rule("issue-code", r";(\d{9})\d{2}\?"),
            Rule("etms90", r";9(\d{8})(\d{2})"),
        )
    )
    assert parse_swipe(";90123456701?", rules).rule == "issue-code"
    etms = parse_swipe(";941234567020000?", rules)
    assert (etms.card_id, etms.rule) == ("41234567", "etms90")


def test_reader_restriction() -> None:
    rules = RuleSet(
        (
            Rule("prox", r"^(\d{1,10})$", transforms=("low_bits:16",), reader="pcprox"),
            Rule("barcode", r"^(\d{9})$", reader="scanner"),
        )
    )
    assert parse_swipe("2764857", rules, "pcprox").card_id == "12345"
    assert parse_swipe("901234567", rules, "scanner").card_id == "901234567"
    assert parse_swipe("901234567", rules, "pcprox").rule == "prox"
    assert parse_swipe("2764857", rules, "scanner").status == "no_match"
    assert parse_swipe("2764857", rules, None).status == "no_match"


def test_disabled_rule_is_skipped() -> None:
    rules = RuleSet((Rule("off", r"(\d+)", enabled=False), Rule("on", r"(\d{3})")))
    assert parse_swipe("12345", rules).rule == "on"


def test_track_selection_and_fallback() -> None:
    rules = RuleSet((Rule("t21", r"^(\d{8})$", track=(2, 1)),))
    assert parse_swipe("%12345678?;87654321?", rules).card_id == "87654321"
    assert parse_swipe("%12345678?;E?", rules).card_id == "12345678"
    assert parse_swipe("%12345678?", rules).card_id == "12345678"
    # Not a magnetic stripe: a rule limited to a track does not see it.
    assert parse_swipe("12345678", rules).status == "no_match"


def test_track3_after_second_semicolon() -> None:
    rules = RuleSet((Rule("t3", r"^(\d+)$", track=(3,)),))
    assert parse_swipe(";1111?;1234567890?", rules).card_id == "1234567890"
    assert parse_swipe(";1111?+1234567890?", rules).card_id == "1234567890"


def test_group_choice_named_then_first_then_whole() -> None:
    assert parse_swipe("A12B34", RuleSet((Rule("n", r"A(\d+)B(?P<card_id>\d+)"),))).card_id == "34"
    assert parse_swipe("A12B34", RuleSet((Rule("g", r"A(\d+)B(\d+)"),))).card_id == "12"
    assert parse_swipe("A12B34", RuleSet((Rule("w", r"\d+B"),))).card_id == "12B"


def test_transform_failure_falls_through_to_the_next_rule() -> None:
    rules = RuleSet(
        (
            Rule("raw-h10301", r"^([0-9A-F]{7})$", transforms=("h10301_card",)),
            Rule("whole", r"^(\w+)$"),
        )
    )
    assert parse_swipe("0AA6073", rules).card_id == "12345"  # FAC 85, card 12345, parity ok
    assert parse_swipe("0AA6072", rules).rule == "whole"  # odd parity broken


def test_framing_and_line_breaks_are_removed_before_rules() -> None:
    rules = RuleSet((Rule("id", r"^;(\d{9})\d{2}\?$"),))
    assert parse_swipe("\x02;90123456701?\r\n\x03", rules).card_id == "901234567"
    uic = parse_swipe("\x02;90123456701?<\x10", RuleSet((Rule("id", r";(\d{9})"),)))
    assert uic.card_id == "901234567"


def test_result_repr_never_holds_a_refused_number() -> None:
    result = parse_swipe(f";{VISA}=2812?", RuleSet.empty())
    assert VISA not in repr(result)
