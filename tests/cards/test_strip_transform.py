"""The ``strip:CHARACTERS`` transform: a card number printed or typed in groups
(``1234 567890 12345``) becomes the card_id ``123456789012345``, in a rules file, in
``kiosk parse`` and in the staff rule tester."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drivers.capture import write_capture
from kiosk.cards.parse import explain_swipe, parse_swipe
from kiosk.cards.rules import RulesFileError, dump_rules, rules_from_toml
from kiosk.cards.transforms import TRANSFORM_HELP, TransformSpecError, compile_transform
from kiosk.cli import main

RULES = """
[[rules]]
name = "typed-number"
description = "The number printed on the card, typed with its spaces or dashes"
pattern = '^([0-9][0-9 -]{13,22}[0-9])$'
transforms = ["strip: -"]
"""


@pytest.mark.parametrize(
    ("spec", "value", "expected"),
    [
        ("strip: -", "1234 567890 12345", "123456789012345"),
        ("strip: -", "1234-567890-12345", "123456789012345"),
        ("strip: -", "12 34-56", "123456"),
        ("strip: -", "123456", "123456"),
        ("strip: -", " - ", None),  # nothing left: no card_id
        ("strip:.", "1.234.567", "1234567"),
        ("strip::", "042:12345", "04212345"),  # a colon after the first one is a character
    ],
)
def test_strip_removes_every_chosen_character(spec: str, value: str, expected: str | None) -> None:
    assert compile_transform(spec)(value) == expected


def test_strip_needs_characters() -> None:
    with pytest.raises(TransformSpecError, match='e.g. "strip: -" removes every space and dash'):
        compile_transform("strip")
    with pytest.raises(TransformSpecError, match="must name the characters"):
        compile_transform("strip:")
    assert "strip:CHARACTERS" in TRANSFORM_HELP
    with pytest.raises(RulesFileError, match="rule 'a', key 'transforms'"):
        rules_from_toml("[[rules]]\nname = 'a'\npattern = '(.+)'\ntransforms = ['strip']\n")


def test_a_rules_file_rule_with_strip() -> None:
    rules = rules_from_toml(RULES)
    assert rules_from_toml(dump_rules(rules)) == rules
    for typed in ("1234 567890 12345", "1234-567890-12345", "123456789012345"):
        result = parse_swipe(typed + "\n", rules)
        assert (result.status, result.card_id) == ("ok", "123456789012345")
    # A payment card typed in groups is still refused before any rule runs.
    refused = parse_swipe("4111 1111 1111 1111\n", rules)
    assert (refused.status, refused.card_id) == ("refused", None)


def test_the_rule_tester_shows_the_stripped_card_id() -> None:
    explanation = explain_swipe("1234 567890 12345\r", rules_from_toml(RULES))
    (trial,) = explanation.trials
    assert (trial.outcome, trial.card_id) == ("matched", "123456789012345")
    assert explanation.card_id_span == (0, len("1234 567890 12345"))


def test_kiosk_parse_with_a_strip_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules_file = tmp_path / "card-rules.toml"
    rules_file.write_text(RULES, encoding="utf-8")
    capture = tmp_path / "typed.capture"
    with capture.open("w", encoding="utf-8") as handle:
        write_capture(["1234 567890 12345\n", "1234-567890-12345\n"], handle)
    assert main(["parse", "--rules", str(rules_file), str(capture)]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert [(r["status"], r["card_id"], r["rule"]) for r in records] == [
        ("ok", "123456789012345", "typed-number"),
        ("ok", "123456789012345", "typed-number"),
    ]
