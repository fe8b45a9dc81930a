"""``kiosk import`` loads what an import needs and not the ORM's models (SQLModel, pydantic,
sqlalchemy.orm: about 0.15 s of every import's start-up), and importing
``kiosk.roster.version`` (as the kiosk's check-in does) does not load the import service."""

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
