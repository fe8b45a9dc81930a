"""Prox (Wiegand) card formats: decoding the raw bits a reader in "raw" mode types, with parity.

One table, :data:`FORMATS`, describes every supported layout: its length in bits, its fields
(facility or company code, card number) and its parity bits, each with the bits it covers. Bit
positions count from 1 at the first bit sent (the most significant), as HID's format
descriptions do. The same table drives decoding (:func:`decode`), the parity check and the
encoders used by tests (:func:`encode_bits`, :func:`encode_hex`).

A raw value is given either as the bit string itself (exactly as many ``0``/``1`` characters
as the format has bits) or in hexadecimal, with any number of leading zeros (readers pad to
whole bytes or to a fixed width). A value with a bit set above the format's length, or whose
parity does not hold, is not a card of that format: decoding gives None, never a number, so a
misread can never become another student.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

_HEX_DIGITS = frozenset("0123456789abcdefABCDEF")
#: Longer text is never a raw Wiegand value (48 bits are 12 hex digits; readers pad to 16).
_MAX_TEXT = 64


@dataclass(frozen=True, slots=True)
class Field:
    """A number stored in bits ``first``..``last`` (inclusive, counted from 1)."""

    name: str
    first: int
    last: int

    @property
    def width(self) -> int:
        return self.last - self.first + 1


@dataclass(frozen=True, slots=True)
class Parity:
    """A parity bit at ``position``: with the bits it ``covers`` it has an even (or odd) number
    of ones."""

    position: int
    odd: bool
    covers: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class WiegandFormat:
    """One card format. ``parities`` are listed in the order an encoder must set them (a
    parity bit covering another parity bit comes after it)."""

    name: str
    title: str
    length: int
    fields: tuple[Field, ...]
    parities: tuple[Parity, ...]
    _masks: tuple[tuple[int, int, bool], ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        masks = tuple(
            (self.bit(parity.position), self.mask(parity.covers), parity.odd)
            for parity in self.parities
        )
        object.__setattr__(self, "_masks", masks)

    def bit(self, position: int) -> int:
        """The integer with only bit ``position`` (counted from 1 at the first bit) set."""
        return 1 << (self.length - position)

    def mask(self, positions: tuple[int, ...]) -> int:
        value = 0
        for position in positions:
            value |= self.bit(position)
        return value

    def field(self, name: str) -> Field:
        for candidate in self.fields:
            if candidate.name == name:
                return candidate
        raise KeyError(name)

    def parity_holds(self, value: int) -> bool:
        """True when every parity bit of the raw ``value`` is right."""
        for bit, covered, odd in self._masks:
            ones = (value & (covered | bit)).bit_count()
            if ones % 2 != odd:
                return False
        return True

    def field_value(self, value: int, name: str) -> int:
        part = self.field(name)
        return (value >> (self.length - part.last)) & ((1 << part.width) - 1)


def _span(first: int, last: int) -> tuple[int, ...]:
    return tuple(range(first, last + 1))


def _two_of_three(length: int, first: int, skip: int) -> tuple[int, ...]:
    """Bits ``first``..``length - 1`` except every third one, counted from the last bit: those
    ``length - position ≡ skip`` (mod 3). This is the pattern of HID Corporate 1000's two
    interleaved parity bits, which the public implementations define from the end of the
    frame (the same masks serve the 35- and 48-bit formats): for 35 bits it gives 3-4, 6-7,
    …, 33-34 and 2-3, 5-6, …, 32-33; for 48 bits 4-5, 7-8, …, 46-47 and 3-4, 6-7, …, 45-46."""
    return tuple(position for position in range(first, length) if (length - position) % 3 != skip)


def _corporate_1000(name: str, length: int, company_bits: int) -> WiegandFormat:
    card_first = 3 + company_bits
    return WiegandFormat(
        name,
        f"HID Corporate 1000 {length}-bit",
        length,
        (Field("company", 3, card_first - 1), Field("card", card_first, length - 1)),
        (
            # bit 2: even parity over two of every three bits after it
            Parity(2, False, _two_of_three(length, 3, 0)),
            # last bit: odd parity over the other two of every three (bit 2 among them)
            Parity(length, True, _two_of_three(length, 2, 1)),
            # bit 1: odd parity over all the other bits
            Parity(1, True, _span(2, length)),
        ),
    )


def _two_halves(
    name: str, title: str, length: int, fields: tuple[Field, ...], even_last: int, odd_first: int
) -> WiegandFormat:
    """A format with an even parity bit first (over bits 2..even_last) and an odd parity bit
    last (over bits odd_first..length-1), as HID's H103xx formats have."""
    return WiegandFormat(
        name,
        title,
        length,
        fields,
        (
            Parity(1, False, _span(2, even_last)),
            Parity(length, True, _span(odd_first, length - 1)),
        ),
    )


FORMATS: Mapping[str, WiegandFormat] = {
    fmt.name: fmt
    for fmt in (
        _two_halves(
            "h10301",
            "HID H10301 26-bit",
            26,
            (Field("facility", 2, 9), Field("card", 10, 25)),
            13,
            14,
        ),
        _two_halves(
            "h10306",
            "HID H10306 34-bit",
            34,
            (Field("facility", 2, 17), Field("card", 18, 33)),
            17,
            18,
        ),
        _corporate_1000("corp1000_35", 35, 12),
        _two_halves(
            "h10302",
            "HID H10302 37-bit (card number only)",
            37,
            (Field("card", 2, 36),),
            19,
            19,
        ),
        _two_halves(
            "h10304",
            "HID H10304 37-bit",
            37,
            (Field("facility", 2, 17), Field("card", 18, 36)),
            19,
            19,
        ),
        _corporate_1000("corp1000_48", 48, 22),
    )
}


# ---------------------------------------------------------------- decoding


def raw_value(fmt: WiegandFormat, text: str) -> int | None:
    """The raw bits in ``text`` (a bit string of the format's length, or hex with any leading
    zeros) as an integer, or None when ``text`` cannot hold a value of this format."""
    if not text or len(text) > _MAX_TEXT or not text.isascii():
        return None
    if len(text) == fmt.length and not text.strip("01"):
        return int(text, 2)
    if not all(char in _HEX_DIGITS for char in text):
        return None
    value = int(text, 16)
    return None if value >> fmt.length else value


def decode(fmt: WiegandFormat, text: str) -> dict[str, int] | None:
    """Every field of the raw value in ``text``, or None when it is not a card of this format
    (wrong length, not hex, or a parity bit wrong)."""
    value = raw_value(fmt, text)
    if value is None or not fmt.parity_holds(value):
        return None
    return {part.name: fmt.field_value(value, part.name) for part in fmt.fields}


def decode_field(fmt: WiegandFormat, name: str, text: str) -> int | None:
    """One field of the raw value in ``text``, parity checked (None when it is not a card of
    this format)."""
    value = raw_value(fmt, text)
    if value is None or not fmt.parity_holds(value):
        return None
    return fmt.field_value(value, name)


def wrong_parities(fmt: WiegandFormat, text: str) -> tuple[Parity, ...]:
    """The parity bits that do not hold for the raw value in ``text`` (empty when it is no
    raw value of this format, or when every parity bit holds)."""
    value = raw_value(fmt, text)
    if value is None:
        return ()
    wrong = []
    for parity, (bit, covered, odd) in zip(fmt.parities, fmt._masks, strict=True):
        if (value & (covered | bit)).bit_count() % 2 != odd:
            wrong.append(parity)
    return tuple(wrong)


def describe_parity(parity: Parity) -> str:
    """``"the even parity bit 1 (over bits 2-13)"``: a parity bit as HID's documents name it."""
    kind = "odd" if parity.odd else "even"
    return f"the {kind} parity bit {parity.position} (over bits {_ranges(parity.covers)})"


def _ranges(positions: tuple[int, ...]) -> str:
    """``"2-13"`` or ``"3-4, 6-7, …, 33-34"``: sorted bit positions as ranges (the first two
    and the last when there are more than four)."""
    parts: list[str] = []
    run_start = previous = positions[0]
    for position in (*positions[1:], None):
        if position is not None and position == previous + 1:
            previous = position
            continue
        parts.append(str(run_start) if run_start == previous else f"{run_start}-{previous}")
        if position is not None:
            run_start = previous = position
    if len(parts) > 4:
        parts = [*parts[:2], "…", parts[-1]]
    return ", ".join(parts)


def fails_parity(fmt: WiegandFormat, text: str) -> bool:
    """True when ``text`` has the shape of a raw value of this format but a parity bit is
    wrong: a misread of such a card, rather than some other kind of text."""
    value = raw_value(fmt, text)
    return value is not None and not fmt.parity_holds(value)


# ---------------------------------------------------------------- encoding


def _format(fmt: WiegandFormat | str) -> WiegandFormat:
    return FORMATS[fmt] if isinstance(fmt, str) else fmt


def encode(fmt: WiegandFormat | str, **values: int) -> int:
    """The raw value, parity bits set, of a card with these field values (every field of the
    format must be given; ValueError names one that is missing, unknown or too large).
    ``fmt`` is a format or its name in :data:`FORMATS` (``"h10306"``)."""
    fmt = _format(fmt)
    names = {part.name for part in fmt.fields}
    if set(values) != names:
        raise ValueError(f"{fmt.name} needs the fields {sorted(names)}, not {sorted(values)}")
    raw = 0
    for part in fmt.fields:
        number = values[part.name]
        if not 0 <= number < 1 << part.width:
            raise ValueError(f"{fmt.name} {part.name} must be 0 to {(1 << part.width) - 1}")
        raw |= number << (fmt.length - part.last)
    for bit, covered, odd in fmt._masks:
        if (raw & covered).bit_count() % 2 != odd:
            raw |= bit
    return raw


def encode_bits(fmt: WiegandFormat | str, **values: int) -> str:
    """The raw value as the bit string a reader in raw binary mode types."""
    fmt = _format(fmt)
    return format(encode(fmt, **values), f"0{fmt.length}b")


def encode_hex(fmt: WiegandFormat | str, digits: int | None = None, **values: int) -> str:
    """The raw value in upper-case hex, zero-padded to ``digits`` (default: just enough for
    the format's bits)."""
    fmt = _format(fmt)
    width = digits if digits is not None else -(-fmt.length // 4)
    return format(encode(fmt, **values), f"0{width}X")


def h10301_encode(facility: int, card: int) -> str:
    """The raw 26-bit H10301 value, in hex, for a facility code and card number."""
    return encode_hex(FORMATS["h10301"], facility=facility, card=card)
