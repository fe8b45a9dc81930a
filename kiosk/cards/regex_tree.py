"""A rule pattern as a small tree of exact character sets, read with Python's own regex parser.

Reading patterns with Python's parser keeps every existing rules file meaning what it meant.
The tree spells out what each character position accepts as code point ranges (``\\d`` is
``0-9``: classes are ASCII, as in RE2), so :mod:`kiosk.cards.rule_regex` can write it out for
RE2 with the same meaning and :mod:`kiosk.cards.regex_safety` can reason about it.

Features a linear-time engine cannot run are refused here with :class:`UnsupportedFeature`,
whose message names the feature and says what to write instead.
"""

from __future__ import annotations

import re
import re._constants as sre  # the parser's node names (private, stable since Python 3.11)
import re._parser as sre_parse
import warnings
from dataclasses import dataclass
from typing import Any

#: Code point ranges ``(first, last)``, sorted, neither overlapping nor touching.
Ranges = tuple[tuple[int, int], ...]

MAX_CODE_POINT = 0x10FFFF
#: The largest repetition count RE2 accepts (also for nested counts multiplied together).
MAX_COUNT = 1000

_WHY = "rules run in a linear-time engine so that no swipe can freeze the kiosk"


class UnsupportedFeature(ValueError):
    """A pattern uses a feature card rules do not support; the message is one sentence."""


def unsupported(feature: str, instead: str) -> UnsupportedFeature:
    return UnsupportedFeature(f"{feature} is not supported in card rules: {_WHY}; {instead}")


@dataclass(frozen=True, slots=True)
class Atom:
    """One character from ``chars``."""

    chars: Ranges


@dataclass(frozen=True, slots=True)
class Assertion:
    """A zero-width test: ``begin`` (``\\A``), ``begin_line``, ``end`` (``$``: the end of the
    text, or before a newline ending it), ``end_line``, ``end_text`` (``\\Z``),
    ``boundary`` (``\\b``), ``not_boundary`` (``\\B``)."""

    kind: str


@dataclass(frozen=True, slots=True)
class Sequence:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Alternation:
    branches: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Group:
    """A capturing group (``number``) or a plain one (``None``)."""

    number: int | None
    body: Node


@dataclass(frozen=True, slots=True)
class Repeat:
    """``body`` from ``least`` to ``most`` times (``most`` None: no limit)."""

    least: int
    most: int | None
    lazy: bool
    body: Node


Node = Atom | Assertion | Sequence | Alternation | Group | Repeat


@dataclass(frozen=True, slots=True)
class ParsedPattern:
    tree: Node
    groups: int
    groupindex: dict[str, int]


# ---------------------------------------------------------------- character sets


def normalise(ranges: list[tuple[int, int]]) -> Ranges:
    merged: list[tuple[int, int]] = []
    for first, last in sorted(ranges):
        if merged and first <= merged[-1][1] + 1:
            if last > merged[-1][1]:
                merged[-1] = (merged[-1][0], last)
        else:
            merged.append((first, last))
    return tuple(merged)


def complement(ranges: Ranges) -> Ranges:
    result: list[tuple[int, int]] = []
    start = 0
    for first, last in ranges:
        if first > start:
            result.append((start, first - 1))
        start = last + 1
    if start <= MAX_CODE_POINT:
        result.append((start, MAX_CODE_POINT))
    return tuple(result)


def intersects(left: Ranges, right: Ranges) -> bool:
    i = j = 0
    while i < len(left) and j < len(right):
        if left[i][1] < right[j][0]:
            i += 1
        elif right[j][1] < left[i][0]:
            j += 1
        else:
            return True
    return False


def _case_folded(ranges: Ranges) -> Ranges:
    """The ranges plus the other case of each ASCII letter in them (Python's ASCII
    IGNORECASE: only ASCII letters have another case)."""
    extra = list(ranges)
    for first, last in ranges:
        for low, high, shift in ((97, 122, -32), (65, 90, 32)):
            start, end = max(first, low), min(last, high)
            if start <= end:
                extra.append((start + shift, end + shift))
    return normalise(extra)


_NEWLINE: Ranges = ((10, 10),)
_CATEGORIES: dict[Any, Ranges] = {
    sre.CATEGORY_DIGIT: ((48, 57),),
    sre.CATEGORY_SPACE: ((9, 13), (32, 32)),
    sre.CATEGORY_WORD: ((48, 57), (65, 90), (95, 95), (97, 122)),
}
_CATEGORIES[sre.CATEGORY_NOT_DIGIT] = complement(_CATEGORIES[sre.CATEGORY_DIGIT])
_CATEGORIES[sre.CATEGORY_NOT_SPACE] = complement(_CATEGORIES[sre.CATEGORY_SPACE])
_CATEGORIES[sre.CATEGORY_NOT_WORD] = complement(_CATEGORIES[sre.CATEGORY_WORD])


def _set_chars(items: list[tuple[Any, Any]], folded: bool) -> Ranges:
    negate = bool(items) and items[0][0] is sre.NEGATE
    ranges: list[tuple[int, int]] = []
    for op, value in items[1:] if negate else items:
        if op is sre.LITERAL:
            ranges.append((value, value))
        elif op is sre.RANGE:
            ranges.append(value)
        elif op is sre.CATEGORY:
            ranges.extend(_CATEGORIES[value])
        else:  # pragma: no cover - the parser makes no other set items
            raise unsupported(f"the set item {op}", "write the characters out")
    chars = normalise(ranges)
    if folded:
        chars = _case_folded(chars)
    return complement(chars) if negate else chars


# ---------------------------------------------------------------- the tree


_LOOKAROUND = {
    (sre.ASSERT, 1): ("lookahead `(?=`", ""),
    (sre.ASSERT_NOT, 1): ("negative lookahead `(?!`", ""),
    (sre.ASSERT, -1): ("lookbehind `(?<=`", ""),
    (sre.ASSERT_NOT, -1): ("negative lookbehind `(?<!`", ""),
}
_AROUND_INSTEAD = "match the text around the card_id instead, e.g. ';(\\d{9})=' not '(?<=;)\\d{9}'"
_PLAIN_INSTEAD = (
    "write the plain form (`*`, `+`, `?`, `(?:...)`): every rule already runs without backtracking"
)
_AT = {
    sre.AT_BEGINNING: ("begin", "begin_line"),
    sre.AT_BEGINNING_STRING: ("begin", "begin"),
    sre.AT_END: ("end", "end_line"),
    sre.AT_END_STRING: ("end_text", "end_text"),
    sre.AT_BOUNDARY: ("boundary", "boundary"),
    sre.AT_NON_BOUNDARY: ("not_boundary", "not_boundary"),
}


def can_match_nothing(node: Node) -> bool:
    """True when ``node`` can match the empty string."""
    if isinstance(node, Atom):
        return False
    if isinstance(node, Assertion):
        return True
    if isinstance(node, Sequence):
        return all(can_match_nothing(item) for item in node.items)
    if isinstance(node, Alternation):
        return any(can_match_nothing(branch) for branch in node.branches)
    if isinstance(node, Group):
        return can_match_nothing(node.body)
    return node.least == 0 or can_match_nothing(node.body)


def _count_text(least: int, most: int) -> str:
    if most == sre.MAXREPEAT:
        return f"{{{least},}}"
    return f"{{{least}}}" if least == most else f"{{{least},{most}}}"


class _Builder:
    def __init__(self) -> None:
        self.depth_product = 1  # counts of the repeats around the current node, multiplied

    def sequence(self, items: Any, flags: int) -> Node:
        nodes = tuple(self.node(op, value, flags) for op, value in items)
        return nodes[0] if len(nodes) == 1 else Sequence(nodes)

    def node(self, op: Any, value: Any, flags: int) -> Node:
        folded = bool(flags & re.IGNORECASE)
        if op is sre.LITERAL:
            chars = normalise([(value, value)])
            return Atom(_case_folded(chars) if folded else chars)
        if op is sre.NOT_LITERAL:
            chars = normalise([(value, value)])
            return Atom(complement(_case_folded(chars) if folded else chars))
        if op is sre.ANY:
            return Atom(((0, MAX_CODE_POINT),) if flags & re.DOTALL else complement(_NEWLINE))
        if op is sre.IN:
            return Atom(_set_chars(value, folded))
        if op is sre.AT:
            plain, multiline = _AT[value]
            return Assertion(multiline if flags & re.MULTILINE else plain)
        if op is sre.BRANCH:
            return Alternation(tuple(self.sequence(branch, flags) for branch in value[1]))
        if op is sre.SUBPATTERN:
            number, add, remove, body = value
            return Group(number, self.sequence(body, (flags | add) & ~remove))
        if op is sre.MAX_REPEAT or op is sre.MIN_REPEAT:
            return self.repeat(op, value, flags)
        if op is sre.POSSESSIVE_REPEAT:
            raise unsupported("a possessive quantifier (`*+`, `++`, `?+`)", _PLAIN_INSTEAD)
        if op is sre.ATOMIC_GROUP:
            raise unsupported("an atomic group `(?>`", _PLAIN_INSTEAD)
        if op is sre.ASSERT or op is sre.ASSERT_NOT:
            feature, _ = _LOOKAROUND[(op, value[0])]
            raise unsupported(feature, _AROUND_INSTEAD)
        if op is sre.GROUPREF:
            raise unsupported(
                "a backreference (`\\1`, `(?P=name)`)",
                "write the text the group matches again instead of referring back to it",
            )
        if op is sre.GROUPREF_EXISTS:
            raise unsupported("a conditional `(?(1)...)`", "write one rule for each layout")
        raise unsupported(f"the construct {op}", "write it another way")  # pragma: no cover

    def repeat(self, op: Any, value: Any, flags: int) -> Node:
        least, most, body = value
        largest = least if most == sre.MAXREPEAT else most
        if largest > MAX_COUNT or largest * self.depth_product > MAX_COUNT:
            raise unsupported(
                f"the repetition count {_count_text(least, most)}"
                + (" inside other counts" if largest <= MAX_COUNT else ""),
                f"keep counts (multiplied, when one repeat is inside another) at most "
                f"{MAX_COUNT}, or use `+`",
            )
        outer = self.depth_product
        self.depth_product = outer * max(largest, 1)
        try:
            inner = self.sequence(body, flags)
        finally:
            self.depth_product = outer
        if (largest > 1 or most == sre.MAXREPEAT) and can_match_nothing(inner):
            raise UnsupportedFeature(
                "a repeated part that can match nothing, such as `(a*)*` or `(?:a?)+`, is "
                "not supported in card rules: regex engines disagree on what it matches, "
                "and it can make one backtrack for minutes; repeat only what reads at "
                "least one character (`a*` rather than `(a*)*`)"
            )
        return Repeat(least, None if most == sre.MAXREPEAT else most, op is sre.MIN_REPEAT, inner)


def parse_pattern(pattern: str) -> ParsedPattern:
    """The tree of ``pattern`` read with ``re.ASCII``; re.error when Python cannot read it,
    UnsupportedFeature when a linear-time engine cannot run it."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", FutureWarning)
        parsed = sre_parse.parse(pattern, re.ASCII)
    if any(issubclass(warning.category, FutureWarning) for warning in caught):
        raise UnsupportedFeature(
            "a character class holding an unescaped `[` or a doubled `--`, `&&`, `~~` or `||` "
            "is not supported in card rules: other regex tools read it as a nested set (such "
            "as `[[:digit:]]`); escape the character (`\\[`, `\\-`) or write `\\d` for digits"
        )
    flags = parsed.state.flags
    tree = _Builder().sequence(parsed, flags)
    return ParsedPattern(tree, parsed.state.groups - 1, dict(parsed.state.groupdict))
