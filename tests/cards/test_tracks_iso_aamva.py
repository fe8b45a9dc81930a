"""Tracks by ISO/IEC 7811 and AAMVA: driver's licences, LRCs, and stray text after a track.

The licences are in ``tests/fixtures/cards/aamva-licences.jsonl`` (constructed from the AAMVA
magnetic stripe layout) and ``public-licence-vectors.jsonl`` (from public AAMVA parsers' test
suites): track 1 ``%`` state, city, name, address; track 2 ``;`` IIN, licence number ``=``
expiry, birth date; track 3 alphanumeric after ``+``, ``%`` or ``#``.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kiosk.cards.parse import explain_swipe, parse_swipe
from kiosk.cards.rules import Rule, RuleSet, RulesFileError, dump_rules, rules_from_toml
from kiosk.cards.tracks import is_clean_stripe, parse_tracks, track_lrc

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cards"


def _jsonl(name: str) -> list[dict[str, object]]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


CONSTRUCTED = _jsonl("aamva-licences.jsonl")
PUBLIC = _jsonl("public-licence-vectors.jsonl")
LICENCES = [row for row in CONSTRUCTED + PUBLIC if not row.get("truncated")]
TRUNCATED = [row for row in PUBLIC if row.get("truncated")]
PAYMENT_SWIPES = [str(row["swipe"]) for row in _jsonl("public-payment-vectors.jsonl")] + [
    str(row[key])
    for row in _jsonl("payment-vectors.jsonl")
    for key in ("track1", "track2")
    if row[key]
]
IINS = tuple(sorted({str(row["iin"]) for row in CONSTRUCTED + PUBLIC}))

LICENCE_RULES = f"""
[guard]
campus_prefixes = {json.dumps(list(IINS))}

[[rules]]
name = "licence"
description = "AAMVA driver's licence: the number after the jurisdiction's IIN on track 2"
track = 2
pattern = '^636\\d{{3}}(\\d{{1,13}})='
"""


def _ids(rows: list[dict[str, object]]) -> list[str]:
    return [str(row["name"]) for row in rows]


@pytest.mark.parametrize("row", LICENCES, ids=_ids(LICENCES))
def test_a_licence_rule_reads_the_licence_number(row: dict[str, object]) -> None:
    result = parse_swipe(str(row["swipe"]), rules_from_toml(LICENCE_RULES))
    assert (result.status, result.card_id, result.rule) == ("ok", row["licence"], "licence")


def _state(row: dict[str, object]) -> str:
    """The jurisdiction's code, from the start of track 1 (``%TXAUSTIN^…``)."""
    return str(row["swipe"])[1:3]


def _rules_per_state(rows: list[dict[str, object]], trailing_text: bool = False) -> str:
    """One rule per jurisdiction, each matching only its own IIN on track 2, as a campus
    accepting licences from a few states writes them (``^636015(\\d{1,13})=`` for Texas)."""
    iins = {_state(row): str(row["iin"]) for row in rows}
    taking = "trailing_text = true\n" if trailing_text else ""
    rules = "".join(
        f"\n[[rules]]\nname = 'licence-{state}'\ntrack = 2\n"
        f"pattern = '^{iin}(\\d{{1,13}})='\n{taking}"
        for state, iin in sorted(iins.items())
    )
    return f"[guard]\ncampus_prefixes = {json.dumps(sorted(set(iins.values())))}\n{rules}"


@pytest.mark.parametrize("row", PUBLIC, ids=_ids(PUBLIC))
def test_each_public_licence_is_read_by_its_own_states_rule(row: dict[str, object]) -> None:
    rules = rules_from_toml(_rules_per_state(PUBLIC))
    assert len(rules.rules) == len({_state(r) for r in PUBLIC}) >= 3  # TX, AL, FL
    result = parse_swipe(str(row["swipe"]), rules)
    if row.get("truncated"):  # track 3 cut off: a misread unless the rule takes stray text
        assert (result.status, result.reason) == ("misread", "partial")
        rules = rules_from_toml(_rules_per_state(PUBLIC, trailing_text=True))
        result = parse_swipe(str(row["swipe"]), rules)
    expected = ("ok", row["licence"], f"licence-{_state(row)}")
    assert (result.status, result.card_id, result.rule) == expected
    # no other state's rule reads it
    for rule in rules.rules:
        if rule.name != f"licence-{_state(row)}":
            alone = RuleSet((rule,), rules.campus_prefixes)
            assert parse_swipe(str(row["swipe"]), alone).card_id is None, rule.name


@pytest.mark.parametrize("row", LICENCES, ids=_ids(LICENCES))
def test_a_licence_has_three_readable_tracks_the_third_alphanumeric(
    row: dict[str, object],
) -> None:
    swipe = str(row["swipe"])
    tracks = parse_tracks(swipe)
    assert tracks.problem is None
    assert [track.number for track in tracks.tracks] == [1, 2, 3]
    track1, track2, track3 = (tracks.get(number) for number in (1, 2, 3))
    assert track1 is not None and track1.data[:2].isalpha()  # the state
    assert track2 is not None and track2.data.startswith(str(row["iin"]) + str(row["licence"]))
    assert track3 is not None and any(char.isalpha() for char in track3.data)
    assert is_clean_stripe(swipe)  # the fast path agrees


def test_a_track_3_rule_reads_the_postal_code() -> None:
    # Track 3: template version, security version, then the 11-character postal code.
    rules = RuleSet((Rule("postal", r"^..(\d{5}) ", track=(3,)),))
    postal = {row["name"]: parse_swipe(str(row["swipe"]), rules).card_id for row in CONSTRUCTED}
    assert postal["TX, track 3 after +"] == "78701"
    assert postal["CA, track 3 after %"] == "95814"
    assert postal["NY, track 3 after #"] == "12207"


def test_the_alabama_licence_with_letters_after_plus_is_no_longer_a_misread() -> None:
    (alabama,) = [row for row in PUBLIC if str(row["name"]).startswith("AL")]
    result = parse_swipe(str(alabama["swipe"]), RuleSet.empty())
    assert (result.status, result.reason) == ("no_match", "no_rule")


def test_a_luhn_valid_licence_number_needs_its_iin_in_campus_prefixes() -> None:
    (row,) = [row for row in CONSTRUCTED if row.get("luhn_valid")]
    bare = RuleSet(rules_from_toml(LICENCE_RULES).rules)  # the same rule, no campus prefixes
    refused = parse_swipe(str(row["swipe"]), bare)
    assert (refused.status, refused.reason, refused.card_id) == ("refused", "payment", None)
    accepted = parse_swipe(str(row["swipe"]), rules_from_toml(LICENCE_RULES))
    assert (accepted.status, accepted.card_id) == ("ok", row["licence"])


def test_the_licence_rules_still_refuse_every_payment_vector() -> None:
    rules = rules_from_toml(
        LICENCE_RULES + "trailing_text = true\n[[rules]]\nname = 'any'\npattern = '(\\d+)'\n"
    )
    assert len(PAYMENT_SWIPES) > 50
    for swipe in PAYMENT_SWIPES:  # payment cards, or bank cards through encrypting readers
        result = parse_swipe(swipe, rules)
        assert (result.status, result.card_id) == ("refused", None), swipe


@pytest.mark.parametrize(
    "swipe",
    [
        "+12a4?",  # a lower-case letter typed into track 3
        ";901234567=2908?;12A4?",  # letters on ID TECH's numeric track 3
        "%B6009^TESTER/A^29?;6009=29?%ab?",  # an alphanumeric track 3 holds no lower case
        "%B6009^TESTER/A^29?;6009=29?#ABC%D?",  # nor a '%'
    ],
)
def test_characters_outside_a_tracks_set_are_still_a_misread(swipe: str) -> None:
    result = parse_swipe(swipe, RuleSet((Rule("any", r"(\d+)"),)))
    assert (result.status, result.reason) == ("misread", "bad_characters")


def test_a_cut_off_track_3_is_a_misread_unless_a_rule_takes_trailing_text() -> None:
    (row,) = TRUNCATED
    result = parse_swipe(str(row["swipe"]), rules_from_toml(LICENCE_RULES))
    assert (result.status, result.reason) == ("misread", "partial")
    taking = rules_from_toml(LICENCE_RULES + "trailing_text = true\n")
    result = parse_swipe(str(row["swipe"]), taking)
    assert (result.status, result.card_id) == ("ok", row["licence"])


# ---------------------------------------------------------------- stray text after a track

JUNK = ";123456789012345=1010?123?"
ISSUE_RULE = Rule("id", r";(\d{15})=")


def test_junk_after_a_complete_track_is_a_misread() -> None:
    result = parse_swipe(JUNK, RuleSet((ISSUE_RULE,)))
    assert (result.status, result.reason, result.card_id) == ("misread", "trailing", None)
    assert "Stray characters" in result.message
    assert "123456789012345" not in result.message


def test_a_rule_with_trailing_text_takes_the_junk_and_others_still_do_not() -> None:
    taking = Rule("id-with-suffix", r";(\d{15})=", trailing_text=True)
    rules = RuleSet((ISSUE_RULE, taking))
    result = parse_swipe(JUNK, rules)
    assert (result.status, result.card_id, result.rule) == ("ok", "123456789012345", taking.name)
    # The same swipe without junk is still the first rule's.
    assert parse_swipe(";123456789012345=1010?", rules).rule == "id"
    explanation = explain_swipe(JUNK, rules)
    assert [trial.outcome for trial in explanation.trials] == ["stray_text", "matched"]
    # A rule for another reader does not take it.
    other = RuleSet((Rule("id", r";(\d{15})=", reader="prox", trailing_text=True),))
    assert parse_swipe(JUNK, other, "magstripe").reason == "trailing"


def test_text_between_tracks_is_a_misread_even_for_a_rule_taking_trailing_text() -> None:
    rules = RuleSet((Rule("any", r"(\d{9})", trailing_text=True),))
    assert parse_swipe(";901234567?xy;123?", rules).reason == "trailing"
    tracks = parse_tracks(";901234567?xy;123?")
    assert (tracks.problem, tracks.stray) == ("trailing", None)
    assert parse_tracks(";901234567?xy12?").stray == 11  # no track in it: after the tracks
    result = parse_swipe(";901234567?x;123?", rules)  # one character between: no LRC
    assert (result.status, result.reason) == ("misread", "bad_characters")


def test_trailing_text_reads_and_writes_in_a_rules_file() -> None:
    text = "[[rules]]\nname = 'a'\npattern = '(\\d+)'\ntrailing_text = true\n"
    rules = rules_from_toml(text)
    assert rules.rules[0].trailing_text is True
    assert rules_from_toml(dump_rules(rules)) == rules
    assert "trailing_text = true" in dump_rules(rules)
    with pytest.raises(RulesFileError, match="rule 'a', key 'trailing_text': must be true or"):
        rules_from_toml(text.replace("true", "'yes'"))


# ---------------------------------------------------------------- LRC


def _reference_lrc(start: str, data: str, bits: int) -> str:
    """ISO/IEC 7811's LRC, bit by bit: each data bit of the LRC makes the count of ones in
    its position over the track's characters (sentinels included, parity bits left out)
    even; the LRC character then gets its own odd parity bit, which no reader types."""
    base = 0x30 if bits == 4 else 0x20
    codes = [ord(char) - base for char in start + data + "?"]
    value = 0
    for bit in range(bits):
        if sum((code >> bit) & 1 for code in codes) % 2:
            value |= 1 << bit
    parity = 1 - bin(value).count("1") % 2
    assert (bin(value).count("1") + parity) % 2 == 1  # odd parity, as recorded
    return chr(base + value)


def test_the_lrc_of_an_id_tech_uic_swipe() -> None:
    # The corpus's ID TECH UIC swipe sends ';90123456701?' then '<'.
    assert track_lrc(";", "90123456701", numeric=True) == "<"
    assert _reference_lrc(";", "90123456701", 4) == "<"


TRACKS_WITH_LRC = [
    ("%", "B6009999012345675^TESTER/ALEX J^2908120000000000", 6),
    (";", "6009999012345675=29081200000000000", 4),
    ("+", "0000000001234567890", 4),
    ("+", "!!78701      C               M601150BRNBRN", 6),
]


@pytest.mark.parametrize(("start", "data", "bits"), TRACKS_WITH_LRC)
def test_a_good_lrc_is_accepted_and_not_data_a_bad_one_is_a_misread(
    start: str, data: str, bits: int
) -> None:
    lrc = _reference_lrc(";" if bits == 4 else "%", data, bits)
    rules = RuleSet((Rule("all", r"^(.*)$", track=(1, 2, 3)),), ("600999",))
    good = parse_swipe(f"{start}{data}?{lrc}", rules)
    assert (good.status, good.card_id) == ("ok", data)
    first, last = (0x30, 0x3F) if bits == 4 else (0x20, 0x5F)
    alphabet = [chr(code) for code in range(first, last + 1)]
    for wrong in alphabet:
        if wrong in (lrc, "0", "1"):  # a final 0 or 1 may be a sensor digit
            continue
        result = parse_swipe(f"{start}{data}?{wrong}", rules)
        if wrong in "%;+#" and wrong != lrc:
            assert result.status == "misread"  # the start of a cut-off track
            continue
        assert (result.status, result.reason) == ("misread", "bad_lrc"), wrong


def test_lrcs_between_tracks_are_checked_too() -> None:
    track1 = "B6009999012345675^TESTER/ALEX J^2908120000000000"
    track2 = "6009999012345675=29081200000000000"
    lrc1, lrc2 = _reference_lrc("%", track1, 6), _reference_lrc(";", track2, 4)
    rules = RuleSet((Rule("campus", r";600999(\d{9})\d="),), ("600999",))
    swipe = f"%{track1}?{lrc1};{track2}?{lrc2}"
    assert parse_swipe(swipe, rules).card_id == "901234567"
    wrong1 = chr(ord(lrc1) ^ 1)
    bad_first = parse_swipe(f"%{track1}?{wrong1};{track2}?{lrc2}", rules)
    assert (bad_first.status, bad_first.reason) == ("misread", "bad_lrc")
    # A wrong LRC between tracks is never taken for a reader's suffix.
    taking = RuleSet((Rule("campus", r";600999(\d{9})\d=", trailing_text=True),), ("600999",))
    assert parse_swipe(f"%{track1}?{wrong1};{track2}?{lrc2}", taking).reason == "bad_lrc"


def test_a_final_sensor_digit_is_not_a_misread() -> None:
    rules = RuleSet((Rule("id", r";(\d{9})\d\d\?"),))
    for digit in "01":
        assert parse_swipe(f";90123456701?{digit}", rules).card_id == "901234567"


def test_the_licence_example_in_the_docs_works() -> None:
    docs = (FIXTURES.parent.parent.parent / "docs" / "card-rules.md").read_text(encoding="utf-8")
    blocks = docs.split("```toml\n")[1:]
    (block,) = [block.split("```")[0] for block in blocks if "texas-licence" in block]
    (texas,) = [row for row in CONSTRUCTED if row["name"] == "TX, track 3 after +"]
    result = parse_swipe(str(texas["swipe"]), rules_from_toml(block))
    assert (result.status, result.card_id) == ("ok", "0123456789")
    (luhn_valid,) = [row for row in CONSTRUCTED if row.get("luhn_valid")]
    assert parse_swipe(str(luhn_valid["swipe"]), rules_from_toml(block)).card_id == "44556672"
