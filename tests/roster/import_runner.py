"""Imports rosters in a process of their own, for tests/roster/test_checker_process.py.

A checker process is forked only by a process running one thread, and a test process may
hold threads other tests left behind: so the two-process path is tried here, in a fresh
interpreter. ``python -m tests.roster.import_runner SPEC`` reads a JSON list of groups
``{"url": URL, "files": [...], "kill_checker": [...], "early": bool, "swap": {...}}``; each
group starts from an empty database (a PostgreSQL URL's schema is wiped) and imports its
files in turn, with --force, killing the checker process at once in the imports of the files
named in ``kill_checker``. With ``early``, each import is handed a checker started before it
(``CheckerProcess.start_early``, as ``kiosk import`` does); ``swap`` ``{"file": F, "with":
W, "in_place": bool}`` then gives F the contents of W just after its checker started
(replacing the file, or rewriting it in place).
It prints, as JSON, one list per group of each import's outcome: the report's JSON and
the reasons given for the rejected rows, the
students (without ids and times), how many checker processes were started and whether each
was reaped, or the sentence of the import's error.
"""

from __future__ import annotations

import json
import os
import shutil
import signal
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import text

from kiosk.db.session import open_database
from kiosk.errors import UserError
from kiosk.roster import import_roster
from kiosk.roster.checker import CheckerProcess

_TIMES = ("id", "created_at", "updated_at", "archived_at")


class _Recorder:
    """The checker processes started (the real start, recorded), killed on demand."""

    def __init__(self) -> None:
        self.pids: list[int] = []
        self.kill = False
        real_start = CheckerProcess.start

        def start(checker: CheckerProcess) -> None:
            real_start(checker)
            self.pids.append(checker._pid)
            if self.kill:
                os.kill(checker._pid, signal.SIGKILL)

        CheckerProcess.start = start  # type: ignore[method-assign,assignment]

    def reaped(self) -> bool:
        for pid in self.pids:
            try:
                os.waitpid(pid, os.WNOHANG)
            except ChildProcessError:
                continue
            return False
        return True


def _students(url: str) -> list[dict[str, Any]]:
    engine = open_database(url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT * FROM student ORDER BY username")).mappings().all()
    finally:
        engine.dispose()
    return [{key: value for key, value in row.items() if key not in _TIMES} for row in rows]


def _swap(swap: dict[str, Any]) -> None:
    if swap["in_place"]:
        with open(swap["file"], "r+b") as target:
            target.write(Path(swap["with"]).read_bytes())
            target.truncate()
    else:
        shutil.copy(swap["with"], swap["file"] + ".new")
        os.replace(swap["file"] + ".new", swap["file"])


def _group(url: str, files: list[str], kill: list[str], recorder: _Recorder, *,
           early: bool = False, swap: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    if url.startswith("postgresql"):
        from tests.conftest import _reset_postgres

        _reset_postgres(url)
    outcomes = []
    for file in files:
        before = len(recorder.pids)
        recorder.kill = file in kill
        checker = CheckerProcess.start_early(Path(file)) if early else None
        if swap is not None and swap["file"] == file:
            _swap(swap)
        engine = open_database(url)
        try:
            report = import_roster(engine, file, force=True, checker=checker)
            outcome: dict[str, Any] = {"report": json.loads(report.to_json()),
                                       "rejected_reasons": report.rejected_reasons}
        except UserError as error:
            outcome = {"error": str(error)}
        finally:
            engine.dispose()
            if checker is not None:
                checker.stop()
        outcome["checkers"] = len(recorder.pids) - before
        outcome["reaped"] = recorder.reaped()
        outcome["students"] = _students(url)
        outcomes.append(outcome)
    return outcomes


def main(spec: str) -> None:
    recorder = _Recorder()
    results = []
    for group in json.loads(spec):
        results.append(_group(group["url"], group["files"], group.get("kill_checker", []),
                              recorder, early=group.get("early", False),
                              swap=group.get("swap")))
    print(json.dumps(results, default=str))


if __name__ == "__main__":
    main(sys.argv[1])
