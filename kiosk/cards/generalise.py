"""Generalising example swipes into one regular expression (the heart of ``rules suggest``).

Given, for each example swipe, where its card_id's source text lies, build patterns that keep
what the examples share and generalise what varies, reading the id as a person would:

- an id that is a whole run of letters/digits, between separators or the ends of the text
  (``042:51234``), is *delimited*: other cards' ids may be shorter or longer (``042:7``), so
  its field is ``\\d+``;
- an id inside a longer run of digits (``2908120000001234567``, ``90123456701``) is
  *positional*: it keeps the examples' width, leading zeros included;
- an id after nothing but zeros in its run (``0000012345``) is a zero-*padded* number,
  ``0*([1-9]\\d*)``, when the examples show zeros being dropped (different numbers of them);
  when every example has the same number of zeros and the same width, that run could as well
  be a fixed-width field whose first digits happen to be zeros: both readings are offered,
  positional first, and :func:`reading` says ``ambiguous`` so that the caller asks for the
  one swipe that tells them apart.

Fixed text before the id is kept as written, varying text becomes a character class with its
width. Patterns come in the order to try them; the caller checks each on the examples.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Literal

_LONGEST_LITERAL_RUN = 8


@dataclass(frozen=True, slots=True)
class Example:
    """One (swipe, card_id) pair: the raw swipe, its cleaned text, the card_id typed."""

    raw: str
    cleaned: str
    card_id: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """Where a pair's card_id comes from: ``cleaned[start:end]``, and the zeros that may pad
    it (all the text of its run before it, when that is nothing but zeros)."""

    start: int
    end: int
    zeros: int = 0


#: How the examples' ids sit in their runs (see the module's description).
Reading = Literal["delimited", "padded", "ambiguous", "positional"]


def is_run_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


def run_around(text: str, start: int, end: int) -> tuple[int, int]:
    """The run of letters/digits holding ``text[start:end]``: (first index, end index)."""
    first, last = start, end
    while first > 0 and is_run_char(text[first - 1]):
        first -= 1
    while last < len(text) and is_run_char(text[last]):
        last += 1
    return first, last


def padding_zeros(text: str, start: int, end: int) -> int:
    """How many zeros pad the id at ``text[start:end]``: the text of its run before it when
    that is nothing but zeros (and the id a number not starting with 0), else 0."""
    card_id = text[start:end]
    if not card_id.isascii() or not card_id.isdigit() or card_id.startswith("0"):
        return 0
    first, _ = run_around(text, start, end)
    before = text[first:start]
    return len(before) if before and not before.strip("0") else 0


def reading(examples: Sequence[Example], combo: Sequence[Candidate]) -> Reading:
    """How the ids of one choice of candidates sit in their runs."""
    befores: list[int] = []
    ends_run = True
    for example, candidate in zip(examples, combo, strict=True):
        first, last = run_around(example.cleaned, candidate.start, candidate.end)
        befores.append(candidate.start - first)
        ends_run = ends_run and last == candidate.end
    if not ends_run:
        return "positional"
    if not any(befores):
        return "delimited"
    if not all(candidate.zeros == before for candidate, before in zip(combo, befores, strict=True)):
        return "positional"  # other text than zeros before some id: a fixed layout
    widths = {candidate.end - candidate.start for candidate in combo}
    if len(set(befores)) > 1 or len(widths) > 1:
        return "padded"  # the examples show zeros being dropped
    return "ambiguous"


def _char_class(values: Sequence[str]) -> str:
    chars = set("".join(values))
    for allowed, regex in (
        (set("0123456789"), r"\d"),
        (set("0123456789ABCDEF"), "[0-9A-F]"),
        (set("0123456789abcdef"), "[0-9a-f]"),
        (set("0123456789ABCDEFabcdef"), "[0-9A-Fa-f]"),
        (set("ABCDEFGHIJKLMNOPQRSTUVWXYZ"), "[A-Z]"),
        (set("abcdefghijklmnopqrstuvwxyz"), "[a-z]"),
        (set("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"), "[0-9A-Z]"),
    ):
        if chars <= allowed:
            return regex
    if all(is_run_char(char) for char in chars):
        return "[0-9A-Za-z]"
    return _bracket(chars)


def _bracket(chars: set[str]) -> str:
    """A regex character class of exactly these characters."""
    return "[" + "".join(re.escape(char) for char in sorted(chars)) + "]"


def _width(values: Sequence[str], open_ended: bool = False) -> str:
    lengths = {len(value) for value in values}
    if len(lengths) == 1:
        (length,) = lengths
        return "" if length == 1 else f"{{{length}}}"
    if open_ended:
        return "+" if min(lengths) > 0 else "*"
    return f"{{{min(lengths)},{max(lengths)}}}"


def _generalise_run(values: Sequence[str], allow_literal: bool) -> str:
    """One regex for the runs of letters/digits found at the same place in every example."""
    if not any(values):
        return ""
    if allow_literal and len(set(values)) == 1 and len(values[0]) <= _LONGEST_LITERAL_RUN:
        return re.escape(values[0])
    if not all(values):
        return f"{_char_class([v for v in values if v])}{_width(values, open_ended=True)}"
    return f"{_char_class(values)}{_width(values)}"


def _generalise_delimiter(values: Sequence[str | None], edge: str) -> str | None:
    """The regex for the delimiters (None = start/end of text) at one place, or None."""
    if all(value is None for value in values):
        return edge
    if any(value is None for value in values):
        return None
    chars = {value for value in values if value is not None}
    return re.escape(chars.pop()) if len(chars) == 1 else _bracket(chars)


def _context_tokens(
    text: str, position: int, step: int, levels: int
) -> list[tuple[str, str | None]]:
    """(run, delimiter) pairs walking away from ``position`` (step -1: left, +1: right)."""
    tokens: list[tuple[str, str | None]] = []
    index = position
    for _ in range(levels):
        if step < 0:
            stop = index
            while stop > 0 and is_run_char(text[stop - 1]):
                stop -= 1
            run = text[stop:index]
            delimiter = text[stop - 1] if stop > 0 else None
            index = stop - 1
        else:
            stop = index
            while stop < len(text) and is_run_char(text[stop]):
                stop += 1
            run = text[index:stop]
            delimiter = text[stop] if stop < len(text) else None
            index = stop + 1
        tokens.append((run, delimiter))
        if delimiter is None:
            break
    return tokens


def _context(
    examples: Sequence[Example],
    positions: Sequence[int],
    step: int,
    levels: int,
) -> str | None:
    """Generalised context on one side of the field, ``levels`` delimiters deep, or None."""
    per_example = [
        _context_tokens(example.cleaned, position, step, levels)
        for example, position in zip(examples, positions, strict=True)
    ]
    depth = min(len(tokens) for tokens in per_example)
    parts: list[str] = []
    for level in range(depth):
        runs = [tokens[level][0] for tokens in per_example]
        delimiters = [tokens[level][1] for tokens in per_example]
        # Fixed text is kept as written before the id; after it, data varies (check digits,
        # issue codes, expiry dates), so only its shape is kept.
        run = _generalise_run(runs, allow_literal=step < 0)
        delimiter = _generalise_delimiter(delimiters, "^" if step < 0 else "$")
        if delimiter is None:
            return None
        if step < 0:
            parts.insert(0, delimiter + run)
        else:
            parts.append(run + delimiter)
        if any(value is None for value in delimiters):
            break
    return "".join(parts)


def padding_question(examples: Sequence[Example], combo: Sequence[Candidate]) -> str:
    """For an ``ambiguous`` reading: the two readings, what a telling swipe looks like, and
    which reading the suggested rule took (the fixed field)."""
    example, candidate = examples[0], combo[0]
    card_id = example.cleaned[candidate.start : candidate.end]
    zeros, width = candidate.zeros, len(card_id)
    telling = "0" * (zeros + 1) + card_id[1:]
    return (
        f"These pairs fit two readings: each card_id is a zero-padded number in a "
        f"{zeros + width}-digit run (a card showing {telling} would be "
        f"{card_id[1:].lstrip('0') or '0'}), or a fixed {width}-digit field after "
        f"{zeros} zero{'s' if zeros > 1 else ''} (that card would be 0{card_id[1:]}). "
        f"The rule takes the fixed field. To settle it, add the pair of one card whose number "
        f"has fewer than {width} digits (its swipe has more zeros in front, like {telling}), "
        "with the card_id your export has for it, and run this again."
    )


def _field(values: Sequence[str], padded: bool, open_ended: bool) -> str:
    if padded:
        return r"([1-9]\d*)"
    if open_ended:
        return f"({_char_class(values)}+)"
    return f"({_char_class(values)}{_width(values, open_ended=True)})"


def patterns(
    examples: Sequence[Example], combo: Sequence[Candidate]
) -> Iterator[tuple[str, bool]]:
    """Candidate patterns for one choice of field per example, in the order to try them: for
    a delimited id, any width first; for padded ids, the zeros as padding first; for an
    ambiguous run, the positional reading first (it keeps every digit), then the padded one.
    Each comes with True when it reads the zeros as padding."""
    seen: set[str] = set()
    how = reading(examples, combo)
    options: tuple[tuple[bool, bool], ...]  # (zeros as padding, any width)
    if how == "delimited":
        options = ((False, True), (False, False))
    elif how == "padded":
        options = ((True, False), (False, False))
    elif how == "ambiguous":
        options = ((False, False), (True, False))
    else:
        options = ((False, False),)
    for padded, open_ended in options:
        for pattern in _patterns_for(examples, combo, padded, open_ended):
            if pattern not in seen:
                seen.add(pattern)
                yield pattern, padded


def _patterns_for(
    examples: Sequence[Example], combo: Sequence[Candidate], padded: bool, open_ended: bool
) -> Iterator[str]:
    values = [ex.cleaned[c.start : c.end] for ex, c in zip(examples, combo, strict=True)]
    lefts = [c.start - c.zeros if padded else c.start for c in combo]
    rights = [c.end for c in combo]
    fixed_width = len({len(value) for value in values}) == 1 and not padded and not open_ended
    field = _field(values, padded, open_ended)
    padding = "0*" if padded else ""
    right_runs_empty = all(
        c.end >= len(ex.cleaned) or not is_run_char(ex.cleaned[c.end])
        for ex, c in zip(examples, combo, strict=True)
    )
    for levels in (1, 2, 3):
        left = _context(examples, lefts, -1, levels)
        if left is None:
            continue
        right_options: list[str | None] = []
        if fixed_width and not right_runs_empty:
            right_options.append("")
        right_options.append(_context(examples, rights, +1, 1))
        if levels > 1:
            right_options.append(_context(examples, rights, +1, levels))
        for right in right_options:
            if right is not None:
                yield f"{left}{padding}{field}{right}"
