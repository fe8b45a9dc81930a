"""Each transform, including the ones that cannot apply (the rule then does not match)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.cards.transforms import (
    TransformSpecError,
    compile_chain,
    compile_transform,
    h10301_encode,
)


@pytest.mark.parametrize(
    ("spec", "value", "expected"),
    [
        ("strip_leading_zeros", "0000012345", "12345"),
        ("strip_leading_zeros", "0000", "0"),
        ("strip_leading_zeros", "12", "12"),
        ("zfill:9", "1234567", "001234567"),
        ("zfill:3", "12345", "12345"),
        ("upper", "04a23bc1", "04A23BC1"),
        ("lower", "ABC", "abc"),
        ("hex_to_dec", "04A23BC1", "77740993"),
        ("hex_to_dec", "04a23bc1", "77740993"),
        ("hex_to_dec", "xyz", None),
        ("dec_to_hex", "77740993", "04A23BC1"),
        ("dec_to_hex", "255", "FF"),
        ("dec_to_hex", "4095", "0FFF"),
        ("dec_to_hex", "12a", None),
        ("reverse_bytes", "C13BA204", "04A23BC1"),
        ("reverse_bytes", "4A23BC1", "C13BA204"),
        ("reverse_bytes", "04A23BC1D2E5F6", "F6E5D2C13BA204"),
        ("reverse_bytes", "G1", None),
        ("h10301_card", "0AA6073", "12345"),
        ("h10301_facility", "0AA6073", "85"),
        ("h10301_card", "0AA6072", None),  # odd parity broken
        ("h10301_card", "2AA6073", None),  # even parity broken
        ("h10301_card", "FFFFFFF", None),  # more than 26 bits
        ("h10301_card", "nothex", None),
        ("low_bits:16", "2764857", "12345"),
        ("low_bits:20", str((1234 << 20) | 567890), "567890"),
        ("low_bits:16", "12x", None),
        ("chars:7-15", "6009999012345675", "901234567"),
        ("chars:3-", "0012345", "12345"),
        ("chars:7-15", "600999", None),
        ("field:2:=", "4821=0060123456=1=290630", "0060123456"),
        ("field:2::", "042:12345", "12345"),
        ("field:5:=", "1=2", None),
        ("mask:------XXXXXXXXX-", "6009999012345675", "901234567"),
        ("mask:XX", "123", None),
    ],
)
def test_transform(spec: str, value: str, expected: str | None) -> None:
    assert compile_transform(spec)(value) == expected


@pytest.mark.parametrize(
    "spec",
    ["unzip", "zfill", "zfill:0", "zfill:-1", "low_bits:x", "chars:5", "chars:9-3", "field:2",
     "field:x:=", "mask:----", "mask:", ""],
)
def test_bad_specs_say_what_is_allowed(spec: str) -> None:
    with pytest.raises(TransformSpecError) as caught:
        compile_transform(spec)
    assert spec in str(caught.value) or "transform" in str(caught.value)


def test_chain_applies_in_order_and_stops_at_a_failure() -> None:
    chain = compile_chain(["field:2:=", "strip_leading_zeros", "zfill:9"])
    assert chain is not None
    assert chain("4821=0060123456=1") == "060123456"
    assert chain("no-separator") is None
    assert compile_chain([]) is None


@given(st.integers(0, 255), st.integers(0, 65535))
def test_h10301_decodes_what_it_encodes(facility: int, card: int) -> None:
    raw = h10301_encode(facility, card)
    assert compile_transform("h10301_card")(raw) == str(card)
    assert compile_transform("h10301_facility")(raw) == str(facility)


@given(st.integers(0, 2**56))
def test_hex_round_trip(number: int) -> None:
    hex_value = compile_transform("dec_to_hex")(str(number))
    assert hex_value is not None and len(hex_value) % 2 == 0
    assert compile_transform("hex_to_dec")(hex_value) == str(number)
    reverse = compile_transform("reverse_bytes")
    assert reverse(reverse(hex_value) or "") == hex_value
