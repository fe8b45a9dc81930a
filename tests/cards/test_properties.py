"""Hypothesis properties of parse_swipe: it never raises, and payment cards are always refused."""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from kiosk.cards.brands import payment_brand
from kiosk.cards.guard import payment_numbers as guard_payment_numbers
from kiosk.cards.luhn import luhn_check_digit, luhn_valid
from kiosk.cards.parse import explain_swipe, parse_swipe
from kiosk.cards.rules import RuleSet, RulesFileError, dump_rules, load_rules, rules_from_toml
from kiosk.cards.suggest import suggest_rule
from kiosk.cards.tracks import is_clean_stripe, parse_tracks

RULES_FILE = Path(__file__).resolve().parent.parent / "fixtures" / "cards" / "corpus-rules.toml"
RULES = load_rules(RULES_FILE)
CAMPUS_PREFIXES = RULES.campus_prefixes
READERS = st.sampled_from([None, "magstripe", "pcprox", "em-reader", "nfc", "nfc-lsb", "scanner"])

# Swipe-like text: mostly the characters readers send, plus anything at all.
_reader_alphabet = st.sampled_from(
    list("%;+?^=E0123456789ABCDEF*:<>_/ ") + ["\x02", "\x03", "\x1b", "\x10", "\r", "\n", "\x00"]
)
swipe_like = st.one_of(
    st.text(),
    st.text(alphabet=_reader_alphabet, max_size=80),
    st.binary(max_size=80).map(lambda raw: raw.decode("latin-1")),
)


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=swipe_like, reader=READERS)
def test_no_input_raises(text: str, reader: str | None) -> None:
    for rules in (RULES, RuleSet.empty()):
        result = parse_swipe(text, rules, reader)
        assert result.status in ("ok", "no_match", "misread", "noise", "refused")
        assert result.reason != "error", "an internal error was swallowed"
        assert (result.card_id is not None) == (result.status == "ok")
        explanation = explain_swipe(text, rules, reader)
        assert explanation.result == result


@st.composite
def payment_numbers(draw: st.DrawFn) -> str:
    length = draw(st.integers(13, 19))
    first = draw(st.sampled_from("23456"))
    body = draw(st.text(alphabet="0123456789", min_size=length - 2, max_size=length - 2))
    number = first + body
    number += luhn_check_digit(number)
    assert luhn_valid(number)
    return number


def _framed(draw: st.DrawFn, text: str) -> str:
    if draw(st.booleans()):
        text = "\x02\x1b" + text + "\r\x03"
    return text + draw(st.sampled_from(["", "\n", "\r", "\r\n"]))


LAYOUTS = [
    lambda n, name, tail: f"%B{n}^{name}^{tail}?",
    lambda n, name, tail: f";{n}={tail}?",
    lambda n, name, tail: f";{n}?",
    lambda n, name, tail: f"{n}={tail}",
    lambda n, name, tail: f"%B{n}^{name}^{tail}?;{n}={tail}?",
    lambda n, name, tail: f"%B{n}^{name}^{tail}?\r;{n}={tail}?\r",
    lambda n, name, tail: f"%E?;{n}={tail}?",
    lambda n, name, tail: f"%B{n}^{name}^{tail}?;E?+E?",
    lambda n, name, tail: f"%B{n}^{name}^{tail}?;{n}={tail}?+0000000001234567890?",
    lambda n, name, tail: f";{n}={tail}",  # partial, still refused
]


@settings(max_examples=400, deadline=None)
@given(
    number=payment_numbers(),
    layout=st.sampled_from(LAYOUTS),
    name=st.from_regex(r"[A-Z]{1,12}/[A-Z ]{0,12}", fullmatch=True),
    tail=st.from_regex(r"[0-9]{4}[0-9]{0,20}", fullmatch=True),
    reader=READERS,
    data=st.data(),
)
def test_every_payment_number_outside_campus_prefixes_is_refused(
    number: str, layout: object, name: str, tail: str, reader: str | None, data: st.DataObject
) -> None:
    if number.startswith(CAMPUS_PREFIXES):
        return
    text = _framed(data.draw, layout(number, name, tail))  # type: ignore[operator]
    for rules in (RULES, RuleSet.empty()):
        result = parse_swipe(text, rules, reader)
        assert (result.status, result.card_id, result.reason) == ("refused", None, "payment")
        assert number not in result.message
        explanation = explain_swipe(text, rules, reader)
        assert number not in explanation.display_text
        assert explanation.tracks == {}


# The layouts written as one regular expression: the guard's hand-written scan must agree.
_REFERENCE_LAYOUTS = re.compile(
    r"(?<![0-9])([0-9]{13,19})(?=\^)|[;<]([0-9]{13,19})(?![0-9])"
    r"|(?<![0-9;<])([0-9]{13,19})(?=[=D][0-9]{4})|(?<=[Bb])([0-9]{12})(?=\^)"
)
# A number alone is one of a major brand's lengths: Visa 16/19, Mastercard 16, Amex 15,
# Discover 16-19.
_ALONE_LENGTHS = {
    "Visa": (16, 19),
    "Mastercard": (16,),
    "American Express": (15,),
    "Discover": (16, 17, 18, 19),
}
_around_number = st.tuples(
    st.sampled_from(["%B", ";", "", "x", "1", "B", "%", ";;", "=", "^", "<", "b"]),
    payment_numbers() | st.text(alphabet="0123456789", min_size=11, max_size=21),
    st.sampled_from(["^", "=", "?", "=2812", "=281", "", "0", "=2812?", "x", "D2812"]),
).map("".join)
_layout_pieces = st.lists(_around_number, min_size=1, max_size=3).map("".join)


@settings(max_examples=500, deadline=None)
@given(text=_layout_pieces)
def test_guard_scan_agrees_with_the_layout_regex(text: str) -> None:
    expected = [
        match.span(match.lastindex or 1)
        for match in _REFERENCE_LAYOUTS.finditer(text)
        if text[match.start(match.lastindex or 1)] in "23456"
        and luhn_valid(match.group(match.lastindex or 1))
    ]
    brand = payment_brand(text) if text.isdigit() else None
    if brand and len(text) in _ALONE_LENGTHS[brand] and luhn_valid(text):
        expected.append((0, len(text)))
    assert guard_payment_numbers(text) == expected


_toml_like = st.one_of(
    st.text(max_size=200),
    st.lists(
        st.sampled_from(
            [
                "[[rules]]",
                "[guard]",
                "name = 'a'",
                "name = 'b'",
                "pattern = '(\\d+)'",
                "pattern = '('",
                'pattern = "\\d"',
                "track = [2, 1]",
                "track = 7",
                "transforms = ['zfill:3', 'upper']",
                "transforms = ['nope']",
                "reader = 'pcprox'",
                "enabled = false",
                "campus_prefixes = ['600999']",
                "campus_prefixes = [1]",
                "x = 1",
            ]
        ),
        max_size=10,
    ).map("\n".join),
)


@settings(max_examples=300, deadline=None)
@given(text=_toml_like)
def test_any_rules_text_loads_or_gives_a_rules_file_error(text: str) -> None:
    try:
        ruleset = rules_from_toml(text)
    except RulesFileError as error:
        assert str(error) and "Traceback" not in str(error)
    else:
        assert rules_from_toml(dump_rules(ruleset)) == ruleset


@settings(max_examples=150, deadline=None)
@given(
    pairs=st.lists(
        st.tuples(swipe_like, st.text(alphabet="0123456789ABCDEF \x00", max_size=12)),
        max_size=4,
    )
)
def test_suggest_never_raises(pairs: list[tuple[str, str]]) -> None:
    suggestion = suggest_rule(pairs)
    assert suggestion.ok == (not suggestion.disagreements and suggestion.rule is not None)
    if suggestion.rule is not None:
        assert rules_from_toml(suggestion.toml).rules == (suggestion.rule,)


# Stripe-like text built from track pieces, so well-formed, failed, partial and bad tracks all
# turn up, with the odd LRC character and trailing text.
_track_piece = st.tuples(
    st.sampled_from(["%", ";", "+", "", "x"]),
    st.sampled_from(
        [
            "",
            "E",
            "B6009999012345675^TESTER/A^29081",
            "123456789",
            "12A4",
            "=2908",
            ";1",
            "%x",
            "E?",
            "?",
        ]
    ),
    st.sampled_from(["?", "", "?x", "?;", "?%", "??", "?E"]),
).map("".join)
_stripe_like = st.one_of(
    st.lists(_track_piece, min_size=1, max_size=4).map("".join),
    st.text(alphabet=st.sampled_from(list("%;+?E0123456789:<=>A^ ")), max_size=40),
)


@settings(max_examples=1000, deadline=None)
@given(text=_stripe_like)
@example(text="%B6009999012345675^TESTER/A^29081?%+;1?;")  # a lone sentinel after the tracks
def test_clean_stripe_fast_check_agrees_with_parse_tracks(text: str) -> None:
    # is_clean_stripe is parse_swipe's shortcut: True must mean parse_tracks finds no problem.
    tracks = parse_tracks(text)
    if is_clean_stripe(text):
        assert tracks.is_magstripe and tracks.problem is None
    elif text and text[0] in "%;+" and tracks.problem is None:
        # When it declines a problem-free stripe, a track was failed or empty, or a
        # character (an LRC, a sensor digit) followed a track: parse_tracks then decides
        # alone. Never a stripe of only readable tracks one right after the other.
        # A sentinel where no track starts (a lone ';' at the end) counts as following too.
        ends = [track.start + len(track.data) + 1 for track in tracks.tracks]
        starts = {track.start - 1 for track in tracks.tracks}
        followed = any(
            end < len(text) and (text[end] not in "%;+#" or end not in starts) for end in ends
        )
        assert any(track.failed for track in tracks.tracks) or followed
