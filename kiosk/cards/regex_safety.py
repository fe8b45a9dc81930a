"""Proving that Python's backtracking ``re`` searches a pattern in time linear in the text.

``re.search`` tries the pattern at each position of the text in turn and backtracks within
each try. Its total time is linear in the text when one of these holds (anything else is
left to RE2, which is always linear):

1. **Bounded**: no repeat without an upper count, and the ways a try can go (alternatives
   times counts, multiplied out) times the longest match stay under a small budget. Each try
   then costs at most a constant, whatever the text.
2. **Deterministic and self-synchronising**: in the pattern's position automaton (Glushkov's
   construction, bounded repeats written out copy by copy), the characters each position can
   be followed by never overlap, so a try never has two ways to take the next character and
   costs a constant per character it reads; and either the pattern is anchored at the start
   of the text (``^``, ``\\A``: only the first try reads anything), or no character that can
   start a match can appear later in one (``;`` in ``;(\\d+)=``) except as the character that
   completes it (``=`` in ``=(\\d+)=``: reading it ends the search), so the characters read
   by different tries do not overlap and all tries together read the text about once.

Zero-width assertions are left out of the automaton, which only adds ways to go (the check
stays on the safe side), and a repeat whose body can match nothing is never proved.
"""

from __future__ import annotations

from kiosk.cards.regex_tree import (
    Alternation,
    Assertion,
    Atom,
    Group,
    Node,
    Ranges,
    Repeat,
    Sequence,
    intersects,
    normalise,
)

#: Largest (ways a try can go) x (longest match + 1) accepted as bounded.
BOUNDED_WORK = 2_000
#: Largest position automaton built (bounded repeats are written out copy by copy).
MAX_POSITIONS = 1_000


class _NotProved(Exception):
    pass


def _bounded_work(node: Node) -> tuple[int, int]:
    """(ways a try can go, longest match); _NotProved past the budget or when unbounded."""
    if isinstance(node, Atom):
        return 1, 1
    if isinstance(node, Assertion):
        return 1, 0
    if isinstance(node, Group):
        return _bounded_work(node.body)
    if isinstance(node, Sequence | Alternation):
        parts = [_bounded_work(item) for item in _children(node)]
        if isinstance(node, Sequence):
            ways, longest = 1, 0
            for part_ways, part_longest in parts:
                ways, longest = ways * part_ways, longest + part_longest
        else:
            ways = sum(part_ways for part_ways, _ in parts)
            longest = max((part_longest for _, part_longest in parts), default=0)
    else:
        if node.most is None:
            raise _NotProved
        body_ways, body_longest = _bounded_work(node.body)
        ways, power = 0, body_ways**node.least if node.least <= BOUNDED_WORK else BOUNDED_WORK + 1
        for _count in range(node.least, node.most + 1):
            ways += power
            if ways > BOUNDED_WORK:
                raise _NotProved
            power *= body_ways
        longest = body_longest * node.most
    if ways > BOUNDED_WORK or ways * (longest + 1) > BOUNDED_WORK:
        raise _NotProved
    return ways, longest


def _children(node: Sequence | Alternation) -> tuple[Node, ...]:
    return node.items if isinstance(node, Sequence) else node.branches


# What a sub-pattern contributes to the automaton: (can match nothing, first, last positions).
_Part = tuple[bool, frozenset[int], frozenset[int]]
_EMPTY: _Part = (True, frozenset(), frozenset())


class _Automaton:
    def __init__(self) -> None:
        self.chars: list[Ranges] = []
        self.follow: list[set[int]] = []

    def position(self, chars: Ranges) -> int:
        if len(self.chars) >= MAX_POSITIONS:
            raise _NotProved
        self.chars.append(chars)
        self.follow.append(set())
        return len(self.chars) - 1

    def then(self, left: _Part, right: _Part) -> _Part:
        for position in left[2]:
            self.follow[position].update(right[1])
        first = left[1] | right[1] if left[0] else left[1]
        last = right[2] | left[2] if right[0] else right[2]
        return left[0] and right[0], first, last

    def build(self, node: Node) -> _Part:
        if isinstance(node, Atom):
            position = frozenset((self.position(node.chars),))
            return False, position, position
        if isinstance(node, Assertion):
            return _EMPTY
        if isinstance(node, Group):
            return self.build(node.body)
        if isinstance(node, Sequence):
            part = _EMPTY
            for item in node.items:
                part = self.then(part, self.build(item))
            return part
        if isinstance(node, Alternation):
            parts = [self.build(branch) for branch in node.branches]
            return (
                any(part[0] for part in parts),
                frozenset().union(*(part[1] for part in parts)),
                frozenset().union(*(part[2] for part in parts)),
            )
        return self.repeat(node)

    def repeat(self, node: Repeat) -> _Part:
        part = _EMPTY
        for _ in range(node.least):
            part = self.then(part, self.body(node))
        if node.most is None:
            looped = self.body(node)
            for position in looped[2]:
                self.follow[position].update(looped[1])
            return self.then(part, (True, looped[1], looped[2]))
        # Optional copies nested, (X(X(X)?)?)?, as backtracking tries them: one way per count.
        optional = _EMPTY
        for _ in range(node.most - node.least):
            copy = self.body(node)
            inner = self.then(copy, optional)
            optional = (True, inner[1], inner[2])
        return self.then(part, optional)

    def body(self, node: Repeat) -> _Part:
        part = self.build(node.body)
        if part[0]:  # a body that can match nothing: backtracking may loop over empties
            raise _NotProved
        return part


def _disjoint(sets: list[Ranges]) -> bool:
    ranges = sorted(pair for chars in sets for pair in chars)
    return all(earlier[1] < later[0] for earlier, later in zip(ranges, ranges[1:], strict=False))


def _anchored(node: Node) -> bool:
    """True when every match must start at the start of the text."""
    if isinstance(node, Assertion):
        return node.kind == "begin"
    if isinstance(node, Group):
        return _anchored(node.body)
    if isinstance(node, Sequence):
        return bool(node.items) and _anchored(node.items[0])
    if isinstance(node, Alternation):
        return bool(node.branches) and all(_anchored(branch) for branch in node.branches)
    return False


def _has_assertion(node: Node) -> bool:
    if isinstance(node, Assertion):
        return True
    if isinstance(node, Group | Repeat):
        return _has_assertion(node.body)
    if isinstance(node, Sequence | Alternation):
        return any(_has_assertion(item) for item in _children(node))
    return False


def _deterministic(node: Node) -> bool:
    automaton = _Automaton()
    _, first, last = automaton.build(node)
    chars = automaton.chars
    if not _disjoint([chars[position] for position in first]):
        return False
    for follow in automaton.follow:
        if not _disjoint([chars[position] for position in follow]):
            return False
    if _anchored(node):
        return True
    # Reading a character that ends every match there (the last position, nothing after it,
    # no assertion that could still fail) ends the search: it may be a starting character.
    ending = set() if _has_assertion(node) else {p for p in last if not automaton.follow[p]}
    later = normalise(
        [
            pair
            for follow in automaton.follow
            for p in follow
            if p not in ending
            for pair in chars[p]
        ]
    )
    starting = normalise([pair for position in first for pair in chars[position]])
    return not intersects(starting, later)


def runs_in_linear_time(node: Node) -> bool:
    """True when ``re.search`` with this pattern is proved linear in the text's length."""
    try:
        _bounded_work(node)
        return True
    except _NotProved:
        pass
    try:
        return _deterministic(node)
    except _NotProved:
        return False
