"""Checking a whole capture at once, with the per-swipe path as the reference.

:func:`kiosk.verify.analysis.swipe_checker` decides one swipe at a time: the payment guard,
noise, misreads, the rules, then the verdict. Most swipes of a capture are *plain*: a
magnetic stripe whose tracks are all readable, printable ASCII only, no masked number and no
number the payment guard would have to look at. For a plain swipe the guard, noise and
misread checks have nothing to say, so that is settled for all swipes together (a few regex
passes over the swipes joined by newlines), and a plain swipe needs only the card_id search,
the owner lookup and the rules (the same :func:`~kiosk.cards.parse.first_rule_hit` the
per-swipe path runs; with rules, the card_id the rule gives is looked up exactly, as the kiosk
does, and no scan is needed). When that makes the swipe ``matched`` (nearly always), its check is
built at once. A printable swipe that is not plain goes first to the payment guard, as the
per-swipe path sends it (its cleaned text is itself): when the guard refuses it (a payment card
by mistake, masked output), its check is the per-swipe path's (:func:`refused_check`, shared).
Anything else goes through the per-swipe path. So both give the same checks by construction;
tests/verify/test_batch.py checks it on generated captures of every kind of swipe.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import accumulate
from operator import add, attrgetter

from drivers.capture import CapturedSwipe
from kiosk.cards.card_ids import CardIdIndex
from kiosk.cards.guard import guard_swipe, payment_number_patterns
from kiosk.cards.parse import MAX_SWIPE_LENGTH, NO_MATCH, SwipeResult, first_rule_hit, refusal
from kiosk.cards.rules import RuleSet
from kiosk.cards.tracks import match_clean_stripe
from kiosk.verify.model import MatchedRow, SwipeCheck

#: ``(line, text) -> SwipeCheck | None`` (None for noise): the per-swipe path.
SwipeChecker = Callable[[int, str], "SwipeCheck | None"]

CAMPUS_PREFIX_HINT = (
    "This swipe was refused as a payment card, yet a roster card_id is inside it: the "
    "school's card-number prefix probably belongs in the rules file's [guard] "
    "campus_prefixes."
)


def refused_check(
    line: int, outcome: SwipeResult, cleaned: str, any_in: Callable[[str], bool]
) -> SwipeCheck:
    """The check of a swipe the guard refused (``outcome``): nothing of its text is kept,
    only the hint when it is refused as a payment card yet a roster card_id (``any_in``)
    is inside it. Encrypted or masked output is a reader setting, not a card-number prefix.
    """
    hint = CAMPUS_PREFIX_HINT if outcome.reason == "payment" and any_in(cleaned) else None
    return SwipeCheck(line, "refused", (), None, None, outcome.message, hint)


# What no plain swipe holds: a character outside printable ASCII (control characters are
# removed before the rules and looked at by the guard; anything else may be binary reader
# output), or '*' (a masked number). The newline is what the swipes are joined with.
_NOT_PLAIN = re.compile(r"[^ -)+-~\n]+")
# Printable ASCII and the newline: the bytes of a capture of printable ASCII swipes joined by
# newlines, all removed by bytes.translate (quicker than str.isprintable over the swipes).
_PRINTABLE_ASCII_OR_NEWLINE = bytes(range(0x20, 0x7F)) + b"\n"

_text_of = attrgetter("text")
_line_of = attrgetter("line")


def not_plain(texts: list[str], campus_prefixes: tuple[str, ...]) -> set[int]:
    """Positions in ``texts`` of the swipes that are not plain as far as characters and
    payment numbers go (whether a swipe is a clean stripe is asked per swipe)."""
    joined = "\n".join(texts)
    found: set[int] = set()
    if joined.count("\n") != len(texts) - 1:  # swipes holding a newline (a control character)
        found.update(position for position, text in enumerate(texts) if "\n" in text)
    patterns = payment_number_patterns(campus_prefixes)
    # The common capture, printable ASCII without '*', is settled by three string methods (a
    # newline inside a swipe, found above, is no character _NOT_PLAIN looks for).
    if not (
        joined.isascii()
        and "*" not in joined
        and not joined.encode("ascii").translate(None, _PRINTABLE_ASCII_OR_NEWLINE)
    ):
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
    campus_prefixes = rules.campus_prefixes
    special = not_plain(texts, campus_prefixes)
    any_in = index.any_in
    clean_stripe = match_clean_stripe
    card_ids_in = index.card_ids_finder()
    owners = index.by_card_id
    owners_of = owners.get
    applicable = rules.rules_for(reader)
    no_rule_message = NO_MATCH.message
    checks: list[SwipeCheck | MatchedRow] = []
    append = checks.append
    noise = 0
    for position, text in enumerate(texts):
        if len(text) > MAX_SWIPE_LENGTH:  # a misread, said by the per-swipe path
            pass
        elif position in special:
            # Maybe a payment card (or not plain ASCII). The per-swipe path's first steps
            # for a printable swipe (its own cleaned text): the length, then the guard,
            # which refuses most of them; the rest go through the per-swipe path.
            if text.isprintable():
                try:
                    refused = guard_swipe(text, text, campus_prefixes)
                except Exception:  # a bug: the per-swipe path reports it
                    refused = None
                if refused is not None:
                    append(refused_check(lines[position], refusal(refused), text, any_in))
                    continue
        elif clean_stripe(text) is not None:
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
                found = card_ids_in(text)
                if len(found) == 1:
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
