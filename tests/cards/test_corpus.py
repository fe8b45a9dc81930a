"""Every accept / reject / ignore row of the shared swipe corpus, against the corpus rules file.

accept -> ok with the expected card_id; reject -> misread or refused; ignore -> noise.
Each accepting row needs the rule named in EXPECTED_RULE; rows from prox, contactless and
barcode readers come from the named reader in READER_FOR_ROW (their rules carry reader = ...),
every other row from a magstripe reader named "magstripe".
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from kiosk.cards.parse import parse_swipe
from kiosk.cards.rules import RuleSet, load_rules
from tests.conftest import load_corpus

RULES_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "cards" / "corpus-rules.toml"

READER_FOR_ROW = {
    "prox-h10301-id-only": "pcprox",
    "prox-h10301-zero-padded": "pcprox",
    "prox-fac-colon-id": "pcprox",
    "prox-combined-24bit-decimal": "pcprox",
    "prox-corp1000-35bit": "pcprox",
    "prox-em4100-10digit": "em-reader",
    "mifare-uid4-hex": "nfc",
    "mifare-uid4-hex-reversed": "nfc-lsb",
    "barcode-code39-plain": "scanner",
    "barcode-code39-startstop": "scanner",
    "barcode-code39-check-char": "scanner",
    "qr-mobile-credential-url": "scanner",
}

# Which rule of corpus-rules.toml explains each accepting row.
EXPECTED_RULE = {
    "wedge-t1t2-iso-student": "campus-iso",
    "wedge-t1t2t3-magtek": "campus-iso",
    "wedge-idtech-enter-per-track": "campus-iso",
    "wedge-t1-error-t2-ok": "campus-iso",
    "serial-magtek-default": "campus-iso",
    "serial-magtek-stx-esc-etx": "campus-iso",
    "serial-idtech-format": "campus-iso",
    "wedge-t2only-id-plus-issue": "id-plus-issue-code",
    "serial-idtech-uic-stx-dle": "id-plus-issue-code",
    "wedge-t2-etms90-style": "old-cards-etms90",
    "wedge-t2-field-separated": "facility-separated",
    "wedge-t1-onecard-name": "onecard-track1",
    "wedge-t1t2-identical": "timeclock-card",
    "wedge-t3-plus-sentinel": "track3-id",
    "wedge-idtech-no-sentinels": "no-sentinels",
    "prox-h10301-id-only": "pcprox-card-number",
    "prox-h10301-zero-padded": "pcprox-card-number",
    "prox-combined-24bit-decimal": "pcprox-card-number",
    "prox-fac-colon-id": "pcprox-fac-id",
    "prox-corp1000-35bit": "pcprox-fac-id",
    "prox-em4100-10digit": "em4100",
    "mifare-uid4-hex": "mifare-uid",
    "mifare-uid4-hex-reversed": "mifare-uid-reversed",
    "barcode-code39-plain": "id-barcode",
    "barcode-code39-startstop": "id-barcode",
    "barcode-code39-check-char": "id-barcode-check-char",
    "qr-mobile-credential-url": "mobile-id-qr",
}

EXPECTED_STATUSES = {"accept": {"ok"}, "reject": {"misread", "refused"}, "ignore": {"noise"}}

CORPUS = load_corpus()


@pytest.fixture(scope="module")
def corpus_rules() -> RuleSet:
    return load_rules(RULES_FILE)


def test_corpus_has_every_outcome() -> None:
    outcomes = {row["expected"]["outcome"] for row in CORPUS}
    assert outcomes == {"accept", "reject", "ignore"}
    accepting = {row["id"] for row in CORPUS if row["expected"]["outcome"] == "accept"}
    assert accepting == set(EXPECTED_RULE), "every accepting row names the rule it needs"


@pytest.mark.parametrize("row", CORPUS, ids=[row["id"] for row in CORPUS])
def test_corpus_row(row: dict[str, Any], corpus_rules: RuleSet) -> None:
    reader = READER_FOR_ROW.get(row["id"], "magstripe")
    result = parse_swipe(row["raw"], corpus_rules, reader)
    expected = row["expected"]
    assert result.status in EXPECTED_STATUSES[expected["outcome"]], result
    assert result.card_id == expected["card_id"]
    if expected["outcome"] == "accept":
        assert result.rule == EXPECTED_RULE[row["id"]]
    else:
        assert result.rule is None


@pytest.mark.parametrize("row", CORPUS, ids=[row["id"] for row in CORPUS])
def test_corpus_row_from_capture_line(row: dict[str, Any], corpus_rules: RuleSet) -> None:
    """The capture-file form of each row parses exactly like the raw text."""
    from drivers.capture import unescape_swipe

    reader = READER_FOR_ROW.get(row["id"], "magstripe")
    text = unescape_swipe(row["raw_escaped"])
    assert parse_swipe(text, corpus_rules, reader) == parse_swipe(row["raw"], corpus_rules, reader)


@pytest.mark.parametrize("row_id", sorted(READER_FOR_ROW))
def test_reader_limited_rules_skip_other_readers(row_id: str, corpus_rules: RuleSet) -> None:
    """A prox/barcode swipe arriving from the magstripe reader matches none of their rules."""
    row = next(row for row in CORPUS if row["id"] == row_id)
    result = parse_swipe(row["raw"], corpus_rules, "magstripe")
    assert result.rule != EXPECTED_RULE[row_id]


def test_without_campus_prefix_campus_iso_cards_are_refused(corpus_rules: RuleSet) -> None:
    """The guard_note rows: the school's IIN is what keeps its ISO cards from being refused."""
    no_allowlist = RuleSet(corpus_rules.rules, ())
    noted = [row for row in CORPUS if "guard_note" in row]
    assert noted
    for row in noted:
        result = parse_swipe(row["raw"], no_allowlist, "magstripe")
        assert (result.status, result.card_id, result.reason) == ("refused", None, "payment")


def test_every_reject_and_ignore_row_with_an_empty_ruleset() -> None:
    """Refusal, misread and noise are decided before any rule: no rules needed."""
    for row in CORPUS:
        outcome = row["expected"]["outcome"]
        if outcome == "accept":
            continue
        result = parse_swipe(row["raw"], RuleSet.empty())
        assert result.status in EXPECTED_STATUSES[outcome], row["id"]
