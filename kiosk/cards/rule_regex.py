"""Compiling a rule's pattern so that no swipe can make its search take more than linear time.

Python's ``re`` backtracks: a pattern such as ``(a+)+$`` takes minutes on 31 characters. So
every pattern is read with Python's parser (:mod:`kiosk.cards.regex_tree`: a rules file
means what it always meant, with ASCII classes), a feature a linear-time engine cannot run
is refused with a sentence, and the pattern is compiled with RE2 (google-re2), whose search
time is linear in the text whatever the pattern, from the tree written out with every
character set spelt as code points, so both engines find the same matches.

RE2 costs a few microseconds a call from Python, ``re`` a fraction of one, so when
:func:`kiosk.cards.regex_safety.runs_in_linear_time` proves that backtracking is harmless
for a pattern (all the usual card layouts), ``re`` searches instead.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal, Protocol

import re2

from kiosk.cards.regex_safety import runs_in_linear_time
from kiosk.cards.regex_tree import (
    MAX_CODE_POINT,
    Alternation,
    Assertion,
    Atom,
    Group,
    Node,
    Ranges,
    Sequence,
    UnsupportedFeature,
    parse_pattern,
    unsupported,
)


class MatchLike(Protocol):
    """What the rules read of a match (``re.Match`` and RE2's match both have it)."""

    def group(self, group: int, /) -> str | None: ...

    def span(self, group: int, /) -> tuple[int, int]: ...


Search = Callable[[str], "MatchLike | None"]


@dataclass(frozen=True, slots=True)
class RulePattern:
    """A compiled rule pattern: ``search(text)`` finds the first match, in linear time."""

    search: Search
    groups: int
    groupindex: Mapping[str, int]
    engine: Literal["re", "re2"]


def _options() -> re2.Options:
    options = re2.Options()
    options.log_errors = False  # RE2 would print refusals on stderr, where the screen is
    return options


_RE2_OPTIONS = _options()
#: The largest RE2 program accepted: RE2's time is linear in the text, times (at worst) the
#: program's size, so this keeps the slowest search of the longest swipe to a fraction of a
#: second. The usual card layouts need well under 100.
MAX_PROGRAM_SIZE = 5_000
_TOO_LARGE = "use `+` or smaller counts instead of long repetitions such as `.{1000}`"


# ---------------------------------------------------------------- writing RE2 syntax


def _char(code: int) -> str:
    char = chr(code)
    return char if char.isascii() and char.isalnum() else f"\\x{{{code:x}}}"


def _chars(ranges: Ranges) -> str:
    if not ranges:
        return f"[^\\x{{0}}-\\x{{{MAX_CODE_POINT:x}}}]"  # matches nothing
    if len(ranges) == 1 and ranges[0][0] == ranges[0][1]:
        return _char(ranges[0][0])
    parts = (
        _char(first) if first == last else f"{_char(first)}-{_char(last)}" for first, last in ranges
    )
    return "[" + "".join(parts) + "]"


_ASSERTIONS = {
    "begin": "\\A",
    "begin_line": "(?m:^)",
    # Python's `$` is also true before a newline ending the text; rules search cleaned
    # swipes, which hold no newline, so the end of the text is all that is left of it.
    "end": "\\z",
    "end_line": "(?m:$)",
    "end_text": "\\z",
    "boundary": "\\b",
    "not_boundary": "\\B",
}


def to_re2(node: Node) -> str:
    """RE2 syntax with no flags and explicit character sets for a pattern tree."""
    if isinstance(node, Atom):
        return _chars(node.chars)
    if isinstance(node, Assertion):
        return _ASSERTIONS[node.kind]
    if isinstance(node, Sequence):
        return "".join(to_re2(item) for item in node.items)
    if isinstance(node, Alternation):
        return "(?:" + "|".join(to_re2(branch) for branch in node.branches) + ")"
    if isinstance(node, Group):
        return ("(" if node.number is not None else "(?:") + to_re2(node.body) + ")"
    most = "" if node.most is None else str(node.most)
    count = f"{{{node.least},{most}}}"
    return f"(?:{to_re2(node.body)}){count}{'?' if node.lazy else ''}"


def _re2_search(compiled: re2._Regexp) -> Search:
    search = compiled.search

    def search_text(text: str) -> MatchLike | None:
        try:
            return search(text)
        except UnicodeEncodeError:  # a lone surrogate: no reader sends that as a card
            return None

    return search_text


@lru_cache(maxsize=512)  # rules suggest tries many candidates, staff mode reloads files
def compile_rule_pattern(pattern: str) -> RulePattern:
    """``pattern`` compiled for rules; re.error when Python cannot read it,
    UnsupportedFeature (one sentence) when it uses what a linear-time engine cannot run."""
    parsed = parse_pattern(pattern)  # first: it refuses what re.compile would only warn about
    python = re.compile(pattern, re.ASCII)
    try:
        compiled = re2.compile(to_re2(parsed.tree), _RE2_OPTIONS)
    except re2.error:
        raise unsupported("a pattern this large", _TOO_LARGE) from None
    if compiled.programsize > MAX_PROGRAM_SIZE:
        raise unsupported("a pattern this large", _TOO_LARGE)
    if runs_in_linear_time(parsed.tree):
        return RulePattern(python.search, parsed.groups, parsed.groupindex, "re")
    return RulePattern(_re2_search(compiled), parsed.groups, parsed.groupindex, "re2")


__all__ = ["MatchLike", "RulePattern", "UnsupportedFeature", "compile_rule_pattern", "to_re2"]
