"""Generalising example swipes into one regular expression (the heart of ``rules suggest``).

Given, for each example swipe, where its card_id's source text lies, build patterns that keep
what the examples share and generalise what varies: fixed text before the id as written,
varying text as a character class with its width, the id's field as a class with its width,
zeros padding the id as ``0*``. Patterns come most general first; the caller checks each.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

_LONGEST_LITERAL_RUN = 8


@dataclass(frozen=True, slots=True)
class Example:
    """One (swipe, card_id) pair: the raw swipe, its cleaned text, the card_id typed."""

    raw: str
    cleaned: str
    card_id: str


@dataclass(frozen=True, slots=True)
class Candidate:
    """Where a pair's card_id comes from: ``cleaned[start:end]``, and the zeros padding it."""

    start: int
    end: int
    zeros: int = 0


def is_run_char(char: str) -> bool:
    return char.isascii() and char.isalnum()


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


def _field(values: Sequence[str], padded: bool) -> str:
    if padded:
        return r"([1-9]\d*)"
    return f"({_char_class(values)}{_width(values, open_ended=True)})"


def patterns(examples: Sequence[Example], combo: Sequence[Candidate]) -> Iterator[str]:
    """Candidate patterns for one choice of field per example, most general first: with the
    zeros before the ids as padding (when every id has some), then without."""
    seen: set[str] = set()
    paddings = (True, False) if all(c.zeros for c in combo) else (False,)
    for padded in paddings:
        for pattern in _patterns_for(examples, combo, padded):
            if pattern not in seen:
                seen.add(pattern)
                yield pattern


def _patterns_for(
    examples: Sequence[Example], combo: Sequence[Candidate], padded: bool
) -> Iterator[str]:
    values = [ex.cleaned[c.start : c.end] for ex, c in zip(examples, combo, strict=True)]
    lefts = [c.start - c.zeros if padded else c.start for c in combo]
    rights = [c.end for c in combo]
    fixed_width = len({len(value) for value in values}) == 1 and not padded
    field = _field(values, padded)
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
