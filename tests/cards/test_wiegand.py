"""Prox (Wiegand) formats: decoding raw bits or hex with parity, encoders, and the rules using
them. Parity failure must be a misread, never a card number (and so never another student)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.cards.parse import parse_swipe
from kiosk.cards.rules import Rule, RuleSet, rules_from_toml
from kiosk.cards.transforms import TRANSFORM_HELP, compile_transform
from kiosk.cards.wiegand import (
    FORMATS,
    WiegandFormat,
    decode,
    encode,
    encode_bits,
    encode_hex,
    fails_parity,
    raw_value,
)

# Written out by hand from each format's published bit layout (not by the encoder):
# (format, fields, the raw bits as the reader sends them, first bit first).
HAND_WRITTEN = [
    # H10301: P(even, bits 2-13) | FC 8 bits | CN 16 bits | P(odd, bits 14-25)
    ("h10301", {"facility": 1, "card": 1}, "1" + "00000001" + "0000000000000001" + "0"),
    ("h10301", {"facility": 255, "card": 65535}, "0" + "1" * 8 + "1" * 16 + "1"),
    ("h10301", {"facility": 0, "card": 0}, "0" + "0" * 24 + "1"),
    # H10306: P(even, 2-17) | FC 16 | CN 16 | P(odd, 18-33)
    ("h10306", {"facility": 1, "card": 1}, "1" + "0" * 15 + "1" + "0" * 15 + "1" + "0"),
    ("h10306", {"facility": 3, "card": 3}, "0" + "0" * 14 + "11" + "0" * 14 + "11" + "1"),
    # Corporate 1000 35-bit: P1(odd, 2-35) | P2(even, 3-4,6-7,…,33-34) | company 12 | CN 20 |
    # P3(odd, 2-3,5-6,…,32-33)
    (
        "corp1000_35",
        {"company": 1, "card": 1},
        "1" + "1" + "000000000001" + "0" * 19 + "1" + "1",
    ),
    ("corp1000_35", {"company": 4095, "card": 2**20 - 1}, "1" + "0" + "1" * 32 + "0"),
    # H10302: P(even, 2-19) | CN 35 | P(odd, 19-36)
    ("h10302", {"card": 1}, "0" + "0" * 34 + "1" + "0"),
    ("h10302", {"card": 2**34}, "1" + "1" + "0" * 34 + "1"),
    # H10304: P(even, 2-19) | FC 16 | CN 19 | P(odd, 19-36)
    ("h10304", {"facility": 1, "card": 1}, "1" + "0" * 15 + "1" + "0" * 18 + "1" + "0"),
    # Corporate 1000 48-bit: P1(odd, 2-48) | P2(even, 3-4,6-7,…,45-46) | company 22 | CN 23 |
    # P3(odd, 2-3,5-6,…,44-45,47)
    (
        "corp1000_48",
        {"company": 1, "card": 1},
        "0" + "1" + "0" * 21 + "1" + "0" * 22 + "1" + "0",
    ),
]


@pytest.mark.parametrize(("name", "fields", "bits"), HAND_WRITTEN)
def test_hand_written_cards_decode_and_encode(
    name: str, fields: dict[str, int], bits: str
) -> None:
    fmt = FORMATS[name]
    assert len(bits) == fmt.length
    assert decode(fmt, bits) == fields
    assert encode_bits(fmt, **fields) == bits
    hex_value = f"{int(bits, 2):X}"
    assert decode(fmt, hex_value) == fields
    assert decode(fmt, hex_value.lower().zfill(16)) == fields  # padded to 8 bytes, lower case


def test_the_h10301_example_of_the_docs() -> None:
    assert decode(FORMATS["h10301"], "0AA6073") == {"facility": 85, "card": 12345}
    assert encode_hex(FORMATS["h10301"], facility=85, card=12345) == "0AA6073"


def test_the_table_describes_every_format_consistently() -> None:
    assert set(FORMATS) == {"h10301", "h10306", "corp1000_35", "h10302", "h10304", "corp1000_48"}
    lengths = {name: fmt.length for name, fmt in FORMATS.items()}
    assert lengths == {
        "h10301": 26,
        "h10306": 34,
        "corp1000_35": 35,
        "h10302": 37,
        "h10304": 37,
        "corp1000_48": 48,
    }
    for fmt in FORMATS.values():
        positions = [p for part in fmt.fields for p in range(part.first, part.last + 1)]
        positions += [parity.position for parity in fmt.parities]
        # every bit is a field bit or a parity bit, exactly once
        assert sorted(positions) == list(range(1, fmt.length + 1)), fmt.name
    widths = {
        (name, part.name): part.width for name, fmt in FORMATS.items() for part in fmt.fields
    }
    assert widths[("corp1000_35", "company")] == 12 and widths[("corp1000_35", "card")] == 20
    assert widths[("corp1000_48", "company")] == 22 and widths[("corp1000_48", "card")] == 23
    assert widths[("h10302", "card")] == 35
    assert widths[("h10304", "facility")] == 16 and widths[("h10304", "card")] == 19
    assert widths[("h10306", "facility")] == 16 and widths[("h10306", "card")] == 16


@st.composite
def cards(draw: st.DrawFn) -> tuple[WiegandFormat, dict[str, int]]:
    fmt = draw(st.sampled_from(list(FORMATS.values())))
    fields = {part.name: draw(st.integers(0, 2**part.width - 1)) for part in fmt.fields}
    return fmt, fields


@given(card=cards(), padding=st.integers(0, 4), lower=st.booleans())
def test_every_format_decodes_what_it_encodes(
    card: tuple[WiegandFormat, dict[str, int]], padding: int, lower: bool
) -> None:
    fmt, fields = card
    bits = encode_bits(fmt, **fields)
    assert decode(fmt, bits) == fields
    hex_value = "0" * padding + encode_hex(fmt, **fields)
    assert decode(fmt, hex_value.lower() if lower else hex_value) == fields
    for part in fmt.fields:
        transform = compile_transform(f"{fmt.name}_{part.name}")
        assert transform(bits) == str(fields[part.name])
        assert transform(hex_value) == str(fields[part.name])


@given(card=cards(), data=st.data())
def test_flipping_any_single_bit_is_never_accepted(
    card: tuple[WiegandFormat, dict[str, int]], data: st.DataObject
) -> None:
    fmt, fields = card
    raw = encode(fmt, **fields)
    position = data.draw(st.integers(1, fmt.length))
    flipped = raw ^ fmt.bit(position)
    bits = format(flipped, f"0{fmt.length}b")
    # In all six formats every bit is under at least one parity bit, so a single flipped bit
    # is always caught: not a different card number, a misread.
    assert decode(fmt, bits) is None
    assert decode(fmt, f"{flipped:X}") is None
    assert fails_parity(fmt, bits)


@pytest.mark.parametrize("fmt", list(FORMATS.values()), ids=list(FORMATS))
def test_every_single_bit_flip_of_one_card_fails(fmt: WiegandFormat) -> None:
    fields = {part.name: (0x5A5A5A5A >> 3) % (1 << part.width) for part in fmt.fields}
    raw = encode(fmt, **fields)
    for position in range(1, fmt.length + 1):
        assert decode(fmt, f"{raw ^ fmt.bit(position):X}") is None, position


@pytest.mark.parametrize("fmt", list(FORMATS.values()), ids=list(FORMATS))
def test_what_is_not_a_raw_value_of_the_format(fmt: WiegandFormat) -> None:
    fields = {part.name: 1 for part in fmt.fields}
    raw = encode(fmt, **fields)
    too_long = raw | (1 << fmt.length)  # a bit above the format's length
    assert decode(fmt, f"{too_long:X}") is None and not fails_parity(fmt, f"{too_long:X}")
    bits = encode_bits(fmt, **fields)
    assert raw_value(fmt, bits[1:]) != raw  # one bit short: not read as these bits
    for text in ("", "xyz", "0x1F", " 1F", "1F\n", "٣"):
        assert decode(fmt, text) is None and not fails_parity(fmt, text)


def test_the_two_37_bit_formats_read_the_same_bits_differently() -> None:
    # H10302 and H10304 share their parity bits: the rule chooses the reading.
    raw = encode_hex(FORMATS["h10304"], facility=5, card=12345)
    assert decode(FORMATS["h10304"], raw) == {"facility": 5, "card": 12345}
    assert decode(FORMATS["h10302"], raw) == {"card": (5 << 19) | 12345}


@pytest.mark.parametrize(
    ("name", "values"),
    [("h10301", {"facility": 256, "card": 1}), ("h10301", {"card": 1}),
     ("corp1000_35", {"company": 1, "card": 2**20}), ("h10302", {"card": -1}),
     ("h10306", {"facility": 1, "card": 1, "company": 1})],
)
def test_the_encoder_refuses_values_that_do_not_fit(name: str, values: dict[str, int]) -> None:
    with pytest.raises(ValueError):
        encode(FORMATS[name], **values)


def test_every_format_field_is_a_transform_named_in_the_help() -> None:
    for fmt in FORMATS.values():
        for part in fmt.fields:
            assert f"{fmt.name}_{part.name}" in TRANSFORM_HELP


# ---------------------------------------------------------------- in rules


CORP_RULES = """
[[rules]]
name = "corp1000"
pattern = '^([0-9A-Fa-f]{9,12})$'
transforms = ["corp1000_35_card"]

[[rules]]
name = "badge-number"
pattern = '^B(\\d+)$'
"""


def test_a_raw_corporate_1000_swipe_gives_the_card_number() -> None:
    rules = rules_from_toml(CORP_RULES)
    swipe = encode_hex(FORMATS["corp1000_35"], company=1234, card=567890) + "\n"
    result = parse_swipe(swipe, rules)
    assert (result.status, result.card_id, result.rule) == ("ok", "567890", "corp1000")


def test_a_parity_failure_is_a_misread_never_a_card_id() -> None:
    rules = rules_from_toml(CORP_RULES)
    raw = encode(FORMATS["corp1000_35"], company=1234, card=567890)
    for position in (1, 2, 20, 35):
        swipe = f"{raw ^ FORMATS['corp1000_35'].bit(position):09X}\n"
        result = parse_swipe(swipe, rules)
        assert (result.status, result.reason, result.card_id) == ("misread", "bad_parity", None)
        assert "present it again" in result.message


def test_text_that_is_no_raw_value_stays_no_match_and_other_rules_still_run() -> None:
    rules = rules_from_toml(CORP_RULES)
    assert parse_swipe("B4711\n", rules).card_id == "4711"
    too_many_bits = f"{1 << 40:X}"  # hex the pattern takes, but more than 35 bits
    assert parse_swipe(too_many_bits, rules).status == "no_match"


def test_a_parity_failure_on_one_reader_rule_does_not_hide_a_later_rule() -> None:
    raw = encode(FORMATS["h10301"], facility=1, card=2) ^ FORMATS["h10301"].bit(5)
    swipe = f"{raw:07X}"
    rules = RuleSet(
        (
            Rule("raw", r"^([0-9A-F]{7})$", transforms=("h10301_card",)),
            Rule("anything", r"^([0-9A-F]+)$"),
        )
    )
    assert parse_swipe(swipe, rules).card_id == swipe  # the later rule explains it
    assert parse_swipe(swipe, RuleSet(rules.rules[:1])).reason == "bad_parity"


def test_a_raw_bit_string_reader() -> None:
    rules = RuleSet((Rule("bits", r"^([01]{48})$", transforms=("corp1000_48_card",)),))
    bits = encode_bits(FORMATS["corp1000_48"], company=1_000_000, card=7_654_321)
    assert parse_swipe(bits + "\r\n", rules).card_id == "7654321"
    broken = bits[:-1] + ("1" if bits[-1] == "0" else "0")
    assert parse_swipe(broken, rules).reason == "bad_parity"


# ---------------------------------------------------------------- the docs' examples

_DOC_NAMES = {
    "H10301": "h10301",
    "H10306": "h10306",
    "Corporate 1000 35-bit": "corp1000_35",
    "H10302": "h10302",
    "H10304": "h10304",
    "Corporate 1000 48-bit": "corp1000_48",
}


def test_the_examples_in_docs_card_rules_decode_as_written() -> None:
    docs = (Path(__file__).resolve().parents[2] / "docs" / "card-rules.md").read_text()
    rows = re.findall(r"^\| ([^|]+) \| ([^|]+) \| `([0-9A-F]+)` \| `([01]+)` \|$", docs, re.M)
    assert {name for name, *_ in rows} == set(_DOC_NAMES)
    for name, fields_text, hex_value, bits in rows:
        fields = {
            key: int(value)
            for key, value in re.findall(r"(facility|company|card) (\d+)", fields_text)
        }
        fmt = FORMATS[_DOC_NAMES[name]]
        assert decode(fmt, hex_value) == fields == decode(fmt, bits), name
    rules = rules_from_toml(
        re.search(r"```toml\n(\[\[rules\]\]\nname = \"prox-corporate-1000\".*?)```", docs, re.S)
        .group(1)  # type: ignore[union-attr]
    )
    assert parse_swipe("69A5154A4", rules, reader="prox").card_id == "567890"
    assert parse_swipe("1000000111110100010010010011111000000", rules, "prox").card_id == "300000"


def test_the_encoders_take_a_format_name_too() -> None:
    assert encode_hex("h10306", facility=1000, card=12345) == "007D06073"
    assert encode_bits("h10301", facility=85, card=12345) == "00101010100110000001110011"
    assert encode("h10302", card=1) == 2
    with pytest.raises(KeyError):
        encode("h99999", card=1)
