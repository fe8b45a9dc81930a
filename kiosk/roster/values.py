"""Checks on one cell's value, by column kind. Each returns an error sentence or None.

Pure functions; table-driven tests live in tests/roster/test_values.py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import lru_cache

from kiosk.roster.schema import Column, split_list
from kiosk.text_safety import problem

ValueCheck = Callable[[str], str | None]

_EMAIL = re.compile(r"^[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+$")
_GPA = re.compile(r"^(?:[0-3](?:\.\d{1,2})?|4(?:\.0{1,2})?)$")
_GPA_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MOBILE = re.compile(r"^\+?\d+$")
_DIGIT = re.compile(r"\d")
_BOOLEANS = frozenset(("TRUE", "FALSE"))


def _email(header: str) -> ValueCheck:
    def check(value: str) -> str | None:
        return None if _EMAIL.match(value) else f"{header} is invalid: it is not an email address"

    return check


def _emails(header: str) -> ValueCheck:
    def check(value: str) -> str | None:
        bad = [item for item in split_list(value) if not _EMAIL.match(item)]
        return f"{header} is invalid: {bad[0]!r} is not an email address" if bad else None

    return check


def _name(header: str, max_length: int) -> ValueCheck:
    def check(value: str) -> str | None:
        if len(value) > max_length:
            return f"{header} is too long ({len(value)} characters; at most {max_length})"
        if _DIGIT.search(value):
            return f"{header} must not contain digits"
        return None

    return check


def _enum(header: str, allowed: tuple[str, ...]) -> ValueCheck:
    allowed_set = frozenset(allowed)
    by_folded = {value.casefold(): value for value in allowed}

    def check(value: str) -> str | None:
        if value in allowed_set:
            return None
        near = by_folded.get(value.strip().casefold())
        if near is not None:
            return f"{header} {value!r} is not allowed: write it exactly {near!r}"
        return f"{header} {value!r} is not allowed: use one of {', '.join(allowed)}"

    return check


def _gpa(header: str) -> ValueCheck:
    def check(value: str) -> str | None:
        if _GPA.match(value):
            return None
        if _GPA_NUMBER.match(value) and float(value) <= 4:
            return f"{header} {value!r} has more than 2 decimal places"
        return f"{header} {value!r} is not a GPA: use a number from 0 to 4, e.g. 3.45"

    return check


def _list(header: str, max_length: int | None, no_commas: bool) -> ValueCheck:
    def check(value: str) -> str | None:
        for item in split_list(value):
            if max_length is not None and len(item) > max_length:
                return f"{header}: an item is too long ({len(item)} characters; at most " \
                    f"{max_length})"
            if no_commas and "," in item:
                return f"{header}: {item!r} contains a comma; separate names with ';'"
        return None

    return check


@lru_cache(maxsize=4096)
def parse_date(value: str) -> date | None:
    """The date in a ``yyyy-mm-dd`` cell, or None when it is not one."""
    if not _DATE.match(value):
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        return None


def _date(header: str) -> ValueCheck:
    def check(value: str) -> str | None:
        if parse_date(value) is None:
            return f"{header} {value!r} is not a date: use yyyy-mm-dd, e.g. 2027-05-15"
        return None

    return check


def _bool(header: str) -> ValueCheck:
    def check(value: str) -> str | None:
        if value in _BOOLEANS:
            return None
        return f"{header} must be TRUE or FALSE (in capitals), not {value!r}"

    return check


def _mobile(header: str) -> ValueCheck:
    def check(value: str) -> str | None:
        if _MOBILE.match(value):
            digits = len(value) - value.startswith("+")
            if value.startswith("+") and 8 <= digits <= 15:
                return None
            if digits == 10 or (digits == 11 and value.startswith("1")):
                return None
        return (
            f"{header} is invalid: use digits only with an optional leading + "
            "(US numbers: 10 digits, e.g. 5555550123)"
        )

    return check


def _text(header: str, max_length: int | None) -> ValueCheck | None:
    if max_length is None:
        return None

    def check(value: str) -> str | None:
        if len(value) > max_length:
            return f"{header} is too long ({len(value)} characters; at most {max_length})"
        return None

    return check


def _safe_text(header: str, check: ValueCheck | None, multiline: bool) -> ValueCheck:
    """No column may hold a control or invisible format character (see kiosk.text_safety;
    a multi-line column may hold line breaks): checked before the column's own check."""

    def checked(value: str) -> str | None:
        # isprintable(): the C-speed pass for nearly every value (see first_forbidden)
        if not value.isprintable():
            found = problem(header, value, multiline=multiline)
            if found is not None:
                return f"{found}: remove it (no value may hold control or invisible characters)"
        return check(value) if check is not None else None

    return checked


def check_for(column: Column) -> ValueCheck:
    """The check for a non-blank value of ``column``."""
    return _safe_text(column.header, _kind_check(column), column.multiline)


def _kind_check(column: Column) -> ValueCheck | None:
    header = column.header
    match column.kind:
        case "email":
            return _email(header)
        case "emails":
            return _emails(header)
        case "name":
            return _name(header, column.max_length or 50)
        case "enum":
            return _enum(header, column.allowed)
        case "gpa":
            return _gpa(header)
        case "list":
            return _list(header, column.max_length, column.attribute == "college_names")
        case "date":
            return _date(header)
        case "bool":
            return _bool(header)
        case "mobile":
            return _mobile(header)
        case _:
            return _text(header, column.max_length)


#: Whole-chunk forms of the per-value patterns: every value followed by "\n" (used only on
#: printable values, so no value holds the separator, which no pattern accepts).
_BATCH_PATTERNS: dict[str, re.Pattern[str]] = {
    "email": re.compile(r"(?:[^@\s;,]+@[^@\s;,]+\.[^@\s;,]+\n)*"),
    "mobile": re.compile(r"(?:(?:\+\d{8,15}|\+?\d{10}|1\d{10})\n)*"),
}


def all_pass(column: Column, values: list[str]) -> bool:
    """True when every value (none blank or **CLEAR**) certainly passes ``column``'s check,
    tested at once; False means: check them one by one (some may still pass)."""
    if not values:
        return True
    if column.multiline or not "".join(values).isprintable():
        return False
    if column.kind == "text":
        return column.max_length is None or max(map(len, values)) <= column.max_length
    pattern = _BATCH_PATTERNS.get(column.kind)
    return pattern is not None and pattern.fullmatch("\n".join(values) + "\n") is not None


def not_capital_case(value: str) -> list[str]:
    """The items of a list that do not start with a capital letter ("biology")."""
    return [item for item in split_list(value) if item[:1].islower()]
