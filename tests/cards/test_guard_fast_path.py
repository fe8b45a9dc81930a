"""The payment guard's one-pass test (no digit run could be a card number) never hides one.

``find_payment_card`` first asks a regular expression whether any digit run of the swipe is
worth a close look; only then does it walk the runs. Here the whole function is compared with
the plain walk over every run, on generated text full of runs, sentinels and layout marks.
"""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from kiosk.cards.guard import (
    _grouped_track1_numbers,
    _in_payment_layout,
    _is_payment_number,
    _no_candidate_run,
    find_payment_card,
)
from kiosk.cards.luhn import luhn_check_digit

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
