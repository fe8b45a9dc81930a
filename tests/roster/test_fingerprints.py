"""Re-imports skip the rows last imported unchanged (kiosk.roster.fingerprint) and give the
report and the roster a full import gives.

The property: random sequences of edited copies of a roster (cells changed, blanked,
**CLEAR**ed, rows repeated, dropped, added, students archived by a sync), imported with rows
skipped on their fingerprints (SQLite, and PostgreSQL when KIOSK_TEST_PG_URL is set) and
with every row planned in full (SQLite), give the same reports and the same students,
fingerprints included."""

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
from kiosk.roster import import_roster
from kiosk.roster import service as service_module
from kiosk.roster.plan import Plan
from kiosk.roster.version import roster_version
from tests.roster.conftest import backends, ranked_students, roster, scratch_url, students

with roster("base.csv").open(encoding="utf-8", newline="") as _handle:
    HEADER, *BASE = list(csv.reader(_handle))

#: Values a cell may be edited to (valid mostly; a few that a row is rejected for).
EDITS: dict[str, list[str]] = {
    "first_name": ["Anna", "", "**CLEAR**"],
    "school_year_name": ["Senior", "", "junior"],
    "primary_education:cumulative_gpa": ["3.90", "", "4.5"],
    "primary_education:major_names": ["Physics", "Biology", "Biolgy", ""],
    "card_id": ["0012345699", "0012345679", "", "**CLEAR**", "1.23457E+07"],
    "email_address": ["new@example.edu", "ben.okoro@example.edu", ""],
    "auth_identifier": ["sso-new", "", "**CLEAR**"],
    "disabled": ["TRUE", "FALSE", ""],
}
NEW_ROW = {"email_address": "zoe.new@example.edu", "username": "h2001", "first_name": "Zoe",
           "card_id": "0012345700", "auth_identifier": "sso-h2001"}

edit = st.tuples(st.sampled_from(sorted(EDITS)), st.integers(0, 4))
file_row = st.tuples(st.integers(0, len(BASE) - 1),
                     st.one_of(st.just([]), st.lists(edit, max_size=2)))
#: Mostly each student once (rows repeated in a file are the rarer case).
file_rows = st.one_of(st.lists(file_row, min_size=1, max_size=5, unique_by=lambda r: r[0]),
                      st.lists(file_row, min_size=1, max_size=7))
a_file = st.tuples(file_rows, st.booleans(), st.booleans())  # rows, new row, archive missing


def _write(path: Path, rows: list[tuple[int, list[tuple[str, int]]]], new: bool) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for index, edits in rows:
            cells = list(BASE[index])
            for column, choice in edits:
                values = EDITS[column]
                cells[HEADER.index(column)] = values[choice % len(values)]
            writer.writerow(cells)
        if new:
            writer.writerow([NEW_ROW.get(column, "") for column in HEADER])
    return path


def _imports(engine: Engine, root: Path, files: list[Any], *, skip: bool) -> list[Any]:
    outcomes = []
    for number, (rows, new, archive_missing) in enumerate(files):
        path = _write(root / f"f{number}.csv", rows, new)
        report = import_roster(engine, path, archive_missing=archive_missing, force=True,
                               skip_unchanged=skip)
        outcomes.append({**report.to_dict(), "reasons": report.rejected_reasons})
    return [*outcomes, ranked_students(engine)]


@pytest.mark.parametrize("backend", backends())
@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(files=st.lists(a_file, min_size=2, max_size=4))
def test_skipping_unchanged_rows_gives_the_reports_and_roster_of_a_full_import(
    backend: str, files: list[Any]
) -> None:
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        full = open_database(f"sqlite:///{root / 'full.sqlite3'}")
        skipping = open_database(scratch_url(backend, root / "skipping.sqlite3"))
        try:
            expected = _imports(full, root, files, skip=False)
            got = _imports(skipping, root, files, skip=True)
        finally:
            full.dispose()
            skipping.dispose()
    assert got == expected


@pytest.fixture
def plans(monkeypatch: pytest.MonkeyPatch) -> list[Plan]:
    """Every plan the imports make (the real planner, recorded)."""
    made: list[Plan] = []
    real = service_module.build_plan

    def recording(*args: Any, **kwargs: Any) -> Plan:
        plan = real(*args, **kwargs)
        made.append(plan)
        return plan

    monkeypatch.setattr(service_module, "build_plan", recording)
    return made


def _fingerprints(engine: Engine) -> dict[str, bytes | None]:
    with engine.connect() as connection:
        rows = connection.execute(text("SELECT username, row_fingerprint FROM student"))
        return {name: None if value is None else bytes(value) for name, value in rows}


def test_the_same_file_again_is_skipped_whole_and_changes_nothing(
    engine: Engine, plans: list[Plan]
) -> None:
    first = import_roster(engine, roster("base.csv"))
    prints = _fingerprints(engine)
    assert len(prints) == 5 and all(prints.values()) and len(set(prints.values())) == 5
    version = roster_version(engine)
    again = import_roster(engine, roster("base.csv"))
    assert (again.created, again.updated, again.unchanged, again.rejected) == (0, 0, 5, 0)
    assert plans[-1].skipped == 5 and plans[-1].restamp == 0
    assert again.warnings == first.warnings
    assert roster_version(engine) == version  # nothing changed
    assert _fingerprints(engine) == prints


def test_a_changed_row_is_planned_and_the_others_skipped(
    engine: Engine, plans: list[Plan], tmp_path: Path
) -> None:
    import_roster(engine, roster("base.csv"))
    before = _fingerprints(engine)
    changed = _write(tmp_path / "changed.csv",
                     [(0, [("school_year_name", 0)]), (1, []), (2, []), (3, []), (4, [])],
                     new=True)
    report = import_roster(engine, changed)
    assert (report.created, report.updated, report.unchanged) == (1, 1, 4)
    assert plans[-1].skipped == 4
    after = _fingerprints(engine)
    assert students(engine)["h1001"].school_year_name == "Senior"
    assert after["h1001"] != before["h1001"]
    assert {name: after[name] for name in before if name != "h1001"} == {
        name: value for name, value in before.items() if name != "h1001"}
    assert after["h2001"] is not None


def test_a_student_archived_by_a_sync_is_planned_when_its_row_comes_back(
    engine: Engine, plans: list[Plan], tmp_path: Path
) -> None:
    import_roster(engine, roster("base.csv"))
    without = _write(tmp_path / "without.csv", [(i, []) for i in range(4)], new=False)
    synced = import_roster(engine, without, archive_missing=True, force=True)
    assert synced.archived == 1
    archived = [name for name, s in students(engine).items() if s.archived]
    assert len(archived) == 1 and _fingerprints(engine)[archived[0]] is None
    back = import_roster(engine, roster("base.csv"))
    assert (back.updated, back.unchanged) == (1, 4)  # brought back, not skipped
    assert plans[-1].skipped == 4
    assert not any(s.archived for s in students(engine).values())


def test_a_roster_imported_before_fingerprints_gets_them_without_a_new_version(
    engine: Engine, plans: list[Plan]
) -> None:
    """Students of a database upgraded to migration 0007 have none: the next import plans
    their rows in full and stores their fingerprints; the one after skips them."""
    import_roster(engine, roster("base.csv"))
    prints = _fingerprints(engine)
    with engine.begin() as connection:
        connection.execute(text("UPDATE student SET row_fingerprint = NULL"))
    version = roster_version(engine)
    report = import_roster(engine, roster("base.csv"))
    assert report.unchanged == 5 and plans[-1].skipped == 0 and plans[-1].restamp == 5
    assert _fingerprints(engine) == prints
    assert roster_version(engine) == version
    import_roster(engine, roster("base.csv"))
    assert plans[-1].skipped == 5


def test_a_row_repeated_in_the_file_is_staged_in_full_and_reported_as_before(
    engine: Engine, plans: list[Plan], tmp_path: Path
) -> None:
    """The same stored row twice: both would be skipped, so the import stages every row in
    full (the second is rejected as a duplicate, as in a full import)."""
    import_roster(engine, roster("base.csv"))
    twice = _write(tmp_path / "twice.csv", [(0, []), (1, []), (1, [])], new=False)
    report = import_roster(engine, twice)
    full = import_roster(engine, twice, skip_unchanged=False)
    assert [plan.skipped for plan in plans[-2:]] == [0, 0]  # the first, restaged in full
    assert report.to_dict() == full.to_dict()
    assert report.rejected == 1 and {f.column for f in report.errors} >= {"username"}
