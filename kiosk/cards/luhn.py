"""The Luhn (mod 10) check digit used by payment and ISO campus card numbers."""

from __future__ import annotations

# A doubled digit's contribution (2d, minus 9 when over 9), as a translation table of bytes.
_DOUBLED = bytes.maketrans(b"0123456789", b"0246813579")


def luhn_valid(number: str) -> bool:
    """True when ``number`` (ASCII digits only) passes the Luhn check."""
    if not (number.isdigit() and number.isascii()):  # ("" is no digit string)
        return False
    # Summing the ASCII codes in C, then taking away 48 ('0') per digit, is the fast way;
    # one encode, then bytes slices and bytes.translate (quicker than str's).
    data = number.encode("ascii")
    return (sum(data[-1::-2]) + sum(data[-2::-2].translate(_DOUBLED)) - 48 * len(data)) % 10 == 0


def luhn_check_digit(partial: str) -> str:
    """The digit to append to ``partial`` (ASCII digits) so the result passes the Luhn check."""
    for digit in "0123456789":
        if luhn_valid(partial + digit):
            return digit
    raise ValueError("partial must be ASCII digits")
