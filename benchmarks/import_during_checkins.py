"""The longest check-in wait while ``kiosk import`` of a 100,000-row roster runs.

For each database (SQLite always; PostgreSQL when ``--pg URL`` or $KIOSK_TEST_PG_URL is
given; its public schema is DROPPED and recreated, so give it a scratch database): a
``rows``-student roster is imported, then a kiosk (a thread with its own engine, swiping
roster cards through CheckInService one every 0.2-1 s) checks students in

- baseline: for as long as the import will take, with no import running;
- during:   while ``kiosk import`` (its own process, as staff would run it) imports a
            roster over the stored one.

Two imports: ``resync`` (the same roster, 1% of card_ids reissued, 1% of GPAs changed, 1%
new students) and ``every row`` (another generated roster with the same usernames: every
student's values and card_id change). Prints, per database and import: the import's time
and exit status, the swipes during it, failed swipes (must be 0), and p50 / longest wait
during the import against the baseline's p50 / longest (and their ratio). With
``--locks`` (PostgreSQL) it also prints the lock waits seen in pg_locks while importing.

Usage: python benchmarks/import_during_checkins.py [--rows 100000] [--pg URL] [--locks]
"""

from __future__ import annotations

import argparse
import csv
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests package

from _common import percentiles  # noqa: E402
from roster_import import generate  # noqa: E402
from sqlalchemy import text  # noqa: E402

from kiosk.checkin.events import create_event  # noqa: E402
from kiosk.db.engine import make_engine  # noqa: E402
from kiosk.db.session import open_database  # noqa: E402
from kiosk.roster import import_roster  # noqa: E402
from tests.roster.swiping_kiosk import SwipingKiosk  # noqa: E402

REPO_ROOT = Path(__file__).resolve().parent.parent

LOCK_WAITS = text(
    """
    SELECT w.locktype, w.mode AS waiting_mode, h.mode AS held_mode, w.relation::regclass::text,
           left(wa.query, 60) AS waiting_query, left(ha.query, 60) AS holding_query
    FROM pg_locks w
    JOIN pg_stat_activity wa ON wa.pid = w.pid
    JOIN pg_locks h ON h.pid = ANY(pg_blocking_pids(w.pid)) AND h.granted
        AND h.locktype = w.locktype
        AND h.database IS NOT DISTINCT FROM w.database
        AND h.relation IS NOT DISTINCT FROM w.relation
        AND h.page IS NOT DISTINCT FROM w.page AND h.tuple IS NOT DISTINCT FROM w.tuple
        AND h.transactionid IS NOT DISTINCT FROM w.transactionid
    JOIN pg_stat_activity ha ON ha.pid = h.pid
    WHERE NOT w.granted AND w.pid IN (
        SELECT pid FROM pg_stat_activity WHERE datname = current_database())
    """
)


def resync_roster(source: Path, target: Path, new_rows: int) -> None:
    """``source`` with 1% of card_ids reissued, 1% of GPAs changed and ``new_rows`` added."""
    rng = random.Random(3)
    with source.open(encoding="utf-8", newline="") as reader_handle, \
            target.open("w", encoding="utf-8", newline="") as writer_handle:
        reader, writer = csv.reader(reader_handle), csv.writer(writer_handle)
        header = next(reader)
        writer.writerow(header)
        card, gpa = header.index("card_id"), header.index("primary_education:cumulative_gpa")
        username, email = header.index("username"), header.index("email_address")
        auth = header.index("auth_identifier")
        last: list[str] = []
        for n, row in enumerate(reader):
            if n % 100 == 0:
                row[card] = f"9{rng.randrange(10**9):09d}"  # outside the generator's range
            elif n % 100 == 50:
                row[gpa] = "4.00" if row[gpa] != "4.00" else "3.99"
            writer.writerow(row)
            last = row
        for n in range(new_rows):
            row = list(last)
            row[username], row[email] = f"NEW{n:06d}", f"new{n:06d}@example.edu"
            row[auth], row[card] = f"sso-new-{n:06d}", f"8{n:09d}"
            writer.writerow(row)


def stored_card_ids(url: str) -> list[str]:
    engine = make_engine(url)
    try:
        with engine.connect() as connection:
            return list(connection.execute(
                text("SELECT card_id FROM student WHERE card_id IS NOT NULL")).scalars())
    finally:
        engine.dispose()


def reset_postgres(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


class LockWatch(threading.Thread):
    """Samples pg_locks every 0.2 s: which lock each waiting session waited on, and who held it."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self._engine = make_engine(url)
        self._stopping = threading.Event()
        self.seen: Counter[tuple[str, ...]] = Counter()

    def run(self) -> None:
        with self._engine.connect() as connection:
            while not self._stopping.is_set():
                for row in connection.execute(LOCK_WAITS):
                    self.seen[tuple(str(value) for value in row)] += 1
                connection.rollback()
                self._stopping.wait(0.2)

    def stop(self) -> None:
        self._stopping.set()
        self.join()
        self._engine.dispose()


def _ms(seconds: float) -> str:
    return f"{seconds * 1e3:8.1f} ms"


def measure(url: str, roster: Path, imported: Path, label: str, locks: bool) -> None:
    engine = open_database(url)
    report = import_roster(engine, roster)
    assert report.refused is None and report.created > 0, report.refused
    event = create_event(engine, f"Fair {label}", kind="fair")
    assert event.id is not None
    engine.dispose()
    kiosk = SwipingKiosk(url, event.id, stored_card_ids(url), seed=len(label))
    kiosk.start_swiping()
    watch = LockWatch(url) if locks else None
    if watch is not None:
        watch.start()
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "--db", url, "import", str(imported), "--json"],
        cwd=REPO_ROOT, capture_output=True, text=True, check=False,
    )
    ended = time.monotonic()
    if watch is not None:
        watch.stop()
    # The baseline: the same kiosk for as long again, no import running.
    time.sleep(ended - started)
    kiosk.stop()
    during = [s.seconds for s in kiosk.during(started, ended)]
    baseline = [s.seconds for s in kiosk.during(ended + 0.5, time.monotonic())]
    status = "imported" if done.returncode == 0 else f"FAILED ({done.stderr.strip()[-200:]})"
    print(f"  {label}: import {ended - started:5.1f} s, {status}")
    if not during or not baseline:
        print("    too few swipes to compare")
        return
    d50, _, dmax = percentiles(during)
    b50, _, bmax = percentiles(baseline)
    print(f"    swipes during the import: {len(during)}, failed: {len(kiosk.failures)} "
          f"{dict(Counter(kiosk.failures))}   outcomes {dict(kiosk.kinds())}")
    print(f"    during the import: p50 {_ms(d50)}  longest {_ms(dmax)}")
    print(f"    baseline (no import, {len(baseline)} swipes): p50 {_ms(b50)}  "
          f"longest {_ms(bmax)}   longest/baseline longest {dmax / bmax:6.1f}x")
    if watch is not None:
        print(f"    lock waits seen in pg_locks (samples every 0.2 s): {sum(watch.seen.values())}")
        for row, count in watch.seen.most_common(6):
            print(f"      {count:4d}x {row}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pg", default=os.environ.get("KIOSK_TEST_PG_URL"),
                        help="a scratch PostgreSQL database (its public schema is dropped)")
    parser.add_argument("--locks", action="store_true", help="print pg_locks waits (PostgreSQL)")
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        roster, every_row, resync = (directory / name for name in
                                     ("roster.csv", "every-row.csv", "resync.csv"))
        generate(roster, args.rows, seed=1)
        generate(every_row, args.rows, seed=2)
        resync_roster(roster, resync, args.rows // 100)
        print(f"roster: {args.rows:,} students; kiosk swipes one stored card every 0.2-1 s")
        databases: list[tuple[str, str | None]] = [("sqlite", None), ("postgresql", args.pg)]
        for name, pg_url in databases:
            if args.only not in (None, name):
                continue
            if name == "postgresql" and not pg_url:
                print("postgresql: skipped (no --pg URL or KIOSK_TEST_PG_URL)")
                continue
            print(name)
            for label, imported in (("resync", resync), ("every row", every_row)):
                if pg_url:
                    reset_postgres(pg_url)
                    url = pg_url
                else:
                    url = f"sqlite:///{directory / (label.replace(' ', '-') + '.sqlite3')}"
                measure(url, roster, imported, label, args.locks and pg_url is not None)


if __name__ == "__main__":
    main()
