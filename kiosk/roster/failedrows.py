"""``--failed-rows OUT.csv``: the rejected rows as written, after a first ``failed_reason``
column (like Handshake's failed-rows download). First, so that a row with more cells than the
header still has its reason under that heading. UTF-8 with a byte-order mark, so Excel shows
accented names right; owner-only, since it holds students' personal data."""

from __future__ import annotations

import csv
from collections.abc import Mapping
from pathlib import Path
from typing import TextIO

from kiosk.errors import UsageError, UserError
from kiosk.paths import open_private
from kiosk.roster.csvfile import RosterReader

REASON_HEADER = "failed_reason"


def open_failed_rows(out: Path) -> TextIO:
    """Open ``out`` for writing before the import starts, so a bad path stops it early."""
    try:
        return open_private(out, "w", encoding="utf-8-sig", newline="")
    except OSError as error:
        raise UsageError(
            f"Cannot write the failed rows to {out}: {error.strerror or error}; choose a "
            "writable path for --failed-rows."
        ) from None


def write_failed_rows(source: Path, out: TextIO, reasons: Mapping[int, str]) -> int:
    """Copy the rows of ``source`` that start on a line in ``reasons`` to ``out`` with their
    reason; returns how many were written. The header is written even when none failed."""
    written = 0
    try:
        with RosterReader(source) as reader:
            writer = csv.writer(out)
            writer.writerow([REASON_HEADER, *reader.header])
            for row in reader.rows():
                reason = reasons.get(row.line)
                if reason is not None:
                    writer.writerow([reason, *row.cells])
                    written += 1
    except OSError as error:
        raise UserError(
            f"Writing the failed rows failed ({error.strerror or error}); the import itself "
            "is done: run it again with --dry-run --failed-rows to get them."
        ) from None
    return written
