"""kiosk.cards.card_ids: containment, nesting and quality findings over a roster's card_ids."""

from __future__ import annotations

import random
from collections import Counter

from hypothesis import given
from hypothesis import strategies as st

from kiosk.cards.card_ids import (
    CardIdIndex,
    analyze_card_ids,
    find_duplicates,
    find_nested,
    is_excel_damaged,
)


def test_contained_in_finds_every_card_id_in_the_text() -> None:
    index = CardIdIndex([("901234567", "alex"), ("41234567", "river"), ("777", "sam")])
    assert index.contained_in(";90123456701?") == [("901234567", "alex")]
    assert index.contained_in(";941234567020000?") == [("41234567", "river")]
    assert index.contained_in("%E?") == []
    assert index.contained_in("") == []


def test_leading_zero_case_from_handshake_never_matches() -> None:
    # Characters can be trimmed from the swipe, never added.
    index = CardIdIndex([("0012341234", "alex")])
    assert index.contained_in(";1234123400;") == []
    assert index.contained_in(";0012341234;") == [("0012341234", "alex")]


def test_overlapping_card_ids_are_all_reported_by_position() -> None:
    index = CardIdIndex([("12345", "short"), ("0012345", "long"), ("4500", "tail")])
    hits = index.occurrences(";001234500?")
    assert [(h.card_id, h.start, h.end, h.keys) for h in hits] == [
        ("0012345", 1, 8, ("long",)),
        ("12345", 3, 8, ("short",)),
        ("4500", 6, 10, ("tail",)),
    ]


def test_repeated_card_id_in_text_is_reported_once_at_its_first_position() -> None:
    index = CardIdIndex([("12345678", "pat")])
    hits = index.occurrences("%12345678?;12345678?")
    assert [(h.start, h.end) for h in hits] == [(1, 9)]


def test_shared_card_id_gives_one_pair_per_key_and_lookup_returns_all() -> None:
    index = CardIdIndex([("555", "a"), ("555", "b"), ("", "c"), (None, "d"), ("  ", "e")])
    assert len(index) == 1
    assert index.contained_in("x555x") == [("555", "a"), ("555", "b")]
    assert index.lookup("555") == ("a", "b")
    assert index.lookup("556") == ()
    assert "555" in index


def test_empty_index_finds_nothing() -> None:
    index: CardIdIndex[str] = CardIdIndex([])
    assert index.contained_in("anything") == []
    assert not index.any_in("anything")
    assert list(index.hit_finder()("anything")) == []
    assert find_nested([]) == []


def test_find_nested_reports_proper_substrings_across_students() -> None:
    pairs = [
        ("12345", "inner"),
        ("0012345", "outer"),
        ("99", "tiny"),
        ("5599", "mid"),
        ("7777", "dup1"),
        ("7777", "dup2"),
    ]
    assert sorted(find_nested(pairs)) == [("inner", "outer"), ("tiny", "mid")]


def test_find_duplicates_groups_keys() -> None:
    assert find_duplicates([("1", "a"), ("2", "b"), ("1", "c"), (None, "d"), ("", "e")]) == [
        ("a", "c")
    ]


@given(st.lists(st.text(alphabet="0123", min_size=1, max_size=6), max_size=25))
def test_find_nested_equals_the_naive_definition(card_ids: list[str]) -> None:
    pairs = [(card_id, f"user{i}") for i, card_id in enumerate(card_ids)]
    naive = {
        (inner_key, outer_key)
        for inner, inner_key in pairs
        for outer, outer_key in pairs
        if inner != outer and inner in outer
    }
    assert set(find_nested(pairs)) == naive


@given(
    st.lists(st.text(alphabet="0123", min_size=1, max_size=5), max_size=20),
    st.text(alphabet="0123;?", max_size=30),
)
def test_contained_in_equals_the_naive_substring_test(card_ids: list[str], text: str) -> None:
    pairs = [(card_id, f"user{i}") for i, card_id in enumerate(card_ids)]
    index = CardIdIndex(pairs)
    assert set(index.contained_in(text)) == {(c, k) for c, k in pairs if c in text}
    # The quicker questions the swipe checks ask give the same answers.
    assert index.any_in(text) == any(c in text for c, _ in pairs)
    assert set(index.card_ids_in(text)) == {c for c, _ in pairs if c in text}
    assert {card_id for _, card_id in index.hit_finder()(text)} == {
        c for c, _ in pairs if c in text
    }
    assert all(index.by_card_id[c] == index.lookup(c) for c, _ in pairs)


def test_excel_damage_patterns() -> None:
    assert is_excel_damaged("6.00999E+15")
    assert is_excel_damaged("6.00999e+15")
    assert is_excel_damaged("1E+10")
    assert is_excel_damaged("901234567.0")
    assert not is_excel_damaged("901234567")
    assert not is_excel_damaged("0012345")
    assert not is_excel_damaged("A12345E1")
    assert not is_excel_damaged("12.5")


def _digits_roster(count: int, length: int = 9) -> list[tuple[str | None, str]]:
    rng = random.Random(7)
    seen: set[str] = set()
    pairs: list[tuple[str | None, str]] = []
    while len(pairs) < count:
        card_id = "".join(rng.choice("0123456789") for _ in range(length))
        if card_id not in seen:
            seen.add(card_id)
            pairs.append((card_id, f"s{len(pairs)}"))
    return pairs


def test_quality_of_a_clean_roster_is_ok() -> None:
    quality = analyze_card_ids(_digits_roster(50))
    assert quality.ok
    assert quality.total == quality.with_card_id == 50
    assert quality.length_outliers is None


def test_quality_reports_each_finding_by_key() -> None:
    pairs = _digits_roster(40)
    pairs += [
        (None, "no_card"),
        ("", "blank_card"),
        ("6.00999E+15", "excel_sci"),
        ("901234567.0", "excel_point"),
        ("1234567", "lost_zeros"),  # 7 digits where the rest have 9
        ("12345678901", "too_long"),
        ("A12345678", "letters"),  # same length, a letter
        (pairs[0][0], "copy_of_s0"),
    ]
    quality = analyze_card_ids(pairs)
    assert quality.missing == ("no_card", "blank_card")
    assert quality.duplicates == (("s0", "copy_of_s0"),)
    assert quality.excel_damage == ("excel_sci", "excel_point")
    assert quality.length_outliers is not None
    assert quality.length_outliers.common_length == 9
    assert quality.length_outliers.shorter == ("lost_zeros",)
    assert quality.length_outliers.longer == ("too_long",)
    assert quality.character_outliers == ("letters",)
    assert not quality.ok


def test_no_length_finding_when_lengths_are_mixed() -> None:
    pairs = _digits_roster(10, length=9) + _digits_roster(10, length=7)
    pairs = [(card_id, f"k{i}") for i, (card_id, _) in enumerate(pairs)]
    assert analyze_card_ids(pairs).length_outliers is None


def test_no_character_finding_when_letters_are_common() -> None:
    pairs: list[tuple[str | None, str]] = [(f"AB{i:05d}", f"k{i}") for i in range(10)]
    pairs.append(("1234567", "digits"))
    assert analyze_card_ids(pairs).character_outliers == ()


def test_quality_nested_and_contained_in_other() -> None:
    quality = analyze_card_ids(
        [("12345", "inner"), ("0012345", "outer1"), ("9123459", "outer2"), ("555", "x")]
    )
    assert sorted(quality.nested) == [("inner", "outer1"), ("inner", "outer2")]
    assert quality.contained_in_other == ("inner",)


@given(
    st.lists(
        st.one_of(st.none(), st.just(""), st.just(" "),
                  st.text(alphabet="0123456789", min_size=1, max_size=4)),
        max_size=30,
    )
)
def test_missing_and_length_outliers_equal_the_naive_definition(
    card_ids: list[str | None],
) -> None:
    """The shortcuts (no blank card_id: no copy; one length: no outliers) change nothing."""
    pairs = [(card_id, f"k{i}") for i, card_id in enumerate(card_ids)]
    quality = analyze_card_ids(pairs)
    present = [(c, k) for c, k in pairs if c and not c.isspace()]
    assert quality.missing == tuple(k for c, k in pairs if not (c and not c.isspace()))
    assert quality.with_card_id == len(present)
    lengths = Counter(len(c) for c, _ in present)
    common = lengths.most_common(1)[0] if lengths else None
    if common is None or common[1] / len(present) < 0.9 or common[1] == len(present):
        assert quality.length_outliers is None
    else:
        assert quality.length_outliers is not None
        assert quality.length_outliers.common_length == common[0]
        assert quality.length_outliers.keys == tuple(
            k for c, k in present if len(c) < common[0]
        ) + tuple(k for c, k in present if len(c) > common[0])
