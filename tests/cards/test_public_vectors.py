"""Bank-card test vectors from other projects' public test suites, as inputs to our guard.

Each line of ``tests/fixtures/cards/public-payment-vectors.jsonl`` is a swipe taken from a
public card-parsing or payment SDK test suite (``source`` names the repository and file),
with the card number it carries. Whatever the rules, every one must be refused before a rule
runs, and nothing the parser returns may contain the card number.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.cards.parse import parse_swipe
from kiosk.cards.rules import Rule, RuleSet

VECTORS = [
    json.loads(line)
    for line in (
        Path(__file__).parent.parent / "fixtures" / "cards" / "public-payment-vectors.jsonl"
    )
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip()
]

RULE_SETS = {
    "no rules": RuleSet.empty(),
    "track 1 rule": RuleSet((Rule("track-one", r"B(\d+)\^", track=(1,)),)),
    "whole-swipe B rule": RuleSet((Rule("b-number", r"B(\d+)\^"),)),
    "any digits": RuleSet((Rule("digits", r"(?P<card_id>\d{9,19})"),)),
}


def _ids() -> list[str]:
    return [f"{index}:{vector['source'].split(':')[0]}" for index, vector in enumerate(VECTORS)]


@pytest.mark.parametrize("rules_name", list(RULE_SETS))
@pytest.mark.parametrize("vector", VECTORS, ids=_ids())
def test_public_bank_card_vectors_are_refused(vector: dict[str, str], rules_name: str) -> None:
    result = parse_swipe(vector["swipe"], RULE_SETS[rules_name])
    assert result.status == "refused", (vector["source"], result)
    assert result.card_id is None
    digits = vector["pan"]
    assert digits not in result.message
    assert digits not in repr(result)


def test_the_vectors_come_from_several_projects() -> None:
    sources = {vector["source"].split(":")[0] for vector in VECTORS}
    assert len(sources) >= 2
    assert len(VECTORS) >= 20
