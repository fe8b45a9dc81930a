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
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from kiosk.errors import UserError
from kiosk.roster.csvfile import RosterFileError, RosterReader
from kiosk.roster.findings import Finding, fold_common_warnings
from kiosk.roster.headers import map_header
from kiosk.roster.report import ImportReport
from kiosk.roster.schema import (
    CATEGORIES,
    CLEAR,
    HANDSHAKE_MAX_BYTES,
    HANDSHAKE_MAX_ROWS,
    INDEX,
    LIST_ATTRIBUTES,
    split_list,
)
from kiosk.roster.typos import ValueTally, find_new_values
from kiosk.roster.version import bump_version, current_version
from tests.roster.legacy.apply import apply_plan, record_audit
from tests.roster.legacy.plan import ARCHIVE_GUARD_SHARE, Plan, Row, build_plan
from tests.roster.legacy.quality import card_id_warnings
from tests.roster.legacy.stored import (
    StoredIndex,
    iter_stored_values,
    load_index,
    load_known_values,
)
from tests.roster.legacy.validate import RowValidator

#: progress(phase, done, total): phase "reading" counts bytes, "writing" counts students.
Progress = Callable[[str, int, int], None]

#: Plans made before giving up when other imports keep changing the roster meanwhile.
PLAN_ATTEMPTS = 3

_PROGRESS_EVERY = 2000
_USERNAME = INDEX["username"]


@dataclass
class _FileContent:
    rows: list[Row] = field(default_factory=list)
    present_usernames: set[str] = field(default_factory=set)
    row_warnings: list[Finding] = field(default_factory=list)


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
) -> ImportReport:
    """Import the Handshake Student CSV at ``path`` in one transaction.

    Returns the report; a refused file (``report.refused``) wrote nothing. Raises
    :class:`UserError` when the file cannot be opened or the database fails (nothing written).
    """
    source = Path(path)
    report = ImportReport(file=source.name, dry_run=dry_run)
    try:
        content = _read(source, report, progress)
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
    read = report
    try:
        for _ in range(PLAN_ATTEMPTS):
            report = _fresh_copy(read)
            planned = _plan(engine, content, report, archive_missing=archive_missing,
                            force=force)
            if report.refused is not None or dry_run:
                return report
            if _write(engine, planned, content, report, progress):
                return report
    except SQLAlchemyError as error:
        raise UserError(
            f"The database failed during the import ({type(error).__name__}: "
            f"{getattr(error, 'orig', None) or error}); nothing was written. Check the "
            "database (kiosk db status) and import again."
        ) from error
    raise UserError(
        f"Other imports changed the roster {PLAN_ATTEMPTS} times while this one was being "
        "planned; nothing was written. Import again when the other imports are done."
    )


def _fresh_copy(report: ImportReport) -> ImportReport:
    """The report as reading the file left it, for one plan to fill (findings are frozen)."""
    return replace(report, errors=list(report.errors), warnings=list(report.warnings),
                   new_values=list(report.new_values),
                   rejected_reasons=dict(report.rejected_reasons))


def _read(source: Path, report: ImportReport, progress: Progress | None) -> _FileContent:
    content = _FileContent()
    with RosterReader(source) as reader:
        header = map_header(reader.header, source.name)
        report.header = header.cells
        report.warnings.extend(header.warnings)
        username_cell = next(cell for cell, attr in header.positions if attr == _USERNAME)
        validator = RowValidator(header)
        for raw in reader.rows():
            report.rows += 1
            if username_cell < len(raw.cells) and raw.cells[username_cell]:
                content.present_usernames.add(raw.cells[username_cell])
            result = validator.check(raw)
            content.row_warnings.extend(result.warnings)
            if result.values is None:
                report.rejected += 1
                report.errors.extend(result.errors)
            else:
                content.rows.append((result.line, result.values))
            if progress is not None and report.rows % _PROGRESS_EVERY == 0:
                progress("reading", reader.bytes_read, reader.size)
        if progress is not None:
            progress("reading", reader.size, reader.size)
        if reader.size > HANDSHAKE_MAX_BYTES or report.rows > HANDSHAKE_MAX_ROWS:
            report.warnings.append(
                Finding(None, None, "the file is larger than Handshake accepts (50 MB, "
                        f"{HANDSHAKE_MAX_ROWS:,} rows): split it before uploading it there")
            )
    return content


@dataclass(frozen=True)
class _Planned:
    plan: Plan
    #: the roster_version the plan was made against
    version: int


def _plan(
    engine: Engine,
    content: _FileContent,
    report: ImportReport,
    *,
    archive_missing: bool,
    force: bool,
) -> _Planned:
    """Read the stored roster and plan the import in one read transaction (a consistent
    snapshot on both databases); fill the report, refusing the import if it must be."""
    with engine.connect() as connection:
        if connection.dialect.name == "postgresql":
            connection.execution_options(isolation_level="REPEATABLE READ")
        with connection.begin():
            version = current_version(connection)
            stored = load_index(connection)
            plan = build_plan(content.rows, stored, lambda: iter_stored_values(connection),
                              archive_missing=archive_missing,
                              present_usernames=content.present_usernames)
            known = load_known_values(connection)
    _fill_report(report, plan, content, stored, known)
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


def _write(engine: Engine, planned: _Planned, content: _FileContent, report: ImportReport,
           progress: Progress | None) -> bool:
    """Write the plan in one transaction; False (nothing written) when another import
    changed the roster since the plan was made."""
    plan = planned.plan
    now = datetime.now(UTC)
    writing = None if progress is None else (lambda done, total: progress("writing", done, total))
    with engine.connect() as connection:
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
            apply_plan(connection, plan, content.rows, now, writing)
    return True


def _fill_report(report: ImportReport, plan: Plan, content: _FileContent,
                 stored: StoredIndex, known: dict[str, set[str]]) -> None:
    report.created = len(plan.creates)
    report.updated = plan.updated
    report.unchanged = plan.unchanged
    report.archived = plan.archived
    report.rejected += len(plan.rejected_lines)
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

    accepted = [content.rows[index] for index in plan.accepted]
    lines = {values[_USERNAME]: line for line, values in accepted}
    warnings = list(content.row_warnings)
    warnings.extend(card_id_warnings(plan.card_ids, lines, stored))
    report.new_values = find_new_values(_tally(accepted), known)
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


def _tally(rows: list[Row]) -> ValueTally:
    """Each category's items over the rows (a row counts once per item), computed once per
    distinct combination of the category's cells."""
    tally = ValueTally()
    for category, attributes in CATEGORIES.items():
        indexes = [(INDEX[a], a in LIST_ATTRIBUTES) for a in attributes]
        first_line: dict[tuple[str, ...], int] = {}
        counts: Counter[tuple[str, ...]] = Counter()
        for line, values in rows:
            key = tuple(values[index] for index, _ in indexes)
            counts[key] += 1
            first_line.setdefault(key, line)
        for key, count in sorted(counts.items(), key=lambda item: first_line[item[0]]):
            items: set[str] = set()
            for value, (_, is_list) in zip(key, indexes, strict=True):
                if value and value != CLEAR:
                    items.update(split_list(value) if is_list else (value.strip(),))
            tally.add(category, sorted(items), first_line[key], count)
    return tally
