"""The import checks the rows in a forked checker process while it stages them
(kiosk.roster.checker): the report and the database end exactly as when one process does
both; a row holding a NUL is staged as invalid (PostgreSQL's COPY cannot hold one); a
checker that dies stops the import with one sentence and nothing written; a process running
other threads (the kiosk's screens) checks the rows itself."""

from __future__ import annotations

import csv
import json
import os
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine

from kiosk.roster import ImportReport, import_roster
from kiosk.roster import checker as checker_module
from kiosk.roster.checker import ONE_PROCESS_ENV, CheckerProcess
from tests.conftest import REPO_ROOT
from tests.roster.conftest import ROSTERS, roster

#: The fixture rosters that import (the others are refused before any row is read).
IMPORTED = ["bad_cells.csv", "base.csv", "bom.csv", "card_quality.csv", "conflicts.csv",
            "duplicates.csv", "excel_damaged.csv", "rule_errors.csv",
            "three_of_five.csv", "typos.csv", "unknown_headers.csv", "update.csv",
            "username_inside.csv"]


def _run(groups: list[dict[str, Any]], *, one_process: bool, early: bool = False
         ) -> list[list[dict[str, Any]]]:
    """Import in a fresh interpreter (tests/roster/import_runner.py): a test process may run
    threads other tests left, and a process running threads never forks a checker."""
    groups = [{**group, "early": early} for group in groups]
    env = dict(os.environ)
    env.pop(ONE_PROCESS_ENV, None)
    if one_process:
        env[ONE_PROCESS_ENV] = "1"
    done = subprocess.run(
        [sys.executable, "-m", "tests.roster.import_runner", json.dumps(groups)],
        cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stderr
    result: list[list[dict[str, Any]]] = json.loads(done.stdout)
    return result


def _database(db_url: str, tmp_path: Path, name: str) -> str:
    return f"sqlite:///{tmp_path / name}" if db_url.startswith("sqlite") else db_url


def test_every_fixture_roster_imports_alike_with_and_without_a_checker_process(
        db_url: str, tmp_path: Path) -> None:
    """Checked in the import's process, by a checker it forks, and by one started before
    the import (as ``kiosk import`` does): the same report and roster each time."""
    def groups(way: str) -> list[dict[str, Any]]:
        return [{"url": _database(db_url, tmp_path, f"{way}-{name}.sqlite3"),
                 # the same file twice: the second import skips the rows it stored
                 "files": [str(roster("base.csv")), str(roster(name)), str(roster(name))]}
                for name in IMPORTED]

    one = _run(groups("one"), one_process=True)
    two = _run(groups("two"), one_process=False)
    early = _run(groups("early"), one_process=False, early=True)

    for name, alone, shared, ahead in zip(IMPORTED, one, two, early, strict=True):
        assert [import_["checkers"] for import_ in alone] == [0, 0, 0], name
        assert [import_["checkers"] for import_ in shared] == [1, 1, 1], name
        assert all(import_["reaped"] for import_ in shared), name
        assert shared == [{**import_, "checkers": 1} for import_ in alone], name
        assert ahead == shared, name  # one checker each: the early one was used


@pytest.mark.parametrize("in_place", [False, True], ids=["replaced", "rewritten"])
def test_a_file_changed_after_its_early_checker_started_is_checked_again(
        db_url: str, tmp_path: Path, in_place: bool) -> None:
    """The early checker read rule_errors.csv; the import reads base.csv at the same path:
    that checker is stopped and a new one checks what the import reads."""
    path = tmp_path / "roster.csv"
    path.write_bytes(roster("rule_errors.csv").read_bytes())
    [[outcome]] = _run([{"url": _database(db_url, tmp_path, "swap.sqlite3"), "files": [str(path)],
                         "swap": {"file": str(path), "with": str(roster("base.csv")),
                                  "in_place": in_place}}], one_process=False, early=True)

    assert outcome["checkers"] == 2 and outcome["reaped"]
    report = outcome["report"]
    assert (report["rows"], report["created"], report["rejected"]) == (5, 5, 0)
    assert report["errors"] == []


def _write_rows(path: Path, change: Callable[[list[str], list[list[str]]], None]) -> Path:
    with roster("base.csv").open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    change(header, rows)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, *rows])
    return path


def test_a_row_holding_a_nul_is_rejected_and_the_other_rows_imported(
        db_url: str, tmp_path: Path) -> None:
    def nul(header: list[str], rows: list[list[str]]) -> None:
        rows[0][header.index("first_name")] = "Ana\x00"

    path = _write_rows(tmp_path / "nul.csv", nul)
    [[outcome]] = _run([{"url": _database(db_url, tmp_path, "nul.sqlite3"),
                         "files": [str(path)]}], one_process=False)

    assert outcome["checkers"] == 1
    report = outcome["report"]
    assert report["refused"] is None
    assert report["rejected"] == 1
    assert report["created"] == len(outcome["students"]) > 0
    assert any(error["row"] == 2 and "control" in error["message"].lower()
               for error in report["errors"]), report["errors"]


def test_a_line_that_is_not_utf8_deep_in_the_file_refuses_it_and_ends_the_checker(
        db_url: str, tmp_path: Path) -> None:
    def many(header: list[str], rows: list[list[str]]) -> None:
        template = list(rows)
        rows.clear()
        for number in range(6000):  # three chunks of rows before the bad line
            row = list(template[number % len(template)])
            row[header.index("username")] = f"u{number}"
            row[header.index("email_address")] = f"u{number}@example.edu"
            row[header.index("card_id")] = f"{number:010d}"
            rows.append(row)

    path = _write_rows(tmp_path / "late_latin1.csv", many)
    with path.open("ab") as handle:
        handle.write(b"Jos\xe9,broken\n")

    [[outcome]] = _run([{"url": _database(db_url, tmp_path, "late.sqlite3"),
                         "files": [str(path)]}], one_process=False)

    assert outcome["checkers"] == 1 and outcome["reaped"]
    assert "line 6002 is not UTF-8" in outcome["report"]["refused"]
    assert outcome["students"] == []


def test_a_checker_that_dies_stops_the_import_with_nothing_written(
        db_url: str, tmp_path: Path) -> None:
    base, update = str(roster("base.csv")), str(roster("update.csv"))
    [[first, killed]] = _run([{"url": _database(db_url, tmp_path, "killed.sqlite3"),
                               "files": [base, update], "kill_checker": [update]}],
                             one_process=False)

    assert first["checkers"] == 1 and "error" not in first
    assert killed["checkers"] == 1 and killed["reaped"]
    assert "stopped before it was done" in killed["error"]
    assert "nothing was written" in killed["error"]
    assert killed["students"] == first["students"]


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the checker processes this test process starts (the real start,
    recorded)."""
    started: list[int] = []
    real_start = CheckerProcess.start

    def start(self: CheckerProcess) -> None:
        real_start(self)
        started.append(self._pid)

    monkeypatch.setattr(CheckerProcess, "start", start)
    monkeypatch.delenv(ONE_PROCESS_ENV, raising=False)
    return started


def test_an_import_in_a_process_running_other_threads_checks_the_rows_itself(
        engine: Engine, forks: list[int]) -> None:
    results: list[ImportReport] = []
    thread = threading.Thread(target=lambda: results.append(
        import_roster(engine, roster("base.csv"))))
    stop = threading.Event()
    other = threading.Thread(target=stop.wait)  # the kiosk's screens, say
    other.start()
    try:
        thread.start()
        thread.join()
    finally:
        stop.set()
        other.join()
    assert forks == []
    assert results[0].created > 0 and results[0].refused is None


def test_fork_is_used_only_when_safe(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ONE_PROCESS_ENV, raising=False)
    assert checker_module.can_fork() is (threading.active_count() == 1)
    monkeypatch.setenv(ONE_PROCESS_ENV, "1")
    assert checker_module.can_fork() is False


def test_the_fixture_list_covers_every_roster_that_imports() -> None:
    refused_before_rows = {"duplicate_header.csv", "header_only.csv", "latin1.csv",
                           "no_first_name.csv", "not_a_roster.csv", "utf16.csv"}
    assert sorted(p.name for p in ROSTERS.glob("*.csv")) == sorted(
        [*IMPORTED, *refused_before_rows])

