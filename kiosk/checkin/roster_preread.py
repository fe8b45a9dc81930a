"""The roster's card_ids read from a SQLite file as a kiosk starts, before SQLAlchemy loads.

``kiosk run`` knows its database URL within a tenth of a second, but needs half a second
more to import SQLAlchemy, the models and the screens. For a SQLite file that time is not
lost: :func:`start` opens the file read-only with Python's own ``sqlite3`` and runs the
roster statement (:data:`SQLITE_ROSTER`, one aggregate over the card_id index, done by
SQLite without Python's global lock) in a thread, while the rest imports.
:func:`take` hands the result to the first roster load
(:meth:`kiosk.checkin.matching.RosterMatcher.load`), only when nothing has been written to
the database since it was read: SQLite's ``PRAGMA data_version`` of the reading connection
changes when any other connection (of this process or another) commits, so a migration, an
import or a walk-in registered in the meantime sends the load back to the database.

Standard library only: importing this module must cost nothing.
"""

from __future__ import annotations

import os
import sqlite3
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass

#: How many card_ids, every card_id in code-point order joined by newlines, their student ids
#: in the same order as fixed-width decimals (zero-padded, one after the other: read by
#: position, with no parsing of a million numbers), and that width (the length of the
#: largest id); read by kiosk.checkin.roster_index.CardIdTable.from_sqlite_row.
SQLITE_ROSTER = (
    "SELECT count(*), group_concat(card_id, char(10)), "
    "group_concat(printf('%0*d', (SELECT length(max(id)) FROM student), id), ''), "
    "(SELECT length(max(id)) FROM student) "
    "FROM (SELECT card_id, id FROM student "
    "WHERE card_id IS NOT NULL AND card_id <> '' ORDER BY card_id, id)"
)

#: A read older than this is not used (belt and braces: data_version already says whether
#: anything changed).
FRESH_S = 10.0

Roster = tuple[int, str | None, str | None, int | None]


@dataclass
class _Read:
    """One read under way or done: its file, when it began, and its result."""

    path: str
    identity: tuple[int, int]  # the file's device and inode: the same file, not a new one
    started: float
    result: Future[tuple[sqlite3.Connection, int, Roster]]


_READS: dict[str, _Read] = {}
_LOCK = threading.Lock()


def sqlite_file(url: str) -> str | None:
    """The absolute path of a plain SQLite file URL (``sqlite:///PATH``); None for any other
    URL (another database, a memory database, query parameters, escapes)."""
    for prefix in ("sqlite:///", "sqlite+pysqlite:///"):
        if url.startswith(prefix):
            path = url[len(prefix) :]
            if not path or path == ":memory:" or "?" in path or "%" in path:
                return None
            return os.path.abspath(path)
    return None


def start(url: str) -> bool:
    """Start reading the roster of the SQLite file ``url`` names, in a thread; False (nothing
    started) when ``url`` is no plain SQLite file URL or the file does not exist yet."""
    path = sqlite_file(url)
    if path is None:
        return False
    try:
        status = os.stat(path)
    except OSError:
        return False
    read = _Read(path, (status.st_dev, status.st_ino), time.monotonic(), Future())
    with _LOCK:
        _READS[path] = read
    threading.Thread(target=_read, args=(read,), name="roster-preread", daemon=True).start()
    return True


def _read(read: _Read) -> None:
    try:
        # Read-only: never creates the file, never writes to it. check_same_thread off: the
        # version is asked again, and the connection closed, by the thread that takes it.
        connection = sqlite3.connect(f"file:{read.path}?mode=ro", uri=True, check_same_thread=False)
    except Exception as error:  # the load then reads the roster itself
        read.result.set_exception(error)
        return
    try:
        version = connection.execute("PRAGMA data_version").fetchall()[0][0]
        # fetchall: the statement runs to its end, so no read transaction stays open
        row = connection.execute(SQLITE_ROSTER).fetchall()[0]
        read.result.set_result((connection, version, (row[0], row[1], row[2], row[3])))
    except Exception as error:  # no student table yet, a locked file...: read again later
        connection.close()
        read.result.set_exception(error)


def take(path: str) -> Roster | None:
    """The roster read from ``path`` (waiting for the read to end), when it is still what the
    database holds: read less than FRESH_S ago from the same file, and no commit since (the
    reading connection's data_version unchanged). None otherwise, or when none was started;
    either way the read is used up."""
    with _LOCK:
        read = _READS.pop(os.path.abspath(path), None)
    if read is None:
        return None
    try:
        connection, version, roster = read.result.result()
    except Exception:
        return None
    try:
        status = os.stat(read.path)
        current = connection.execute("PRAGMA data_version").fetchall()[0][0]
    except Exception:
        return None
    finally:
        connection.close()
    if (
        current != version
        or (status.st_dev, status.st_ino) != read.identity
        or time.monotonic() - read.started >= FRESH_S
    ):
        return None
    return roster
