"""config/card-rules.example.toml: every commented preset, uncommented, does what it says."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from kiosk.cards.parse import parse_swipe
from kiosk.cards.rules import load_rules, rules_from_toml

EXAMPLE = Path(__file__).resolve().parents[2] / "config" / "card-rules.example.toml"
GUARD = '[guard]\ncampus_prefixes = ["600999"]\n'


def _presets() -> dict[str, tuple[str, str, str]]:
    """name -> (uncommented TOML, sample swipe, expected card_id)."""
    text = EXAMPLE.read_text(encoding="utf-8")
    presets = {}
    for block in re.split(r"^# --- preset: ", text, flags=re.M)[1:]:
        name, _, body = block.partition("\n")
        swipe = re.search(r"^#   swipe: (.*)$", body, re.M)
        card_id = re.search(r"^#   card_id: (.*)$", body, re.M)
        assert swipe and card_id, f"preset {name} shows a sample swipe and its card_id"
        rule_start = body.index("# [[rules]]")
        toml = "\n".join(
            line[2:] for line in body[rule_start:].splitlines() if line.startswith("# ")
        )
        presets[name.strip()] = (toml, swipe.group(1), card_id.group(1))
    return presets


PRESETS = _presets()


def test_example_file_loads_as_shipped_with_no_active_rules() -> None:
    ruleset = load_rules(EXAMPLE)
    assert ruleset.rules == () and ruleset.campus_prefixes == ()


def test_there_are_presets_for_the_common_layouts() -> None:
    assert len(PRESETS) >= 12
    assert {"campus-iso", "prox-card-number", "mifare-uid-reversed", "code39-barcode"} <= set(
        PRESETS
    )


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_preset_gives_the_card_id_it_shows(name: str) -> None:
    toml, swipe, card_id = PRESETS[name]
    ruleset = rules_from_toml(GUARD + toml)
    (rule,) = ruleset.rules
    assert rule.name == name
    result = parse_swipe(swipe, ruleset, rule.reader)
    assert (result.status, result.card_id, result.rule) == ("ok", card_id, name)


def test_all_presets_uncommented_make_one_valid_file() -> None:
    ruleset = rules_from_toml(GUARD + "\n\n".join(toml for toml, _, _ in PRESETS.values()))
    assert len(ruleset.rules) == len(PRESETS)
