"""Turn one swipe into a SwipeResult: guard first, then noise, misreads, and the rules.

``parse_swipe`` never raises, whatever the input. With ``RuleSet.empty()`` a clean readable
swipe is ``no_match``. A refused swipe keeps nothing: no card_id, and a message that never
contains any of its text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal, NamedTuple

from kiosk.cards.clean import clean_swipe
from kiosk.cards.guard import ENCRYPTED_MESSAGE, PAYMENT_MESSAGE, GuardVerdict, guard_swipe
from kiosk.cards.parity_misread import fails_parity, parity_failure
from kiosk.cards.rules import Rule, RuleMatch, RuleSet
from kiosk.cards.tracks import (
    NOT_MAGSTRIPE,
    START_SENTINELS,
    Tracks,
    match_clean_stripe,
    parse_tracks,
)

SwipeStatus = Literal["ok", "no_match", "misread", "noise", "refused"]

# MagTek sign-on message after the port opens: 2108 88 xx A nn.
_MAGTEK_SIGN_ON = re.compile(r"210888[0-9A-Z]{2}A\d{2}")
# A ';…?' track typed through the wrong keyboard layout: ';' arrives as '<', '?' as '_'.
_WRONG_LAYOUT = re.compile(r"<[0-9<>=)]+_.?")
# An insertion reader's card-present notice is only its sensor digit once framing is removed.
_SENSOR_DIGITS = ("0", "1")
#: The longest swipe looked at: a magnetic stripe holds about 250 characters, a QR code a few
#: hundred; anything longer is a reader fault (or a flood of keys), a misread before any check.
MAX_SWIPE_LENGTH = 4096


class SwipeResult(NamedTuple):
    """What a swipe means: ``status``, the card_id and rule when ``ok``, and a message for staff.

    ``reason`` narrows the status down (e.g. ``payment``, ``encrypted``, ``partial``,
    ``all_failed``, ``bad_characters``, ``bad_lrc``, ``trailing``, ``wrong_layout``,
    ``empty``, ``sign_on``, ``card_present``); it never holds card data. (A named tuple: one
    is made for every swipe, and a tuple is made several times faster than a frozen
    dataclass.)
    """

    status: SwipeStatus
    card_id: str | None
    rule: str | None
    message: str
    reason: str | None = None


REFUSED_PAYMENT = SwipeResult("refused", None, None, PAYMENT_MESSAGE, "payment")
REFUSED_ENCRYPTED = SwipeResult("refused", None, None, ENCRYPTED_MESSAGE, "encrypted")
NOISE_EMPTY = SwipeResult("noise", None, None, "Nothing but control characters: ignored.", "empty")
NOISE_SIGN_ON = SwipeResult(
    "noise", None, None, "The reader's sign-on message, not a card: ignored.", "sign_on"
)
NOISE_CARD_PRESENT = SwipeResult(
    "noise", None, None, "A reader's card-present notice, not a card: ignored.", "card_present"
)
MISREAD = {
    "all_failed": SwipeResult(
        "misread", None, None, "No track could be read; please swipe again.", "all_failed"
    ),
    "partial": SwipeResult(
        "misread", None, None, "Only part of the card was read; please swipe again.", "partial"
    ),
    "bad_characters": SwipeResult(
        "misread",
        None,
        None,
        "Other keys were mixed into the swipe; please swipe again without typing.",
        "bad_characters",
    ),
    "bad_lrc": SwipeResult(
        "misread",
        None,
        None,
        "The card's check character (LRC) does not match its data; please swipe again.",
        "bad_lrc",
    ),
    "trailing": SwipeResult(
        "misread",
        None,
        None,
        "Stray characters came after the card's data; please swipe again.",
        "trailing",
    ),
    "too_long": SwipeResult(
        "misread",
        None,
        None,
        "Far too long for a card swipe (a reader fault?); please swipe again.",
        "too_long",
    ),
    "wrong_layout": SwipeResult(
        "misread",
        None,
        None,
        "The reader seems to type with a different keyboard layout; "
        "staff: set the reader (or its configured layout) to US.",
        "wrong_layout",
    ),
    "bad_parity": SwipeResult(
        "misread", None, None, "The card was not read right; please present it again.", "bad_parity"
    ),
}
NO_MATCH = SwipeResult(
    "no_match",
    None,
    None,
    "No card rule matched this swipe; staff can write one with 'kiosk rules suggest'.",
    "no_rule",
)
# SwipeResult(...) without its Python-level __new__, for the one made for every ok swipe.
_new_tuple = tuple.__new__
INTERNAL_ERROR = SwipeResult(
    "misread", None, None, "The swipe could not be processed; please swipe again.", "error"
)
# What a stripe starts with, as one-character strings (cleaned[:1] is "" for an empty swipe).
_STRIPE_STARTS = frozenset(START_SENTINELS)
# The misreads a rule with ``trailing_text = true`` may overrule (see tracks.Tracks.stray).
_STRAY_REASONS = frozenset(("trailing", "bad_lrc", "partial"))


def refusal(verdict: GuardVerdict) -> SwipeResult:
    """The result of a swipe the payment guard refused (``guard_swipe``'s verdict)."""
    return REFUSED_PAYMENT if verdict == "payment" else REFUSED_ENCRYPTED


def _misread_or_noise(cleaned: str) -> SwipeResult | None:
    """For a swipe the guard let through that is not a clean stripe: the misread or noise
    it is (a stripe's track problem, control characters only, a reader's notice, another
    keyboard layout), or None when the rules decide."""
    if cleaned and cleaned[0] in START_SENTINELS:
        # A magnetic stripe: it starts with no space, no digit and no '<', so it is none of
        # the notices below; only its tracks can be a problem.
        problem = parse_tracks(cleaned).problem
        return None if problem is None else MISREAD[problem]
    stripped = cleaned.strip()
    if not stripped:
        return NOISE_EMPTY
    if len(stripped) == 1 and stripped in _SENSOR_DIGITS:
        return NOISE_CARD_PRESENT
    if stripped.startswith("210888") and _MAGTEK_SIGN_ON.fullmatch(stripped):
        return NOISE_SIGN_ON
    if stripped[0] == "<" and _WRONG_LAYOUT.fullmatch(stripped):
        return MISREAD["wrong_layout"]
    return None


#: What :func:`decide_swipe` gives for a swipe a rule matched: the rule and the card_id.
RuleHit = tuple[Rule, str]


def _stray_text_hit(cleaned: str, rules: tuple[Rule, ...]) -> RuleHit | None:
    """For a stripe misread only for what follows its last track: the first rule that takes
    such text (``trailing_text = true``) and gives a card_id, or None."""
    takers = tuple(rule for rule in rules if rule.trailing_text)
    if not takers or parse_tracks(cleaned).stray is None:
        return None
    return first_rule_hit(cleaned, takers)


def first_rule_hit(cleaned: str, rules: tuple[Rule, ...]) -> RuleHit | None:
    """The first of ``rules`` (in order) that gives a card_id for the cleaned swipe, with
    that card_id; None when none does. This is the rules part of :func:`decide_swipe`, for
    callers that have settled the guard, noise and misreads already; it may raise on a bug
    in a transform (decide_swipe turns that into INTERNAL_ERROR)."""
    tracks: Tracks | None = None  # parsed only when a track rule is reached
    for rule in rules:
        if rule.track:
            if tracks is None:  # (parse_tracks without the call for what is no stripe)
                tracks = parse_tracks(cleaned) if cleaned[:1] in _STRIPE_STARTS else NOT_MAGSTRIPE
            if not tracks.tracks:  # not a magnetic stripe: no track to search
                continue
            card_id = rule.extract(cleaned, tracks)
        else:  # the common case, inlined: one search on the whole swipe
            if rule.literal is not None and rule.literal not in cleaned:
                continue  # a character every match holds is missing: no search
            match = rule.regex.search(cleaned)
            if match is None:
                continue
            if rule.transform is None:  # Rule.card_id_from without the call
                card_id = match.group(rule.card_id_group)
            else:
                card_id = rule.card_id_from(match)
        if card_id:
            return rule, card_id
    return None


def decide_swipe(
    text: str, cleaned: str, rules: RuleSet, reader: str | None = None
) -> SwipeResult | RuleHit:
    """:func:`parse_swipe` for a caller that has the cleaned text already and wants no
    result object for a matched swipe: ``(rule, card_id)`` when a rule gives the card_id,
    else the SwipeResult (never an ``ok`` one). ``cleaned`` must be ``clean_swipe(text)``.
    Never raises."""
    try:
        # Before any rule: the length, the guard, then noise and misreads (a stripe whose
        # tracks are all readable, one right after the other, has none: the common case).
        if len(text) > MAX_SWIPE_LENGTH:
            return MISREAD["too_long"]
        verdict = guard_swipe(text, cleaned, rules.campus_prefixes)
        if verdict is not None:
            return refusal(verdict)
        if cleaned[:1] in _STRIPE_STARTS and match_clean_stripe(cleaned) is not None:
            decided = None
        else:
            decided = _misread_or_noise(cleaned)
        if decided is not None:
            if decided.reason in _STRAY_REASONS:
                stray_hit = _stray_text_hit(cleaned, rules.rules_for(reader))
                if stray_hit is not None:
                    return stray_hit
            return decided
        applicable = rules.rules_for(reader)
        hit = first_rule_hit(cleaned, applicable)
        if hit is None:  # a prox value with a wrong parity bit is a misread, not an unknown card
            return MISREAD["bad_parity"] if fails_parity(cleaned, applicable) else NO_MATCH
        return hit
    except Exception:  # a bug must not take the kiosk down or leak the swipe into a traceback
        return INTERNAL_ERROR


def parse_swipe(text: str, rules: RuleSet, reader: str | None = None) -> SwipeResult:
    """The meaning of one swipe. Never raises."""
    try:  # clean_swipe, without the call for printable text (the common case)
        cleaned = text if text.isprintable() else clean_swipe(text)
    except Exception:  # not a str: a bug in the caller, still no traceback with the swipe
        return INTERNAL_ERROR
    outcome = decide_swipe(text, cleaned, rules, reader)
    if isinstance(outcome, SwipeResult):
        return outcome
    rule, card_id = outcome
    return _new_tuple(SwipeResult, ("ok", card_id, rule.name, rule.ok_message, None))


# ---------------------------------------------------------------- the staff rule tester


@dataclass(frozen=True, slots=True)
class RuleTrial:
    """One rule tried on a swipe: ``outcome`` is ``matched``, ``no_match``,
    ``transform_failed``, ``parity_failed`` (a prox transform found a parity bit wrong:
    ``detail`` says which), ``other_reader``, ``disabled``, ``stray_text`` (the stripe has
    text after its last track, which the rule does not take: no ``trailing_text``) or
    ``not_tried`` (an earlier rule matched, or the swipe was decided before the rules)."""

    rule: str
    outcome: str
    card_id: str | None = None
    span: tuple[int, int] | None = None
    track: int | None = None
    detail: str | None = None


@dataclass(frozen=True, slots=True)
class SwipeExplanation:
    """Everything the staff rule tester shows about one swipe.

    ``display_text`` is the cleaned swipe, or a mask of the same length when refused;
    ``tracks`` maps track number to data (empty when refused or not a stripe);
    ``card_id_span`` is where the card_id's source text lies in ``display_text``;
    ``why`` says why a misread the rules found (a prox parity failure) is one.
    """

    display_text: str
    tracks: dict[int, str]
    trials: tuple[RuleTrial, ...]
    result: SwipeResult
    card_id_span: tuple[int, int] | None
    why: str | None = None


def _trial(match: RuleMatch | None, name: str) -> RuleTrial:
    if match is None:
        return RuleTrial(name, "no_match")
    span = (match.start, match.end)
    if match.card_id is None:
        return RuleTrial(name, "transform_failed", None, span, match.track)
    return RuleTrial(name, "matched", match.card_id, span, match.track)


def explain_swipe(text: str, rules: RuleSet, reader: str | None = None) -> SwipeExplanation:
    """How ``parse_swipe`` decides about a swipe, rule by rule (for the staff rule tester)."""
    result = parse_swipe(text, rules, reader)
    cleaned = clean_swipe(text)
    if result.status == "refused":
        return SwipeExplanation(
            "*" * len(cleaned),
            {},
            tuple(RuleTrial(rule.name, "not_tried") for rule in rules.rules),
            result,
            None,
        )
    tracks = parse_tracks(cleaned)
    trials: list[RuleTrial] = []
    span: tuple[int, int] | None = None
    # Text after the tracks, the stripe's only problem: the rules that take it were tried.
    stray = tracks.stray is not None and (result.status == "ok" or result.reason in _STRAY_REASONS)
    # A parity failure is a misread the rules found: they were tried, and the one whose prox
    # transform found a parity bit wrong says which.
    bad_parity = result.reason == "bad_parity"
    decided = result.status not in ("ok", "no_match") and not stray and not bad_parity
    why: str | None = None
    for rule in rules.rules:
        if decided or span is not None:
            trials.append(RuleTrial(rule.name, "not_tried"))
        elif not rule.enabled:
            trials.append(RuleTrial(rule.name, "disabled"))
        elif not rule.applies_to(reader):
            trials.append(RuleTrial(rule.name, "other_reader"))
        elif stray and not rule.trailing_text:
            trials.append(RuleTrial(rule.name, "stray_text"))
        else:
            trial = _trial(rule.find(cleaned, tracks), rule.name)
            failure = None
            if bad_parity and trial.outcome == "transform_failed":
                failure = parity_failure(rule, cleaned, tracks)
            if failure is not None:
                trial = replace(trial, outcome="parity_failed", detail=failure.summary)
                why = why or failure.explanation
            trials.append(trial)
            if trial.outcome == "matched":
                span = trial.span
    track_data = {track.number: track.data for track in tracks.tracks}
    return SwipeExplanation(cleaned, track_data, tuple(trials), result, span, why)
