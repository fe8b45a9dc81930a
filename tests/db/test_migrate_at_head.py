"""Opening a database already at the newest schema revision asks one SELECT and imports no
Alembic; any other database is migrated by Alembic as before."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from kiosk.db.engine import make_engine
from kiosk.db.migrate import current_revision, head_revision, newest_revision_in_files, upgrade
from kiosk.db.session import open_database


def test_the_newest_revision_read_from_the_files_is_alembic_s_head() -> None:
    assert newest_revision_in_files() is not None
    assert newest_revision_in_files() == head_revision()


def test_an_up_to_date_database_opens_without_importing_alembic(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    open_database(url).dispose()  # created and migrated (Alembic)
    probe = (
        "import sys\nfrom kiosk.db.session import open_database\n"
        f"open_database({url!r}).dispose()\n"
        "print(sorted({m.split('.')[0] for m in sys.modules}))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    assert "'alembic'" not in done.stdout and "'sqlalchemy'" in done.stdout


def test_an_older_database_is_still_upgraded(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'old.sqlite3'}"
    engine = make_engine(url)
    upgrade(engine, "0001")
    assert current_revision(engine) == "0001"
    engine.dispose()
    engine = open_database(url)
    try:
        assert current_revision(engine) == head_revision()
        with engine.connect() as connection:  # a table of a later revision exists
            connection.execute(text("SELECT count(*) FROM roster_version")).scalar_one()
    finally:
        engine.dispose()
