"""``kiosk import ROSTER.csv``: import (or preflight) the Handshake Student CSV.

Exit status: 0 imported (warnings allowed), 1 refused or nothing valid, 2 usage error.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from kiosk.roster.checker import CheckerProcess
from kiosk.roster.failedrows import open_failed_rows, write_failed_rows

if TYPE_CHECKING:
    from kiosk.roster import ImportReport

#: Files from this size up get a progress bar (when stderr is a terminal).
LARGE_FILE_BYTES = 1_000_000
_BAR_WIDTH = 30


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "import",
        help="import the Handshake Student CSV (the roster)",
        description="Validate the Handshake Student CSV like Handshake's Importer and load it "
        "into the kiosk's database in one transaction. Exit status: 0 imported, 1 refused or "
        "nothing valid, 2 usage error.",
    )
    parser.add_argument("roster", metavar="ROSTER.csv", type=Path, help="the Student CSV")
    parser.add_argument("--dry-run", action="store_true",
                        help="check the file and print the report; write nothing")
    parser.add_argument("--archive-missing", action="store_true",
                        help="archive stored students that are not in the file")
    parser.add_argument("--force", action="store_true",
                        help="allow archiving more than 20%% of the current students")
    parser.add_argument("--json", action="store_true",
                        help="print the report as one JSON object on stdout")
    parser.add_argument("--failed-rows", metavar="OUT.csv", type=Path,
                        help="write the rejected rows with a reason column to OUT.csv")
    parser.set_defaults(func=_import)


class ProgressBar:
    """A one-line progress bar redrawn in place on a terminal."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream
        self._drawn = False

    def __call__(self, phase: str, done: int, total: int) -> None:
        share = done / total if total else 1.0
        filled = round(share * _BAR_WIDTH)
        bar = "#" * filled + "." * (_BAR_WIDTH - filled)
        self._stream.write(f"\r{phase:<8} [{bar}] {share:4.0%}")
        self._stream.flush()
        self._drawn = True

    def finish(self) -> None:
        if self._drawn:
            self._stream.write("\r" + " " * (_BAR_WIDTH + 18) + "\r")
            self._stream.flush()


def _progress_bar(roster: Path) -> ProgressBar | None:
    try:
        large = roster.stat().st_size >= LARGE_FILE_BYTES
    except OSError:
        return None
    return ProgressBar(sys.stderr) if large and sys.stderr.isatty() else None


def _import(args: argparse.Namespace) -> int:
    failed_rows = open_failed_rows(args.failed_rows) if args.failed_rows is not None else None
    # Checking the rows starts now, on the other core, while the database modules load.
    checker = CheckerProcess.start_early(args.roster)
    try:
        report = _run_import(args, checker)
        if failed_rows is not None:
            if report.header:
                write_failed_rows(args.roster, failed_rows, report.rejected_reasons)
            else:  # the file was refused before its header was understood
                failed_rows.close()
                args.failed_rows.unlink(missing_ok=True)
    finally:
        if checker is not None:
            checker.stop()
        if failed_rows is not None:
            failed_rows.close()
    if args.json:
        print(report.to_json())
    elif report.refused is not None and report.rows == 0:
        print(f"kiosk: {report.refused}", file=sys.stderr)
    else:
        from kiosk.roster import render_text

        sys.stdout.write(render_text(report))
        if report.refused is not None and not sys.stdout.isatty():
            # the report says it already; repeated only where stdout is not read (a pipe, a
            # file), never twice on the screen
            print(f"kiosk: {report.refused}", file=sys.stderr)
    return report.exit_status


def _run_import(args: argparse.Namespace, checker: CheckerProcess | None) -> ImportReport:
    from kiosk.db.session import open_database
    from kiosk.roster import import_roster

    engine = open_database(args.db)
    bar = _progress_bar(args.roster)
    try:
        return import_roster(
            engine,
            args.roster,
            dry_run=args.dry_run,
            archive_missing=args.archive_missing,
            force=args.force,
            progress=bar,
            checker=checker,
        )
    finally:
        if bar is not None:
            bar.finish()
        engine.dispose()
