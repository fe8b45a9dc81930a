"""``kiosk import`` loads what an import needs and not the ORM's models (SQLModel, pydantic,
sqlalchemy.orm: about 0.15 s of every import's start-up), and importing
``kiosk.roster.version`` (as the kiosk's check-in does) does not load the import service.
``kiosk import`` forks its checker process before it loads SQLAlchemy, and that checker is
the one that checks the rows (or is stopped when the import fails first)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.roster.conftest import roster

_PROBE = """
import json, sys
from kiosk.cli import main
status = main(sys.argv[1:])
print(json.dumps({"status": status, "loaded": sorted(
    name for name in ("sqlmodel", "pydantic", "sqlalchemy.orm", "kiosk.db.models")
    if name in sys.modules)}))
"""


def test_kiosk_import_does_not_load_the_orm_models(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    for _ in range(2):  # the first run creates the schema (Alembic loads the models then)
        done = subprocess.run(
            [sys.executable, "-c", _PROBE, "--db", database, "import", str(roster("base.csv"))],
            capture_output=True, text=True, check=True,
        )
    probe = json.loads(done.stdout.strip().splitlines()[-1])
    assert probe == {"status": 0, "loaded": []}


def test_the_roster_version_does_not_load_the_import_service() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import sys, kiosk.roster.version; print(sorted(name for name in "
         "sys.modules if name.startswith('kiosk.roster.')))"],
        capture_output=True, text=True, check=True,
    )
    assert done.stdout.strip() == "['kiosk.roster.version']"


_EARLY_PROBE = """
import json, os, sys
from kiosk.roster.checker import CheckerProcess
started, real_start, real_early = [], CheckerProcess.start, CheckerProcess.start_early.__func__
def start(checker):
    real_start(checker)
    started.append(checker._pid)
def start_early(cls, path):
    started.append("early, sqlalchemy loaded: " + str("sqlalchemy" in sys.modules))
    return real_early(cls, path)
CheckerProcess.start = start
CheckerProcess.start_early = classmethod(start_early)
from kiosk.cli import main
status = main(sys.argv[1:])
def reaped(pid):
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False
print(json.dumps({"status": status, "early": started[0],
                  "checkers": [reaped(pid) for pid in started[1:]]}))
"""


def _early_probe(*argv: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", _EARLY_PROBE, *argv],
                          capture_output=True, text=True, check=True)
    result: dict[str, object] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def test_kiosk_import_starts_its_checker_before_loading_sqlalchemy(tmp_path: Path) -> None:
    database = f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    probe = _early_probe("--db", database, "import", str(roster("base.csv")))
    # one checker, the early one, used by the import and reaped
    assert probe == {"status": 0, "early": "early, sqlalchemy loaded: False",
                     "checkers": [True]}


def test_an_import_failing_before_it_reads_stops_its_early_checker(tmp_path: Path) -> None:
    unreachable = "postgresql+psycopg://kiosk:kiosk@127.0.0.1:9/kiosk"
    probe = _early_probe("--db", unreachable, "import", str(roster("base.csv")))
    assert probe == {"status": 1, "early": "early, sqlalchemy loaded: False",
                     "checkers": [True]}
