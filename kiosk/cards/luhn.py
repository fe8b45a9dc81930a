"""The Luhn (mod 10) check digit used by payment and ISO campus card numbers."""

from __future__ import annotations

# Value a digit contributes when it stands in a doubled position.
_DOUBLED = (0, 2, 4, 6, 8, 1, 3, 5, 7, 9)


def luhn_valid(number: str) -> bool:
    """True when ``number`` (ASCII digits only) passes the Luhn check."""
    if not number or not number.isdigit() or not number.isascii():
        return False
    total = 0
    doubled = False
    for char in reversed(number):
        digit = ord(char) - 48
        total += _DOUBLED[digit] if doubled else digit
        doubled = not doubled
    return total % 10 == 0


def luhn_check_digit(partial: str) -> str:
    """The digit to append to ``partial`` (ASCII digits) so the result passes the Luhn check."""
    for digit in "0123456789":
        if luhn_valid(partial + digit):
            return digit
    raise ValueError("partial must be ASCII digits")
