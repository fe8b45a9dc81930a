"""A kiosk's SQLite connections keep their locks while other programs (the ``kiosk`` CLI,
``sqlite3``) open and close the same database.

Regression: the engine's owner-only check opened and closed the database and its -shm file at
every new connection, which drops every POSIX lock the process holds on them (SQLite's). The
next program to close its last connection then deleted the -wal file under the running
kiosk, and the kiosk's following check-ins went into the deleted file: lost at its exit.
Found by hand: ``kiosk events set`` while ``kiosk run`` was open, then a swipe.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from kiosk.db.engine import make_engine

OTHER_PROGRAM = (
    "import sqlite3, sys\n"
    "connection = sqlite3.connect(sys.argv[1])\n"
    "connection.execute('SELECT count(*) FROM t').fetchone()\n"
    "connection.close()\n"
)


def test_a_write_after_another_program_closed_the_database_is_kept(tmp_path: Path) -> None:
    database = tmp_path / "kiosk.sqlite3"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
    held = engine.connect()  # a connection the kiosk keeps open (its pool)...
    held.execute(text("SELECT count(*) FROM t")).scalar_one()
    with engine.connect() as second:  # ...and a new one made later (another thread)
        second.execute(text("SELECT 1"))
    wal = database.with_name(database.name + "-wal")
    assert wal.exists()

    subprocess.run([sys.executable, "-c", OTHER_PROGRAM, str(database)], check=True)

    assert wal.exists(), "another program deleted the -wal file the kiosk has open"
    with engine.begin() as connection:  # a check-in made after that
        connection.execute(text("INSERT INTO t VALUES (2)"))
    held.close()
    engine.dispose()
    fresh = make_engine(f"sqlite:///{database}")
    with fresh.connect() as connection:
        assert connection.execute(text("SELECT count(*) FROM t")).scalar_one() == 2
    fresh.dispose()


def test_database_files_are_still_made_owner_only(tmp_path: Path) -> None:
    database = tmp_path / "old.sqlite3"
    database.touch(mode=0o644)
    database.chmod(0o644)
    engine = make_engine(f"sqlite:///{database}")
    with engine.connect() as connection:
        connection.execute(text("SELECT 1"))
    assert database.stat().st_mode & 0o777 == 0o600
    new = tmp_path / "new.sqlite3"
    engine2 = make_engine(f"sqlite:///{new}")
    with engine2.connect() as connection:
        connection.execute(text("CREATE TABLE t (x INTEGER)"))
    assert new.stat().st_mode & 0o777 == 0o600
    engine.dispose()
    engine2.dispose()
