"""Per-row rules, checked a chunk of rows at a time, column by column.

Each row becomes a staging row (its cells in attribute order, as written: ``""`` blank keeps
the stored value and ``**CLEAR**`` erases it, resolved later against the database by
:mod:`kiosk.roster.plan`) with its line, whether it is valid, and its lower-cased email.

A chunk is checked column by column: each column's distinct values in the chunk are checked
once (the values of columns that repeat, such as majors or years, once per file), and only a
column holding a bad value is walked row by row. Uniqueness inside the file is checked by SQL
over the staged rows (:mod:`kiosk.roster.staging`), not here, so nothing here grows with the
file.
"""

from __future__ import annotations

from collections.abc import Container, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from operator import itemgetter
from typing import Any

from kiosk.roster.csvfile import RawRow
from kiosk.roster.findings import Finding
from kiosk.roster.headers import HeaderMap
from kiosk.roster.repeats import counted
from kiosk.roster.schema import (
    ATTRIBUTES,
    BY_ATTRIBUTE,
    CATEGORIES,
    CLEAR,
    INDEX,
    Column,
    split_list,
)
from kiosk.roster.values import (
    ValueCheck,
    all_pass,
    check_for,
    not_capital_case,
    parse_date,
)

#: Short usernames ("al") appear inside card_ids by chance; only longer ones are reported.
MIN_USERNAME_IN_OTHER = 3

#: Unique columns and these kinds hold values that rarely repeat: they are checked per
#: chunk. The values of every other column (names, years, majors, flags...) are checked
#: once per distinct value in the file (up to _CACHE_LIMIT of them per column).
_UNIQUE_KINDS = frozenset(("mobile", "emails"))
_CACHE_LIMIT = 50_000

#: What a staged row is: rows with the wrong number of cells keep only their username (a
#: student whose row was rejected is not missing from the file); invalid rows keep their
#: values for the uniqueness check; valid rows are imported.
WRONG_WIDTH, INVALID, VALID = 0, 1, 2

_USERNAME = INDEX["username"]
_EMAIL = INDEX["email_address"]
_CARD = INDEX["card_id"]
_AUTH = INDEX["auth_identifier"]
_MAJORS = INDEX["major_names"]
_PRIMARY_MAJOR = INDEX["primary_major_name"]
_START = INDEX["start_date"]
_END = INDEX["end_date"]

Values = tuple[str, ...]

#: (line, kind, email_key, *values in schema.ATTRIBUTES order, fingerprint or None)
StagedRow = tuple[Any, ...]

#: A row's fingerprint by line (:mod:`fingerprint`), for the staged rows to carry.
Prints = Mapping[int, bytes]

_NO_PRINTS: Prints = {}

#: A checked value: (its error or None, a list item not in Capital Case or None).
_Checked = tuple[str | None, str | None]
_FINE: _Checked = (None, None)


class _ColumnCheck:
    """The checks of one mapped column."""

    def __init__(self, cell: int, column: Column) -> None:
        self.cell = cell
        self.header = column.header
        self.capital_case = column.attribute in ("major_names", "minor_names")
        self._check: ValueCheck = check_for(column)
        self._column = column
        blank = f"{column.header} can't be blank" if column.not_blank else None
        cleared = (f"{column.header} can't be cleared: it must not be blank"
                   if column.not_blank else None)
        self._special: dict[str, _Checked] = {"": (blank, None), CLEAR: (cleared, None)}
        repeating = not column.unique and column.kind not in _UNIQUE_KINDS
        self._good: set[str] | None = set() if repeating else None
        self._bad: dict[str, _Checked] = {}

    def _checked(self, value: str) -> _Checked:
        special = self._special.get(value)
        if special is not None:
            return special
        message = self._check(value)
        lower = not_capital_case(value)[:1] if self.capital_case else []
        return (message, lower[0] if lower else None)

    def problems(self, column: Sequence[str]) -> dict[str, _Checked]:
        """The values of ``column`` (one chunk's cells) with an error or a warning."""
        distinct = set(column)
        good = self._good
        if good is not None:
            distinct -= good
        bad = self._bad
        found = {value: bad[value] for value in distinct & bad.keys()} if bad else {}
        unknown = distinct - found.keys() if found else distinct
        if not unknown:
            return found
        if not (self._special.keys() & unknown) and not self.capital_case and all_pass(
            self._column, list(unknown)
        ):  # a whole chunk's values cleared at once (else checked one by one below)
            if good is not None and len(good) < _CACHE_LIMIT:
                good.update(unknown)
            return found
        for value in unknown:
            result = self._checked(value)
            if result != _FINE:
                found[value] = result
                if good is not None and len(bad) < _CACHE_LIMIT:
                    bad[value] = result
            elif good is not None and len(good) < _CACHE_LIMIT:
                good.add(value)
        return found


@dataclass
class CheckedChunk:
    """One chunk's staged rows (in file order), findings (in row order) and rejections."""

    staged: list[StagedRow] = field(default_factory=list)
    #: the valid rows' lines, and each gut-check category's cells on them (same order)
    valid_lines: list[int] = field(default_factory=list)
    category_keys: dict[str, list[tuple[str, ...]]] = field(default_factory=dict)
    #: the lines of the rows of the header's width that have errors
    invalid_lines: list[int] = field(default_factory=list)
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    rejected: int = 0
    #: each unique column's counted values on the rows of the header's width, valid or not,
    #: as staged (:data:`kiosk.roster.repeats.WATCHED`)
    unique: dict[str, list[str]] = field(default_factory=dict)


class RowValidator:
    """Checks the rows of one file against Handshake's rules (except uniqueness in the file,
    which the staging table checks)."""

    def __init__(self, header: HeaderMap) -> None:
        self._width = header.width
        self._columns = [
            _ColumnCheck(cell, BY_ATTRIBUTE[ATTRIBUTES[attribute]])
            for cell, attribute in header.positions
        ]
        by_attribute = {attribute: cell for cell, attribute in header.positions}
        # Unmapped attributes read the blank cell appended to every row (at index width).
        self._pick = itemgetter(*(by_attribute.get(a, self._width) for a in range(len(ATTRIBUTES))))
        self._username_cell = by_attribute[_USERNAME]
        self._email_cell = by_attribute.get(_EMAIL, self._width)
        self._card_cell = by_attribute.get(_CARD, self._width)
        self._auth_cell = by_attribute.get(_AUTH, self._width)
        self._dates = (by_attribute.get(_START, self._width), by_attribute.get(_END, self._width))
        self._majors = (by_attribute.get(_PRIMARY_MAJOR, self._width),
                        by_attribute.get(_MAJORS, self._width))
        self._blank_attributes = ("",) * len(ATTRIBUTES)
        self._category_cells = {
            category: tuple(by_attribute.get(INDEX[a], self._width) for a in attributes)
            for category, attributes in CATEGORIES.items()
        }

    def check(self, rows: Sequence[RawRow], *, staged: bool = True,
              prints: Prints = _NO_PRINTS) -> CheckedChunk:
        """Check a chunk of rows (in file order); the staged rows carry their fingerprints
        from ``prints``. ``staged=False`` leaves the staged rows out (for a checker process
        whose rows another process stages: :mod:`checker`)."""
        good, wrong_width, errors = self._by_width(rows)
        warnings: dict[int, list[Finding]] = {}
        columns: list[tuple[str, ...]] = []
        if good:
            columns = list(zip(*(row.cells for row in good), strict=True))
            self._check_cells(good, columns, errors, warnings)
            self._check_across_columns(good, columns, errors, warnings)
        checked = self._checked(wrong_width, good, columns, errors, warnings,
                                prints if staged else None)
        if good:
            checked.unique = self._unique_values(columns)
        return checked

    def _unique_values(self, columns: list[tuple[str, ...]]) -> dict[str, list[str]]:
        """Each unique column's counted values, as staged (the email lower-cased)."""
        return {"username": counted(columns[self._username_cell]),
                "email_key": [email.lower() for email in counted(columns[self._email_cell])],
                "card_id": counted(columns[self._card_cell]),
                "auth_identifier": counted(columns[self._auth_cell])}

    def stage(self, rows: Sequence[RawRow], prints: Prints = _NO_PRINTS) -> list[StagedRow]:
        """A chunk's staged rows as if every row of the header's width were valid, unchecked:
        for a process that stages the rows while another checks them (:mod:`checker`); the
        rows the check rejects are then marked invalid in the staging table."""
        good, wrong_width, _ = self._by_width(rows)
        staged: list[StagedRow] = []
        if good:
            columns = list(zip(*(row.cells for row in good), strict=True))
            lines = [row.line for row in good]
            staged.extend(self._staged_rows(lines, self._holding_nul(lines, columns), columns,
                                            prints))
        staged.extend(self._wrong_width_rows(wrong_width))
        return staged

    def _holding_nul(self, lines: list[int], columns: list[tuple[str, ...]]) -> set[int] | None:
        """The lines whose staged values hold a NUL (every column refuses one, so the check
        rejects them too; staged as invalid, they are escaped for PostgreSQL), else None.
        One test per column: a NUL is rare."""
        picked = self._pick(columns)
        if not any("\x00" in "".join(column) for column in picked):
            return None
        return {line for line, values in zip(lines, zip(*picked, strict=True), strict=True)
                if any("\x00" in value for value in values)}

    def _by_width(self, rows: Sequence[RawRow]
                  ) -> tuple[list[RawRow], list[RawRow], dict[int, list[Finding]]]:
        """The rows with the header's width (each given the blank cell that unmapped
        attributes read), the others, and the others' errors."""
        width = self._width
        errors: dict[int, list[Finding]] = {}
        good: list[RawRow] = []
        wrong_width: list[RawRow] = []
        for row in rows:
            if len(row.cells) == width:
                row.cells.append("")  # the blank read by unmapped attributes
                good.append(row)
            else:
                wrong_width.append(row)
                errors[row.line] = [Finding(
                    row.line, None,
                    f"the row has {len(row.cells)} cells but the header has {width}: check "
                    "for an unquoted comma or a missing cell",
                )]
        return good, wrong_width, errors

    def _check_cells(self, good: list[RawRow], columns: list[tuple[str, ...]],
                     errors: dict[int, list[Finding]], warnings: dict[int, list[Finding]]
                     ) -> None:
        for spec in self._columns:
            column = columns[spec.cell]
            problems = spec.problems(column)
            if not problems:
                continue
            header = spec.header
            for row, value in zip(good, column, strict=True):
                found = problems.get(value)
                if found is None:
                    continue
                message, not_capital = found
                if message is not None:
                    errors.setdefault(row.line, []).append(Finding(row.line, header, message))
                if not_capital is not None:
                    warnings.setdefault(row.line, []).append(
                        Finding(row.line, header, f"{not_capital!r} is not in Capital Case",
                                f"capital_case:{header}")
                    )

    def _check_across_columns(self, good: list[RawRow], columns: list[tuple[str, ...]],
                              errors: dict[int, list[Finding]],
                              warnings: dict[int, list[Finding]]) -> None:
        start, end = (columns[cell] for cell in self._dates)
        late = {pair for pair in set(zip(start, end, strict=True)) if _ends_before_start(*pair)}
        primary, majors = (columns[cell] for cell in self._majors)
        outside = {pair for pair in set(zip(primary, majors, strict=True))
                   if _primary_outside_majors(*pair)}
        if late or outside:
            for row, dates, major in zip(good, zip(start, end, strict=True),
                                         zip(primary, majors, strict=True), strict=True):
                if dates in late:
                    errors.setdefault(row.line, []).append(
                        Finding(row.line, BY_ATTRIBUTE["end_date"].header,
                                "end_date is before start_date"))
                if major in outside:
                    errors.setdefault(row.line, []).append(
                        Finding(row.line, BY_ATTRIBUTE["primary_major_name"].header,
                                f"primary_major_name {major[0]!r} is not one of the "
                                "major_names"))
        clear = CLEAR.casefold()
        for row, username, card_id, email in zip(
            good, columns[self._username_cell], columns[self._card_cell],
            columns[self._email_cell], strict=True
        ):
            name = username.casefold()
            if len(name) < MIN_USERNAME_IN_OTHER or name == clear:
                continue
            if card_id and name in card_id.casefold():
                warnings.setdefault(row.line, []).append(
                    Finding(row.line, "username", "the username appears inside the card_id; "
                            "Handshake advises a username that never changes, such as the "
                            "student ID, and that is no part of the card_id",
                            "username_in_card_id"))
            if name in email.casefold():
                warnings.setdefault(row.line, []).append(
                    Finding(row.line, "username", "the username appears inside the email "
                            "address; Handshake advises a username that never changes, such "
                            "as the student ID, and that is no part of the email",
                            "username_in_email"))

    def _checked(self, wrong_width: list[RawRow], good: list[RawRow],
                 columns: list[tuple[str, ...]], errors: dict[int, list[Finding]],
                 warnings: dict[int, list[Finding]], prints: Prints | None) -> CheckedChunk:
        """The chunk's findings, and its staged rows unless ``prints`` is None."""
        chunk = CheckedChunk()
        if good:
            lines = [row.line for row in good]
            if prints is not None:
                chunk.staged.extend(self._staged_rows(lines, errors, columns, prints))
            valid = [i for i, line in enumerate(lines) if line not in errors] if errors else None
            chunk.valid_lines = lines if valid is None else [lines[i] for i in valid]
            if errors:
                chunk.invalid_lines = [line for line in lines if line in errors]
            for category, category_cells in self._category_cells.items():
                combinations = list(zip(*(columns[c] for c in category_cells), strict=True))
                chunk.category_keys[category] = (
                    combinations if valid is None else [combinations[i] for i in valid])
        if prints is not None:
            chunk.staged.extend(self._wrong_width_rows(wrong_width))
        if errors:
            chunk.rejected = len(errors)
            for line in sorted(errors):
                chunk.errors.extend(errors[line])
        for line in sorted(warnings):
            chunk.warnings.extend(warnings[line])
        return chunk

    def _staged_rows(self, lines: list[int], invalid: Container[int] | None,
                     columns: list[tuple[str, ...]], prints: Prints) -> Iterator[StagedRow]:
        """The rows of the header's width as staged rows, built column-wise (one tuple per
        row, made in C); a row on a line in ``invalid`` is invalid."""
        kinds = [INVALID if line in invalid else VALID for line in lines] if invalid else (
            repeat(VALID))
        keys = map(str.lower, columns[self._email_cell])
        return zip(lines, kinds, keys, *self._pick(columns), map(prints.get, lines),
                   strict=False)  # kinds may repeat

    def _wrong_width_rows(self, wrong_width: list[RawRow]) -> list[StagedRow]:
        """Rows with the wrong number of cells keep only their username."""
        staged: list[StagedRow] = []
        for row in wrong_width:
            cells = row.cells
            values = list(self._blank_attributes)
            if self._username_cell < len(cells):
                values[_USERNAME] = cells[self._username_cell]
            staged.append((row.line, WRONG_WIDTH, "", *values, None))
        return staged


def _ends_before_start(start: str, end: str) -> bool:
    first, last = parse_date(start), parse_date(end)
    return first is not None and last is not None and last < first


def _primary_outside_majors(primary: str, majors: str) -> bool:
    return bool(primary and primary != majors and primary != CLEAR and majors
                and majors != CLEAR and primary.strip() not in split_list(majors))
