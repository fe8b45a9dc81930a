"""The payment-card and encrypted-reader guard: runs before any rule and before any logging.

A student will swipe a bank card by mistake. PCI DSS forbids keeping its track data anywhere,
so a swipe that carries a payment card number is refused and nothing of it is kept. Encrypting
readers (masked numbers plus ciphertext) are refused too: the kiosk cannot use their output.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Literal

from kiosk.cards.luhn import luhn_valid

GuardVerdict = Literal["payment", "encrypted"]

PAYMENT_MESSAGE = (
    "This looks like a bank card, so it was not read or kept; "
    "please swipe your student ID card instead."
)
ENCRYPTED_MESSAGE = (
    "The card reader sends encrypted or masked data, which the kiosk cannot use; "
    "staff must set the reader to unencrypted output."
)

# Characters a reader may legitimately send besides printable ASCII: framing and separators.
_FRAMING = "\x02\x03\x04\x10\x1b\r\n\t"
_NOT_PRINTABLE_OR_FRAMING = re.compile("[^\x20-\x7e" + re.escape(_FRAMING) + "]")
# A masked number: digits with '*' inside (4111********1111).
_MASKED = re.compile(r"\d\*+\d")
# Maximal runs of 13 or more ASCII digits: the candidates for a payment card number. Their
# surroundings are then checked against the layouts a payment number is found in (ISO 7813):
# %B<n>^, ;<n>= or ;<n>?, and sentinel-less <n>=YYMM.
_LONG_DIGIT_RUNS = re.compile(r"[0-9]{13,}")
# Issuer industry identifiers of the payment networks: 2 (Mastercard 2-series) to 6.
_PAYMENT_FIRST_DIGITS = frozenset("23456")


def has_binary_bytes(raw: str) -> bool:
    """True when the raw swipe holds characters other than printable ASCII and framing."""
    if raw.isascii() and raw.isprintable():
        return False
    return _NOT_PRINTABLE_OR_FRAMING.search(raw) is not None


def is_masked(cleaned: str) -> bool:
    """True when the cleaned swipe shows a number with '*' masking inside it."""
    return "*" in cleaned and _MASKED.search(cleaned) is not None


def _in_payment_layout(cleaned: str, start: int, end: int) -> bool:
    """True when the maximal digit run ``cleaned[start:end]`` stands where a track layout
    puts a card number: ``%B<n>^``, ``;<n>=``, ``;<n>?`` or ``<n>=YYMM``."""
    before = cleaned[start - 1] if start else ""
    after = cleaned[end : end + 1]
    if before == ";":
        return after == "=" or after == "?"
    if after == "^":
        return cleaned[start - 2 : start] == "%B"
    if after == "=":
        yymm = cleaned[end + 1 : end + 5]
        return len(yymm) == 4 and yymm.isdigit() and yymm.isascii()
    return False


def _numbers_in_payment_layouts(cleaned: str) -> Iterator[tuple[int, int]]:
    """Spans of 13-19 digit numbers standing where a track layout puts a card number."""
    for match in _LONG_DIGIT_RUNS.finditer(cleaned):
        start, end = match.span()
        if end - start <= 19 and _in_payment_layout(cleaned, start, end):
            yield start, end


def _is_payment_number(number: str) -> bool:
    return number[0] in _PAYMENT_FIRST_DIGITS and luhn_valid(number)


def payment_numbers(cleaned: str) -> list[tuple[int, int]]:
    """Spans of Luhn-valid payment-range numbers in track layouts (campus prefixes included)."""
    return [
        (start, end)
        for start, end in _numbers_in_payment_layouts(cleaned)
        if _is_payment_number(cleaned[start:end])
    ]


def find_payment_card(cleaned: str, campus_prefixes: tuple[str, ...] = ()) -> bool:
    """True when the cleaned swipe carries a payment card number outside the campus prefixes."""
    if _LONG_DIGIT_RUNS.search(cleaned) is None:  # the common case: no number long enough
        return False
    # Every test on a run must pass, so the cheapest go first: the length and first digit,
    # a campus prefix (it settles campus cards), and only then the layout and Luhn.
    for match in _LONG_DIGIT_RUNS.finditer(cleaned):
        start, end = match.span()
        if end - start > 19 or cleaned[start] not in _PAYMENT_FIRST_DIGITS:
            continue
        if campus_prefixes and cleaned.startswith(campus_prefixes, start, end):
            continue
        if _in_payment_layout(cleaned, start, end) and luhn_valid(cleaned[start:end]):
            return True
    return False


@lru_cache(maxsize=16)
def payment_number_patterns(campus_prefixes: tuple[str, ...] = ()) -> tuple[re.Pattern[str], ...]:
    """Patterns that between them find every number :func:`find_payment_card` could take
    for a payment card (and may find some it would not: no Luhn test here), for a caller
    that checks many swipes at once and sends only the ones found to :func:`guard_swipe`.

    Each is searched in one pass over many swipes joined by newlines and gives the same
    answer for each swipe as searched alone: what stands around a number is a digit or not,
    and a newline is no digit, as the ends of a swipe are none. A run starting with a campus
    prefix (digits only: others never start a digit run) is not found, as the guard lets
    it through. One pattern per layout of ``_in_payment_layout``, each starting with a
    literal character, so that ``re`` skips from one such character to the next.
    """
    digit_prefixes = sorted(p for p in campus_prefixes if p.isascii() and p.isdigit() or not p)
    allowed = f"(?!{'|'.join(map(re.escape, digit_prefixes))})" if digit_prefixes else ""
    number = f"{allowed}[2-6][0-9]{{12,18}}"  # 13 to 19 digits, the first a payment one
    after_equals = "|".join(  # <n>=YYMM, with n of each possible length before the '='
        f"(?<=(?<![0-9]){allowed}[2-6][0-9]{{{length - 1}}}=)" for length in range(13, 20)
    )
    return (
        re.compile(f";{number}(?![0-9])"),  # ;<n>= and ;<n>?
        re.compile(f"%B{number}\\^"),  # %B<n>^
        re.compile(f"=(?=[0-9]{{4}})(?:{after_equals})"),  # <n>=YYMM
    )


def guard_swipe(
    raw: str, cleaned: str, campus_prefixes: tuple[str, ...] = ()
) -> GuardVerdict | None:
    """Why the swipe must be refused ("encrypted" or "payment"), or None when it may be read."""
    # Printable ASCII (the common case) has no binary bytes, and without a '*' no mask: both
    # settled here by two string methods and one 'in', before any function call.
    if not (raw.isascii() and raw.isprintable()) and has_binary_bytes(raw):
        return "encrypted"
    if "*" in cleaned and is_masked(cleaned):
        return "encrypted"
    if find_payment_card(cleaned, campus_prefixes):
        return "payment"
    return None
