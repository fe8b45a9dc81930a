"""Split a cleaned magnetic-stripe swipe into its tracks, by ISO/IEC 7811 and AAMVA.

Track 1 is ``%``…``?`` in the alphanumeric (6-bit) character set; track 2 is ``;``…``?`` in the
numeric (4-bit) set ``0-9 : < = >``. Track 3 comes in three forms: numeric like track 2 after
``+`` (MagTek) or a second ``;`` (ID TECH), and alphanumeric (a driver's licence's AAMVA track 3:
version, postal code, class, sex, height…) after ``+``, after ``%`` when it follows another
track, or after ``#`` (some readers' sentinel for it). A ``+`` track is numeric when it holds
only numeric characters, else alphanumeric (0x20-0x5F: space, punctuation, digits, ``A-Z``,
without the sentinels ``%`` and ``?``). A failed track reads ``E``. Track 1's data is only
required to hold no ``?``.

What follows a track's end sentinel, when it does not start another track:

- one character, then the end or another track: the LRC a reader passes through. It is
  checked (ISO 7811: the exclusive or of every character's 6-bit or 4-bit code, sentinels
  included); a good one is skipped, a wrong one is the problem ``bad_lrc``. A final ``0`` or
  ``1`` that does not check is an insertion reader's card sensor digit, and is skipped too.
- anything else (``;123456789012345=1010?123?``): stray text, the problem ``trailing``.

Stray text after the last track (and a wrong LRC, or a cut-off track, in its place) is the only
problem a rule may overrule (``trailing_text = true``): :attr:`Tracks.stray` says where it starts.
Stray text with a track after it (``;123?xy;456?``) was between tracks, which no rule overrules.
Text that does not start with a start sentinel is not a magnetic stripe (prox, barcode): it has
no tracks and rules see the whole text.
"""

from __future__ import annotations

import re
from functools import reduce
from operator import xor
from typing import Literal, NamedTuple

TrackProblem = Literal["all_failed", "partial", "bad_characters", "bad_lrc", "trailing"]

#: The characters a track starts with: a swipe starting with one of them is a stripe.
START_SENTINELS = "%;+"
#: What starts a track after another one: also ``#``, an AAMVA track 3 as some readers send it.
LATER_SENTINELS = "%;+#"
_NUMERIC = "0-9:<=>"  # track 2 (and numeric track 3) data: 0x30-0x3F without the sentinels
_ALPHANUMERIC = " -$&->@-_"  # 0x20-0x5F without the sentinels '%' and '?'
_BAD_NUMERIC_CHAR = re.compile(f"[^{_NUMERIC}]")
_BAD_ALPHANUMERIC_CHAR = re.compile(f"[^{_ALPHANUMERIC}]")
_ALL_NUMERIC = re.compile(f"[{_NUMERIC}]*+")
# The common case in one anchored match: tracks that are all complete and readable (no track
# just "E"), in their character sets, one right after the other, nothing after the last one.
# A swipe with an LRC or anything else after a track is left to parse_tracks. Possessive
# quantifiers: it matches exactly the way parse_tracks walks the text, never backtracking.
_NUMERIC_TRACK = f";[{_NUMERIC}]++\\?"
_PLUS_TRACK = f"\\+(?!E\\?)[{_ALPHANUMERIC}]++\\?"
_CLEAN_STRIPE = re.compile(
    f"(?:%(?!E\\?)[^?]++\\?|{_NUMERIC_TRACK}|{_PLUS_TRACK})"
    f"(?:{_NUMERIC_TRACK}|{_PLUS_TRACK}|[%#](?!E\\?)[{_ALPHANUMERIC}]++\\?)*+\\Z"
)
# A track standing in text after the tracks: that text was between tracks.
_TRACK_INSIDE = re.compile(r"[%;+][^%;+?]*\?")
# The card sensor digit an insertion reader may send after the last track.
_SENSOR_DIGITS = "01"


class Track(NamedTuple):
    """One track's data with sentinels removed; ``start`` is its offset in the cleaned text."""

    number: int
    data: str
    start: int
    failed: bool = False
    complete: bool = True


class Tracks(NamedTuple):
    """The tracks found in a swipe and, when the swipe is unusable, why.

    ``stray`` is the offset of the text after the last track (stray characters, a wrong LRC
    or a cut-off track) when that text is the swipe's only problem, else None.
    """

    tracks: tuple[Track, ...] = ()
    problem: TrackProblem | None = None
    is_magstripe: bool = False
    stray: int | None = None

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


def track_lrc(sentinel: str, data: str, numeric: bool) -> str:
    """The LRC character ISO/IEC 7811 puts after a track's end sentinel: the exclusive or of
    the codes of the start sentinel, the data and the end sentinel (4-bit codes, ``0`` =
    0x30, on a numeric track; 6-bit codes, space = 0x20, on an alphanumeric one), written in
    the same character set. ``sentinel`` is the start sentinel as recorded on the card (``;``
    or ``%``), not the one a reader substitutes (``+``, ``#``)."""
    base = 0x30 if numeric else 0x20
    text = sentinel + data + "?"
    return chr(base + reduce(xor, (ord(char) - base for char in text), 0))


def _in_lrc_set(char: str, number: int, numeric: bool) -> bool:
    """True when ``char`` is in the character set of the track's LRC."""
    if number == 1 or not numeric:
        return " " <= char <= "_"
    return "0" <= char <= "?"


def _lrc_checks(char: str, number: int, data: str, numeric: bool) -> bool:
    """True when ``char`` is the LRC of a track holding ``data``."""
    if not _in_lrc_set(char, number, numeric):
        return False
    if number == 1 or not numeric:
        return (
            _BAD_ALPHANUMERIC_CHAR.search(data) is None
            and char == track_lrc("%", data, numeric=False)
        )
    return _BAD_NUMERIC_CHAR.search(data) is None and char == track_lrc(";", data, numeric=True)


# Track(...) and Tracks(...) without their Python-level __new__ (for the common case).
_new_tuple = tuple.__new__


def _clean_tracks(text: str) -> Tracks:
    """:func:`parse_tracks` of a clean stripe (one :func:`is_clean_stripe` accepts): every
    track complete and readable, each right after the other, so each ``?`` ends one."""
    found: list[Track] = []
    seen_track2 = False
    start = 1
    for piece in text[:-1].split("?"):
        sentinel = piece[0]
        if sentinel == ";":
            number = 3 if seen_track2 else 2
            seen_track2 = True
        else:  # '%' first is track 1; '%', '+' and '#' after another track are track 3
            number = 3 if found or sentinel == "+" else 1
        found.append(_new_tuple(Track, (number, piece[1:], start, False, True)))
        start += len(piece) + 1
    return _new_tuple(Tracks, (tuple(found), None, True, None))


def parse_tracks(text: str) -> Tracks:
    """The tracks of a cleaned swipe (``NOT_MAGSTRIPE`` when it does not start like a stripe)."""
    if not text or text[0] not in START_SENTINELS:
        return NOT_MAGSTRIPE
    if _CLEAN_STRIPE.match(text) is not None:
        return _clean_tracks(text)
    found: list[Track] = []
    problem: TrackProblem | None = None  # a problem no rule may overrule
    stray: TrackProblem | None = None  # the problem of the text after the last track
    stray_at: int | None = None
    readable = 0
    seen_track2 = False
    position = 0
    length = len(text)
    while position < length:
        sentinel = text[position]
        if sentinel == ";":
            number = 3 if seen_track2 else 2
            seen_track2 = True
        elif sentinel == "+":
            number = 3
        elif sentinel == "%":
            number = 3 if found else 1
        elif sentinel == "#" and found:
            number = 3
        else:  # text after the tracks
            stray, stray_at = "trailing", position
            break
        end = text.find("?", position + 1)
        if end < 0:
            found.append(Track(number, text[position + 1 :], position + 1, False, False))
            if readable:  # the last track cut off after readable ones
                stray, stray_at = "partial", position
            else:
                problem = "partial"
            break
        data = text[position + 1 : end]
        failed = data == "E" or not data
        numeric = sentinel == ";" or (
            sentinel == "+" and _ALL_NUMERIC.fullmatch(data) is not None
        )
        if not failed:
            readable += 1
            if number == 1:
                pass  # track 1: anything but '?' (letter case is the reader's business)
            elif (_BAD_NUMERIC_CHAR if numeric else _BAD_ALPHANUMERIC_CHAR).search(data):
                problem = problem or "bad_characters"
        found.append(Track(number, data, position + 1, failed, True))
        position = end + 1
        if position >= length:
            break
        char = text[position]
        after = position + 1
        lrc_place = after == length or text[after] in LATER_SENTINELS
        if lrc_place and (failed or _lrc_checks(char, number, data, numeric)):
            position = after  # an LRC (a failed track's cannot be checked)
        elif char in LATER_SENTINELS:
            continue  # the next track
        elif lrc_place and after == length and char in _SENSOR_DIGITS:
            position = after  # an insertion reader's card sensor digit
        elif lrc_place and after < length:  # one character between two tracks
            could_be_lrc = _in_lrc_set(char, number, numeric)
            problem = problem or ("bad_lrc" if could_be_lrc else "bad_characters")
            position = after
        else:  # a wrong LRC after the last track, or stray text
            could_be_lrc = lrc_place and _in_lrc_set(char, number, numeric)
            stray = "bad_lrc" if could_be_lrc else "trailing"
            stray_at = position
            if _TRACK_INSIDE.search(text, position) is not None:
                problem = stray  # text between two tracks, not after them
            break
    if problem is None and not readable:
        problem = "all_failed"
    if problem is not None:
        return Tracks(tuple(found), problem, True)
    return Tracks(tuple(found), stray, True, stray_at)
