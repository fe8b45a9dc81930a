"""Prox (Wiegand) credentials from other projects' public test suites, as inputs to our rules.

Each line of ``tests/fixtures/cards/public-prox-vectors.jsonl`` is a raw credential (bits or
hex) taken from a public test suite (``source`` names it) with the facility (or company) code
and card number that suite expects, or ``"expect": "misread"`` where it expects a parity
error. They go through the kiosk's own path: a rule with the format's transform, then
:func:`parse_swipe`, as a reader in raw mode would deliver them.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from kiosk.cards.parse import parse_swipe
from kiosk.cards.rules import Rule, RuleSet

VECTORS: list[dict[str, Any]] = [
    json.loads(line)
    for line in (Path(__file__).parent.parent / "fixtures" / "cards" / "public-prox-vectors.jsonl")
    .read_text(encoding="utf-8")
    .splitlines()
    if line.strip()
]

#: The fixture's format names → ours (kiosk.cards.wiegand.FORMATS) and the name of the
#: leading field (facility code, or company code for Corporate 1000).
FORMAT_NAMES = {"H10301": ("h10301", "facility"), "C1k48s": ("corp1000_48", "company")}


def _raw(vector: dict[str, Any]) -> str:
    """What a reader in raw mode types: the bit string, or the hex when the suite gives one."""
    return str(vector.get("hex") or vector["bits"])


def _rules(fmt: str, field: str) -> RuleSet:
    return RuleSet((Rule(f"{fmt}-{field}", r"^([0-9A-Fa-f]+)$", transforms=(f"{fmt}_{field}",)),))


def _ids() -> list[str]:
    return [f"{index}:{vector['format']}:{_raw(vector)}" for index, vector in enumerate(VECTORS)]


@pytest.mark.parametrize("vector", VECTORS, ids=_ids())
def test_a_public_prox_vector_gives_its_numbers_or_a_misread(vector: dict[str, Any]) -> None:
    fmt, leading = FORMAT_NAMES[vector["format"]]
    card = parse_swipe(_raw(vector), _rules(fmt, "card"))
    code = parse_swipe(_raw(vector), _rules(fmt, leading))
    if vector.get("hid_preamble"):
        # HID's preamble and sentinel bits above the 26 Wiegand bits: not a bare H10301 value,
        # so never a number (a wrong student); the bits alone decode as the suite says.
        assert card.card_id is None
        card = parse_swipe(vector["bits"], _rules(fmt, "card"))
        code = parse_swipe(vector["bits"], _rules(fmt, leading))
    if vector.get("expect") == "misread":
        assert card.card_id is None and code.card_id is None
        assert card.status == "misread", card
        return
    assert card.status == "ok", (vector["source"], card)
    assert card.card_id == str(vector["card"])
    assert code.card_id == str(vector["facility"])


@pytest.mark.parametrize("vector", [v for v in VECTORS if "expect" not in v], ids=str)
def test_any_single_flipped_bit_never_reads_as_the_same_card(vector: dict[str, Any]) -> None:
    fmt, _ = FORMAT_NAMES[vector["format"]]
    bits = str(vector["bits"])
    rules = _rules(fmt, "card")
    for position in range(len(bits)):
        flipped = bits[:position] + ("1" if bits[position] == "0" else "0") + bits[position + 1 :]
        result = parse_swipe(flipped, rules)
        assert result.card_id is None, (position, result)


def test_the_vectors_come_from_several_projects() -> None:
    sources = {vector["source"].split(" ")[0] for vector in VECTORS}
    assert len(sources) >= 4
    assert len(VECTORS) >= 40
