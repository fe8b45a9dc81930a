"""Split a cleaned magnetic-stripe swipe into its ISO 7813 tracks.

Track 1 is ``%``…``?``, track 2 ``;``…``?``, track 3 ``+``…``?`` (MagTek) or a second
``;``…``?`` (ID TECH). A failed track reads ``E``. One character after an end sentinel that does
not start another track is an LRC or an insertion reader's sensor digit, and is skipped.
Text that does not start with a start sentinel is not a magnetic stripe (prox, barcode): it has
no tracks and rules see the whole text.
"""

from __future__ import annotations

import re
from typing import Literal, NamedTuple

TrackProblem = Literal["all_failed", "partial", "bad_characters"]

#: The characters a track starts with: a swipe starting with one of them is a stripe.
START_SENTINELS = "%;+"
# Track 2 and 3 data characters (0x30-0x3F minus the sentinels).
_BAD_NUMERIC_TRACK_CHAR = re.compile(r"[^0-9:<=>]")
# The common case in one anchored match: tracks that are all complete and readable (track 1
# not just "E", tracks 2 and 3 only numeric-track characters), each followed by at most one
# character that does not start a track, then text that does not start a track. Possessive
# quantifiers: it matches exactly the way parse_tracks walks the text, never backtracking.
_CLEAN_STRIPE = re.compile(r"(?:(?:%(?!E\?)[^?]++|[;+][0-9:<=>]++)\?[^%;+]?+)++(?![%;+])")


class Track(NamedTuple):
    """One track's data with sentinels removed; ``start`` is its offset in the cleaned text."""

    number: int
    data: str
    start: int
    failed: bool = False
    complete: bool = True


class Tracks(NamedTuple):
    """The tracks found in a swipe and, when the swipe is unusable, why."""

    tracks: tuple[Track, ...] = ()
    problem: TrackProblem | None = None
    is_magstripe: bool = False

    def get(self, number: int) -> Track | None:
        """The readable track with this number, or None (absent or failed)."""
        for track in self.tracks:
            if track.number == number and not track.failed and track.complete:
                return track
        return None


NOT_MAGSTRIPE = Tracks()


#: :func:`is_clean_stripe` without the call (a match, or None), for a caller testing many.
match_clean_stripe = _CLEAN_STRIPE.match


def is_clean_stripe(text: str) -> bool:
    """A quick test for the common case: True only when ``parse_tracks(text)`` finds a
    magnetic stripe with no problem. False means "ask parse_tracks"."""
    return _CLEAN_STRIPE.match(text) is not None


def parse_tracks(text: str) -> Tracks:
    """The tracks of a cleaned swipe (``NOT_MAGSTRIPE`` when it does not start like a stripe)."""
    if not text or text[0] not in START_SENTINELS:
        return NOT_MAGSTRIPE
    found: list[Track] = []
    problem: TrackProblem | None = None
    readable = 0
    seen_track2 = False
    position = 0
    length = len(text)
    while position < length:
        sentinel = text[position]
        if sentinel == "%":
            number = 1
        elif sentinel == ";":
            number = 3 if seen_track2 else 2
            seen_track2 = True
        elif sentinel == "+":
            number = 3
        else:
            break  # text after the tracks: left to the rules
        end = text.find("?", position + 1)
        if end < 0:
            found.append(Track(number, text[position + 1 :], position + 1, False, False))
            problem = "partial"
            break
        data = text[position + 1 : end]
        failed = data == "E" or not data
        if not failed:
            readable += 1
            if number != 1 and _BAD_NUMERIC_TRACK_CHAR.search(data):
                problem = "bad_characters"
        found.append(Track(number, data, position + 1, failed, True))
        position = end + 1
        # One character that does not start a track: an LRC or a sensor digit.
        if position < length and text[position] not in START_SENTINELS:
            position += 1
    if problem is None and not readable:
        problem = "all_failed"
    return Tracks(tuple(found), problem, True)
