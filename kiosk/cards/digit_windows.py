"""Which card_ids a text contains, for a roster whose card_ids are ASCII digits of one length.

That is the usual roster, and for it no automaton is needed: a card_id of ``L`` ASCII digits
can only sit inside a run of at least ``L`` ASCII digits, so the card_ids inside a text are
exactly the ``L``-character windows of its digit runs that are card_ids. A regular expression
finds the runs (a swipe has a few), a dict lookup decides each window (a 9-digit card_id in a
16-digit card number: 8 windows). The kiosk matches swipes the same way
(:mod:`kiosk.checkin.roster_index` looks up every substring of each card_id length).

For 100,000 card_ids this finds them faster than a pyahocorasick automaton, and there is
nothing to build: the automaton took longer to build (about 0.2 s) and to free than a
``kiosk verify`` run spent searching with it. :class:`kiosk.cards.card_ids.CardIdIndex` uses
it when every card_id has one length and is ASCII digits only, the automaton otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Container, Iterator


class DigitWindows:
    """Containment of card_ids that are all ``length`` ASCII digits (``card_ids``: any
    container of them, such as the dict of their owners)."""

    __slots__ = ("_card_ids", "_length", "_runs", "_run_matches", "_next_run")

    def __init__(self, card_ids: Container[str], length: int) -> None:
        if length < 1:
            raise ValueError("card_ids have at least one digit")
        runs = re.compile(f"[0-9]{{{length},}}")  # ASCII digits only, as the card_ids
        self._card_ids = card_ids
        self._length = length
        self._runs = runs.findall
        self._run_matches = runs.finditer
        self._next_run = runs.search

    def card_ids_in(self, text: str) -> list[str]:
        """The distinct card_ids inside ``text``, in the order they first end in it."""
        length = self._length
        card_ids = self._card_ids
        found: list[str] = []
        for run in self._runs(text):
            if len(run) == length:  # the run is one window (a printed card_id, the common case)
                if run in card_ids and run not in found:
                    found.append(run)
                continue
            for start in range(len(run) - length + 1):
                window = run[start : start + length]
                if window in card_ids and window not in found:
                    found.append(window)
        return found

    def any_in(self, text: str) -> bool:
        """True when a card_id is inside ``text`` (the search stops at the first: the runs
        are found one at a time)."""
        length = self._length
        card_ids = self._card_ids
        next_run = self._next_run
        match = next_run(text)
        while match is not None:
            run = match.group()
            if len(run) == length:
                if run in card_ids:
                    return True
            else:
                for start in range(len(run) - length + 1):
                    if run[start : start + length] in card_ids:
                        return True
            match = next_run(text, match.end())
        return False

    def hits(self, text: str) -> Iterator[tuple[int, str]]:
        """``(end_index, card_id)`` for every occurrence of a card_id in ``text`` (the end
        index inclusive), ordered by where they end: what pyahocorasick's ``iter`` gives
        for the same card_ids."""
        length = self._length
        card_ids = self._card_ids
        for match in self._run_matches(text):
            run = match.group()
            offset = match.start() + length - 1
            for start in range(len(run) - length + 1):
                window = run[start : start + length]
                if window in card_ids:
                    yield offset + start, window
