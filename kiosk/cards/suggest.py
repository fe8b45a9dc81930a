"""Suggest one rule from (swipe, card_id) pairs: staff swipe a few cards and type their IDs.

The rule is one regular expression with one capture group, generalised from what the examples
share so that it works for every card of that layout, not just the examples:

- the id is read as a person would (:mod:`kiosk.cards.generalise`): a whole run between
  separators or line ends takes any width (``\\d+``); an id inside a run of digits keeps its
  place and width, zeros included; zeros before it become ``0*`` only when the examples show
  them dropped;
- the text just before the field is kept: fixed text (an issuer prefix, a facility code) as
  written when every example has it, varying text as a character class with its width;
- when the pairs fit two readings that differ on other cards (zeros that may be padding or a
  fixed field; raw prox values that fit two formats), the rule for one of them (the one that
  keeps every digit; the format whose length the reader typed) comes with a question naming
  the one swipe that settles it;
- a transform is added only when no plain substring explains the pairs (reversed hex bytes,
  hex/decimal, prox bit fields, zero-filling);
- when the cards would be refused as payment cards, their 6-digit issuer prefix goes into a
  ``[guard] campus_prefixes`` section, with a warning comment when that prefix is in a major
  card brand's range (every card with it would pass the payment guard).

Every candidate rule is checked with the real ``parse_swipe`` on every pair before it is
offered; the most general one that explains them all wins.
"""

from __future__ import annotations

import itertools
import re
import textwrap
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from kiosk.cards.brands import campus_prefix_warning
from kiosk.cards.clean import clean_swipe
from kiosk.cards.generalise import (
    Candidate,
    Example,
    padding_question,
    padding_zeros,
    patterns,
    reading,
)
from kiosk.cards.guard import has_binary_bytes, is_masked, payment_numbers
from kiosk.cards.parse import parse_swipe
from kiosk.cards.rules import Rule, RuleSet, RulesFileError, guard_to_toml, rule_to_toml
from kiosk.cards.suggest_prox import PROX_CHAINS, settle_prox_format
from kiosk.cards.tracks import parse_tracks
from kiosk.cards.transforms import compile_chain

# Transform chains tried, in order, when no plain substring explains the pairs.
_TRANSFORM_CHAINS: tuple[tuple[str, ...], ...] = (
    ("upper",),
    ("reverse_bytes",),
    ("reverse_bytes", "upper"),
    ("hex_to_dec",),
    ("dec_to_hex",),
    *PROX_CHAINS,
    ("low_bits:16",),
    ("low_bits:20",),
    ("low_bits:24",),
)
_RUNS = re.compile(r"[0-9A-Fa-f]+|[0-9A-Za-z]+")
_MAX_CANDIDATES_PER_PAIR = 4
_MAX_COMBINATIONS = 48
# Track preference for a card_id found in several places: track 2, 3, then 1, then no track.
_TRACK_PREFERENCE = {2: 0, 3: 1, 1: 2, None: 3}


@dataclass(frozen=True, slots=True)
class Disagreement:
    """A pair the suggested rule does not explain (``pair`` counts from 1), and why."""

    pair: int
    reason: str


@dataclass(frozen=True, slots=True)
class Suggestion:
    """The suggested rule (None when nothing fits), its TOML, and how many pairs it explains."""

    ok: bool
    rule: Rule | None
    campus_prefixes: tuple[str, ...]
    toml: str
    explained: int
    total: int
    disagreements: tuple[Disagreement, ...]
    # One sentence per campus prefix that lies in a payment brand's range (also in ``toml``).
    warnings: tuple[str, ...] = ()
    # When the pairs fit two readings that differ on other cards: what to add to settle it
    # (also a ``# QUESTION:`` comment in ``toml``; the rule takes the reading keeping digits).
    question: str | None = None


# ---------------------------------------------------------------- finding the card_id


def _track_of(cleaned: str, position: int) -> int | None:
    for track in parse_tracks(cleaned).tracks:
        if track.start <= position < track.start + len(track.data):
            return track.number
    return None


def _ordered(cleaned: str, candidates: list[Candidate]) -> list[Candidate]:
    unique = list(dict.fromkeys(candidates))
    unique.sort(key=lambda c: (_TRACK_PREFERENCE[_track_of(cleaned, c.start)], c.start))
    return unique[:_MAX_CANDIDATES_PER_PAIR]


def _plain_candidates(example: Example) -> list[Candidate]:
    text, card_id = example.cleaned, example.card_id
    found: list[Candidate] = []
    start = text.find(card_id)
    while start >= 0:
        end = start + len(card_id)
        found.append(Candidate(start, end, padding_zeros(text, start, end)))
        start = text.find(card_id, start + 1)
    return _ordered(text, found)


def _transformed_candidates(example: Example, chain: tuple[str, ...]) -> list[Candidate]:
    transform = compile_chain(chain)
    assert transform is not None
    found: list[Candidate] = []
    for match in _RUNS.finditer(example.cleaned):
        if transform(match.group()) == example.card_id:
            found.append(Candidate(match.start(), match.end()))
    return _ordered(example.cleaned, found)


def _transformed_finder(chain: tuple[str, ...]) -> Callable[[Example], list[Candidate]]:
    return lambda example: _transformed_candidates(example, chain)


def _zfill_chain(examples: Sequence[Example]) -> tuple[str, ...] | None:
    widths = {len(example.card_id) for example in examples}
    if len(widths) != 1 or not all(example.card_id.startswith("0") for example in examples):
        return None
    return (f"zfill:{widths.pop()}",)


def _zfill_candidates(example: Example) -> list[Candidate]:
    stripped = example.card_id.lstrip("0")
    if not stripped:
        return []
    shorter = Example(example.raw, example.cleaned, stripped)
    return [Candidate(c.start, c.end) for c in _plain_candidates(shorter)]


# ---------------------------------------------------------------- choosing the rule


def _explains(rule: Rule, prefixes: tuple[str, ...], example: Example) -> bool:
    result = parse_swipe(example.raw, RuleSet((rule,), prefixes))
    return result.status == "ok" and result.card_id == example.card_id


def _combinations(per_example: Sequence[Sequence[Candidate]]) -> Iterator[tuple[Candidate, ...]]:
    """Choices of one candidate per example: same rank everywhere first, then the rest."""
    seen: set[tuple[Candidate, ...]] = set()
    for rank in range(_MAX_CANDIDATES_PER_PAIR):
        combo = tuple(c[min(rank, len(c) - 1)] for c in per_example)
        if combo not in seen:
            seen.add(combo)
            yield combo
    for combo in itertools.islice(itertools.product(*per_example), _MAX_COMBINATIONS):
        if combo not in seen:
            seen.add(combo)
            yield combo


@dataclass(frozen=True, slots=True)
class _Found:
    """The rule found, and the question to ask when the examples fit two readings."""

    rule: Rule
    question: str | None = None


def _find_rule(
    examples: Sequence[Example], prefixes: tuple[str, ...], name: str
) -> _Found | None:
    """The most general rule that explains every example, or None."""
    strategies: list[tuple[tuple[str, ...], Callable[[Example], list[Candidate]]]] = [
        ((), _plain_candidates)
    ]
    zfill = _zfill_chain(examples)
    for chain in _TRANSFORM_CHAINS:
        strategies.append((chain, _transformed_finder(chain)))
    if zfill:
        strategies.append((zfill, _zfill_candidates))
    for chain, finder in strategies:
        per_example = [finder(example) for example in examples]
        if not all(per_example):
            continue
        for combo in _combinations(per_example):
            for pattern, padded in patterns(examples, combo):
                try:
                    rule = Rule(name, pattern, transforms=chain)
                except RulesFileError:  # not expected: every part is escaped
                    continue
                if all(_explains(rule, prefixes, example) for example in examples):
                    if chain in PROX_CHAINS:
                        return _prox_found(rule, examples, prefixes)
                    ambiguous = not padded and reading(examples, combo) == "ambiguous"
                    question = padding_question(examples, combo) if ambiguous else None
                    return _Found(rule, question)
    return None


def _prox_found(rule: Rule, examples: Sequence[Example], prefixes: tuple[str, ...]) -> _Found:
    """A raw prox rule with the format the examples point to (or the question)."""
    captured = []
    for example in examples:
        match = rule.regex.search(example.cleaned)
        value = match.group(rule.card_id_group) if match is not None else None
        captured.append(value or "")
    settled, question = settle_prox_format(
        rule, captured, lambda other: all(_explains(other, prefixes, ex) for ex in examples)
    )
    return _Found(settled, question)


def _unusable(example: Example) -> str | None:
    """Why a pair cannot teach a rule at all, or None."""
    if not example.card_id:
        return "its card_id is empty"
    if has_binary_bytes(example.raw) or is_masked(example.cleaned):
        return "the reader sent encrypted or masked data; set it to unencrypted output"
    result = parse_swipe(example.raw, RuleSet((), _campus_prefixes([example])))
    if result.status in ("noise", "misread"):
        return f"the swipe is {result.status} ({result.reason}); swipe the card again"
    if result.status == "refused":
        return "the swipe is refused by the payment guard"
    return None


def _issuer_prefixes(example: Example) -> set[str]:
    """6-digit issuer prefixes of the numbers in a swipe the payment guard would refuse."""
    return {example.cleaned[start : start + 6] for start, _ in payment_numbers(example.cleaned)}


def _campus_prefixes(examples: Sequence[Example]) -> tuple[str, ...]:
    """The issuer prefix most of the examples' card numbers share (the school's own), if any."""
    counts: dict[str, int] = {}
    for example in examples:
        for prefix in _issuer_prefixes(example):
            counts[prefix] = counts.get(prefix, 0) + 1
    if not counts:
        return ()
    return (max(counts, key=lambda prefix: (counts[prefix], prefix)),)


def _why_not(rule: Rule, prefixes: tuple[str, ...], example: Example) -> str:
    result = parse_swipe(example.raw, RuleSet((rule,), prefixes))
    if result.status == "ok":
        reason = (
            f"the rule that fits the other pairs gives {result.card_id!r} here, "
            f"not {example.card_id!r}"
        )
    else:
        reason = "the rule that fits the other pairs does not match this swipe"
    if example.card_id not in example.cleaned:
        return f"{reason}, and {example.card_id!r} is not in the swipe as typed (check the card_id)"
    return f"{reason} (a different layout?)"


def _comment(text: str, width: int = 88) -> str:
    """``text`` as TOML comment lines of at most ``width`` characters."""
    return "".join(f"# {line}\n" for line in textwrap.wrap(text, width - 2))


def _render(
    rule: Rule,
    prefixes: tuple[str, ...],
    warnings: tuple[str, ...],
    explained: int,
    total: int,
    question: str | None = None,
) -> str:
    parts = []
    if prefixes:
        parts.append(
            "# The cards' own issuer prefix, so the payment-card guard lets them through.\n"
            + "".join(_comment(f"WARNING: {warning}") for warning in warnings)
            + guard_to_toml(prefixes)
        )
    asked = _comment(f"QUESTION: {question}") if question else ""
    parts.append(asked + rule_to_toml(rule) + f"# explains {explained} of {total} pairs\n")
    return "\n".join(parts)


def suggest_rule(pairs: Sequence[tuple[str, str]], name: str = "suggested") -> Suggestion:
    """One rule extracting every pair's card_id from its swipe, or the pairs that disagree."""
    examples = [Example(raw, clean_swipe(raw), card_id.strip()) for raw, card_id in pairs]
    total = len(examples)
    problems: dict[int, str] = {}
    for index, example in enumerate(examples):
        reason = _unusable(example)
        if reason:
            problems[index] = reason
    usable = [i for i in range(total) if i not in problems]
    prefixes = _campus_prefixes([examples[i] for i in usable])
    for index in list(usable):
        if not _issuer_prefixes(examples[index]) <= set(prefixes):
            problems[index] = (
                "it looks like a bank card (its number does not share the other cards' "
                "issuer prefix); leave it out"
            )
            usable.remove(index)
    found = _find_rule([examples[i] for i in usable], prefixes, name) if usable else None
    question = found.question if found is not None else None
    rule = found.rule if found is not None else None
    if rule is None and len(usable) > 1:
        rule = _best_partial_rule(examples, usable, prefixes, name)
    if rule is None:
        for index in usable:
            if examples[index].card_id not in examples[index].cleaned:
                problems[index] = "its card_id is not in the swipe, even transformed"
            else:
                problems.setdefault(index, "no single rule fits this pair with the others")
        disagreements = tuple(Disagreement(i + 1, problems[i]) for i in sorted(problems))
        return Suggestion(False, None, prefixes, "", 0, total, disagreements)
    explained = [i for i in usable if _explains(rule, prefixes, examples[i])]
    for index in usable:
        if index not in explained:
            problems[index] = _why_not(rule, prefixes, examples[index])
    disagreements = tuple(Disagreement(i + 1, problems[i]) for i in sorted(problems))
    warnings = tuple(filter(None, (campus_prefix_warning(prefix) for prefix in prefixes)))
    toml = _render(rule, prefixes, warnings, len(explained), total, question)
    return Suggestion(
        not disagreements,
        rule,
        prefixes,
        toml,
        len(explained),
        total,
        disagreements,
        warnings,
        question,
    )


def _best_partial_rule(
    examples: Sequence[Example], usable: Sequence[int], prefixes: tuple[str, ...], name: str
) -> Rule | None:
    """The rule explaining the most pairs, learnt from each pair and then from those it fits."""
    best: Rule | None = None
    best_count = 0
    for index in usable:
        found = _find_rule([examples[index]], prefixes, name)
        if found is None:
            continue
        rule = found.rule
        fits = [i for i in usable if _explains(rule, prefixes, examples[i])]
        if len(fits) > 1:
            wider = _find_rule([examples[i] for i in fits], prefixes, name)
            if wider is not None:
                rule = wider.rule
        count = sum(_explains(rule, prefixes, examples[i]) for i in usable)
        if count > best_count:
            best, best_count = rule, count
    return best
