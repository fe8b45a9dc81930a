"""Where verify gets the roster's card_ids: a Handshake CSV file, or the kiosk's database.

Only the ``username`` and ``card_id`` columns matter here; every other column is ignored
(the roster importer validates them). card_ids are kept exactly as written: Handshake
matches them character for character, leading zeros and all.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from itertools import chain
from pathlib import Path

from kiosk.errors import UsageError, reading_file

REQUIRED_HEADERS = ("username", "card_id")

#: The ``--roster`` value that means the kiosk's own database.
DATABASE_ROSTER = "db"


@dataclass(frozen=True, slots=True)
class RosterCardIds:
    """A roster reduced to what verify needs: ``(card_id, username)`` pairs, and its origin."""

    source: str
    pairs: list[tuple[str | None, str]]

    @property
    def students(self) -> int:
        return len(self.pairs)


class RosterFileError(UsageError):
    """A roster file verify cannot read (exit status 2)."""


def read_roster_file(path: str | Path) -> RosterCardIds:
    """``(card_id, username)`` pairs from a Handshake Student CSV (UTF-8, BOM allowed).

    A row without a username is named by its line number, so it can still be reported.
    """
    path = Path(path)
    try:
        with (
            reading_file(
                path, "roster file", RosterFileError, "save it from the spreadsheet as 'CSV UTF-8'."
            ),
            path.open(encoding="utf-8-sig", newline="") as handle,
        ):
            lines = iter(handle)
            first = next(csv_records(lines), None)
            if first is None:
                raise RosterFileError(
                    f"The roster file {path} is empty; export the Handshake Student CSV again."
                )
            header_line, header = first
            username_at, card_id_at = _header_positions(path, header)
            width = max(username_at, card_id_at) + 1
            pairs: list[tuple[str | None, str]] = []
            for line_number, row in csv_records(lines, width, header_line):
                if not row or (len(row) == 1 and not row[0].strip()):
                    continue
                if len(row) < width:
                    row = row + [""] * (width - len(row))
                username = row[username_at].strip() or f"(line {line_number}: no username)"
                pairs.append((row[card_id_at] or None, username))
    except csv.Error as exc:
        raise RosterFileError(
            f"The roster file {path} is not a valid CSV ({exc}); export it again as CSV."
        ) from exc
    if not pairs:
        raise RosterFileError(
            f"The roster file {path} has a header but no students; export the Handshake "
            "Student CSV with its rows."
        )
    return RosterCardIds(source=str(path), pairs=pairs)


def csv_records(
    lines: Iterator[str], columns: int | None = None, line_number: int = 0
) -> Iterator[tuple[int, list[str]]]:
    """The records ``csv.reader(lines)`` gives, each with the number of the line it ends on
    (counting on from ``line_number``); with ``columns``, only the first ``columns`` fields
    of a record are split off (the rest stay joined in one more field).

    ``lines`` are a file's lines as opened with ``newline=""``. A line without a quote
    character (most of a roster) is one record of plain comma-separated fields, so it is
    split directly: for 34 columns of which verify needs two, several times faster than
    csv's character-by-character parser. Any other line goes to ``csv.reader``, which reads
    on as far as its quoted fields go; so do lines longer than csv's field size limit, so
    that a field past the limit is still refused as csv refuses it.
    """
    limit = csv.field_size_limit()
    splits = -1 if columns is None else columns
    for line in lines:
        line_number += 1
        if '"' not in line and len(line) <= limit:
            text = line.rstrip("\r\n")
            yield line_number, text.split(",", splits) if text else []
            continue
        reader = csv.reader(chain((line,), lines))
        record = next(reader)  # a record starts on this line: csv returns one (or raises)
        line_number += reader.line_num - 1
        yield line_number, record


def _header_positions(path: Path, header: list[str]) -> tuple[int, int]:
    names = [name.strip() for name in header]
    missing = [name for name in REQUIRED_HEADERS if name not in names]
    if missing:
        near = [name for name in names if name.lower() in missing]
        detail = ""
        if near:
            detail = f" (found {', '.join(repr(n) for n in near)}: headers are lower-case)"
        raise RosterFileError(
            f"The roster file {path} has no {' or '.join(repr(m) for m in missing)} column"
            f"{detail}; verify needs the Handshake headers 'username' and 'card_id' in the "
            "first row."
        )
    return names.index("username"), names.index("card_id")


def read_roster_database(url: str | None) -> RosterCardIds:
    """``(card_id, username)`` of every non-archived student in the kiosk's database."""
    # Imported here: a roster file, the usual case, needs no database library.
    from sqlalchemy import Table, select

    from kiosk.db.models import Student
    from kiosk.db.session import open_database

    students: Table = Student.__table__  # type: ignore[attr-defined]
    engine = open_database(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                select(students.c.username, students.c.card_id)
                .where(students.c.archived.is_(False))
                .order_by(students.c.username)
            ).all()
        source = f"database {engine.url.render_as_string(hide_password=True)}"
    finally:
        engine.dispose()
    if not rows:
        raise UsageError(
            f"The kiosk's {source} has no current students; import the roster first "
            "('kiosk import ROSTER.csv') or give the CSV with --roster."
        )
    return RosterCardIds(source=source, pairs=[(card_id, username) for username, card_id in rows])


def load_roster(roster: str, db_url: str | None) -> RosterCardIds:
    """The roster named by ``--roster``: ``db`` for the kiosk's database, else a CSV path."""
    if roster == DATABASE_ROSTER:
        return read_roster_database(db_url)
    return read_roster_file(roster)
