"""The parser's fast paths give the answers of the slow ones.

The payment guard's one-pass test (no digit run could be a card number) never hides one, the
control-character checks without regexes agree with the regexes, and a rule passed over for
lacking its leading character could not have matched.

``find_payment_card`` first asks a regular expression whether any digit run of the swipe is
worth a close look; only then does it walk the runs. Here the whole function is compared with
the plain walk over every run, on generated text full of runs, sentinels and layout marks.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.cards.clean import clean_swipe
from kiosk.cards.guard import (
    _NOT_PRINTABLE_OR_FRAMING,
    _PARTING_CONTROL,
    _control_parts,
    _grouped_track1_numbers,
    _in_payment_layout,
    _is_payment_number,
    _no_candidate_run,
    find_payment_card,
    has_binary_bytes,
)
from kiosk.cards.luhn import luhn_check_digit
from kiosk.cards.parse import first_rule_hit
from kiosk.cards.rules import Rule, RulesFileError

_RUNS = re.compile(r"[0-9]{12,}")


def _walk(text: str, campus_prefixes: tuple[str, ...]) -> bool:
    """find_payment_card without its fast test: every run of 12 or more digits looked at."""
    for digits in (found for _, _, found in _grouped_track1_numbers(text)):
        if not digits.startswith(campus_prefixes):
            return True
    for match in _RUNS.finditer(text):
        start, end = match.span()
        number = text[start:end]
        if end - start > 19 or number.startswith(campus_prefixes) and campus_prefixes:
            continue
        if _in_payment_layout(text, start, end) and _is_payment_number(number):
            return True
    return False


@st.composite
def _numbers(draw: st.DrawFn) -> str:
    length = draw(st.integers(11, 21))
    first = draw(st.sampled_from("0123456789"))
    body = draw(st.text(alphabet="0123456789", min_size=length - 2, max_size=length - 2))
    if draw(st.booleans()):
        return first + body + luhn_check_digit(first + body)
    return first + body + draw(st.sampled_from("0123456789"))


_piece = st.tuples(
    st.sampled_from(["", ";", "<", "%B", "B", "b", "^", "=", "x", ";;", " ", "-", "600999"]),
    _numbers(),
    st.sampled_from(["", "^", "=", "=2812", "D2812", "?", "x", " ", "-", "^NAME^"]),
).map("".join)
_text = st.lists(_piece, min_size=1, max_size=4).map("".join)
_prefixes = st.sampled_from([(), ("600999",), ("4",), ("600999", "5105"), ("",)])


@settings(max_examples=1500, deadline=None)
@given(text=_text, campus_prefixes=_prefixes)
def test_the_fast_test_agrees_with_walking_every_run(
    text: str, campus_prefixes: tuple[str, ...]
) -> None:
    assert find_payment_card(text, campus_prefixes) == _walk(text, campus_prefixes)
    if _no_candidate_run(campus_prefixes)(text) is not None:
        assert not _walk(text, campus_prefixes)


def test_a_campus_stripe_is_settled_by_the_fast_test() -> None:
    pan = "6009999012345675"
    stripe = f"%B{pan}^TESTER/ALEX^2908120000000000?;{pan}=29081200000000000?"
    assert _no_candidate_run(("600999",))(stripe) is not None
    assert _no_candidate_run(())(stripe) is None  # without the prefix: looked at closely
    assert find_payment_card(stripe) and not find_payment_card(stripe, ("600999",))


_raw = st.one_of(
    st.text(max_size=60),
    st.text(
        alphabet=st.sampled_from(list("0123 9;%?^=Bx") + ["\x02", "\x03", "\x1b", "\r", "\n",
                                                        "\t", "\x00", "\x7f", "\x10", "é"]),
        max_size=60,
    ),
)


@settings(max_examples=1500, deadline=None)
@given(raw=_raw)
def test_the_regex_free_control_checks_agree_with_the_regexes(raw: str) -> None:
    assert clean_swipe(raw) == re.sub(r"[\x00-\x1f\x7f]+", "", raw)
    assert has_binary_bytes(raw) == (_NOT_PRINTABLE_OR_FRAMING.search(raw) is not None)
    assert _control_parts(raw) == (_PARTING_CONTROL.search(raw) is not None)


_pattern_piece = st.sampled_from(
    [";", "%", "B", "=", "^", "\\d", "(\\d{3})", "[;+]", "a?", "x*", "|", "(?:a|b)", "\\?", "$",
     "{2}", "+", "S", "(", ")", ".", "[A-Z]"]
)


@settings(max_examples=1500, deadline=None)
@given(
    pieces=st.lists(_pattern_piece, min_size=1, max_size=5),
    text=st.text(alphabet=st.sampled_from(list(";%B=^0123aSbxZ?+")), max_size=20),
)
def test_a_rule_passes_over_a_swipe_without_its_literal_only_when_it_cannot_match(
    pieces: list[str], text: str
) -> None:
    pattern = "".join(pieces)
    try:
        rule = Rule("r", pattern)
    except RulesFileError:
        return
    if rule.literal is not None and rule.literal not in text:
        assert rule.regex.search(text) is None, (pattern, text)
        assert first_rule_hit(text, (rule,)) is None
