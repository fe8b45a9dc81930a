"""The staging table: the file's rows, streamed into a temporary table as they are checked,
so the import holds no list of rows and SQL compares them with the stored roster.

A temporary table belongs to the import's own database connection and vanishes with it:
an import killed midway leaves nothing behind, and no migration is needed. On SQLite the
rows go in with ``executemany`` (into the connection's temp database, which takes no lock
on the kiosk's database); on PostgreSQL with a binary ``COPY``.

Each staged row is ``(line, kind, email_key, *values, fingerprint)``: ``kind`` is
:data:`~kiosk.roster.validate.VALID`, ``INVALID`` or ``WRONG_WIDTH``; the planner marks the
valid rows it rejects (``verdict``). A valid row whose fingerprint a stored student holds
(the same row again: :mod:`kiosk.roster.fingerprint`) is staged :data:`SKIPPED`, in the
columns the uniqueness check reads only, and left out of the plan.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import Connection
from sqlalchemy.exc import SQLAlchemyError

from kiosk.roster.findings import Finding
from kiosk.roster.fingerprint import SKIPPED_CELLS, SkippedRow
from kiosk.roster.repeats import UNIQUE_IN_FILE
from kiosk.roster.schema import ATTRIBUTES, CATEGORIES, CLEAR
from kiosk.roster.tally import CategoryCounts
from kiosk.roster.validate import INVALID, VALID, StagedRow

TABLE = "kiosk_roster_staging"
#: (line, id): the valid rows naming a stored student (by username), made by each plan
MATCHES = "kiosk_roster_matches"
CHANGES = "kiosk_roster_changes"

#: The verdict of a valid row the planner rejects (conflict with a stored student, damage).
REJECTED = 1

#: The kind of a valid row that changes nothing (its fingerprint is stored): staged in
#: :data:`SKIPPED_COLUMNS` only.
SKIPPED = 3

#: The staged columns, in the order of a staged row.
COLUMNS: tuple[str, ...] = ("line", "kind", "email_key", *ATTRIBUTES, "fingerprint")

#: A skipped row's columns (besides its kind).
SKIPPED_COLUMNS: tuple[str, ...] = ("line", "email_key", *SKIPPED_CELLS)
#: Where they are in a staged row (PostgreSQL's COPY writes every column).
_SKIPPED_AT = tuple(COLUMNS.index(name) for name in SKIPPED_COLUMNS)

#: The SQL type of each staged column that is not text, on SQLite and PostgreSQL, and the
#: name PostgreSQL's binary COPY sends it as.
_TYPED = {"line": ("INTEGER", "INTEGER", "int4"), "kind": ("INTEGER", "INTEGER", "int4"),
          "fingerprint": ("BLOB", "BYTEA", "bytea")}
#: The staged columns' types in a binary COPY (as typed by the loader: no text parsing on
#: the server, about a third of the load's time at 100,000 rows).
_COPY_TYPES = [_TYPED[name][2] if name in _TYPED else "text" for name in COLUMNS]

def literal(value: str) -> str:
    """``value`` as an SQL string literal (for the few constants, such as **CLEAR**)."""
    return "'" + value.replace("'", "''") + "'"


CLEAR_SQL = literal(CLEAR)
#: A staged valid row that no plan rejected.
ACCEPTED = f"s.kind = {VALID} AND s.verdict IS NULL"
#: Join a staged row ``s`` with the stored student ``st`` it names (its match ``m``).
WITH_STORED = (f"JOIN {MATCHES} m ON m.line = s.line JOIN student st ON st.id = m.id")
#: The same join made directly by username, for queries over valid rows only (the matches
#: are the valid rows' usernames joined so): on PostgreSQL it spares the planner a hash
#: join with the matches table (the changes table at 100,000 rows: 0.50 -> 0.33 s).
WITH_STORED_BY_USERNAME = "JOIN student st ON st.username = s.username"
#: Left join: ``st.id`` is NULL for a row naming no stored student.
WITH_STORED_IF_ANY = (f"LEFT JOIN {MATCHES} m ON m.line = s.line "
                      "LEFT JOIN student st ON st.id = m.id")
#: A staged row naming no stored student (a new student).
NEW = f"NOT EXISTS (SELECT 1 FROM {MATCHES} n WHERE n.line = s.line)"


#: PostgreSQL settings for the import's session (see :meth:`StagingTable.create`). The
#: staging table's statistics come from a sample of 3,000 rows instead of 30,000 (its ANALYZE
#: 0.12 -> 0.02 s at 100,000 rows): what the plan needs of them is the row counts and that
#: the joined columns are unique or nearly so, which the small sample shows as well.
PG_SESSION = {"jit": "off", "cursor_tuple_fraction": "1.0", "work_mem": "64MB",
              "default_statistics_target": "10"}

#: The page cache of the SQLite connection's temporary database, which holds the staging
#: table (SQLite's default, 2 MB, is a twentieth of a 100,000-row staging table: every
#: insert and every plan query went through the temporary file). A bound, not a share of
#: the file: the import's memory stays flat in the row count. The connection is closed
#: after the import (:meth:`StagingTable.drop_quietly`), the setting with it.
SQLITE_TEMP_CACHE_KIB = 8 * 1024


class StagingTable:
    """The staging table on one connection: create it, load chunks, drop it."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection
        self.postgres = connection.dialect.name == "postgresql"
        #: whether a plan has set verdicts (see :meth:`reset_plan`)
        self._planned = False

    def create(self) -> None:
        self.drop()
        self._planned = False
        dialect = 1 if self.postgres else 0
        columns = ", ".join(f"{name} {_TYPED[name][dialect] if name in _TYPED else 'TEXT'}"
                            for name in COLUMNS)
        if self.postgres:
            # The plan's queries are large but quick: compiling them (JIT) cost more than
            # running them (about 1 s each at 100,000 rows). A streamed query (a cursor) is
            # planned like any other: planned for its first rows, an anti-join became a
            # scan per row (minutes at 100,000 rows). The plan's sorts and hashes (the
            # staged rows in line order for the inserts, the rows joined with their stored
            # students: tens of MB at 100,000 rows) fit in work_mem instead of going
            # through temporary files. All reset when the import ends.
            for name, value in PG_SESSION.items():
                self._run(f"SET {name} = '{value}'")
            self._run(f"CREATE TEMPORARY TABLE {TABLE} ({columns}, verdict INTEGER)")
        else:  # line is the rowid: rows arrive in line order
            if SQLITE_TEMP_CACHE_KIB:
                self._run(f"PRAGMA temp.cache_size = -{SQLITE_TEMP_CACHE_KIB}")
            columns = columns.replace("line INTEGER", "line INTEGER PRIMARY KEY")
            self._run(f"CREATE TEMPORARY TABLE {TABLE} ({columns}, verdict INTEGER)")

    def drop(self) -> None:
        for table in (CHANGES, MATCHES, TABLE):
            self._run(f"DROP TABLE IF EXISTS {table}")

    def drop_quietly(self) -> None:
        """Remove the tables after an import. On SQLite the connection is closed instead (its
        temporary database goes with it, which is quicker than dropping a large table); a
        broken connection drops them itself."""
        try:
            if self.connection.in_transaction():
                self.connection.rollback()
            if self.postgres:
                self.drop()
                for name in PG_SESSION:
                    self._run(f"RESET {name}")
                self.connection.commit()
            else:
                self.connection.invalidate()
        except SQLAlchemyError:
            pass

    @contextmanager
    def loader(self) -> Iterator[_Loader]:
        """A loader for chunks of staged rows, in one transaction (of the temp table only)."""
        with self.connection.begin():
            if self.postgres:
                driver: Any = self.connection.connection.driver_connection
                names = ", ".join(COLUMNS)
                with driver.cursor() as cursor, cursor.copy(
                    f"COPY {TABLE} ({names}) FROM STDIN (FORMAT BINARY)"
                ) as copy:
                    copy.set_types(_COPY_TYPES)
                    yield _Loader(copy=copy)
            else:
                cursor = self.connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
                try:
                    yield _Loader(cursor=cursor)
                finally:
                    cursor.close()

    def skipped_among(self, lines: list[int]) -> bool:
        """Whether a row on one of ``lines`` was staged :data:`SKIPPED`."""
        with self.connection.begin():
            for start in range(0, len(lines), 500):
                part = ", ".join(map(str, lines[start:start + 500]))
                if self._run(f"SELECT 1 FROM {TABLE} WHERE kind = {SKIPPED} "
                             f"AND line IN ({part}) LIMIT 1").first():
                    return True
        return False

    def index(self) -> None:
        """Index the loaded rows for the plan's joins (and let PostgreSQL count them)."""
        with self.connection.begin():
            if not self.postgres:  # (PostgreSQL joins by username with a hash: 0.05 s saved)
                self._run(f"CREATE INDEX {TABLE}_username ON {TABLE} (username)")
                return
            self._run(f"CREATE UNIQUE INDEX {TABLE}_line ON {TABLE} (line)")
            # the planner's row counts (the columns joined on or filtered by)
            self._run(f"ANALYZE {TABLE} (line, kind, verdict, username, email_key, card_id, "
                      "auth_identifier)")

    def duplicates_in_file(self, columns: Iterable[str], *, skipped: bool = False
                           ) -> dict[int, list[Finding]]:
        """Rows repeating another row's username, email, card_id or auth_identifier (the
        first row with the value keeps it), with their errors, looked for in ``columns``
        only (the check's :attr:`FileCheck.may_repeat`: the others hold no repeat:
        :mod:`repeats`). Valid and invalid rows count alike.

        With rows ``skipped`` (:data:`SKIPPED`), only the email, card_id and auth_identifier
        values of the other rows are looked for: two skipped rows naming different students
        cannot share one (each such value is its stored student's, and stored ones are
        unique), and two naming the same student repeat its username, which is looked for
        over every row (the import then stages every row in full: see :mod:`service`)."""
        found: dict[int, list[Finding]] = {}
        looked_for = set(columns)
        if not looked_for:
            return found
        with self.connection.begin():
            for column, exempt, name in UNIQUE_IN_FILE:
                if column not in looked_for:
                    continue
                counted = f"kind > 0 AND {exempt} <> '' AND {exempt} <> {CLEAR_SQL}"
                if skipped and column != "username":
                    counted += (f" AND {column} IN (SELECT {column} FROM {TABLE} WHERE "
                                f"kind IN ({INVALID}, {VALID}) AND {exempt} <> '' AND "
                                f"{exempt} <> {CLEAR_SQL})")
                rows = self._run(
                    f"SELECT s.line, f.first FROM {TABLE} s JOIN ("
                    f"SELECT {column} AS value, MIN(line) AS first FROM {TABLE} "
                    f"WHERE {counted} "
                    f"GROUP BY {column} HAVING COUNT(*) > 1) f ON s.{column} = f.value "
                    f"WHERE s.kind > 0 AND s.line > f.first AND s.{exempt} <> '' "
                    f"AND s.{exempt} <> {CLEAR_SQL}"
                )
                for line, first in rows:
                    found.setdefault(line, []).append(
                        Finding(line, name, f"{name} is the same as on row {first}: each "
                                "student needs their own"))
        return found

    def uncount(self, counts: CategoryCounts, lines: Iterable[int]) -> None:
        """Take the staged rows on ``lines`` off the gut check's ``counts`` (they were
        rejected), counting a category again where one was its combination's first row."""
        batch = sorted(lines)
        columns = [attribute for attributes in CATEGORIES.values() for attribute in attributes]
        dirty: set[str] = set()
        for start in range(0, len(batch), 500):
            part = ", ".join(map(str, batch[start:start + 500]))
            rows = self._run(
                f"SELECT line, {', '.join(columns)} FROM {TABLE} WHERE line IN ({part})"
            ).all()
            dirty |= counts.take_off(rows)
        for category in dirty:
            cells = ", ".join(f"s.{attribute}" for attribute in CATEGORIES[category])
            counts.recount(category, self._run(
                f"SELECT {cells}, MIN(s.line), COUNT(*) FROM {TABLE} s WHERE {ACCEPTED} "
                f"GROUP BY {cells}"
            ).all())

    def mark_invalid(self, lines: list[int]) -> None:
        """Mark the staged rows on ``lines`` invalid (a checker process rejected them, or
        they repeat another row's unique value), in a transaction of the temporary table's
        own."""
        if lines:
            with self.connection.begin():
                self.set_kind(lines, INVALID)

    def set_kind(self, lines: Iterable[int], kind: int) -> None:
        self._mark("kind", lines, kind)

    def reject(self, lines: Iterable[int]) -> None:
        self._mark("verdict", lines, REJECTED)

    def reset_plan(self) -> None:
        """Forget the previous plan's verdicts and tables, and match the valid rows with the
        stored students they name."""
        if self._planned:  # (the first plan finds no verdict: spares a scan of every row)
            self._run(f"UPDATE {TABLE} SET verdict = NULL WHERE verdict IS NOT NULL")
        self._planned = True
        self._run(f"DROP TABLE IF EXISTS {CHANGES}")
        self._run(f"DROP TABLE IF EXISTS {MATCHES}")
        self._run(f"CREATE TEMPORARY TABLE {MATCHES} (line INTEGER PRIMARY KEY, "
                  "id INTEGER NOT NULL)")
        self._run(f"INSERT INTO {MATCHES} (line, id) SELECT s.line, st.id FROM {TABLE} s "
                  f"JOIN student st ON st.username = s.username WHERE s.kind = {VALID} "
                  "ORDER BY s.line")
        if self.postgres:
            self._run(f"ANALYZE {MATCHES}")

    def forget_changes(self, lines: list[int]) -> None:
        """Take the rejected ``lines`` out of the changes table."""
        for start in range(0, len(lines), 500):
            part = ", ".join(map(str, lines[start:start + 500]))
            self._run(f"DELETE FROM {CHANGES} WHERE line IN ({part})")

    def _mark(self, column: str, lines: Iterable[int], value: int) -> None:
        batch = sorted(lines)
        for start in range(0, len(batch), 500):
            part = ", ".join(map(str, batch[start:start + 500]))
            self._run(f"UPDATE {TABLE} SET {column} = {value} WHERE line IN ({part})")

    def _run(self, sql: str) -> Any:
        return self.connection.exec_driver_sql(sql)


def _without_nul(row: StagedRow) -> StagedRow:
    """A rejected row's values for PostgreSQL, whose text cannot hold NUL: escaped one to
    one (a valid value holds neither character, so it is the same escaped or not)."""
    return tuple(
        value.replace("\x01", "\x01\x01").replace("\x00", "\x01\x02")
        if isinstance(value, str) else value
        for value in row
    )


def _insert(columns: tuple[str, ...], kind: int | None = None) -> str:
    """The INSERT of a row's ``columns`` (and ``kind``, when given, as a constant)."""
    names, marks = list(columns), ["?"] * len(columns)
    if kind is not None:
        names.append("kind")
        marks.append(str(kind))
    return f"INSERT INTO {TABLE} ({', '.join(names)}) VALUES ({', '.join(marks)})"


class _Loader:
    """Writes chunks of staged rows (each valid one with its fingerprint) and skipped rows."""

    _FULL, _SKIPPED = _insert(COLUMNS), _insert(SKIPPED_COLUMNS, SKIPPED)

    def __init__(self, *, copy: Any = None, cursor: Any = None) -> None:
        self._copy, self._cursor = copy, cursor
        #: rows staged SKIPPED so far
        self.skipped = 0

    def write(self, rows: list[StagedRow], skipped: list[SkippedRow]) -> None:
        """Stage ``rows`` (each with its fingerprint) and the ``skipped`` rows."""
        self.skipped += len(skipped)
        if self._copy is not None:
            write_row = self._copy.write_row
            for row in rows:
                write_row(row if row[1] == VALID else _without_nul(row))
            if skipped:
                padded: list[Any] = [None] * len(COLUMNS)
                padded[1] = SKIPPED
                for values in skipped:
                    for position, value in zip(_SKIPPED_AT, values, strict=True):
                        padded[position] = value
                    write_row(padded)
        else:
            if rows:
                self._cursor.executemany(self._FULL, rows)
            if skipped:
                self._cursor.executemany(self._SKIPPED, skipped)
