"""Benchmark: ``kiosk run`` from process start to "ready for swipes", at several roster sizes.

For each roster size (default 100,000 and 1,000,000 students in a SQLite file) it starts, in
turn, fresh processes of

- the kiosk: ``kiosk run``'s own path (the command line parsed by kiosk.cli, kiosk.toml-style
  settings, the database opened and checked, the event, rules and a reader, the Textual app
  started headless) until the desk says the roster's card_id index is loaded and swipes are
  answered; the process then exits at once;
- the floor: ``python`` + ``sqlite3`` reading the same ``card_id, id`` rows into a dict, the
  least any kiosk must do before it can answer a swipe;

and prints, median of the runs (min-max), the time from spawn to ready and the peak resident
memory of each, with the ratio kiosk/floor taken pair by pair. The kiosk runs as installed:
a copy of the project compiled to bytecode (``_common.run_installed_copy``).

Usage: python benchmarks/kiosk_startup.py [--students 100000 1000000] [--runs 5] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from _common import paired, populate_students, run_installed_copy, spread_text

RULES = """
[[rules]]
name = "id-plus-issue-code"
pattern = '^(\\d{9})\\d{2}$'
track = 2
"""
EVENT = "Benchmark fair"
PIN = "97531"
FLOOR = (
    "import sqlite3, sys\n"
    "connection = sqlite3.connect(sys.argv[1])\n"
    "index = dict(connection.execute("
    "'SELECT card_id, id FROM student WHERE card_id IS NOT NULL'))\n"
    "print(len(index))\n"
)


def prepare(directory: Path, students: int) -> Path:
    """A SQLite kiosk database with ``students`` students, one event and a staff PIN."""
    from kiosk.checkin.events import create_event
    from kiosk.checkin.staff import set_pin
    from kiosk.db.session import open_database

    path = directory / f"kiosk-{students}.sqlite3"
    engine = open_database(f"sqlite:///{path}")
    populate_students(engine, students)
    create_event(engine, EVENT, kind="fair")
    set_pin(engine, PIN)
    engine.dispose()
    return path


def phase_kiosk(database: Path, rules: Path, capture: Path) -> None:
    """``kiosk run`` headless until ready for swipes; prints the seconds since spawn."""
    from kiosk.cli import parse_arguments
    from kiosk.commands.kiosk_args import config_from_args
    from kiosk.commands.run_cmd import build_setup
    from kiosk.tui.app import make_app

    args = parse_arguments(
        [
            "run",
            "--db",
            f"sqlite:///{database}",
            "--event",
            EVENT,
            "--rules",
            str(rules),
            "--reader",
            f"replay:{capture}",
        ]
    )
    setup = build_setup(config_from_args(args), args.db)
    app = make_app(setup)

    async def watch(pilot: Any) -> None:
        await app.desk.ready.wait()
        await pilot.pause()  # the screen has been drawn with the kiosk ready
        print(json.dumps({"ready": setup.desk.service.roster_card_count}), flush=True)
        os._exit(0)  # ready is the figure: no tear-down in it

    app.run(headless=True, size=(100, 30), auto_pilot=watch)


def measure(database: Path, rules: Path, capture: Path, runs: int) -> dict[str, Any]:
    kiosk = [sys.executable, __file__, "--phase", "kiosk", str(database), str(rules), str(capture)]
    figures = paired(kiosk, [sys.executable, "-c", FLOOR, str(database)], runs)
    figures["cards"] = json.loads(figures.pop("output").strip().splitlines()[-1])["ready"]
    return figures


TARGET_S = 1.5
TARGET_MB = 250


def summary(results: dict[str, Any]) -> list[dict[str, str]]:
    """The rows this benchmark gives the performance table (benchmarks/report.py)."""
    return [
        {
            "figure": f"`kiosk run` start to ready for swipes, {int(students):,} students "
            "(SQLite), whole process",
            "project": f"{spread_text(figures['project_s'], 's', 2)}, peak "
            f"{spread_text(figures['project_mb'], 'MB', 0)}",
            "floor": f"`python` + `sqlite3` reading the card_ids into a dict: "
            f"{spread_text(figures['floor_s'], 's', 2)}, peak "
            f"{spread_text(figures['floor_mb'], 'MB', 0)}",
            "ratio": f"{figures['ratio']['median']:.2f}x",
            "target": f"≤ {TARGET_S:g} s, ≤ {TARGET_MB} MB (1M)",
        }
        for students, figures in results.items()
        if students != "summary"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, nargs="+", default=[100_000, 1_000_000])
    parser.add_argument("--runs", type=int, default=5, help="counted runs of each (default 5)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the figures here")
    parser.add_argument("--phase", choices=["kiosk"], help=argparse.SUPPRESS)
    parser.add_argument("args", nargs="*", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.phase == "kiosk":
        phase_kiosk(*(Path(arg) for arg in options.args))
        return

    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        directory = Path(tmp)
        run_installed_copy(directory / "installed")
        rules = directory / "rules.toml"
        rules.write_text(RULES, encoding="utf-8")
        capture = directory / "swipes.txt"
        capture.write_text("", encoding="utf-8")
        for students in options.students:
            began = time.perf_counter()
            database = prepare(directory, students)
            prepared = time.perf_counter() - began
            figures = measure(database, rules, capture, options.runs)
            results[str(students)] = figures
            print(
                f"{students:,} students ({figures['cards']:,} card_ids; database prepared in "
                f"{prepared:.1f} s), median of {options.runs} runs (min-max):"
            )
            for label, key, unit, digits in (
                ("kiosk run -> ready", "project_s", "s", 2),
                ("floor (sqlite3 -> dict)", "floor_s", "s", 2),
                ("ratio kiosk/floor", "ratio", "x", 2),
                ("kiosk peak memory", "project_mb", "MB", 0),
                ("floor peak memory", "floor_mb", "MB", 0),
            ):
                print(f"  {label:<24} {spread_text(figures[key], unit, digits)}")
            database.unlink()
    results["summary"] = summary(results)
    if options.json is not None:
        options.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
