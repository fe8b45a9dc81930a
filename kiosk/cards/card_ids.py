"""Shared analysis of a roster's card_ids: containment in swipe text, nesting, quality.

Handshake matches a student when their card_id is *contained* in the swipe output. This
module answers the questions that rule raises, for the roster importer, ``kiosk verify`` and
check-in matching alike:

- :class:`CardIdIndex`: which roster card_ids are substrings of a text (one pass of a
  pyahocorasick automaton, whatever the roster's size; for card_ids of ASCII digits and one
  length, the usual roster, dict lookups of the windows of the text's digit runs:
  :mod:`kiosk.cards.digit_windows`), and who owns a card_id.
- :func:`find_nested`: card_ids contained in another student's card_id (a swipe of the
  longer card also contains the shorter one, so check-in cannot tell them apart).
- :func:`analyze_card_ids`: quality findings (missing, duplicates, Excel damage, length and
  character-class outliers, nesting), each naming keys (usernames), never card data.

A *key* is whatever identifies a student to the caller: a username or a database id.
"""

from __future__ import annotations

import re
from collections import Counter, deque
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from operator import itemgetter
from typing import Generic, TypeVar, cast

import ahocorasick

from kiosk.cards.digit_windows import DigitWindows

K = TypeVar("K", bound=Hashable)

# The card_id of an automaton hit ``(end_index, card_id)``, and of a ``(card_id, key)`` pair.
_hit_card_id = itemgetter(1)
_pair_card_id = itemgetter(0)

#: A share of card_ids at or above which the rest are called outliers.
MAJORITY_SHARE = 0.9

_SCIENTIFIC = re.compile(r"^[+-]?\d+(?:\.\d+)?[eE][+-]?\d+$")
_TRAILING_POINT_ZERO = re.compile(r"^\d+\.0+$")


def is_blank(card_id: str | None) -> bool:
    """True when a card_id is absent: None, empty or only whitespace."""
    return not card_id or card_id.isspace()


def _no_hits(text: str) -> Iterator[tuple[int, str]]:
    return iter(())


@dataclass(frozen=True, slots=True)
class Occurrence(Generic[K]):
    """A roster card_id found inside a text: where its first occurrence sits, and its owners."""

    card_id: str = field(repr=False)
    start: int
    end: int
    keys: tuple[K, ...]


class CardIdIndex(Generic[K]):
    """Roster card_ids, searchable as substrings of a text in one pass.

    Built from ``(card_id, key)`` pairs; blank card_ids are skipped. A card_id shared by
    several keys keeps all of them (in the order given). Card_ids of ASCII digits and one
    length are searched as :class:`~kiosk.cards.digit_windows.DigitWindows` (no automaton
    is built), any others with a pyahocorasick automaton: the answers are the same.
    """

    def __init__(self, pairs: Iterable[tuple[str | None, K]]) -> None:
        present = cast(  # the pairs with a card_id (the pairs themselves, not copies)
            "list[tuple[str, K]]", [pair for pair in pairs if pair[0] and not pair[0].isspace()]
        )
        owners: dict[str, tuple[K, ...]] = {card_id: (key,) for card_id, key in present}
        self._has_duplicates = len(owners) < len(present)
        if self._has_duplicates:  # a card_id shared by several keys keeps them all, in order
            owners = {}
            for card_id, key in present:
                shared = owners.get(card_id)
                owners[card_id] = (key,) if shared is None else (*shared, key)
        self._owners = owners
        self._present = len(present)
        lengths = set(map(len, owners))
        self._shortest = min(lengths, default=0)
        self._one_length = len(lengths) <= 1
        self._automaton: ahocorasick.Automaton | None = None
        self._windows: DigitWindows | None = None
        every_card_id = "".join(owners) if self._one_length else ""
        if every_card_id.isascii() and every_card_id.isdigit():  # ("" is no digit string)
            self._windows = DigitWindows(owners, self._shortest)
        elif owners:
            automaton = ahocorasick.Automaton()
            deque(map(automaton.add_word, owners, owners), maxlen=0)  # add every card_id, in C
            automaton.make_automaton()
            self._automaton = automaton

    def __len__(self) -> int:
        """How many distinct card_ids the index holds."""
        return len(self._owners)

    def __contains__(self, card_id: object) -> bool:
        return card_id in self._owners

    @property
    def with_card_id(self) -> int:
        """How many of the pairs it was built from have a card_id (duplicates included)."""
        return self._present

    @property
    def one_length(self) -> bool:
        """True when every card_id has the same length (or there is none)."""
        return self._one_length

    def owners(self) -> Iterable[tuple[str, tuple[K, ...]]]:
        """Each distinct card_id with its keys, in the order first given."""
        return self._owners.items()

    @property
    def by_card_id(self) -> Mapping[str, tuple[K, ...]]:
        """Each distinct card_id's keys (read only), for a caller that looks up many."""
        return self._owners

    def hit_finder(self) -> Callable[[str], Iterator[tuple[int, str]]]:
        """A function giving ``(end_index, card_id)`` for every occurrence of a roster
        card_id in a text, ordered by where they end (the automaton's own ``iter``)."""
        if self._windows is not None:
            return self._windows.hits
        if self._automaton is None:
            return _no_hits
        finder: Callable[[str], Iterator[tuple[int, str]]] = self._automaton.iter
        return finder

    def card_ids_finder(self) -> Callable[[str], list[str]]:
        """:meth:`card_ids_in` as a plain function, for a caller that scans many texts."""
        if self._windows is not None:
            return self._windows.card_ids_in
        return self.card_ids_in

    def lookup(self, card_id: str) -> tuple[K, ...]:
        """The keys whose card_id is exactly ``card_id`` (empty when none)."""
        return self._owners.get(card_id, ())

    def occurrences(self, text: str) -> list[Occurrence[K]]:
        """Every roster card_id contained in ``text``, each once, ordered by first position.

        Ties (card_ids starting at the same place) put the longer one first.
        """
        if not text:
            return []
        first_start: dict[str, int] = {}
        for end_index, card_id in self.hit_finder()(text):
            start = end_index - len(card_id) + 1
            previous = first_start.get(card_id)
            if previous is None or start < previous:
                first_start[card_id] = start
        ordered = sorted(first_start.items(), key=lambda item: (item[1], -len(item[0])))
        return [
            Occurrence(card_id, start, start + len(card_id), self._owners[card_id])
            for card_id, start in ordered
        ]

    def any_in(self, text: str) -> bool:
        """True when a roster card_id is contained in ``text`` (the scan stops at the first)."""
        if self._windows is not None:
            return self._windows.any_in(text)
        if self._automaton is None or not text:
            return False
        return next(self._automaton.iter(text), None) is not None

    def card_ids_in(self, text: str) -> list[str]:
        """The distinct roster card_ids contained in ``text`` (cheaper than occurrences), in
        the order they first end in it."""
        if self._windows is not None:
            return self._windows.card_ids_in(text)
        if self._automaton is None or not text:
            return []
        found = list(map(_hit_card_id, self._automaton.iter(text)))  # no Python loop per hit
        if len(found) < 2:
            return found
        if len(found) == 2 and found[0] == found[1]:  # one card_id on two tracks: common
            del found[1]
            return found
        return list(dict.fromkeys(found))

    def nested(self) -> list[tuple[K, K]]:
        """``(inner_key, outer_key)`` for each card_id inside another, longer card_id.

        Each card_id longer than the shortest one is run once through the automaton (a
        card_id can only contain shorter ones), so a roster of one length costs one scan.
        """
        automaton = self._automaton
        if automaton is None or self._one_length:  # card_ids of one length nest only as equals
            return []
        nested: list[tuple[K, K]] = []
        shortest = self._shortest
        for outer_id, outer_keys in self._owners.items():
            if len(outer_id) == shortest:
                continue
            inner_ids = {card_id for _, card_id in automaton.iter(outer_id)}
            inner_ids.discard(outer_id)
            for inner_id in sorted(inner_ids):
                for inner_key in self._owners[inner_id]:
                    nested.extend((inner_key, outer_key) for outer_key in outer_keys)
        return nested

    def duplicates(self) -> list[tuple[K, ...]]:
        """Groups of keys that share one card_id (each group in the order given)."""
        if not self._has_duplicates:
            return []
        return [keys for keys in self._owners.values() if len(keys) > 1]

    def contained_in(self, text: str) -> list[tuple[str, K]]:
        """``(card_id, key)`` for every roster card_id that is a substring of ``text``.

        A card_id shared by several keys gives one pair per key.
        """
        return [(hit.card_id, key) for hit in self.occurrences(text) for key in hit.keys]


def find_nested(pairs: Iterable[tuple[str | None, K]]) -> list[tuple[K, K]]:
    """``(inner_key, outer_key)`` for each card_id contained in another student's card_id.

    Only a proper substring counts (``12345`` inside ``0012345``); equal card_ids are
    duplicates, reported by :func:`find_duplicates`. One automaton over all card_ids; each
    card_id is run through it once, so 100,000 card_ids take well under a second.
    """
    return CardIdIndex(pairs).nested()


def find_duplicates(pairs: Iterable[tuple[str | None, K]]) -> list[tuple[K, ...]]:
    """Groups of keys that share one card_id (each group in the order given)."""
    return CardIdIndex(pairs).duplicates()


def is_excel_damaged(card_id: str) -> bool:
    """True for values a spreadsheet made of a number: ``6.00999E+15``, ``12345.0``."""
    if card_id.isdigit():
        return False
    value = card_id.strip()
    return bool(_SCIENTIFIC.match(value) or _TRAILING_POINT_ZERO.match(value))


@dataclass(frozen=True, slots=True)
class LengthOutliers(Generic[K]):
    """Card_ids whose length differs from the one at least 90% of card_ids share."""

    common_length: int
    share: float
    shorter: tuple[K, ...]
    longer: tuple[K, ...]

    @property
    def keys(self) -> tuple[K, ...]:
        return self.shorter + self.longer


@dataclass(frozen=True, slots=True)
class CardIdQuality(Generic[K]):
    """Everything worth telling about a roster's card_ids, naming keys only.

    ``character_outliers`` are card_ids with non-digit characters when at least 90% are
    digits only; ``length_outliers`` is None when no length is shared by 90%. A card_id
    reported as Excel damage is not reported again as a length or character outlier.
    """

    total: int
    with_card_id: int
    missing: tuple[K, ...]
    duplicates: tuple[tuple[K, ...], ...]
    excel_damage: tuple[K, ...]
    length_outliers: LengthOutliers[K] | None
    character_outliers: tuple[K, ...]
    nested: tuple[tuple[K, K], ...]

    @property
    def contained_in_other(self) -> tuple[K, ...]:
        """Distinct keys whose card_id sits inside another student's card_id."""
        return tuple(dict.fromkeys(inner for inner, _ in self.nested))

    @property
    def ok(self) -> bool:
        """True when nothing at all was found."""
        return not (
            self.missing
            or self.duplicates
            or self.excel_damage
            or self.length_outliers
            or self.character_outliers
            or self.nested
        )


def _length_outliers(present: Sequence[tuple[str, K]]) -> LengthOutliers[K] | None:
    if not present:
        return None
    lengths = Counter(map(len, map(_pair_card_id, present)))
    common_length, count = lengths.most_common(1)[0]
    share = count / len(present)
    if share < MAJORITY_SHARE or count == len(present):
        return None
    shorter = tuple(key for card_id, key in present if len(card_id) < common_length)
    longer = tuple(key for card_id, key in present if len(card_id) > common_length)
    return LengthOutliers(common_length, share, shorter, longer)


def _character_outliers(present: Sequence[tuple[str, K]]) -> tuple[K, ...]:
    if not present:
        return ()
    digit_only = sum(1 for card_id, _ in present if card_id.isascii() and card_id.isdigit())
    if digit_only / len(present) < MAJORITY_SHARE:
        return ()
    return tuple(
        key for card_id, key in present if not (card_id.isascii() and card_id.isdigit())
    )


def analyze_card_ids(
    pairs: Iterable[tuple[str | None, K]], index: CardIdIndex[K] | None = None
) -> CardIdQuality[K]:
    """Quality findings over a roster's ``(card_id, key)`` pairs.

    ``index``, when the caller already built one from the same pairs, is reused.
    """
    all_pairs = list(pairs)
    if index is None:
        index = CardIdIndex(all_pairs)
    if index.with_card_id == len(all_pairs):  # every pair has a card_id (the index counted)
        present = cast("list[tuple[str, K]]", all_pairs)
    else:
        present = [
            (card_id, key) for card_id, key in all_pairs if card_id and not card_id.isspace()
        ]
    missing: tuple[K, ...] = ()
    if len(present) < len(all_pairs):
        missing = tuple(key for card_id, key in all_pairs if is_blank(card_id))
    every_card_id = "".join(map(_pair_card_id, present))
    excel: tuple[K, ...] = ()
    characters: tuple[K, ...] = ()
    undamaged = present
    # The common roster: ASCII digits only, every card_id (none is empty), so no spreadsheet
    # damage and no odd characters, settled by one test of them all together.
    if not (every_card_id.isascii() and every_card_id.isdigit()):
        excel = tuple(key for card_id, key in present if is_excel_damaged(card_id))
        if excel:
            excel_keys = set(excel)
            undamaged = [(card_id, key) for card_id, key in present if key not in excel_keys]
        characters = _character_outliers(undamaged)
    character_keys = set(characters)
    # Card_ids of one length have no length outliers (a roster of one length: the common case).
    lengths = None if index.one_length else _length_outliers(undamaged)
    if lengths is not None and character_keys:
        lengths = LengthOutliers(
            lengths.common_length,
            lengths.share,
            tuple(k for k in lengths.shorter if k not in character_keys),
            tuple(k for k in lengths.longer if k not in character_keys),
        )
        if not lengths.keys:
            lengths = None
    return CardIdQuality(
        total=len(all_pairs),
        with_card_id=len(present),
        missing=missing,
        duplicates=tuple(index.duplicates()),
        excel_damage=excel,
        length_outliers=lengths,
        character_outliers=characters,
        nested=tuple(index.nested()),
    )
