"""A prox swipe whose raw value a rule matched but whose parity bits are wrong: a misread.

A rule with a prox transform (``h10301_card``, ``corp1000_35_card``…) simply does not match
when the parity fails, so the next rule is tried. When no rule gives a card_id at all,
:func:`fails_parity` tells the parser whether the reason was such a parity failure, so the
student is asked to present the card again rather than told the card is unknown.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from kiosk.cards.rules import Rule
from kiosk.cards.tracks import Tracks, parse_tracks
from kiosk.cards.transforms import Transform, compile_transform
from kiosk.cards.wiegand import FORMATS, WiegandFormat, describe_parity, wrong_parities
from kiosk.cards.wiegand import fails_parity as value_fails_parity

#: Each prox transform's name and the format whose parity it checks.
_FORMAT_OF: dict[str, WiegandFormat] = {
    f"{fmt.name}_{part.name}": fmt for fmt in FORMATS.values() for part in fmt.fields
}


@lru_cache(maxsize=256)
def _transform(spec: str) -> Transform:
    return compile_transform(spec)


def _chain_parity_fault(specs: Sequence[str], value: str) -> tuple[WiegandFormat, str] | None:
    """Where the transforms, applied in order to ``value``, stop at a prox transform because
    its input is a raw value of that format with a wrong parity bit: the format and that
    input; None when they do not stop so."""
    for spec in specs:
        fmt = _FORMAT_OF.get(spec)
        if fmt is not None and value_fails_parity(fmt, value):
            return fmt, value
        result = _transform(spec)(value)
        if result is None:
            return None
        value = result
    return None


def _chain_fails_parity(specs: Sequence[str], value: str) -> bool:
    return _chain_parity_fault(specs, value) is not None


_PROX_TRANSFORMS = frozenset(_FORMAT_OF)


def uses_parity(rule: Rule) -> bool:
    """True when one of the rule's transforms checks a prox format's parity."""
    return bool(rule.transforms) and not _PROX_TRANSFORMS.isdisjoint(rule.transforms)


# The rules with a prox transform, per rules tuple (RuleSet.rules_for keeps one tuple per
# reader, so the identity check finds it); the tuple is kept so its id cannot be reused.
_PARITY_RULES: dict[int, tuple[Sequence[Rule], tuple[Rule, ...]]] = {}


def _parity_rules(rules: Sequence[Rule]) -> tuple[Rule, ...]:
    cached = _PARITY_RULES.get(id(rules))
    if cached is not None and cached[0] is rules:
        return cached[1]
    found = tuple(rule for rule in rules if uses_parity(rule))
    if len(_PARITY_RULES) >= 64:
        _PARITY_RULES.clear()
    _PARITY_RULES[id(rules)] = (rules, found)
    return found


def fails_parity(cleaned: str, rules: Sequence[Rule]) -> bool:
    """True when one of ``rules`` matched the cleaned swipe but a prox transform found the
    parity wrong (call it only when no rule gave a card_id)."""
    tracks: Tracks | None = None
    for rule in _parity_rules(rules):
        if tracks is None:
            tracks = parse_tracks(cleaned)
        found = rule.find(cleaned, tracks)
        if (
            found is not None
            and found.card_id is None
            and _chain_fails_parity(rule.transforms, found.captured)
        ):
            return True
    return False


@dataclass(frozen=True, slots=True)
class ParityFailure:
    """Why a rule gave no card_id when the reason is a prox parity failure: ``summary`` for
    the rule's line in the staff rule tester, ``explanation`` as a whole sentence."""

    summary: str
    explanation: str


def parity_failure(rule: Rule, cleaned: str, tracks: Tracks) -> ParityFailure | None:
    """Why ``rule`` gives no card_id for the cleaned swipe when the reason is a prox parity
    failure (for the staff rule tester): the format, the parity bits that are wrong and what
    that means; None when the rule fails for another reason (or does not fail)."""
    if not uses_parity(rule):
        return None
    found = rule.find(cleaned, tracks)
    if found is None or found.card_id is not None:
        return None
    fault = _chain_parity_fault(rule.transforms, found.captured)
    if fault is None:
        return None
    fmt, value = fault
    parities = wrong_parities(fmt, value)
    wrong = " and ".join(describe_parity(parity) for parity in parities)
    verb = "does" if len(parities) == 1 else "do"
    return ParityFailure(
        f"{fmt.title}, {wrong} wrong",
        f"rule {rule.name} reads the raw value as a {fmt.title} card, but {wrong} {verb} "
        "not match the bits it covers, so at least one bit was read wrong and no card "
        "number is guessed from it (present the card again; if it keeps failing, the card "
        "may be of another format).",
    )
