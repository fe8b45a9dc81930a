"""Checking a whole capture at once, with the per-swipe path as the reference.

:func:`kiosk.verify.analysis.swipe_checker` decides one swipe at a time: the payment guard,
noise, misreads, the rules, then the verdict. Most swipes of a capture are *plain*: a
magnetic stripe whose tracks are all readable, printable ASCII only, no masked number and no
number the payment guard would have to look at. For a plain swipe the guard, noise and
misread checks have nothing to say, so that is settled for all swipes together (a few regex
passes over the swipes joined by newlines), and a plain swipe needs only the automaton scan,
the owner lookup and the rules (the same :func:`~kiosk.cards.parse.first_rule_hit` the
per-swipe path runs; with rules, the card_id the rule gives is looked up exactly, as the kiosk
does, and no scan is needed). When that makes the swipe ``matched`` (nearly always), its check is
built at once; anything else, and every swipe that is not plain, goes through the per-swipe
path. So both give the same checks by construction; tests/verify/test_batch.py checks it on
generated captures of every kind of swipe.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import accumulate
from operator import add, attrgetter, itemgetter

from drivers.capture import CapturedSwipe
from kiosk.cards.card_ids import CardIdIndex
from kiosk.cards.guard import payment_number_patterns
from kiosk.cards.parse import MAX_SWIPE_LENGTH, NO_MATCH, first_rule_hit
from kiosk.cards.rules import RuleSet
from kiosk.cards.tracks import match_clean_stripe
from kiosk.verify.model import MatchedRow, SwipeCheck

#: ``(line, text) -> SwipeCheck | None`` (None for noise): the per-swipe path.
SwipeChecker = Callable[[int, str], "SwipeCheck | None"]

# What no plain swipe holds: a character outside printable ASCII (control characters are
# removed before the rules and looked at by the guard; anything else may be binary reader
# output), or '*' (a masked number). The newline is what the swipes are joined with.
_NOT_PLAIN = re.compile(r"[^ -)+-~\n]+")

_text_of = attrgetter("text")
_line_of = attrgetter("line")
_hit_card_id = itemgetter(1)


def not_plain(texts: list[str], campus_prefixes: tuple[str, ...]) -> set[int]:
    """Positions in ``texts`` of the swipes that are not plain as far as characters and
    payment numbers go (whether a swipe is a clean stripe is asked per swipe)."""
    joined = "\n".join(texts)
    found: set[int] = set()
    if joined.count("\n") != len(texts) - 1:  # swipes holding a newline (a control character)
        found.update(position for position, text in enumerate(texts) if "\n" in text)
    patterns = payment_number_patterns(campus_prefixes)
    # The common capture, printable ASCII without '*', is settled by three string methods.
    if not (joined.isascii() and "*" not in joined and "".join(texts).isprintable()):
        patterns = (_NOT_PLAIN, *patterns)
    # No pattern matches a newline, so each match lies inside one swipe; around it, a newline
    # reads as the end of a swipe does (no digit, no character at all). Each pattern alone
    # is the quickest search (a literal to skip to), so they are tried alone first.
    if not any(pattern.search(joined) for pattern in patterns):
        return found
    lengths = accumulate(map(len, texts), initial=0)
    starts = list(map(add, lengths, range(len(texts))))  # one newline between swipes
    # Then one pass of them all, each match running on to the end of its swipe: one match
    # per swipe found, however many of the patterns it has.
    for match in _any_to_line_end(patterns).finditer(joined):
        found.add(bisect_right(starts, match.start()) - 1)
    return found


@lru_cache(maxsize=16)
def _any_to_line_end(patterns: tuple[re.Pattern[str], ...]) -> re.Pattern[str]:
    return re.compile(f"(?:{'|'.join(pattern.pattern for pattern in patterns)})[^\n]*")


def check_swipes(
    swipes: Iterable[CapturedSwipe],
    index: CardIdIndex[str],
    rules: RuleSet,
    *,
    rules_given: bool,
    reader: str | None,
    per_swipe: SwipeChecker,
) -> tuple[list[SwipeCheck | MatchedRow], int]:
    """Each swipe's check (noise left out) and how many were noise: the same as
    ``per_swipe(swipe.line, swipe.text)`` for each swipe, in order, except that a swipe
    matched here is kept as a :data:`~kiosk.verify.model.MatchedRow`.

    ``per_swipe`` must be the swipe checker of this index, rule set, ``rules_given`` and
    ``reader`` (with ``rules_given`` False, ``rules`` has no rules and no campus prefixes).
    """
    captured = swipes if isinstance(swipes, list) else list(swipes)
    texts: list[str] = list(map(_text_of, captured))
    lines: list[int] = list(map(_line_of, captured))
    special = not_plain(texts, rules.campus_prefixes)
    clean_stripe = match_clean_stripe
    hits_in = index.hit_finder()
    owners = index.by_card_id
    owners_of = owners.get
    applicable = rules.rules_for(reader)
    no_rule_message = NO_MATCH.message
    checks: list[SwipeCheck | MatchedRow] = []
    append = checks.append
    noise = 0
    for position, text in enumerate(texts):
        if (
            position not in special
            and len(text) <= MAX_SWIPE_LENGTH  # longer: a misread, said by the per-swipe path
            and clean_stripe(text) is not None
        ):
            # A plain swipe: the per-swipe path's guard, noise and misread checks pass it,
            # and its text is its cleaned text. With rules, matched as the kiosk matches:
            # the first rule that gives a card_id gives exactly one student's (whatever else
            # is inside). Without rules: exactly one student's card_id is inside.
            if rules_given:
                try:
                    hit = first_rule_hit(text, applicable)
                except Exception:  # a transform's bug: the per-swipe path reports it
                    hit = None
                if hit is not None:
                    rule, card_id = hit
                    students = owners_of(card_id, ())
                    if len(students) == 1:
                        append((lines[position], students, card_id, rule.name, rule.ok_message))
                        continue
            else:
                found = list(map(_hit_card_id, hits_in(text)))
                if len(found) == 1 or (len(found) == 2 and found[0] == found[1]):
                    students = owners[found[0]]
                    if len(students) == 1:
                        append((lines[position], students, None, None, no_rule_message))
                        continue
        check = per_swipe(lines[position], text)
        if check is None:
            noise += 1
        else:
            append(check)
    return checks, noise
