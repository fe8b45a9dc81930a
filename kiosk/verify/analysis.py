"""Verify's analysis: each swipe's verdict, and the roster's card_id findings.

A swipe's text is seen as the rules see it (control characters removed by
:func:`kiosk.cards.clean.clean_swipe`); whether it is refused, misread or noise, and what the
rules extract, comes from :func:`kiosk.cards.parse.decide_swipe` (the same decision as
:func:`~kiosk.cards.parse.parse_swipe`), so verify and the kiosk never disagree.

:func:`swipe_checker` decides one swipe at a time: it is the reference. :func:`verify` checks
a capture's swipes together (:mod:`kiosk.verify.batch`), which gives the same report.
"""

from __future__ import annotations

from collections.abc import Iterable

from drivers.capture import CapturedSwipe
from kiosk.cards.card_ids import CardIdIndex, analyze_card_ids
from kiosk.cards.clean import clean_swipe
from kiosk.cards.parse import SwipeResult, decide_swipe
from kiosk.cards.rules import RuleSet
from kiosk.verify.batch import CAMPUS_PREFIX_HINT as CAMPUS_PREFIX_HINT  # (tests read it here)
from kiosk.verify.batch import SwipeChecker, check_swipes, refused_check
from kiosk.verify.model import MatchedRow, SwipeCheck, SwipeChecks, Verdict, VerifyReport
from kiosk.verify.roster_source import RosterCardIds


def swipe_checker(
    index: CardIdIndex[str],
    rules: RuleSet,
    *,
    rules_given: bool,
    reader: str | None = None,
) -> SwipeChecker:
    """A function ``(line, text) -> SwipeCheck | None`` giving each swipe's verdict against
    one roster and rule set (None for noise: skipped, not counted).

    Everything that is the same for every swipe is looked up once, here: a run checks
    100,000 swipes and most of them take the matched path straight through.
    """
    card_ids_in = index.card_ids_in
    any_in = index.any_in
    lookup = index.lookup

    def check(line: int, text: str) -> SwipeCheck | None:
        cleaned = text if text.isprintable() else clean_swipe(text)
        outcome = decide_swipe(text, cleaned, rules, reader)
        if not isinstance(outcome, SwipeResult):  # a rule gave a card_id (parse_swipe's "ok")
            # As the kiosk (RosterMatcher.match): the rule's card_id, exactly; containment
            # is never asked, so other card_ids inside the swipe do not matter.
            rule, extracted = outcome
            rule_name, message = rule.name, rule.ok_message
            owners = lookup(extracted)
            if len(owners) == 1:
                return SwipeCheck(line, "matched", owners, extracted, rule_name, message)
            found = index.occurrences(cleaned)
            if owners:  # the extracted card_id is several students'
                verdict: Verdict = "ambiguous"
                occurrences = tuple(hit for hit in found if hit.card_id == extracted)
                students = owners
            else:  # nobody's: the rule extracts the wrong part, or the card is not on the roster
                occurrences = tuple(found)
                students = tuple(dict.fromkeys(key for hit in occurrences for key in hit.keys))
                verdict = "rule_mismatch" if students else "unmatched"
            return SwipeCheck(
                line,
                verdict,
                students,
                extracted,
                rule_name,
                message,
                text=cleaned,
                occurrences=occurrences,
            )
        # Not matched by a rule (or decided before the rules): containment, as the kiosk.
        assert isinstance(outcome, SwipeResult)
        status = outcome.status
        if status == "noise":
            return None
        if status == "refused":
            return refused_check(line, outcome, cleaned, any_in)
        message = outcome.message
        card_ids = card_ids_in(cleaned)
        if status != "misread" and len(card_ids) == 1 and not rules_given:
            students = lookup(card_ids[0])
            if len(students) == 1:  # without rules: exactly one student's card_id inside
                return SwipeCheck(line, "matched", students, None, None, message)
        occurrences = tuple(index.occurrences(cleaned))
        students = tuple(dict.fromkeys(key for hit in occurrences for key in hit.keys))
        verdict = _verdict(status, students, rules_given)
        return SwipeCheck(
            line, verdict, students, None, None, message, text=cleaned, occurrences=occurrences
        )

    return check


def check_swipe(
    line: int,
    text: str,
    index: CardIdIndex[str],
    rules: RuleSet,
    *,
    rules_given: bool,
    reader: str | None = None,
) -> SwipeCheck | None:
    """The verdict on one swipe; None for noise (skipped, not counted)."""
    return swipe_checker(index, rules, rules_given=rules_given, reader=reader)(line, text)


def _verdict(status: str, students: tuple[str, ...], rules_given: bool) -> Verdict:
    """The verdict on a swipe no rule gave a card_id for: the kiosk matches it by containment
    (exactly one student's card_id inside); with rules given, one card_id inside is still a
    rule mismatch (the rules do not cover this card)."""
    if status == "misread":
        return "misread"
    if len(students) > 1:
        return "ambiguous"
    if not students:
        return "unmatched"
    if rules_given:
        return "rule_mismatch"
    return "matched"


def verify(
    roster: RosterCardIds,
    swipes: Iterable[CapturedSwipe] | None = None,
    rules: RuleSet | None = None,
    *,
    reader: str | None = None,
    one_by_one: bool = False,
) -> VerifyReport:
    """Check a roster's card_ids, and (when given) a capture of swipes against them.

    Without ``rules`` the swipes still pass the payment guard (an empty rule set), and a
    swipe matches when exactly one student's card_id is inside it. The swipes are checked
    together (:func:`kiosk.verify.batch.check_swipes`); ``one_by_one`` sends each through
    the per-swipe path instead (the reference: the report is the same, only slower).
    """
    index: CardIdIndex[str] = CardIdIndex(roster.pairs)
    quality = analyze_card_ids(roster.pairs, index)
    checks: list[SwipeCheck | MatchedRow] = []
    noise = 0
    if swipes is not None:
        rule_set = rules if rules is not None else RuleSet.empty()
        rules_given = rules is not None
        check_one = swipe_checker(index, rule_set, rules_given=rules_given, reader=reader)
        if one_by_one:
            for swipe in swipes:
                check = check_one(swipe.line, swipe.text)
                if check is None:
                    noise += 1
                else:
                    checks.append(check)
        else:
            checks, noise = check_swipes(
                swipes,
                index,
                rule_set,
                rules_given=rules_given,
                reader=reader,
                per_swipe=check_one,
            )
    return VerifyReport(
        roster_source=roster.source,
        students=roster.students,
        quality=quality,
        checks=SwipeChecks(checks),
        swipes_given=swipes is not None,
        rules_given=rules is not None,
        noise=noise,
    )
