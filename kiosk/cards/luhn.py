"""The Luhn (mod 10) check digit used by payment and ISO campus card numbers."""

from __future__ import annotations

# A doubled digit's contribution (2d, minus 9 when over 9), as a translation table.
_DOUBLED = str.maketrans("0123456789", "0246813579")


def luhn_valid(number: str) -> bool:
    """True when ``number`` (ASCII digits only) passes the Luhn check."""
    if not number or not number.isascii() or not number.isdigit():
        return False
    # Summing the ASCII codes in C, then taking away 48 ('0') per digit, is the fast way.
    kept = number[-1::-2].encode()
    doubled = number[-2::-2].translate(_DOUBLED).encode()
    return (sum(kept) + sum(doubled) - 48 * len(number)) % 10 == 0


def luhn_check_digit(partial: str) -> str:
    """The digit to append to ``partial`` (ASCII digits) so the result passes the Luhn check."""
    for digit in "0123456789":
        if luhn_valid(partial + digit):
            return digit
    raise ValueError("partial must be ASCII digits")
