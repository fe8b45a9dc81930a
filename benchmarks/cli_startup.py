"""Benchmark: how long a ``kiosk`` command takes before it does its work, as whole processes.

Prints, median of the runs (min-max), each paired run by run with ``python -c pass`` (the
interpreter's own start-up, the floor of any Python command) in the same run:

- ``kiosk --help`` (target: at most 0.25 s);
- ``kiosk parse`` of a one-line capture file, no rules (target: at most 0.5 s).

The kiosk runs as installed: a copy of the project compiled to bytecode
(``_common.run_installed_copy``), as the interpreter's own modules are.

Usage: python benchmarks/cli_startup.py [--runs 10] [--json OUT]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path
from typing import Any

from _common import kiosk_command, paired, run_installed_copy, spread_text

TARGETS_S = {"help": 0.25, "parse": 0.5}


def summary(results: dict[str, Any]) -> list[dict[str, str]]:
    """The rows this benchmark gives the performance table (benchmarks/report.py)."""
    rows = []
    for name, label in (("help", "`kiosk --help`"), ("parse", "`kiosk parse` of one swipe")):
        figures = results[name]
        rows.append(
            {
                "figure": f"{label}, whole process",
                "project": spread_text(figures["project_s"], "s", 3),
                "floor": f"`python -c pass` {spread_text(figures['floor_s'], 's', 3)}",
                "ratio": f"{figures['ratio']['median']:.1f}x",
                "target": f"≤ {TARGETS_S[name]:g} s",
            }
        )
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10, help="counted runs of each (default 10)")
    parser.add_argument("--json", type=Path, metavar="OUT", help="also write the figures here")
    options = parser.parse_args()
    floor = [sys.executable, "-c", "pass"]
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        run_installed_copy(Path(tmp) / "installed")
        capture = Path(tmp) / "one.txt"
        capture.write_text(";1234567890123?\n", encoding="utf-8")
        # no rules file in the configuration directory: parse uses no rules
        os.environ["XDG_CONFIG_HOME"] = str(Path(tmp) / "config")
        for name, argv in (("help", ["--help"]), ("parse", ["parse", str(capture)])):
            figures = paired([*kiosk_command(), *argv], floor, options.runs)
            figures.pop("output")
            results[name] = figures
            print(
                f"kiosk {' '.join(argv[:1])}: {spread_text(figures['project_s'], 's', 3)}; "
                f"python -c pass {spread_text(figures['floor_s'], 's', 3)}; ratio "
                f"{spread_text(figures['ratio'], 'x', 1)} (target <= {TARGETS_S[name]:g} s); "
                f"peak {spread_text(figures['project_mb'], 'MB', 0)}"
            )
    results["summary"] = summary(results)
    if options.json is not None:
        options.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
