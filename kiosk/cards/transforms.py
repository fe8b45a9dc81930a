"""Transforms a rule applies, in order, to the text its pattern captured.

Each transform is written as a string in the rules file (``"strip_leading_zeros"``,
``"zfill:9"``…). A transform that cannot apply to a value (bad hex, failed parity, too short)
returns None: the rule then does not match and the next rule is tried.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from kiosk.cards.wiegand import FORMATS, WiegandFormat, decode_field
from kiosk.cards.wiegand import h10301_encode as h10301_encode  # re-exported for callers

Transform = Callable[[str], "str | None"]

_HEX = re.compile("[0-9a-fA-F]+")


class TransformSpecError(ValueError):
    """A transform written wrongly; the message says what is allowed."""


def _is_hex(value: str) -> bool:
    return _HEX.fullmatch(value) is not None


def _is_decimal(value: str) -> bool:
    return bool(value) and value.isascii() and value.isdigit()


def strip_leading_zeros(value: str) -> str | None:
    """Remove leading zeros, keeping one ``0`` of an all-zero value."""
    if not value:
        return None
    return value.lstrip("0") or "0"


def upper(value: str) -> str | None:
    return value.upper()


def lower(value: str) -> str | None:
    return value.lower()


def hex_to_dec(value: str) -> str | None:
    """Hexadecimal to decimal."""
    return str(int(value, 16)) if _is_hex(value) else None


def dec_to_hex(value: str) -> str | None:
    """Decimal to upper-case hexadecimal with an even number of digits."""
    if not _is_decimal(value):
        return None
    digits = f"{int(value):X}"
    return digits if len(digits) % 2 == 0 else "0" + digits


def reverse_bytes(value: str) -> str | None:
    """Reverse the byte order of a hex value (MIFARE UIDs read LSB first)."""
    if not _is_hex(value):
        return None
    if len(value) % 2:
        value = "0" + value
    return "".join([value[index : index + 2] for index in range(len(value) - 2, -1, -2)])


def _wiegand(fmt: WiegandFormat, name: str) -> Transform:
    def wiegand_field(value: str) -> str | None:
        number = decode_field(fmt, name, value)
        return None if number is None else str(number)

    return wiegand_field


#: ``h10301_card``, ``corp1000_35_company``…: one field of a raw prox value (bits or hex),
#: parity checked, for every format of :data:`kiosk.cards.wiegand.FORMATS`.
WIEGAND_TRANSFORMS: dict[str, Transform] = {
    f"{fmt.name}_{part.name}": _wiegand(fmt, part.name)
    for fmt in FORMATS.values()
    for part in fmt.fields
}


def _low_bits(count: int) -> Transform:
    mask = (1 << count) - 1

    def low_bits(value: str) -> str | None:
        return str(int(value) & mask) if _is_decimal(value) else None

    return low_bits


def _zfill(width: int) -> Transform:
    def zfill(value: str) -> str | None:
        return value.zfill(width)

    return zfill


def _chars(first: int, last: int | None) -> Transform:
    def chars(value: str) -> str | None:
        if len(value) < (last if last is not None else first):
            return None
        return value[first - 1 : last]

    return chars


def _field(number: int, separator: str) -> Transform:
    def field(value: str) -> str | None:
        parts = value.split(separator)
        return parts[number - 1] if len(parts) >= number and parts[number - 1] else None

    return field


def _strip(characters: str) -> Transform:
    table = str.maketrans("", "", characters)

    def strip(value: str) -> str | None:
        return value.translate(table) or None

    return strip


def _mask(template: str) -> Transform:
    keep = [index for index, char in enumerate(template) if char in "Xx"]

    def mask(value: str) -> str | None:
        if len(value) != len(template):
            return None
        return "".join(value[index] for index in keep)

    return mask


_SIMPLE: dict[str, Transform] = {
    "strip_leading_zeros": strip_leading_zeros,
    "upper": upper,
    "lower": lower,
    "hex_to_dec": hex_to_dec,
    "dec_to_hex": dec_to_hex,
    "reverse_bytes": reverse_bytes,
    **WIEGAND_TRANSFORMS,
}

TRANSFORM_HELP = (
    "strip_leading_zeros, upper, lower, hex_to_dec, dec_to_hex, reverse_bytes, "
    + ", ".join(WIEGAND_TRANSFORMS)
    + ", zfill:N, low_bits:N, chars:FIRST-LAST, field:N:SEPARATOR, mask:PATTERN, strip:CHARACTERS"
)


def _positive(text: str, spec: str, limit: int = 64) -> int:
    if not text.isdigit() or not 1 <= int(text) <= limit:
        raise TransformSpecError(f"'{spec}' needs a whole number from 1 to {limit} after the colon")
    return int(text)


def compile_transform(spec: str) -> Transform:
    """The function for one transform string; TransformSpecError says what is wrong."""
    if not isinstance(spec, str):
        raise TransformSpecError(f"each transform must be a string such as \"upper\", not {spec!r}")
    if spec in _SIMPLE:
        return _SIMPLE[spec]
    kind, _, argument = spec.partition(":")
    if kind == "zfill":
        return _zfill(_positive(argument, spec))
    if kind == "low_bits":
        return _low_bits(_positive(argument, spec, 128))
    if kind == "chars":
        first, dash, last = argument.partition("-")
        if not dash:
            raise TransformSpecError(f"'{spec}' must look like chars:7-15 or chars:7-")
        start = _positive(first, spec, 512)
        end = _positive(last, spec, 512) if last else None
        if end is not None and end < start:
            raise TransformSpecError(f"'{spec}' ends before it starts")
        return _chars(start, end)
    if kind == "field":
        number, colon, separator = argument.partition(":")
        if not colon or not separator:
            raise TransformSpecError(
                f"'{spec}' must look like field:2:= (field number, then the separator)"
            )
        return _field(_positive(number, spec, 64), separator)
    if kind == "strip":
        if not argument:
            raise TransformSpecError(
                f"'{spec}' must name the characters to remove after the colon, "
                'e.g. "strip: -" removes every space and dash'
            )
        return _strip(argument)
    if kind == "mask":
        if not argument or not any(char in "Xx" for char in argument):
            raise TransformSpecError(
                f"'{spec}' must mark the characters to keep with X, e.g. mask:------XXXXXXXXX-"
            )
        return _mask(argument)
    raise TransformSpecError(f"'{spec}' is not a transform; the transforms are {TRANSFORM_HELP}")


def compile_chain(specs: Sequence[str]) -> Transform | None:
    """One function applying every transform in order (None when there are none)."""
    functions = tuple(compile_transform(spec) for spec in specs)
    if not functions:
        return None
    if len(functions) == 1:
        return functions[0]

    def chain(value: str) -> str | None:
        result: str | None = value
        for function in functions:
            if result is None:
                return None
            result = function(result)
        return result

    return chain
