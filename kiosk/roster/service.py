"""``import_roster``: read and validate the file, plan against the database, apply in one
transaction, and report. ``preflight`` is the same without writing.

The import runs while kiosks check students in, so it holds the database as briefly as it
can: the stored roster is read and the plan made in a read transaction (which blocks no one),
then the plan is written in one short write transaction. That transaction takes the write
lock before it reads anything (on SQLite a read transaction cannot become a writing one once
a kiosk has written, and would fail with "database is locked" instead of waiting), checks
that no other import changed the roster since the plan (``roster_version``; if one did, the
import plans again) and, when the import changes anything, raises ``roster_version`` so the
kiosks notice. All or nothing, as before: the plan is written in one transaction.

The file is streamed: each chunk of rows is checked and copied into a temporary staging
table on the import's own connection (:mod:`staging`), and the plan is SQL between that
table and the stored roster (:mod:`plan`), so memory does not grow with the file. A row
that is the same as the one last imported for its student (its stored fingerprint:
:mod:`fingerprint`) is staged in a few columns and left out of the plan; should another
import change the roster before the plan is made, or such a row repeat another row's
username, email or card_id, the import stages every row again in full instead.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError

from kiosk.errors import UserError
from kiosk.roster.apply import apply_plan, record_audit
from kiosk.roster.checker import CHUNK_ROWS, CheckerProcess, FileCheck, can_fork
from kiosk.roster.csvfile import RosterFileError, RosterReader
from kiosk.roster.findings import Finding, fold_common_warnings
from kiosk.roster.fingerprint import Sieve, StoredFingerprints
from kiosk.roster.headers import map_header
from kiosk.roster.plan import ARCHIVE_GUARD_SHARE, Plan, build_plan
from kiosk.roster.quality import import_card_id_warnings
from kiosk.roster.report import ImportReport
from kiosk.roster.schema import (
    HANDSHAKE_MAX_BYTES,
    HANDSHAKE_MAX_ROWS,
)
from kiosk.roster.staging import StagingTable
from kiosk.roster.stored import load_known_values
from kiosk.roster.tally import CategoryCounts
from kiosk.roster.typos import ValueTally, find_new_values
from kiosk.roster.validate import RowValidator
from kiosk.roster.version import bump_version, current_version

#: progress(phase, done, total): phase "reading" counts bytes, "writing" counts students.
Progress = Callable[[str, int, int], None]

#: Plans made before giving up when other imports keep changing the roster meanwhile.
PLAN_ATTEMPTS = 3


def preflight(engine: Engine, path: str | Path, *, archive_missing: bool = False) -> ImportReport:
    """What importing ``path`` would do, writing nothing (a dry run)."""
    return import_roster(engine, path, dry_run=True, archive_missing=archive_missing)


def import_roster(
    engine: Engine,
    path: str | Path,
    *,
    dry_run: bool = False,
    archive_missing: bool = False,
    force: bool = False,
    progress: Progress | None = None,
    skip_unchanged: bool = True,
    checker: CheckerProcess | None = None,
) -> ImportReport:
    """Import the Handshake Student CSV at ``path`` in one transaction.

    Returns the report; a refused file (``report.refused``) wrote nothing. Raises
    :class:`UserError` when the file cannot be opened or the database fails (nothing written).
    ``skip_unchanged=False`` plans every row in full (the report and the roster are the same).
    ``checker``: one already checking the file (:meth:`CheckerProcess.start_early`; the
    caller stops it should the import fail before reading the file).
    """
    source = Path(path)
    attempts = PLAN_ATTEMPTS
    try:
        for skip in ((True, False) if skip_unchanged else (False,)):
            with engine.connect() as connection:
                staging = StagingTable(connection)
                try:
                    stored = StoredFingerprints.load(connection) if skip else None
                    return _import(connection, staging, source, stored, attempts, checker,
                                   dry_run=dry_run, archive_missing=archive_missing,
                                   force=force, progress=progress)
                except _StageInFull as restart:
                    attempts -= restart.plans
                    checker = None  # done: a new one checks the file read again
                finally:
                    staging.drop_quietly()
        raise AssertionError("an import staging every row cannot ask to stage them in full")
    except SQLAlchemyError as error:
        raise UserError(
            f"The database failed during the import ({type(error).__name__}: "
            f"{getattr(error, 'orig', None) or error}); nothing was written. Check the "
            "database (kiosk db status) and import again."
        ) from error


class _StageInFull(Exception):
    """Rows were skipped on fingerprints that no longer settle them: stage every row."""

    def __init__(self, plans: int) -> None:
        super().__init__(plans)
        #: the plans made before (each counts as one of the import's attempts)
        self.plans = plans


def _import(connection: Connection, staging: StagingTable, source: Path,
            stored: StoredFingerprints | None, attempts: int, early: CheckerProcess | None,
            *, dry_run: bool, archive_missing: bool, force: bool,
            progress: Progress | None) -> ImportReport:
    report = ImportReport(file=source.name, dry_run=dry_run)
    with connection.begin():
        staging.create()
    try:
        found = _read(source, staging, report, progress, stored, early)
    except RosterFileError as error:
        # Whatever was read before the bad line does not count: the file is refused whole.
        report = ImportReport(file=source.name, dry_run=dry_run)
        report.refuse(str(error), error.line)
        return report
    except OSError as error:
        raise UserError(
            f"Reading {source} failed ({error.strerror or error}); nothing was written. "
            "Check the file and its disk, then import again."
        ) from error
    if report.rows == 0:
        report.refuse(f"{source.name} has a header line but no data rows: nothing to import.", 2)
        return report
    # The repeating rows the check passed become invalid (the others were rejected already).
    checked_invalid = set(found.invalid_lines)
    repeating = [line for line in sorted(found.duplicates) if line not in checked_invalid]
    if stored and found.duplicates and staging.skipped_among(sorted(found.duplicates)):
        # A skipped row repeating another (the same row twice, usually): the gut check's
        # counts need its cells, and the duplicates it holds were looked for in part.
        raise _StageInFull(0)
    staging.mark_invalid(repeating)
    report.errors.extend(finding for line in sorted(found.duplicates)
                         for finding in found.duplicates[line])
    report.rejected += len(repeating)
    row_warnings, counts = found.warnings, found.counts
    with connection.begin():
        staging.uncount(counts, repeating)
    read = report
    for attempt in range(1, attempts + 1):
        report = _fresh_copy(read)
        planned = _plan(connection, staging, report, row_warnings, counts.copy(),
                        archive_missing=archive_missing, force=force)
        if stored is not None and planned.plan.skipped and planned.version != stored.version:
            raise _StageInFull(attempt)  # another import changed the roster since
        if report.refused is not None or dry_run:
            return report
        if _write(connection, planned, report, progress):
            return report
        if planned.plan.skipped:
            raise _StageInFull(attempt)  # the roster changed under the skipped rows
    raise UserError(
        f"Other imports changed the roster {PLAN_ATTEMPTS} times while this one was being "
        "planned; nothing was written. Import again when the other imports are done."
    )


def _fresh_copy(report: ImportReport) -> ImportReport:
    """The report as reading the file left it, for one plan to fill (findings are frozen)."""
    return replace(report, errors=list(report.errors), warnings=list(report.warnings),
                   new_values=list(report.new_values),
                   rejected_reasons=dict(report.rejected_reasons))


def _read(source: Path, staging: StagingTable, report: ImportReport,
          progress: Progress | None, stored: StoredFingerprints | None,
          early: CheckerProcess | None) -> FileCheck:
    """Stage the file's rows a chunk at a time and check them (in a checker process when
    this one may fork: :mod:`checker`; ``early``'s if it reads the same file), counting the
    rows in the report; the check's findings and counts are returned, the rows it rejected
    marked invalid."""
    with RosterReader(source) as reader:
        header = map_header(reader.header, source.name)
        report.header = header.cells
        report.warnings.extend(header.warnings)
        validator = RowValidator(header)
        sieve = Sieve(header, stored)
        checker = _checker_of(reader, early)
        found = FileCheck()
        try:
            with staging.loader() as loader:
                for chunk in reader.chunks(CHUNK_ROWS):
                    report.rows += len(chunk)
                    sifted = sieve.split(chunk)  # first: a check pads the rows it reads
                    if checker is None:
                        checked = validator.check(chunk, prints=sifted.prints)
                        found.add(checked)
                        skipped = sifted.skipped_lines
                        staged = [row for row in checked.staged if row[0] not in skipped
                                  ] if skipped else checked.staged
                    else:
                        staged = validator.stage(sifted.rest, sifted.prints)
                    loader.write(staged, sifted.skipped)
                    if progress is not None:
                        progress("reading", reader.bytes_read, reader.size)
            if report.rows:
                staging.index()  # (while the checker may still be at work)
            if checker is not None:
                found = checker.result()
                staging.mark_invalid(found.invalid_lines)
            else:
                found.finish()
            if report.rows:  # invalid rows count as valid ones do: marking them changes nothing
                found.duplicates = staging.duplicates_in_file(found.may_repeat,
                                                              skipped=loader.skipped > 0)
        finally:
            if checker is not None:
                checker.stop()
        if progress is not None:
            progress("reading", reader.size, reader.size)
        if reader.size > HANDSHAKE_MAX_BYTES or report.rows > HANDSHAKE_MAX_ROWS:
            report.warnings.append(
                Finding(None, None, "the file is larger than Handshake accepts (50 MB, "
                        f"{HANDSHAKE_MAX_ROWS:,} rows): split it before uploading it there")
            )
    report.rejected += found.rejected
    report.errors.extend(found.errors)
    return found


def _checker_of(reader: RosterReader, early: CheckerProcess | None) -> CheckerProcess | None:
    """A started checker of the file ``reader`` has open: ``early`` if that is the file it
    checks, else a new one (None where this process may not fork)."""
    if early is not None:
        if early.reads(reader):
            return early
        early.stop()  # the file was replaced or changed since the checker opened it
    if not can_fork():
        return None
    checker = CheckerProcess(reader.fileno())
    checker.start()
    return checker


@dataclass(frozen=True)
class _Planned:
    plan: Plan
    #: the roster_version the plan was made against
    version: int


def _plan(
    connection: Connection,
    staging: StagingTable,
    report: ImportReport,
    row_warnings: list[Finding],
    counts: CategoryCounts,
    *,
    archive_missing: bool,
    force: bool,
) -> _Planned:
    """Plan the import against the stored roster in one read transaction (a consistent
    snapshot on both databases; only the import's temporary tables are written); fill the
    report, refusing the import if it must be."""
    if connection.dialect.name == "postgresql":
        connection.execution_options(isolation_level="REPEATABLE READ")
    connection.execution_options(sqlite_begin_immediate=False)
    with connection.begin():
        version = current_version(connection)
        plan = build_plan(connection, staging, archive_missing=archive_missing)
        known = load_known_values(connection)
        staging.uncount(counts, plan.rejected_lines)
        tally = counts.tally()
        card_warnings = import_card_id_warnings(connection)
    _fill_report(report, plan, row_warnings, card_warnings, tally, known)
    _refuse_if_needed(report, plan, force=force)
    return _Planned(plan, version)


def _refuse_if_needed(report: ImportReport, plan: Plan, *, force: bool) -> None:
    if not plan.accepted:
        report.refuse("No row can be imported: fix the errors listed and import again.")
    elif plan.exceeds_archive_guard() and not force:
        report.refuse(
            f"This import would archive {plan.archived} of {plan.active_before} current "
            f"students (more than {ARCHIVE_GUARD_SHARE:.0%}): check that the file is the "
            "complete roster, or add --force to archive them anyway."
        )


def _write(connection: Connection, planned: _Planned, report: ImportReport,
           progress: Progress | None) -> bool:
    """Write the plan in one transaction; False (nothing written) when another import
    changed the roster since the plan was made."""
    plan = planned.plan
    now = datetime.now(UTC)
    writing = None if progress is None else (lambda done, total: progress("writing", done, total))
    if connection.dialect.name == "postgresql":
        connection.execution_options(isolation_level=connection.default_isolation_level)
    connection.execution_options(sqlite_begin_immediate=True)
    with connection.begin() as transaction:
        # A write first: it takes the write lock (waiting for a kiosk's check-in to
        # commit) before anything is read, even where BEGIN IMMEDIATE is not available.
        record_audit(connection, report.summary(), now)
        if plan.changes_roster:
            unchanged_since_plan = bump_version(connection, now) == planned.version + 1
        else:
            unchanged_since_plan = current_version(connection) == planned.version
        if not unchanged_since_plan:
            transaction.rollback()
            return False
        apply_plan(connection, plan, now, writing)
    return True


def _fill_report(report: ImportReport, plan: Plan, row_warnings: list[Finding],
                 card_warnings: list[Finding], tally: ValueTally,
                 known: dict[str, set[str]]) -> None:
    report.created = plan.created
    report.updated = plan.updated
    report.unchanged = plan.unchanged
    report.archived = plan.archived
    report.rejected += plan.rejected
    report.errors.extend(plan.errors)
    report.errors.sort(key=lambda finding: finding.row or 0)
    for finding in report.errors:
        if finding.row is None:
            continue
        message, column = finding.message, finding.column
        reason = message if not column or message.startswith(column) else f"{column}: {message}"
        previous = report.rejected_reasons.get(finding.row)
        report.rejected_reasons[finding.row] = (
            reason if previous is None else f"{previous}; {reason}"
        )

    warnings = list(row_warnings)
    warnings.extend(card_warnings)
    report.new_values = find_new_values(tally, known)
    warnings.extend(
        Finding(new.first_line, new.category,
                f"{new.value!r} is new and looks like a typo of {new.resembles!r}")
        for new in report.new_values
        if new.resembles is not None
    )
    header_warnings = report.warnings
    folded = fold_common_warnings(warnings, report.rows)
    folded.sort(key=lambda finding: -1 if finding.row is None else finding.row)
    report.warnings = [*header_warnings, *folded]
