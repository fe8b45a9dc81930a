"""Digit windows (kiosk.cards.digit_windows) give what a pyahocorasick automaton over the same
card_ids gives: the same hits in the same order, hence the same card_ids and the same answer
to "is any inside?"; and CardIdIndex answers alike whichever of the two it uses."""

from __future__ import annotations

import ahocorasick
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.cards.card_ids import CardIdIndex
from kiosk.cards.digit_windows import DigitWindows


def automaton_of(card_ids: list[str]) -> ahocorasick.Automaton:
    automaton = ahocorasick.Automaton()
    for card_id in card_ids:
        automaton.add_word(card_id, card_id)
    automaton.make_automaton()
    return automaton


@st.composite
def rosters_and_texts(draw: st.DrawFn) -> tuple[list[str], str]:
    """Card_ids of one length, ASCII digits only, and a text made of some of them, digits,
    swipe punctuation, and characters that are digits to str.isdigit but not ASCII."""
    length = draw(st.integers(min_value=1, max_value=6))
    card_ids = draw(
        st.lists(st.text(alphabet="0123", min_size=length, max_size=length), min_size=1)
    )
    pieces = st.one_of(
        st.sampled_from(card_ids),
        st.text(alphabet="0123456789", max_size=8),
        st.text(alphabet=";%?=^B \u0663\uff11\n", max_size=3),
    )
    return card_ids, "".join(draw(st.lists(pieces, max_size=8)))


@given(rosters_and_texts())
def test_windows_give_the_automatons_hits(roster_and_text: tuple[list[str], str]) -> None:
    card_ids, text = roster_and_text
    windows = DigitWindows(set(card_ids), len(card_ids[0]))
    hits = list(automaton_of(card_ids).iter(text))
    assert list(windows.hits(text)) == hits
    assert windows.card_ids_in(text) == list(dict.fromkeys(card_id for _, card_id in hits))
    assert windows.any_in(text) == bool(hits)


@given(rosters_and_texts())
def test_the_index_answers_as_the_naive_substring_test(
    roster_and_text: tuple[list[str], str],
) -> None:
    card_ids, text = roster_and_text
    pairs: list[tuple[str | None, str]] = [(c, f"user{i}") for i, c in enumerate(card_ids)]
    index = CardIdIndex(pairs)
    inside = {c for c in card_ids if c in text}
    assert set(index.card_ids_in(text)) == inside
    assert set(index.card_ids_finder()(text)) == inside
    assert index.any_in(text) == bool(inside)
    assert {(c, k) for c, k in index.contained_in(text)} == {(c, k) for c, k in pairs if c in text}
    for occurrence in index.occurrences(text):  # each at its first place
        assert occurrence.start == text.find(occurrence.card_id)


def test_the_index_uses_windows_only_for_ascii_digits_of_one_length() -> None:
    uses = lambda pairs: CardIdIndex(pairs).hit_finder().__name__  # noqa: E731
    assert uses([("123456789", "a"), ("987654321", "b")]) == "hits"
    assert uses([("12345", "a"), ("1234", "b")]) == "iter"  # two lengths: the automaton
    assert uses([("A2345", "a"), ("12345", "b")]) == "iter"  # a letter
    assert uses([("\u0663\u0663", "a")]) == "iter"  # digits, but not ASCII


def test_a_window_of_no_digits_is_refused() -> None:
    with pytest.raises(ValueError):
        DigitWindows({"1"}, 0)
