"""The payment guard against every layout a reader can send a bank card in.

Readers drop sentinels, join tracks with CR, LF, TAB or a space, put framing, a reader id or
a label before the tracks and an LRC or line ending after them. Whatever the layout and
whatever the rules (none, a track-1 rule, catch-all digit rules), a bank card is refused
before any rule runs and nothing returned holds its number. The vectors are
``tests/fixtures/cards/payment-vectors.jsonl`` (card networks' test numbers in the track
layouts public parser and SDK test suites use) and the public vectors of
``public-payment-vectors.jsonl``, each sent in every layout made below.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.cards.clean import clean_swipe
from kiosk.cards.guard import (
    find_payment_card,
    guard_swipe,
    payment_number_patterns,
    payment_numbers,
)
from kiosk.cards.luhn import luhn_check_digit, luhn_valid
from kiosk.cards.parse import explain_swipe, parse_swipe
from kiosk.cards.rules import Rule, RuleSet
from kiosk.cards.tracks import is_clean_stripe
from tests.conftest import load_corpus

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "cards"
CAMPUS_IIN = "600999"


def _jsonl(name: str) -> list[dict[str, Any]]:
    lines = (FIXTURES / name).read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _public_as_tracks(vector: dict[str, Any]) -> dict[str, Any] | None:
    """A public vector cut into its track 1 and track 2 (None for encrypted-reader output,
    whose number is no Luhn-valid card number: it has its own test)."""
    if vector["swipe"].startswith("<E"):
        return None
    track1 = re.search(r"%[^?]*\??|^B[^?]*\??", vector["swipe"])  # with or without '%'
    track2 = re.search(r";[^?]*\??", vector["swipe"])
    return {
        "pan": vector["pan"],
        "track1": track1.group() if track1 else None,
        "track2": track2.group() if track2 else None,
        "expect": "payment",
        "source": vector["source"],
    }


OWN_VECTORS = _jsonl("payment-vectors.jsonl")
PUBLIC_VECTORS = _jsonl("public-payment-vectors.jsonl")
VECTORS = OWN_VECTORS + [
    converted for vector in PUBLIC_VECTORS if (converted := _public_as_tracks(vector))
]

RULE_SETS = {
    "no rules": RuleSet.empty(),
    "track-1 rule": RuleSet((Rule("track-one", r"B(\d+)\^", track=(1,)),), (CAMPUS_IIN,)),
    "catch-all rules": RuleSet(
        (Rule("b-number", r"B(\d+)\^"), Rule("digits", r"(?P<card_id>\d{9,19})")), (CAMPUS_IIN,)
    ),
}

SEPARATORS = ["", "\r", "\n", "\t", "\r\n", " "]
# What readers put around a swipe: framing, a reader id or a label (each ends in a non-digit
# or a control character), an LRC character, line endings.
PREFIXES = ["", "\x02", "\x02\x1b", "Card:", "Card: ", "R01\t", "01\r", "READER-7 "]
SUFFIXES = ["", "\r", "\r\n", "\n", "\x03", "\r\x03", "5", "Z\r"]
AROUND = (
    [(prefix, "") for prefix in PREFIXES]
    + [("", suffix) for suffix in SUFFIXES[1:]]
    + [("\x02", "\r\x03"), ("Card:", "\r\n"), ("R01\t", "5\r")]
)


def _body(track: str, sentinel: str) -> str:
    """A track without its start and end sentinels."""
    body = track[1:] if track.startswith(sentinel) else track
    return body[:-1] if body.endswith("?") else body


def track_layouts(vector: dict[str, Any]) -> Iterator[str]:
    """The vector's tracks as readers send them: with and without each sentinel, ``b`` for
    ``B``, each track alone and both joined by every separator. A 12-digit number is a card
    number only in track 1 (``B<n>^``), so its vectors come only in layouts that hold it."""
    track1_forms: list[str] = []
    if vector["track1"]:
        one = _body(vector["track1"], "%")
        lower = one[0].lower() + one[1:]
        track1_forms = [f"%{one}?", f"{one}?", f"%{one}", one, f"%{lower}?", lower]
    track2_forms: list[str] = []
    if vector["track2"]:
        two = _body(vector["track2"], ";")
        track2_forms = [f";{two}?", f"{two}?", f";{two}", two]
    yield from track1_forms
    if len(vector["pan"]) > 12:
        yield from track2_forms
    for first in track1_forms:
        for second in track2_forms:
            for separator in SEPARATORS:
                yield first + separator + second


def swipes_of(vector: dict[str, Any]) -> Iterator[str]:
    for layout in track_layouts(vector):
        for prefix, suffix in AROUND:
            yield prefix + layout + suffix


def test_the_vectors_cover_the_networks_and_both_fixtures() -> None:
    assert len(OWN_VECTORS) >= 15 and len(VECTORS) >= 35
    first_digits = {vector["pan"][0] for vector in VECTORS}
    assert first_digits == {"2", "3", "4", "5", "6"}
    assert {len(vector["pan"]) for vector in VECTORS} >= {12, 13, 14, 15, 16, 19}
    for vector in OWN_VECTORS:
        assert vector["source"] and vector["expect"] in ("payment", "encrypted")
        if vector["expect"] == "payment":
            assert luhn_valid(vector["pan"]), vector
            for track in (vector["track1"], vector["track2"]):
                assert track is None or vector["pan"] in track


@pytest.mark.parametrize(
    "vector", VECTORS, ids=[f"{n}-{vector['pan'][:4]}" for n, vector in enumerate(VECTORS)]
)
def test_every_layout_of_a_bank_card_is_refused_under_any_rules(vector: dict[str, Any]) -> None:
    pan = vector["pan"]
    expected = ("refused", None, None, vector["expect"])
    failures: list[str] = []
    swipes = list(swipes_of(vector))
    assert len(swipes) > 50
    for swipe in swipes:
        for name, rules in RULE_SETS.items():
            result = parse_swipe(swipe, rules)
            got = (result.status, result.card_id, result.rule, result.reason)
            if got != expected or pan in result.message or pan in repr(result):
                failures.append(f"{name}: {swipe!r} -> {got}")
    assert failures == [], f"{len(failures)} of {len(swipes) * len(RULE_SETS)}: {failures[:5]}"


def test_a_refused_layout_is_masked_in_the_staff_rule_tester() -> None:
    vector = OWN_VECTORS[0]
    for swipe in list(swipes_of(vector))[::7]:
        explanation = explain_swipe(swipe, RULE_SETS["catch-all rules"])
        assert vector["pan"] not in explanation.display_text
        assert explanation.tracks == {} and explanation.card_id_span is None


# ---------------------------------------------------------------- the holes, one by one

VISA = "4111111111111111"
SUALEH_T1 = "B5266092201416174^FATEHI/SUALEH^16042010000000000000000000000000000567001000"


@pytest.mark.parametrize(
    "swipe",
    [
        SUALEH_T1,  # track 1 without '%': was ok with the number as card_id
        f"B{VISA}^DOE/JOHN^2512101100000000000000123000000\r"
        f"{VISA}=25121011000012300000",  # both tracks, no sentinels, CR between
        f"b{VISA}^DOE/JOHN^2512101?",  # lower-case format code
        f"{VISA}^DOE/JOHN^2512101?",  # no format code
        f";{VISA}",  # cut off after the number
        f"Card:;{VISA}:",
        f"<{VISA}=2512101_",  # ';' and '?' typed through another keyboard layout
        f"{VISA}D25121011000012300000",  # EMV track 2 equivalent data, 'D' as separator
        "%B501800000009^MAESTRO/TWELVE^2812201000000000?",  # 12 digits in track 1
    ],
)
def test_layouts_the_guard_missed(swipe: str) -> None:
    for rules in RULE_SETS.values():
        assert parse_swipe(swipe, rules).reason == "payment", (swipe, rules)


@pytest.mark.parametrize(
    "swipe",
    [
        f"R1\t{VISA}=2512101",  # a reader id ending in a digit, then TAB
        f"E?00123\r{VISA}=25121011",  # a failed track 1 and data after it, then CR
        f"0\r{VISA}",  # a sensor digit, then the number alone on its line
    ],
)
def test_control_characters_part_what_cleaning_joins(swipe: str) -> None:
    # Cleaning glues the digits on both sides of the control character together...
    joined = clean_swipe(swipe)
    assert VISA not in re.findall(r"[0-9]+", joined)
    # ...but the guard reads the swipe with its boundaries too.
    assert guard_swipe(swipe, joined) == "payment"
    assert parse_swipe(swipe, RULE_SETS["catch-all rules"]).reason == "payment"


def test_a_separated_view_is_only_read_when_control_characters_part_the_swipe() -> None:
    # Without the CR the same text is one 17-digit run starting with 1: no card number.
    assert guard_swipe(f"R1{VISA}=2512101", f"R1{VISA}=2512101") is None
    assert not find_payment_card(f"R1{VISA}=2512101")


def test_encrypted_reader_output_stays_encrypted() -> None:
    e3 = next(vector for vector in PUBLIC_VECTORS if vector["swipe"].startswith("<E"))
    for swipe in (e3["swipe"], "\x02" + e3["swipe"] + "\r\n", e3["swipe"].replace("%", "", 1)):
        assert parse_swipe(swipe, RULE_SETS["catch-all rules"]).reason == "encrypted"
    # A '<E' swipe without the ciphertext fields is no E3 output.
    assert parse_swipe("<E12345", RuleSet.empty()).reason != "encrypted"


# ---------------------------------------------------------------- cut off inside the number


@pytest.mark.parametrize(
    "swipe",
    [
        "%B526609220141",  # the first 12 of 16 digits
        ";526609220141617",  # the first 15: the 16th is the Luhn digit, so the whole number
        "%B5266092201416174",  # cut off right after the number
        "\x02\x1b%B52660922014161\r\x03",
        "Card:;526609220141617",  # not a stripe: rules would run on it
    ],
)
def test_a_swipe_cut_off_inside_a_card_number_is_refused(swipe: str) -> None:
    for rules in RULE_SETS.values():
        result = parse_swipe(swipe, rules)
        assert (result.status, result.reason) == ("refused", "payment"), swipe


@pytest.mark.parametrize(
    "swipe",
    [
        ";60099990123",  # 11 digits: the corpus's cut-off campus card stays a misread
        ";6009999012345",  # a campus number (its prefix is configured)
        ";1234567890123",  # first digit 1: no payment network's
        "%B52660922014",  # 11 digits
        "%B526609220141?",  # ended by its end sentinel: not cut off
        "x526609220141617",  # no sentinel before it
    ],
)
def test_a_cut_off_swipe_that_holds_no_card_number_is_not_refused(swipe: str) -> None:
    result = parse_swipe(swipe, RULE_SETS["track-1 rule"])
    assert result.status != "refused", swipe


# ---------------------------------------------------------------- a number alone


@pytest.mark.parametrize(
    "swipe",
    [
        VISA,
        f"\x02{VISA}\r\x03",
        f"  {VISA}  ",
        "4111 1111 1111 1111",  # as printed on the card
        "4111-1111-1111-1111",
        "3782 822463 10005",  # Amex, printed 4-6-5
        "5555555555554444",
        "6011111111111117",
        "4000000000000000006",  # Visa, 19 digits
        f"Card:\r{VISA}\r",  # alone on its line, a label on the line before
    ],
)
def test_a_number_alone_of_a_major_brand_is_refused(swipe: str) -> None:
    for rules in RULE_SETS.values():
        assert parse_swipe(swipe, rules).reason == "payment", swipe


@pytest.mark.parametrize(
    "swipe",
    [
        "21234000123455",  # a library patron barcode: 14 digits, first 2, Luhn check digit
        "31234000123453",  # a library item barcode
        "6009999012345675",  # a campus ISO number, outside the major brands' ranges
        "3530111333300000",  # JCB alone: not a major brand here (its tracks are refused)
        "4222222222222",  # Visa's 13-digit numbers are long gone; 13 digits is EAN-13's length
        "1125899906842624",  # a 7-byte NXP MIFARE UID in decimal (first byte 04)
        "411111111111111",  # Visa's range, 15 digits: no Visa length
        "4111111111111112",  # Luhn fails
        "901234567",
        "Card: 4111111111111111",  # a label and a number on one line: not alone
    ],
)
def test_a_number_alone_that_is_no_card_number_passes(swipe: str) -> None:
    assert parse_swipe(swipe, RuleSet.empty()).status == "no_match", swipe


def test_a_number_alone_with_a_campus_prefix_passes() -> None:
    campus_visa_range = "4999990123456789"
    assert luhn_valid(campus_visa_range)
    rules = RuleSet((Rule("alone", r"^499999(\d{9})\d$"),), ("499999",))
    assert parse_swipe(campus_visa_range, rules).card_id == "012345678"
    assert parse_swipe(campus_visa_range, RuleSet((), ())).reason == "payment"


def test_payment_numbers_lists_a_number_alone_for_the_rule_suggester() -> None:
    assert payment_numbers(VISA) == [(0, 16)]
    assert payment_numbers("4111 1111 1111 1111") == []  # no digit string to take a prefix of
    assert payment_numbers(f"%B{VISA}^X^2512?;{VISA}=2512?") == [(2, 18), (27, 43)]


# ---------------------------------------------------------------- campus cards


def test_the_corpus_keeps_its_outcomes_under_the_campus_prefix() -> None:
    rules = RuleSet((), (CAMPUS_IIN,))
    for row in load_corpus():
        result = parse_swipe(row["raw"], rules)
        refused = result.status == "refused"
        assert refused == row["id"].startswith(
            ("pay-", "serial-magtek-payment", "serial-secure", "kb-encrypted")
        ), row["id"]


def _campus_number(student: str) -> str:
    number = CAMPUS_IIN + student
    return number + luhn_check_digit(number)


@settings(max_examples=300)
@given(
    student=st.from_regex(r"[0-9]{9}", fullmatch=True),
    layout=st.integers(0, 5),
    separator=st.sampled_from(SEPARATORS),
    around=st.sampled_from(AROUND),
)
def test_campus_cards_pass_in_every_layout(
    student: str, layout: int, separator: str, around: tuple[str, str]
) -> None:
    number = _campus_number(student)
    track1 = f"B{number}^TESTER/ALEX J^2908120000000000"
    track2 = f"{number}=29081200000000000"
    swipe = [
        f"%{track1}?{separator};{track2}?",
        f"{track1}{separator}{track2}",
        f";{track2}?",
        track2,
        f"{track1}?",
        number,
    ][layout]
    prefix, suffix = around
    rules = RuleSet(
        (Rule("campus", rf"{CAMPUS_IIN}(\d{{9}})\d[=^]|^{CAMPUS_IIN}(\d{{9}})\d$"),), (CAMPUS_IIN,)
    )
    result = parse_swipe(prefix + swipe + suffix, rules)
    assert result.status != "refused", (prefix + swipe + suffix, result)


# ---------------------------------------------------------------- properties


@st.composite
def payment_card_numbers(draw: st.DrawFn) -> str:
    length = draw(st.integers(13, 19))
    body = draw(st.sampled_from("23456")) + draw(
        st.text(alphabet="0123456789", min_size=length - 2, max_size=length - 2)
    )
    return body + luhn_check_digit(body)


_name = st.from_regex(r"[A-Za-z]{1,10}/[A-Za-z .]{0,12}", fullmatch=True)
_tail = st.from_regex(r"[0-9]{4}[0-9 A-Z]{0,24}", fullmatch=True)
_reader_prefix = st.tuples(
    st.from_regex(r"[A-Za-z0-9#:-]{0,8}", fullmatch=True),
    st.sampled_from(["\r", "\n", "\t", " ", "\x02", ":", "\r\n", "\x02\x1b"]),
).map("".join)
_suffix = st.from_regex(r"[\r\n\x03]{0,2}[0-9A-Za-z?]{0,3}[\r\n\x03]{0,2}", fullmatch=True)

LAYOUTS = [
    lambda n, name, tail, sep: f"%B{n}^{name}^{tail}?",
    lambda n, name, tail, sep: f"B{n}^{name}^{tail}",
    lambda n, name, tail, sep: f"%b{n}^{name}^{tail}?",
    lambda n, name, tail, sep: f";{n}={tail}?",
    lambda n, name, tail, sep: f"{n}={tail}",
    lambda n, name, tail, sep: f";{n}?",
    lambda n, name, tail, sep: f"%B{n}^{name}^{tail}?{sep};{n}={tail}?",
    lambda n, name, tail, sep: f"B{n}^{name}^{tail}{sep}{n}={tail}",
    lambda n, name, tail, sep: f"%E?{sep};{n}={tail}?",
    lambda n, name, tail, sep: f"%E?{sep}{n}={tail}",
]


@settings(max_examples=300)
@given(
    number=payment_card_numbers(),
    layout=st.sampled_from(LAYOUTS),
    name=_name,
    tail=_tail,
    separator=st.sampled_from(SEPARATORS),
    prefix=st.one_of(st.just(""), _reader_prefix),
    suffix=_suffix,
)
def test_any_payment_number_in_any_layout_is_refused(
    number: str, layout: Any, name: str, tail: str, separator: str, prefix: str, suffix: str
) -> None:
    if number.startswith(CAMPUS_IIN):
        return
    swipe = prefix + layout(number, name, tail, separator) + suffix
    for rules in RULE_SETS.values():
        result = parse_swipe(swipe, rules)
        assert (result.status, result.card_id, result.reason) == ("refused", None, "payment")
        assert number not in result.message


_prefix_sets = st.sampled_from([(), (CAMPUS_IIN,), ("4",), ("",), ("41x",)])
_layout_text = st.lists(
    st.one_of(
        payment_card_numbers(),
        st.builds(
            lambda body: body + luhn_check_digit(body),
            st.from_regex(r"[2-6][0-9]{10}", fullmatch=True),
        ),  # 12 digits
        st.sampled_from(
            [
                ";",
                "<",
                "%B",
                "B",
                "b",
                "^",
                "=2512",
                "D2512",
                "?",
                "=25",
                "1",
                "\n",
                " ",
                "x",
                CAMPUS_IIN,
            ]
        ),
    ),
    max_size=6,
).map("".join)


@settings(max_examples=400)
@given(text=_layout_text, prefixes=_prefix_sets)
def test_batch_patterns_find_every_layout_the_guard_refuses(
    text: str, prefixes: tuple[str, ...]
) -> None:
    if find_payment_card(text, prefixes):
        assert any(pattern.search(text) for pattern in payment_number_patterns(prefixes))


def _grouped(number: str) -> str:
    return " ".join(number[i : i + 4] for i in range(0, len(number), 4))


_card_field = st.one_of(
    payment_card_numbers(),
    payment_card_numbers().map(_grouped),
    st.just(_campus_number("901234567")),
    st.from_regex(r"[0-9]{8,20}", fullmatch=True),
)
_stripe = st.lists(
    st.one_of(
        st.tuples(
            st.sampled_from(["%B", "%b", "%"]),
            _card_field,
            st.just("^"),
            _name,
            st.just("^"),
            _tail,
            st.just("?"),
        ).map("".join),
        st.tuples(
            st.just(";"),
            _card_field,
            st.sampled_from(["=", "D", ":", ""]),
            st.from_regex(r"[0-9]{0,20}", fullmatch=True),
            st.just("?"),
        ).map("".join),
        st.sampled_from(["+0000000001234567890?", "5", "A", "%E?", ";E?"]),
    ),
    min_size=1,
    max_size=3,
).map("".join)


@settings(max_examples=400)
@given(swipe=_stripe, prefixes=_prefix_sets)
def test_a_stripe_the_batch_patterns_pass_is_passed_by_the_guard(
    swipe: str, prefixes: tuple[str, ...]
) -> None:
    """kiosk verify skips the guard for a printable clean stripe no pattern finds."""
    if not is_clean_stripe(swipe) or any(
        pattern.search(swipe) for pattern in payment_number_patterns(prefixes)
    ):
        return
    assert guard_swipe(swipe, swipe, prefixes) is None
