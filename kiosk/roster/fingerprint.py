"""Row fingerprints: how a re-import knows, before staging a row, that it changes nothing.

A row's fingerprint is 8 bytes of BLAKE2b over its cells as the file has them (joined by
NUL), keyed by the file's header line: the same cells under the same header are the same
values for the same columns. Each import stores on a student the fingerprint of the row it
created, changed or found unchanged the student with (``student.row_fingerprint``, migration
0007); a sync that archives a student clears it. A later row with a stored fingerprint
therefore is the same row again on a student nothing has changed since (every write to a
student goes through the import): applying it again leaves the student as it is (a blank
cell keeps the value, **CLEAR** erases it, a value sets it: doing either twice is doing it
once). Such a row is staged in the few columns the uniqueness check reads
(:data:`kiosk.roster.staging.SKIPPED`) and counted unchanged without a plan. It is still
checked like every row, so the report is the one a full import gives. A file whose header
changed (a column added or moved) has no stored fingerprints: its rows are planned in full.

Joining by NUL is unambiguous where it matters: a cell the import reads holds no NUL in a
valid row (the row is rejected), so two rows with the same joined text and different cells
differ only in cells no column reads.

The fingerprints are read in the same transaction as the roster's version; when the plan
then sees another version (another import changed the roster meanwhile), the import stages
every row again in full (:mod:`kiosk.roster.service`). Two different rows sharing a
fingerprint (a 64-bit hash: about one chance in 10^11 for a 1,000-row change against a
200,000-student roster) would leave that one row's change out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from hashlib import blake2b

from sqlalchemy.engine import Connection

from kiosk.roster.csvfile import RawRow
from kiosk.roster.headers import HeaderMap
from kiosk.roster.schema import INDEX
from kiosk.roster.version import current_version

#: Fingerprint length in bytes.
SIZE = 8

#: The cells a skipped row keeps: those the uniqueness check and a sync's archiving read.
SKIPPED_CELLS = ("username", "email_address", "card_id", "auth_identifier")

#: A skipped row as staged: (line, email_key, *the SKIPPED_CELLS), the columns of
#: :data:`kiosk.roster.staging.SKIPPED_COLUMNS`.
SkippedRow = tuple[int, str, str, str, str, str]


@dataclass
class Sifted:
    """One chunk's rows: those to stage in full (with the fingerprints of those of the
    header's width, by line) and the skipped ones."""

    rest: list[RawRow] = field(default_factory=list)
    prints: dict[int, bytes] = field(default_factory=dict)
    skipped: list[SkippedRow] = field(default_factory=list)
    #: the skipped rows' lines
    skipped_lines: set[int] = field(default_factory=set)


class Sieve:
    """Sorts a file's rows (before they are checked) into rows to stage in full and rows
    whose fingerprint a stored student holds."""

    def __init__(self, header: HeaderMap, stored: StoredFingerprints | None) -> None:
        self._width = header.width
        self._key = blake2b("\x00".join(header.cells).encode("utf-8", "surrogatepass"),
                            digest_size=32).digest()
        self._keyed = blake2b(key=self._key, digest_size=SIZE)
        self._skip = stored.prints if stored else frozenset()
        cell_of = {attribute: cell for cell, attribute in header.positions}
        # The skipped row's cells (a column the header lacks reads as blank: cell -1 of a
        # row padded with one blank cell).
        self._cells = tuple(cell_of.get(INDEX[name], -1) for name in SKIPPED_CELLS)
        self._pad = -1 in self._cells

    def fingerprint(self, cells: list[str]) -> bytes:
        """The fingerprint of a row's ``cells`` (as read, before any check)."""
        digest = self._keyed.copy()  # a copy of the keyed state: no keying per row
        digest.update("\x00".join(cells).encode("utf-8", "surrogatepass"))
        return digest.digest()

    def split(self, rows: list[RawRow]) -> Sifted:
        sifted = Sifted()
        width, skip, print_of = self._width, self._skip, self.fingerprint
        username, email, card, auth = self._cells
        for row in rows:
            cells = row.cells
            if len(cells) != width:
                sifted.rest.append(row)
                continue
            print_ = print_of(cells)
            if print_ in skip:
                padded = [*cells, ""] if self._pad else cells
                sifted.skipped.append((row.line, padded[email].lower(), padded[username],
                                       padded[email], padded[card], padded[auth]))
                sifted.skipped_lines.add(row.line)
            else:
                sifted.rest.append(row)
                sifted.prints[row.line] = print_
        return sifted


class StoredFingerprints:
    """The stored students' fingerprints, and the roster version they were read at."""

    def __init__(self, prints: frozenset[bytes] = frozenset(), version: int = 0) -> None:
        self.prints = prints
        self.version = version

    @classmethod
    def load(cls, connection: Connection) -> StoredFingerprints:
        """Read them in one transaction with the version (a set of 8-byte strings: about
        5 MB per 100,000 students)."""
        stored = "FROM student WHERE row_fingerprint IS NOT NULL"
        with connection.begin():
            version = current_version(connection)
            if connection.dialect.name == "postgresql":
                # One value (a row each costs the driver more than the server's scan).
                joined = connection.exec_driver_sql(
                    f"SELECT string_agg(row_fingerprint, ''::bytea) {stored}").scalar_one()
                joined = bytes(joined or b"")
                prints = frozenset(joined[i:i + SIZE] for i in range(0, len(joined), SIZE))
            else:
                prints = frozenset(connection.exec_driver_sql(
                    f"SELECT row_fingerprint {stored}").scalars())
        return cls(prints, version)

    def __bool__(self) -> bool:
        return bool(self.prints)
