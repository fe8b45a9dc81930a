"""Which major payment card brand's number range a card-number prefix falls in.

Used to warn staff before a prefix goes into ``[guard] campus_prefixes``: campus cards are
often numbered inside a payment range (600999…), which is fine for the school's own cards, but
every card with that prefix, a bank card too, then passes the payment guard.
"""

from __future__ import annotations

# (brand, lowest prefix, highest prefix), compared on as many leading digits as the bounds have.
_BRAND_RANGES: tuple[tuple[str, str, str], ...] = (
    ("Visa", "4", "4"),
    ("Mastercard", "51", "55"),
    ("Mastercard", "2221", "2720"),
    ("American Express", "34", "34"),
    ("American Express", "37", "37"),
    ("Discover", "6011", "6011"),
    ("Discover", "644", "649"),
    ("Discover", "65", "65"),
)


def payment_brand(prefix: str) -> str | None:
    """The brand whose range holds card numbers starting with ``prefix`` (digits), or None.

    A prefix shorter than a range's bounds is only said to be in it when every number it
    starts is (``2`` alone is not Mastercard; ``4`` is Visa).
    """
    if not prefix.isdigit():
        return None
    for brand, low, high in _BRAND_RANGES:
        width = len(low)
        if len(prefix) >= width and low <= prefix[:width] <= high:
            return brand
    return None


def campus_prefix_warning(prefix: str) -> str | None:
    """A sentence for staff when ``prefix`` is in a payment brand's range, else None."""
    brand = payment_brand(prefix)
    if brand is None:
        return None
    return (
        f"{prefix} is in {brand}'s card number range: make sure these are the school's own "
        f"cards, since every card whose number starts with {prefix} will be let through the "
        "payment guard."
    )
