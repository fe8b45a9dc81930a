"""The header line: which cell feeds which Student attribute, what is unknown or missing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from kiosk.roster.csvfile import RosterFileError
from kiosk.roster.findings import Finding
from kiosk.roster.schema import (
    BY_HEADER,
    HEADER_ALIASES,
    IDENTITY_HEADERS,
    INDEX,
    REQUIRED_HEADERS,
)
from kiosk.text_safety import first_forbidden

HEADER_LINE = 1


@dataclass(frozen=True)
class HeaderMap:
    """``positions``: (cell index, attribute index) for every mapped header."""

    cells: tuple[str, ...]
    positions: tuple[tuple[int, int], ...]
    present: frozenset[str]
    warnings: list[Finding] = field(default_factory=list)

    @property
    def width(self) -> int:
        return len(self.cells)


def _canonical(header: str) -> str:
    return HEADER_ALIASES.get(header, header)


def _near_header(header: str) -> str | None:
    """The Handshake header ``header`` was meant to be (wrong case or stray spaces)."""
    guess = _canonical(header.strip().lower())
    return guess if guess in BY_HEADER else None


def map_header(cells: Sequence[str], filename: str) -> HeaderMap:
    """Map the header line, or refuse a file that is not a student roster."""
    positions: list[tuple[int, int]] = []
    seen: dict[str, int] = {}
    warnings: list[Finding] = []
    for index, raw in enumerate(cells):
        header = _canonical(raw)
        column = BY_HEADER.get(header)
        if column is None:
            warnings.append(_unknown_header_warning(raw, index))
            continue
        if header in seen:
            raise RosterFileError(
                f"{filename}: the header {header!r} appears twice (columns {seen[header] + 1} "
                f"and {index + 1}); remove one and import again.",
                line=HEADER_LINE,
            )
        seen[header] = index
        positions.append((index, INDEX[column.attribute]))
    missing_identity = [h for h in IDENTITY_HEADERS if h not in seen]
    if missing_identity:
        raise RosterFileError(_not_a_roster_message(filename, missing_identity, cells),
                              line=HEADER_LINE)
    for header in REQUIRED_HEADERS:
        if header not in seen:
            warnings.append(
                Finding(
                    HEADER_LINE,
                    header,
                    f"the required header {header!r} is missing: Handshake will refuse this "
                    "file (the kiosk imports it without that column)",
                    "missing_header",
                )
            )
    present = frozenset(BY_HEADER[h].attribute for h in seen)
    return HeaderMap(tuple(cells), tuple(positions), present, warnings)


def _unknown_header_warning(raw: str, index: int) -> Finding:
    if not raw.strip():
        return Finding(
            HEADER_LINE,
            None,
            f"column {index + 1} has no header; its values are skipped",
            "unknown_header",
        )
    near = _near_header(raw)
    hint = f" (did you mean {near!r}? headers are lowercase and must match exactly)" if near else ""
    return Finding(
        HEADER_LINE,
        raw if first_forbidden(raw) is None else repr(raw),  # the report never prints ESC
        f"we found data that we don't map: {raw!r} is not a Handshake column{hint}; "
        "its values are skipped",
        "unknown_header",
    )


def _not_a_roster_message(filename: str, missing: list[str], cells: Sequence[str]) -> str:
    # "no username, email_address or first_name column": none of them is there
    names = missing[0] if len(missing) == 1 else f"{', '.join(missing[:-1])} or {missing[-1]}"
    hints = [f"{cell!r} should be {_near_header(cell)!r}" for cell in cells
             if _near_header(cell) in missing and cell != _near_header(cell)]
    hint = f" ({'; '.join(hints)})" if hints else ""
    kind = "is not a student roster" if {"username", "email_address"} & set(missing) else (
        "is not a complete student roster"
    )
    return (
        f"{filename} {kind}: its header line has no {names} column{hint}. Export the "
        "Handshake Student CSV (lowercase headers such as email_address,username,first_name) "
        "and import that."
    )
