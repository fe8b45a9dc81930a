"""Crash safety, the long run: SIGKILL the real kiosk 50 times, and a big import several times.

1. ``kiosk run`` in a tmux terminal with a replay reader feeding it student swipes (fresh
   students, students already in, one card swiped twice in a row each run; swipes every
   0.5 s or 1.0 s, under the flood limit), killed with SIGKILL at a random moment (0.5–10 s
   after the start: during start-up, mid-swipe, idle), every third time within 0.3 s of the
   first confirmation appearing on screen; restarted on the same SQLite file. After each
   kill: every student whose confirmation was on screen has a live check-in, nobody has two,
   and SQLite's integrity check passes.
2. ``kiosk import big.csv`` (a generated 50,000-row roster updating every stored student)
   killed at random moments of its run and just after its first rows reach the WAL: the whole
   student table and the audit rows stay exactly as before (or, if the kill came after the
   commit, exactly the finished import's).

Prints the counts; exit status 1 if anything was lost, doubled or damaged. The CI versions
are tests/reliability/test_crash_safety.py (5 kills) and tests/roster/test_atomic.py (3).

Usage: python benchmarks/crash_safety.py [--kills 50] [--import-kills 10] [--rows 50000]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests package

from tests.reliability.harness import CrashSession, prepare_home  # noqa: E402
from tests.reliability.import_kill import ImportKills  # noqa: E402


def kiosk_kills(root: Path, kills: int, students: int, seed: int) -> bool:
    home = prepare_home(root, students)
    session = CrashSession(home, seed, kill_window=(0.5, 10.0))
    started = time.monotonic()
    for number in range(kills):
        session.cycle(after_answer=number % 3 == 2)
        tally = session.tally
        print(
            f"  kill {tally.kills:2d} at {tally.kill_moments[-1]:4.1f} s: "
            f"{len(tally.shown)} shown so far, {tally.recorded} recorded, "
            f"{len(tally.lost)} lost, {len(tally.doubled)} doubled",
            flush=True,
        )
    tally = session.tally
    print(f"kiosk: {tally.summary()} ({time.monotonic() - started:.0f} s)")
    if tally.start_seconds:
        starts = sorted(tally.start_seconds)
        print(
            f"  start -> idle screen: median {statistics.median(starts):.1f} s "
            f"(min {starts[0]:.1f}, max {starts[-1]:.1f}); "
            f"{tally.kills - len(starts)} kills came before the screen was drawn"
        )
    if tally.lost:
        print(f"  LOST (confirmed on screen, not in the database): {sorted(tally.lost)}")
    if tally.doubled:
        print(f"  DOUBLED: {sorted(tally.doubled)}")
    return not (tally.lost or tally.doubled or tally.integrity_failures)


def import_kills(root: Path, kills: int, rows: int, seed: int) -> bool:
    started = time.monotonic()
    session = ImportKills(root, rows=rows, seed=seed)
    print(f"import: {rows:,} rows stored, a whole import of big.csv takes "
          f"{session.tally.full_import_seconds:.1f} s", flush=True)
    while session.tally.kills < kills:
        session.kill_once(while_writing=session.tally.kills % 2 == 1)
    tally = session.tally
    print(f"import: {tally.summary()} ({time.monotonic() - started:.0f} s)")
    for problem in tally.damaged:
        print(f"  DAMAGED: {problem}")
    return not tally.damaged


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=50)
    parser.add_argument("--students", type=int, default=400)
    parser.add_argument("--import-kills", type=int, default=10)
    parser.add_argument("--rows", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=int(time.time()))
    args = parser.parse_args()
    print(f"seed {args.seed}")
    with tempfile.TemporaryDirectory() as folder:
        kiosk_ok = kiosk_kills(Path(folder) / "kiosk", args.kills, args.students, args.seed)
        import_ok = import_kills(Path(folder) / "import", args.import_kills, args.rows, args.seed)
    return 0 if kiosk_ok and import_ok else 1


if __name__ == "__main__":
    sys.exit(main())
