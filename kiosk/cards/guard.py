"""The payment-card and encrypted-reader guard: runs before any rule and before any logging.

A student will swipe a bank card by mistake. PCI DSS forbids keeping its track data anywhere,
so a swipe that carries a payment card number is refused and nothing of it is kept. Encrypting
readers (masked numbers, ciphertext) are refused too: the kiosk cannot use their output.

A payment card number (PAN) here is 13 to 19 digits, the first 2 to 6 (the payment networks'
issuer industry digits), passing the Luhn check, standing where a reader puts one:

- track 1 (ISO/IEC 7813): ``<n>^``, as in ``%B<n>^NAME^YYMM…``, with or without the ``%``,
  ``b`` for ``B``, the number in groups as printed too (``%B3727 006992 51018^``: American
  Express cards); a 12-digit number too when the format code ``B`` stands before it;
- track 2: ``;<n>`` whatever follows (``=``, ``?``, the end of a cut-off swipe), ``<<n>``
  (``;`` typed through another keyboard layout), and without sentinel ``<n>=YYMM`` or
  ``<n>DYYMM`` (EMV's track 2 equivalent);
- a number alone: the whole swipe, or a line between control characters, that is one number
  of a major brand's range and length (``4111111111111111``, ``4111 1111 1111 1111``);
- a swipe cut off inside the number: ``%B`` or ``;`` then 12 to 19 digits, the first 2 to 6,
  at its very end (``%B526609220141``): too few digits for the Luhn test, yet most of a
  card number, which a misread's echo (``kiosk verify``, captures) would show.

The guard reads the cleaned swipe (what the rules see) and, when a control character stood
next to a digit or a space, :func:`~kiosk.cards.clean.separated_swipe` too: cleaning joins
two sentinel-less tracks' digits (``…1000\\r4111…=2512`` becomes ``…10004111…=2512``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from functools import lru_cache
from typing import Literal

from kiosk.cards.brands import payment_brand
from kiosk.cards.clean import CONTROL_BYTES, separated_swipe
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
# Heartland E3 output: '<E', a version digit, the tracks with a format-preserving encrypted
# number (it fails the Luhn check on purpose), then '|'-separated ciphertext fields.
_E3_OUTPUT = re.compile(r" *<E[0-9][^|]*\|")
# Maximal runs of 12 or more ASCII digits: the candidates for a payment card number, whose
# surroundings are then checked against the layouts above (_in_payment_layout).
_LONG_DIGIT_RUNS = re.compile(r"[0-9]{12,}")
# Issuer industry identifiers of the payment networks: 2 (Mastercard 2-series) to 6.
_PAYMENT_FIRST_DIGITS = frozenset("23456")
# What track 1's account number field may hold when the number is written in groups, and
# how such a field ends (a quick test before the field is looked at).
_DIGITS = "0123456789"
_GROUPED_CHARACTERS = _DIGITS + " -"
_GROUPED_FIELD_END = re.compile(r"[ -][0-9]+\^")
# Where removing control characters joined or hid something: one between a digit (or space)
# and what follows it. Without one, the separated view has nothing the cleaned one lacks.
_PARTING_CONTROL = re.compile(r"[\x00-\x1f\x7f](?:(?<=[ 0-9].)|(?=[ 0-9]))", re.DOTALL)
# The same test on ASCII bytes (quicker): control characters as NUL, then their neighbours.
_CONTROL_TO_NUL = bytes(0 if code in CONTROL_BYTES else code for code in range(256))
_DIGIT_OR_SPACE = frozenset(b" 0123456789")
_DIGITS_OR_SPACE_BYTES = frozenset(bytes([code]) for code in _DIGIT_OR_SPACE)
_FRAMING_BYTES = _FRAMING.encode("ascii")
# A swipe that ends inside a card number, after track 1's '%B' or track 2's ';'.
_CUT_OFF_NUMBER = re.compile(r"(?:%[Bb]|;)([2-6][0-9]{11,18})\Z")
# Track 2's start sentinel, and what a reader typing through a non-US layout sends for it.
_TRACK2_STARTS = frozenset(";<")
# What may follow a card number in a payment layout: track 1's '^', track 2's '=', EMV's 'D'.
_LAYOUT_AFTER = frozenset("^=D")
# A line that is one number, maybe printed in groups (4111 1111 1111 1111, 3782-822463-10005).
# (The lookahead passes over a line too short for a card number at once.)
_NUMBER_ALONE = re.compile(r"^ *(?=[0-9 -]{13})([0-9]+(?:[ -][0-9]+)*) *$", re.MULTILINE)
# The lengths a number alone must have to be taken for a card of its brand's range. Only the
# major brands: a number alone is also what barcode, prox and NFC readers send, and a library
# barcode (14 digits, first 2, Luhn check digit) is no card number of any of them.
_BRAND_LENGTHS = {
    "Visa": (16, 19),
    "Mastercard": (16,),
    "American Express": (15,),
    "Discover": (16, 17, 18, 19),
}


def has_binary_bytes(raw: str) -> bool:
    """True when the raw swipe holds characters other than printable ASCII and framing."""
    if raw.isascii():  # then only control characters can be binary: those besides framing
        data = raw.encode("ascii")
        return len(data.translate(None, _FRAMING_BYTES)) != len(data.translate(None, CONTROL_BYTES))
    return _NOT_PRINTABLE_OR_FRAMING.search(raw) is not None


def _control_parts(raw: str) -> bool:
    """True when a control character stands next to a digit or a space in ``raw``: there
    cleaning may have joined two numbers, or a number to a line (``_PARTING_CONTROL``)."""
    if not raw.isascii():
        return _PARTING_CONTROL.search(raw) is not None
    marked = raw.encode("ascii").translate(_CONTROL_TO_NUL)  # (quicker than the regex)
    position = marked.find(0)
    while position >= 0:
        if (position and marked[position - 1] in _DIGIT_OR_SPACE) or (
            marked[position + 1 : position + 2] in _DIGITS_OR_SPACE_BYTES
        ):
            return True
        position = marked.find(0, position + 1)
    return False


def is_masked(cleaned: str) -> bool:
    """True when the cleaned swipe shows a number with '*' masking inside it."""
    return "*" in cleaned and _MASKED.search(cleaned) is not None


def is_e3_output(cleaned: str) -> bool:
    """True when the cleaned swipe is a Heartland E3 encrypting reader's output."""
    return "|" in cleaned and _E3_OUTPUT.match(cleaned) is not None


def _in_payment_layout(view: str, start: int, end: int) -> bool:
    """True when the maximal digit run ``view[start:end]`` (12 to 19 digits) stands where a
    reader puts a card number: ``<n>^``, ``;<n>``, ``<<n>``, ``<n>=YYMM`` or ``<n>DYYMM``
    (a 12-digit run only as ``B<n>^``)."""
    after = view[end : end + 1]
    if end - start == 12:
        return after == "^" and view[start - 1 : start] in ("B", "b")
    if after == "^":
        return True
    if start and view[start - 1] in _TRACK2_STARTS:
        return True
    if after == "=" or after == "D":
        yymm = view[end + 1 : end + 5]
        return len(yymm) == 4 and yymm.isdigit() and yymm.isascii()
    return False


def _grouped_track1_numbers(view: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, digits)`` of each payment card number written in groups before a
    ``^`` (``3727 006992 51018^``), ``digits`` without the spaces or dashes."""
    caret = view.find("^")
    while caret > 0:
        if view[caret - 1] in _DIGITS:
            head = view[max(0, caret - 48) : caret]
            field = head[len(head.rstrip(_GROUPED_CHARACTERS)) :].lstrip(" -")
            if " " in field or "-" in field:
                digits = field.replace(" ", "").replace("-", "")
                start = caret - len(field)
                long_enough = len(digits) >= 13 or (
                    len(digits) == 12 and view[start - 1 : start] in ("B", "b")
                )
                if long_enough and len(digits) <= 19 and _is_payment_number(digits):
                    yield start, caret, digits
        caret = view.find("^", caret + 1)


def _numbers_in_payment_layouts(view: str) -> Iterator[tuple[int, int]]:
    """Spans of the digit runs standing where a reader puts a card number."""
    for match in _LONG_DIGIT_RUNS.finditer(view):
        start, end = match.span()
        if end - start <= 19 and _in_payment_layout(view, start, end):
            yield start, end


def _is_payment_number(number: str) -> bool:
    return number[0] in _PAYMENT_FIRST_DIGITS and luhn_valid(number)


def _numbers_alone(view: str) -> Iterator[tuple[int, int, str]]:
    """``(start, end, digits)`` of each line that is one number of a major brand's range and
    length, passing the Luhn check (``digits`` without the spaces or dashes)."""
    for match in _NUMBER_ALONE.finditer(view):
        start, end = match.span(1)
        if end - start > 47:  # 19 digits in groups of one: longer is no card number
            continue
        digits = view[start:end].replace(" ", "").replace("-", "")
        brand = payment_brand(digits)
        if brand is not None and len(digits) in _BRAND_LENGTHS[brand] and luhn_valid(digits):
            yield start, end, digits


def payment_numbers(cleaned: str) -> list[tuple[int, int]]:
    """Spans of the payment card numbers in the cleaned swipe, campus prefixes included:
    the numbers in a payment layout, and a number alone, each written without spaces or
    dashes (a number in groups has no digit string to take an issuer prefix from)."""
    spans = [
        (start, end)
        for start, end in _numbers_in_payment_layouts(cleaned)
        if _is_payment_number(cleaned[start:end])
    ]
    spans.extend(
        (start, end) for start, end, digits in _numbers_alone(cleaned) if end - start == len(digits)
    )
    return spans


_NO_CANDIDATE_RUN: dict[tuple[str, ...], Callable[[str], re.Match[str] | None]] = {}


def _no_candidate_run(campus_prefixes: tuple[str, ...]) -> Callable[[str], re.Match[str] | None]:
    """``fullmatch`` of a pattern matching only text in which no maximal digit run is one
    :func:`find_payment_card` must look at closely: every run has fewer than 12 digits, more
    than 19, a first digit other than 2 to 6, or a campus prefix, or else stands in no
    layout (neither ``;``/``<`` before it nor ``^``, ``=`` or ``D`` after it). Text and runs
    are taken in whole pieces (possessive repeats), so the engine reads each character once.
    A text it does not match may still hold no payment card: the loop decides that."""
    found = _NO_CANDIDATE_RUN.get(campus_prefixes)
    if found is not None:
        return found
    campus = "".join(f"{re.escape(prefix)}|" for prefix in campus_prefixes)
    not_payment = f"(?:{campus}[01789])[0-9]*+"  # a run no payment card number starts
    after_mark = f"(?:{not_payment}|[0-9]{{1,12}}+(?![0-9])|[0-9]{{20,}}+)"  # after ; or <
    alone = f"(?:{not_payment}|[0-9]++(?![\\^=D])|[0-9]{{1,11}}+(?![0-9])|[0-9]{{20,}}+)"
    # Each repetition takes one run (after its ';' or '<', if any) and the text up to the next.
    other = "[^0-9;<]*+"
    pattern = re.compile(f"{other}(?:(?:[;<](?:(?![0-9])|{after_mark})|{alone}){other})*+")
    if len(_NO_CANDIDATE_RUN) < 16:
        _NO_CANDIDATE_RUN[campus_prefixes] = pattern.fullmatch
    return pattern.fullmatch


def find_payment_card(cleaned: str, campus_prefixes: tuple[str, ...] = ()) -> bool:
    """True when the text holds a payment card number in a payment layout (a number alone
    is :func:`guard_swipe`'s to find) outside the campus prefixes."""
    # Two independent tests, either of which finds one: a number written as digits first
    # (most payment swipes, refused without the second), then one in groups before '^'.
    if len(cleaned) >= 12 and (  # shorter: too short for any run of 12 digits
        # The common case, settled in one pass of the regex engine: no run could be one.
        (_NO_CANDIDATE_RUN.get(campus_prefixes) or _no_candidate_run(campus_prefixes))(cleaned)
        is None
    ):
        # Every test on a run must pass, so the cheapest go first: the length and first
        # digit, a campus prefix (it settles campus cards), the character after the run or
        # the one before it (most runs, such as a track's expiry and discretionary data,
        # stand between '^' or '=' and '?': no layout), and only then the whole layout and
        # Luhn.
        for match in _LONG_DIGIT_RUNS.finditer(cleaned):
            start, end = match.span()
            if end - start > 19 or cleaned[start] not in _PAYMENT_FIRST_DIGITS:
                continue
            if campus_prefixes and cleaned.startswith(campus_prefixes, start, end):
                continue
            if cleaned[end : end + 1] not in _LAYOUT_AFTER and cleaned[start - 1 : start] not in (
                _TRACK2_STARTS
            ):
                continue
            if _in_payment_layout(cleaned, start, end) and luhn_valid(cleaned[start:end]):
                return True
    grouped_possible = "^" in cleaned and (" " in cleaned or "-" in cleaned)
    if grouped_possible and _GROUPED_FIELD_END.search(cleaned) is not None:
        for _, _, digits in _grouped_track1_numbers(cleaned):
            if not digits.startswith(campus_prefixes):
                return True
    return False


def _has_number_alone(view: str, campus_prefixes: tuple[str, ...]) -> bool:
    return any(not digits.startswith(campus_prefixes) for _, _, digits in _numbers_alone(view))


@lru_cache(maxsize=16)
def payment_number_patterns(campus_prefixes: tuple[str, ...] = ()) -> tuple[re.Pattern[str], ...]:
    """Patterns that between them find every number :func:`find_payment_card` could take
    for a payment card (and may find some it would not: no Luhn test here), for a caller
    that checks many swipes at once and sends only the ones found to :func:`guard_swipe`.

    Each is searched in one pass over many swipes joined by newlines and gives the same
    answer for each swipe as searched alone: what stands around a number is a digit or not,
    and a newline is no digit, as the ends of a swipe are none. A run starting with a campus
    prefix (digits only: others never start a digit run) is not found, as the guard lets
    it through. One pattern per mark of a layout (``;``, ``<``, ``^``, ``=``, ``D``), each
    starting with that literal character, so that ``re`` skips from one to the next.

    What the guard finds beyond :func:`find_payment_card` needs no pattern from a caller that
    sends every swipe holding a control character, and every swipe that does not start with
    a track's start sentinel, to :func:`guard_swipe` anyway: the separated view differs from
    the cleaned one only where control characters were, and a number alone starts no track.
    """
    digit_prefixes = sorted(p for p in campus_prefixes if p.isascii() and p.isdigit() or not p)
    allowed = f"(?!{'|'.join(map(re.escape, digit_prefixes))})" if digit_prefixes else ""
    number = f"{allowed}[2-6][0-9]{{12,18}}"  # 13 to 19 digits, the first a payment one

    def ending_at(mark: str) -> str:
        """A whole digit run of 13 to 19 digits just before ``mark``, as lookbehinds (one
        per length: a lookbehind has a fixed width)."""
        return "|".join(
            f"(?<=(?<![0-9]){allowed}[2-6][0-9]{{{length - 1}}}{mark})" for length in range(13, 20)
        )

    caret = r"\^"
    in_groups = "".join(f"|(?<=[ -][0-9]{{{length}}}{caret})" for length in range(1, 20))
    return (
        re.compile(f";{number}(?![0-9])"),  # ;<n>…
        re.compile(f"<{number}(?![0-9])"),  # <<n>…: ';' typed through another keyboard layout
        re.compile(  # <n>^, B<n>^ with 12 digits, and a number in groups before a '^'; the
            # first lookbehind passes over the '^' after a name at once
            f"{caret}(?<=[0-9]{caret})(?:{ending_at(caret)}"
            f"|(?<=[Bb]{allowed}[2-6][0-9]{{11}}{caret}){in_groups})"
        ),
        re.compile(f"=(?=[0-9]{{4}})(?:{ending_at('=')})"),  # <n>=YYMM
        re.compile(f"D(?=[0-9]{{4}})(?:{ending_at('D')})"),  # <n>DYYMM (EMV)
    )


def guard_swipe(
    raw: str, cleaned: str, campus_prefixes: tuple[str, ...] = ()
) -> GuardVerdict | None:
    """Why the swipe must be refused ("encrypted" or "payment"), or None when it may be read.
    ``cleaned`` must be ``clean_swipe(raw)``."""
    # Printable ASCII (the common case) has no binary bytes, and without a '*' no mask: both
    # settled here before any function call. Cleaning gives back the very same string only
    # when there was nothing to remove: then an ASCII swipe is printable ASCII.
    if (raw is not cleaned or not raw.isascii()) and has_binary_bytes(raw):
        return "encrypted"
    if "*" in cleaned and is_masked(cleaned):
        return "encrypted"
    if "|" in cleaned and is_e3_output(cleaned):
        return "encrypted"
    if find_payment_card(cleaned, campus_prefixes):
        return "payment"
    # A number alone: a stripe starts with a sentinel, and most other swipes are short.
    alone_possible = len(cleaned) >= 13 and cleaned[0] in " 0123456789"
    if alone_possible and _has_number_alone(cleaned, campus_prefixes):
        return "payment"
    # Cut off inside a number: most swipes end with an end sentinel or a letter.
    if cleaned and cleaned[-1] in _DIGITS and (";" in cleaned or "%" in cleaned):
        cut_off = _CUT_OFF_NUMBER.search(cleaned)
        if cut_off is not None and not cut_off.group(1).startswith(campus_prefixes):
            return "payment"
    # Control characters that parted digits or a line: look again with the boundaries they
    # made (the CR between two tracks, a reader id's TAB).
    if raw is not cleaned and _control_parts(raw):
        separated = separated_swipe(raw)
        if find_payment_card(separated, campus_prefixes):
            return "payment"
        if _has_number_alone(separated, campus_prefixes):
            return "payment"
    return None
