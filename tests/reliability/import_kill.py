"""``kiosk import`` killed with SIGKILL at random moments: the roster must stay exactly as it
was (or, when the kill came after the commit, be exactly the finished import's, its timestamps
apart).

Shared by tests/roster/test_atomic.py (a few kills) and benchmarks/crash_safety.py (more).
The big CSVs come from the roster benchmark's generator (benchmarks/roster_import.py): the
stored roster is one generated roster and the file imported over it another with the same
usernames, so the killed import was updating every one of the students.
"""

from __future__ import annotations

import random
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kiosk.db.engine import make_engine
from kiosk.db.session import open_database
from kiosk.roster import import_roster
from tests.conftest import REPO_ROOT
from tests.roster.conftest import snapshot

Snapshot = list[tuple[Any, ...]]
WAL_HEADER_BYTES = 32


def generate_roster(path: Path, rows: int, seed: int) -> None:
    """A realistic Handshake Student CSV (the roster benchmark's generator)."""
    benchmarks = str(REPO_ROOT / "benchmarks")
    if benchmarks not in sys.path:
        sys.path.insert(0, benchmarks)
    from roster_import import generate  # benchmarks/roster_import.py

    generate(path, rows, seed)


def database_snapshot(url: str) -> tuple[Snapshot, str]:
    """Every student and audit row (tests/roster's snapshot) and SQLite's integrity check."""
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            integrity = connection.exec_driver_sql("PRAGMA integrity_check").scalar_one()
        return snapshot(engine), str(integrity)
    finally:
        engine.dispose()


_TIMESTAMP = re.compile(r"\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d")


def _without_times(rows: Snapshot) -> Snapshot:
    """``rows`` with timestamps blanked: the finished import on the copy ran at another time."""
    return [
        tuple("<time>" if isinstance(v, str) and _TIMESTAMP.match(v) else v for v in row)
        for row in rows
    ]


def _checkpoint(database: Path) -> None:
    connection = sqlite3.connect(database)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        connection.close()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except FileNotFoundError:
        return 0


def _import_command(url: str, csv_path: Path) -> list[str]:
    return [sys.executable, "-m", "kiosk", "--db", url, "import", str(csv_path)]


@dataclass
class ImportKillTally:
    kills: int = 0
    intact: int = 0  # the roster was exactly as before the import
    committed: int = 0  # the kill came after the commit: exactly the finished import's roster
    finished_first: int = 0  # the import ended before the kill (not counted as a kill)
    while_writing: int = 0  # killed with rows of the import already in the WAL
    damaged: list[str] = field(default_factory=list)
    full_import_seconds: float = 0.0

    def summary(self) -> str:
        return (
            f"{self.kills} imports killed ({self.full_import_seconds:.1f} s for a whole one; "
            f"{self.while_writing} while it was writing rows): "
            f"{self.intact} left the roster exactly as before, {self.committed} had committed "
            f"(roster exactly the new one), {len(self.damaged)} left anything else"
        )


class ImportKills:
    """A database holding a ``rows``-student roster and a second roster CSV to import over it."""

    def __init__(self, root: Path, rows: int = 50_000, seed: int = 7) -> None:
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        self.rng = random.Random(seed)
        self.url = f"sqlite:///{root / 'kiosk.sqlite3'}"
        stored, self.big_csv = root / "stored.csv", root / "big.csv"
        generate_roster(stored, rows, seed=1)
        generate_roster(self.big_csv, rows, seed=2)
        engine = open_database(self.url)
        try:
            report = import_roster(engine, stored)
            assert report.created == rows, report.refused
        finally:
            engine.dispose()
        self.before, integrity = database_snapshot(self.url)
        assert integrity == "ok"
        self.after, seconds = self._finished_import()
        assert self.after != self.before
        self.tally = ImportKillTally(full_import_seconds=seconds)

    def _finished_import(self) -> tuple[Snapshot, float]:
        """The roster the import gives when nothing stops it (on a copy), and how long it took."""
        copy_dir = self.root / "finished"
        copy_dir.mkdir()
        shutil.copy2(self.root / "kiosk.sqlite3", copy_dir / "stored.sqlite3")
        shutil.copy2(self.root / "kiosk.sqlite3", copy_dir / "kiosk.sqlite3")
        url = f"sqlite:///{copy_dir / 'kiosk.sqlite3'}"
        started = time.monotonic()
        done = subprocess.run(
            _import_command(url, self.big_csv), capture_output=True, text=True, timeout=600,
            cwd=REPO_ROOT, check=False,
        )
        seconds = time.monotonic() - started
        assert done.returncode == 0, done.stdout + done.stderr
        after, _ = database_snapshot(url)
        return after, seconds

    def kill_once(self, while_writing: bool = False) -> None:
        """Start the import, SIGKILL it at a random moment of its run (``while_writing``:
        within 0.15 s of its first rows reaching the WAL), compare the roster."""
        wal = Path(f"{self.root / 'kiosk.sqlite3'}-wal")
        _checkpoint(self.root / "kiosk.sqlite3")  # an empty WAL: growth means the import writes
        moment = self.rng.uniform(0.05, 0.95) * self.tally.full_import_seconds
        delay = self.rng.uniform(0.0, 0.15)
        process = subprocess.Popen(
            _import_command(self.url, self.big_csv), cwd=REPO_ROOT,
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        started = time.monotonic()
        if while_writing:
            while process.poll() is None and _size(wal) <= WAL_HEADER_BYTES:
                time.sleep(0.002)
            moment = time.monotonic() - started + delay
        try:
            process.wait(timeout=max(0.0, moment - (time.monotonic() - started)))
        except subprocess.TimeoutExpired:
            writing = _size(wal) > WAL_HEADER_BYTES
            process.send_signal(signal.SIGKILL)
            process.wait()
            self.tally.while_writing += writing
        if process.returncode == 0:  # done before the kill: the next import must change
            self.tally.finished_first += 1  # every row again
            self._restore_old_roster()
            return
        if process.returncode != -signal.SIGKILL:
            self.tally.damaged.append(f"the import failed (exit status {process.returncode})")
            return
        self.tally.kills += 1
        state, integrity = database_snapshot(self.url)
        if integrity != "ok":
            self.tally.damaged.append(f"integrity after a kill at {moment:.2f} s: {integrity}")
        if state == self.before:
            self.tally.intact += 1
        elif _without_times(state) == _without_times(self.after):
            self.tally.committed += 1
            self._restore_old_roster()  # so that the next import changes every row again
        else:
            self.tally.damaged.append(f"roster changed by an import killed at {moment:.2f} s")

    def _restore_old_roster(self) -> None:
        database = self.root / "kiosk.sqlite3"
        for suffix in ("-wal", "-shm"):
            Path(f"{database}{suffix}").unlink(missing_ok=True)
        shutil.copy2(self.root / "finished" / "stored.sqlite3", database)
