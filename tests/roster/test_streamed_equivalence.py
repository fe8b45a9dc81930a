"""Property: the streamed importer (staging table, plan in SQL) gives exactly the report and
the database the previous in-memory importer gave (tests/roster/legacy), for random rosters
imported over random stored rosters: every count, error, warning, typo suggestion, failed-row
reason, student value, archived flag and which import last touched each timestamp. The
legacy importer runs on SQLite; the streamed one on SQLite, and on PostgreSQL too when
KIOSK_TEST_PG_URL is set.

The second roster reuses rows of the first, and is imported twice: rows the same as the
ones last imported for their students are skipped by their stored fingerprints
(kiosk.roster.fingerprint), which must change nothing of the report or the roster."""

from __future__ import annotations

import csv
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlalchemy.engine import Engine

from kiosk.db.session import open_database
from kiosk.roster import ImportReport, import_roster
from tests.roster.conftest import backends, ranked_students, scratch_url
from tests.roster.legacy.service import import_roster as legacy_import_roster

POOLS: dict[str, list[str]] = {
    "email_address": ["a@x.edu", "A@x.edu", "b@x.edu", "c@x.edu", "hanna@x.edu", "d@x.edu",
                      "bad", "", "**CLEAR**"],
    "username": ["h1", "h2", "h3", "h4", "h5", "hanna", "", "**CLEAR**"],
    "first_name": ["Ana", "Ben", "Cleo", "", "J0hn", "**CLEAR**"],
    "last_name": ["Lopez", "Okoro", "", "**CLEAR**"],
    "auth_identifier": ["sso-1", "sso-2", "sso-3", "", "**CLEAR**"],
    "school_year_name": ["Junior", "Senior", "junior", ""],
    "primary_education:cumulative_gpa": ["3.50", "2.00", "4.5", "3.555", ""],
    "primary_education:major_names": ["Biology", "Biology", "Biolgy", "biology",
                                      "Chemistry;Biology", "Mechanical Engineering",
                                      "Mechancial Engineering", "", "**CLEAR**"],
    "primary_education:primary_major_name": ["", "Biology", "Chemistry", "**CLEAR**"],
    "primary_education:education_level_name": ["Bachelors", "", "bachelors"],
    "primary_education:college_names": ["College of Arts", "Colege of Arts", "", "A, B"],
    "campus_name": ["Main Campus", "Main Campus", "Main Campu", "North Campus", ""],
    "card_id": ["0012345678", "0012345679", "12345678", "1.23457E+07", "0012345678.0",
                "00123", "123456789012", "AB12345678", "hanna12345", "", "**CLEAR**",
                "0012345680", "0012345681"],
    "primary_education:start_date": ["2024-08-26", "", "2024-13-01"],
    "primary_education:end_date": ["2028-05-12", "2023-01-01", ""],
    "disabled": ["", "", "FALSE", "TRUE", "**CLEAR**", "true"],
    "primary_education:minor_names": ["", "Spanish", "spanish"],
}
HEADER = list(POOLS)

row = st.tuples(
    st.fixed_dictionaries({column: st.sampled_from(pool) for column, pool in POOLS.items()}),
    st.sampled_from([0, 0, 0, 0, 0, 0, -1, 1]),  # cells missing or extra
)
roster = st.lists(row, min_size=1, max_size=10)


@st.composite
def rosters(draw: st.DrawFn) -> tuple[list[Any], list[Any]]:
    """A first roster and a second one mixing rows of the first (the same rows again,
    which a re-import skips) with new ones."""
    first = draw(roster)
    second = draw(st.lists(st.one_of(row, st.sampled_from(first)), min_size=1, max_size=10))
    return first, second


def _write(path: Path, rows: list[tuple[dict[str, str], int]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for values, width in rows:
            cells = [values[column] for column in HEADER]
            writer.writerow(cells[:width] if width < 0 else cells + ["extra"] * width)
    return path


def _report(report: ImportReport) -> dict[str, Any]:
    return {**report.to_dict(), "rejected_reasons": report.rejected_reasons,
            "header": report.header}


def _database(engine: Engine) -> list[Any]:
    """The students (timestamps as the rank of the import that set them) and audit rows."""
    students = ranked_students(engine)
    for student in students:
        del student["row_fingerprint"]  # the legacy importer has none
    with engine.connect() as connection:
        audits = [r[0] for r in connection.execute(
            text("SELECT detail FROM audit_event ORDER BY id"))]
    return [*students, *audits]


def _run(engine: Engine, importer: Any, first: Path, second: Path,
         options: dict[str, bool]) -> tuple[Any, ...]:
    reports = [_report(importer(engine, first)), _report(importer(engine, second, **options)),
               _report(importer(engine, second, **options))]
    return (*reports, _database(engine))


@pytest.mark.parametrize("backend", backends())
@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=rosters(), archive_missing=st.booleans(), force=st.booleans(),
       dry_run=st.booleans())
def test_the_streamed_import_gives_the_report_and_database_the_old_one_gave(
    backend: str, files: tuple[list[tuple[dict[str, str], int]], list[tuple[dict[str, str], int]]],
    archive_missing: bool, force: bool, dry_run: bool,
) -> None:
    first, second = files
    options = {"archive_missing": archive_missing, "force": force, "dry_run": dry_run}
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        first_csv, second_csv = _write(root / "a.csv", first), _write(root / "b.csv", second)
        legacy = open_database(f"sqlite:///{root / 'legacy.sqlite3'}")
        streamed = open_database(scratch_url(backend, root / "streamed.sqlite3"))
        try:
            expected = _run(legacy, legacy_import_roster, first_csv, second_csv, options)
            got = _run(streamed, import_roster, first_csv, second_csv, options)
        finally:
            legacy.dispose()
            streamed.dispose()
    assert got == expected
