"""Per-row rules: each row becomes a tuple of values in attribute order, or is rejected.

A valid row keeps its cells as written: ``""`` (blank: keep the stored value) and
``**CLEAR**`` (erase it) are resolved against the database by :mod:`kiosk.roster.plan`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from kiosk.roster.csvfile import RawRow
from kiosk.roster.findings import Finding
from kiosk.roster.headers import HeaderMap
from kiosk.roster.schema import ATTRIBUTES, BY_ATTRIBUTE, CLEAR, INDEX, split_list
from kiosk.roster.values import ValueCheck, check_for, not_capital_case, parse_date

#: Short usernames ("al") appear inside card_ids by chance; only longer ones are reported.
MIN_USERNAME_IN_OTHER = 3

#: Unique columns and these kinds hold values that rarely repeat. The values of every other
#: column (names, years, majors, flags...) are checked once per distinct value and shared,
#: so 100,000 rows hold one string for each.
_UNIQUE_KINDS = frozenset(("mobile", "emails"))

_USERNAME = INDEX["username"]
_EMAIL = INDEX["email_address"]
_CARD = INDEX["card_id"]
_MAJORS = INDEX["major_names"]
_PRIMARY_MAJOR = INDEX["primary_major_name"]
_START = INDEX["start_date"]
_END = INDEX["end_date"]

Values = tuple[str, ...]


#: Distinct values remembered per repeating column (their checks run once per value).
_CACHE_LIMIT = 50_000

#: A checked value: (the value to keep, its error or None, a list item not in Capital Case).
_Checked = tuple[str, str | None, str | None]


@dataclass(frozen=True, slots=True)
class _Cell:
    cell: int
    attribute: int
    header: str
    not_blank: bool
    check: ValueCheck | None
    capital_case: bool
    #: for columns whose values repeat (None otherwise): value -> its check result
    cache: dict[str, _Checked] | None

    def checked(self, value: str) -> _Checked:
        cache = self.cache
        if cache is not None:
            hit = cache.get(value)
            if hit is not None:
                return hit
        message = self.check(value) if self.check is not None else None
        lower = not_capital_case(value)[:1] if self.capital_case else []
        result = (sys.intern(value) if cache is not None else value, message,
                  lower[0] if lower else None)
        if cache is not None and len(cache) < _CACHE_LIMIT:
            cache[value] = result
        return result


@dataclass(slots=True)
class RowResult:
    """``values`` is None when the row is rejected (``errors`` then says why)."""

    line: int
    values: Values | None
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)


class RowValidator:
    """Checks rows of one file against Handshake's rules, including in-file uniqueness."""

    def __init__(self, header: HeaderMap) -> None:
        self._width = header.width
        self._cells: list[_Cell] = []
        for cell_index, attribute_index in header.positions:
            column = BY_ATTRIBUTE[ATTRIBUTES[attribute_index]]
            repeating = not column.unique and column.kind not in _UNIQUE_KINDS
            self._cells.append(
                _Cell(
                    cell_index,
                    attribute_index,
                    column.header,
                    column.not_blank,
                    check_for(column),
                    column.attribute in ("major_names", "minor_names"),
                    {} if repeating else None,
                )
            )
        self._unique = _InFileUniqueness()

    def check(self, row: RawRow) -> RowResult:
        line, cells = row.line, row.cells
        result = RowResult(line, None)
        if len(cells) != self._width:
            result.errors.append(
                Finding(
                    line,
                    None,
                    f"the row has {len(cells)} cells but the header has {self._width}: check "
                    "for an unquoted comma or a missing cell",
                )
            )
            return result
        values = [""] * len(ATTRIBUTES)
        errors = result.errors
        for spec in self._cells:
            value = cells[spec.cell]
            if not value:
                if spec.not_blank:
                    errors.append(Finding(line, spec.header, f"{spec.header} can't be blank"))
                continue
            if value == CLEAR:
                if spec.not_blank:
                    errors.append(
                        Finding(line, spec.header, f"{spec.header} can't be cleared: it must "
                                "not be blank")
                    )
                values[spec.attribute] = CLEAR
                continue
            cache = spec.cache
            hit = cache.get(value) if cache is not None else None
            kept, message, not_capital = hit if hit is not None else spec.checked(value)
            values[spec.attribute] = kept
            if message is not None:
                errors.append(Finding(line, spec.header, message))
            if not_capital is not None:
                result.warnings.append(
                    Finding(line, spec.header, f"{not_capital!r} is not in Capital Case",
                            f"capital_case:{spec.header}")
                )
        self._check_across_columns(line, values, errors, result.warnings)
        errors.extend(self._unique.check(line, values))
        if not errors:
            result.values = tuple(values)
        return result

    @staticmethod
    def _check_across_columns(
        line: int, values: list[str], errors: list[Finding], warnings: list[Finding]
    ) -> None:
        start, end = parse_date(values[_START]), parse_date(values[_END])
        if start is not None and end is not None and end < start:
            errors.append(
                Finding(line, BY_ATTRIBUTE["end_date"].header,
                        "end_date is before start_date")
            )
        primary, majors = values[_PRIMARY_MAJOR], values[_MAJORS]
        if primary and primary != majors and primary != CLEAR and majors and majors != CLEAR and (
            primary.strip() not in split_list(majors)
        ):
            errors.append(
                Finding(line, BY_ATTRIBUTE["primary_major_name"].header,
                        f"primary_major_name {primary!r} is not one of the major_names")
            )
        username = values[_USERNAME].casefold()
        if len(username) >= MIN_USERNAME_IN_OTHER and username != CLEAR.casefold():
            card_id = values[_CARD]
            if card_id and username in card_id.casefold():
                warnings.append(
                    Finding(line, "username", "the username appears inside the card_id; "
                            "Handshake advises a username that never changes, such as the "
                            "student ID, and that is no part of the card_id",
                            "username_in_card_id")
                )
            if username in values[_EMAIL].casefold():
                warnings.append(
                    Finding(line, "username", "the username appears inside the email "
                            "address; Handshake advises a username that never changes, such "
                            "as the student ID, and that is no part of the email",
                            "username_in_email")
                )


class _InFileUniqueness:
    """email_address (case-insensitively), username, card_id and auth_identifier are unique
    inside the file: a row repeating one is rejected, naming the first row."""

    _ATTRIBUTES: tuple[tuple[int, str, bool], ...] = (
        (INDEX["username"], "username", False),
        (INDEX["email_address"], "email_address", True),
        (INDEX["card_id"], "card_id", False),
        (INDEX["auth_identifier"], "auth_identifier", False),
    )

    def __init__(self) -> None:
        self._first_line: dict[str, dict[str, int]] = {name: {} for _, name, _ in self._ATTRIBUTES}

    def check(self, line: int, values: list[str]) -> list[Finding]:
        errors: list[Finding] = []
        for index, name, fold in self._ATTRIBUTES:
            value = values[index]
            if not value or value == CLEAR:
                continue
            key = value.lower() if fold else value
            seen = self._first_line[name]
            first = seen.get(key)
            if first is None:
                seen[key] = line
            else:
                errors.append(
                    Finding(line, name, f"{name} is the same as on row {first}: each student "
                            "needs their own")
                )
        return errors
