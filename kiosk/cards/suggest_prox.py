"""Choosing between prox formats that all explain a few raw swipes (for ``rules suggest``).

Small card numbers fit several formats at once: a 37-bit H10302 value whose card number is
below 2^19 reads the same as H10304 with facility 0, and hex with leading zeros may hold a
34-bit H10306 value as well. Such formats read other cards differently, so the suggestion
prefers the format whose length matches what the reader typed (as many ``0``/``1`` as the
format has bits, or just enough hex digits for them), and when that leaves more than one,
asks for a card that tells them apart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace

from kiosk.cards.rules import Rule
from kiosk.cards.wiegand import FORMATS, WiegandFormat

#: The card-number transform of every prox format, in the table's order.
PROX_CHAINS: tuple[tuple[str, ...], ...] = tuple((f"{fmt.name}_card",) for fmt in FORMATS.values())
_FORMAT_OF = {chain: fmt for chain, fmt in zip(PROX_CHAINS, FORMATS.values(), strict=True)}


def _natural(fmt: WiegandFormat, text: str) -> bool:
    """True when ``text`` is as long as this format's raw value is written (bits or hex)."""
    if not text.strip("01") and len(text) == fmt.length:
        return True
    return len(text) == -(-fmt.length // 4)


def settle_prox_format(
    rule: Rule, captured: Sequence[str], explains: Callable[[Rule], bool]
) -> tuple[Rule, str | None]:
    """``rule`` (whose transforms are one prox format's card number) with the format the
    examples point to, and a question when several formats remain."""
    fits = [
        chain
        for chain in PROX_CHAINS
        if chain == rule.transforms or explains(replace(rule, transforms=chain))
    ]
    natural = [chain for chain in fits if all(_natural(_FORMAT_OF[chain], t) for t in captured)]
    pool = natural or fits
    if rule.transforms not in pool:
        rule = replace(rule, transforms=pool[0])
    if len(pool) < 2:
        return rule, None
    formats = [_FORMAT_OF[chain] for chain in pool]
    limit = min((1 << fmt.field("card").width) - 1 for fmt in formats)
    chosen = _FORMAT_OF[rule.transforms]
    names = ", ".join(fmt.title for fmt in formats)
    return rule, (
        f"These pairs fit {len(formats)} prox card formats ({names}), which read other "
        f"cards differently. The rule takes {chosen.title}. To settle it, add the pair of "
        f"one card whose number is above {limit}, with the card_id your export has for it, "
        "and run this again."
    )
