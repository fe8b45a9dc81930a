"""The import checks the rows in a forked checker process while it stages them
(kiosk.roster.checker): the report and the database end exactly as when one process does
both; a row holding a NUL is staged as invalid (PostgreSQL's COPY cannot hold one); a
checker that dies stops the import with one sentence and nothing written; a process running
other threads (the kiosk's screens) checks the rows itself."""

from __future__ import annotations

import csv
import os
import signal
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from kiosk.db.session import open_database
from kiosk.errors import UserError
from kiosk.roster import ImportReport, import_roster
from kiosk.roster import checker as checker_module
from kiosk.roster.checker import ONE_PROCESS_ENV, CheckerProcess
from tests.conftest import _reset_postgres
from tests.roster.conftest import ROSTERS, roster, snapshot

#: The fixture rosters that import (the others are refused before any row is read).
IMPORTED = ["bad_cells.csv", "base.csv", "bom.csv", "card_quality.csv", "conflicts.csv",
            "duplicates.csv", "excel_damaged.csv", "rule_errors.csv",
            "three_of_five.csv", "typos.csv", "unknown_headers.csv", "update.csv",
            "username_inside.csv"]


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The pids of the checker processes started (the real start, recorded)."""
    started: list[int] = []
    real_start = CheckerProcess.start

    def start(self: CheckerProcess) -> None:
        real_start(self)
        started.append(self._pid)

    monkeypatch.setattr(CheckerProcess, "start", start)
    monkeypatch.delenv(ONE_PROCESS_ENV, raising=False)
    return started


@contextmanager
def _fresh(db_url: str, tmp_path: Path, name: str) -> Iterator[Engine]:
    if db_url.startswith("sqlite"):
        url = f"sqlite:///{tmp_path / name}"
    else:
        url = db_url
        _reset_postgres(url)
    engine = open_database(url)
    try:
        yield engine
    finally:
        engine.dispose()


def _outcome(report: ImportReport, engine: Engine) -> tuple[Any, ...]:
    """The report and the students, without the times the import ran."""
    with engine.connect() as connection:
        rows = connection.execute(text(
            "SELECT * FROM student ORDER BY username")).mappings().all()
    students = [{key: value for key, value in row.items()
                 if key not in ("id", "created_at", "updated_at", "archived_at")}
                for row in rows]
    return report.to_json(), students


def _import_both_ways(db_url: str, tmp_path: Path, files: list[Path],
                      monkeypatch: pytest.MonkeyPatch) -> tuple[list[Any], list[Any]]:
    """Each file imported in turn (each over the previous), in one process and with a
    checker process, into two fresh databases."""
    outcomes: dict[str, list[Any]] = {}
    for way in ("one", "two"):
        if way == "one":
            monkeypatch.setenv(ONE_PROCESS_ENV, "1")
        else:
            monkeypatch.delenv(ONE_PROCESS_ENV)
        outcomes[way] = []
        with _fresh(db_url, tmp_path, f"{way}.sqlite3") as engine:
            for file in files:
                report = import_roster(engine, file, force=True)
                outcomes[way].append(_outcome(report, engine))
    return outcomes["one"], outcomes["two"]


def test_every_fixture_roster_imports_alike_with_and_without_a_checker_process(
        db_url: str, tmp_path: Path, forks: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    for name in IMPORTED:
        files = [roster("base.csv"), roster(name)]
        one, two = _import_both_ways(db_url, tmp_path, files, monkeypatch)
        assert two == one, name
    assert len(forks) == 2 * len(IMPORTED)


def test_a_row_holding_a_nul_is_rejected_and_the_other_rows_imported(
        engine: Engine, tmp_path: Path, forks: list[int]) -> None:
    with roster("base.csv").open(encoding="utf-8", newline="") as handle:
        header, first, *rest = list(csv.reader(handle))
    first[header.index("first_name")] = "Ana\x00"
    path = tmp_path / "nul.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([header, first, *rest])

    report = import_roster(engine, path)

    assert forks, "the rows were checked in a checker process"
    assert report.refused is None
    assert report.rejected == 1
    assert report.created == len(rest)
    assert any(finding.row == 2 and "control" in finding.message.lower()
               for finding in report.errors), report.errors


def test_a_line_that_is_not_utf8_deep_in_the_file_refuses_it_and_ends_the_checker(
        engine: Engine, tmp_path: Path, forks: list[int]) -> None:
    with roster("base.csv").open(encoding="utf-8", newline="") as handle:
        header, *rows = list(csv.reader(handle))
    path = tmp_path / "late_latin1.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        for number in range(6000):  # three chunks of rows before the bad line
            row = list(rows[number % len(rows)])
            row[header.index("username")] = f"u{number}"
            row[header.index("email_address")] = f"u{number}@example.edu"
            row[header.index("card_id")] = f"{number:010d}"
            writer.writerow(row)
    with path.open("ab") as handle:
        handle.write(b"Jos\xe9,broken\n")

    report = import_roster(engine, path)

    assert len(forks) == 1
    assert report.refused is not None and "line 6002 is not UTF-8" in report.refused
    assert report.created == 0
    with pytest.raises(ChildProcessError):  # the checker was ended and reaped
        os.waitpid(forks[0], os.WNOHANG)


def test_a_checker_that_dies_stops_the_import_with_nothing_written(
        engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    import_roster(engine, roster("base.csv"))
    before = snapshot(engine)
    real_start = CheckerProcess.start

    def start_then_kill(self: CheckerProcess) -> None:
        real_start(self)
        os.kill(self._pid, signal.SIGKILL)

    monkeypatch.setattr(CheckerProcess, "start", start_then_kill)
    monkeypatch.delenv(ONE_PROCESS_ENV, raising=False)

    with pytest.raises(UserError, match="stopped before it was done.*nothing was written"):
        import_roster(engine, roster("update.csv"))

    assert snapshot(engine) == before


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

