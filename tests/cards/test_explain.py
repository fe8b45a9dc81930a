"""explain_swipe: what the staff rule tester shows."""

from __future__ import annotations

from kiosk.cards.parse import RuleTrial, explain_swipe
from kiosk.cards.rules import Rule, RuleSet

CAMPUS = "6009999012345675"
RULES = RuleSet(
    (
        Rule("prox-only", r"^(\d+)$", reader="pcprox"),
        Rule("off", r"(\d+)", enabled=False),
        Rule("bad-hex", r";(\d+)=", transforms=("h10301_card",)),
        Rule("campus", r"^(\d{9})", track=(2,), transforms=()),
        Rule("later", r"(\d)"),
    ),
    ("600999",),
)


def test_explains_each_rule_and_the_span() -> None:
    text = f"\x02%B{CAMPUS}^TESTER/ALEX J^2908?\r;{CAMPUS}=2908?\r\x03"
    # track 2 data starts at 600999...; rule 'campus' captures its first 9 digits.
    explanation = explain_swipe(text, RULES, reader="magstripe")
    cleaned = f"%B{CAMPUS}^TESTER/ALEX J^2908?;{CAMPUS}=2908?"
    assert explanation.display_text == cleaned
    assert explanation.tracks == {1: f"B{CAMPUS}^TESTER/ALEX J^2908", 2: f"{CAMPUS}=2908"}
    assert explanation.result.status == "ok" and explanation.result.card_id == "600999901"
    assert [trial.outcome for trial in explanation.trials] == [
        "other_reader",
        "disabled",
        "transform_failed",
        "matched",
        "not_tried",
    ]
    campus = explanation.trials[3]
    assert campus == RuleTrial("campus", "matched", "600999901", campus.span, 2)
    assert explanation.card_id_span == campus.span
    start, end = campus.span  # type: ignore[misc]
    assert cleaned[start:end] == "600999901"
    assert cleaned[start - 1] == ";"


def test_refused_swipe_is_masked_and_no_rule_is_tried() -> None:
    visa = "4111111111111111"
    explanation = explain_swipe(f"%B{visa}^CARDHOLDER/TEST^2812?", RULES)
    assert set(explanation.display_text) == {"*"}
    assert visa not in repr(explanation)
    assert explanation.tracks == {}
    assert explanation.card_id_span is None
    assert {trial.outcome for trial in explanation.trials} == {"not_tried"}
    assert explanation.result.status == "refused"


def test_misread_shows_tracks_but_tries_no_rule() -> None:
    explanation = explain_swipe("%E?;E?", RULES)
    assert explanation.result.status == "misread"
    assert explanation.tracks == {1: "E", 2: "E"}
    assert {trial.outcome for trial in explanation.trials} == {"not_tried"}


def test_no_match_lists_every_rule_as_tried() -> None:
    explanation = explain_swipe("ABC", RULES, reader="pcprox")
    assert explanation.result.status == "no_match"
    assert [trial.outcome for trial in explanation.trials] == [
        "no_match",
        "disabled",
        "no_match",
        "no_match",
        "no_match",
    ]
    assert explanation.card_id_span is None
