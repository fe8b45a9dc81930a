"""Importing into a database that already has students: identity, blank/CLEAR, card_id
never moving, archiving and the 20% guard, restoring, dry runs and the audit trail."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kiosk.db.models import AuditEvent, CheckIn, Event
from kiosk.roster import import_roster, preflight
from tests.roster.conftest import roster, snapshot, students


@pytest.fixture
def seeded(engine: Engine) -> Engine:
    report = import_roster(engine, roster("base.csv"))
    assert (report.created, report.rejected, report.refused) == (5, 0, None)
    return engine


def test_first_import_stores_values_exactly_as_written(seeded: Engine) -> None:
    ana = students(seeded)["h1001"]
    assert ana.card_id == "0012345678"  # leading zeros kept
    assert ana.email_key == "ana.lopez@example.edu"
    assert ana.major_names == "Biology" and ana.cumulative_gpa == "3.50"
    assert ana.archived is False and ana.archived_at is None
    assert ana.created_at.tzinfo is not None and ana.updated_at == ana.created_at
    assert ana.middle_name is None  # column absent from the file


def test_reimporting_the_same_file_changes_nothing(seeded: Engine) -> None:
    before = students(seeded)
    report = import_roster(seeded, roster("base.csv"))
    assert (report.created, report.updated, report.unchanged) == (0, 0, 5)
    after = students(seeded)
    assert {u: s.updated_at for u, s in after.items()} == {
        u: s.updated_at for u, s in before.items()
    }


def test_username_is_the_key_blank_keeps_clear_erases(seeded: Engine) -> None:
    report = import_roster(seeded, roster("update.csv"))
    assert report.refused is None, report.errors
    assert (report.created, report.updated, report.unchanged, report.rejected) == (1, 3, 2, 0)
    stored = students(seeded)
    assert stored["h1001"].last_name == "Lopez-Reyes"
    ben = stored["h1002"]  # every optional cell blank: all kept
    assert (ben.last_name, ben.card_id, ben.major_names, ben.mobile_number) == (
        "Okoro", "0012345679", "Chemistry;Biology", "5555550100")
    assert stored["h1003"].card_id is None  # **CLEAR**
    eli = stored["h1005"]  # same email in another case: same student, written as given
    assert (eli.email_address, eli.email_key) == ("Eli.Moss@Example.edu", "eli.moss@example.edu")
    assert stored["h1006"].card_id == "0012345683"
    assert stored["h1001"].updated_at > stored["h1004"].updated_at


def test_a_card_id_or_email_of_another_student_is_rejected_and_never_moves(
    seeded: Engine,
) -> None:
    report = import_roster(seeded, roster("conflicts.csv"))
    assert (report.created, report.rejected) == (1, 2)
    assert [(e.row, e.column, e.message) for e in report.errors] == [
        (2, "card_id", "card_id has already been taken by another student; a card_id never "
         "moves between students: clear it on the other student first"),
        (3, "email_address", "email_address is already in use by another student"),
    ]
    stored = students(seeded)
    assert stored["h1001"].card_id == "0012345678"
    assert "h1007" not in stored and "h1008" not in stored and "h1009" in stored


def test_a_cleared_card_id_is_free_in_a_later_import(seeded: Engine, tmp_path) -> None:
    moved = tmp_path / "moved.csv"
    moved.write_text("email_address,username,first_name,card_id\r\n"
                     "ana.lopez@example.edu,h1001,Ana,**CLEAR**\r\n"
                     "ben.okoro@example.edu,h1002,Ben,0012345678\r\n", encoding="utf-8")
    first = import_roster(seeded, moved)
    assert first.rejected == 1 and students(seeded)["h1002"].card_id == "0012345679"
    assert students(seeded)["h1001"].card_id is None
    second = import_roster(seeded, moved)
    assert second.rejected == 0 and students(seeded)["h1002"].card_id == "0012345678"


def test_archive_missing_over_20_percent_is_refused_unless_forced(seeded: Engine) -> None:
    before = snapshot(seeded)
    refused = import_roster(seeded, roster("three_of_five.csv"), archive_missing=True)
    assert refused.refused == (
        "This import would archive 2 of 5 current students (more than 20%): check that the "
        "file is the complete roster, or add --force to archive them anyway."
    )
    assert refused.archived == 2 and refused.exit_status == 1
    assert snapshot(seeded) == before
    without_flag = import_roster(seeded, roster("three_of_five.csv"))
    assert (without_flag.archived, without_flag.unchanged) == (0, 3)
    forced = import_roster(seeded, roster("three_of_five.csv"), archive_missing=True, force=True)
    assert (forced.refused, forced.archived, forced.unchanged) == (None, 2, 3)
    stored = students(seeded)
    assert [u for u, s in sorted(stored.items()) if s.archived] == ["h1004", "h1005"]
    assert stored["h1004"].archived_at is not None  # archived, never deleted
    assert len(stored) == 5


def test_archiving_keeps_check_in_history_and_a_returning_student_is_restored(
    seeded: Engine,
) -> None:
    with Session(seeded) as session:
        event = Event(name="Fair")
        session.add(event)
        session.flush()
        dana = students(seeded)["h1004"]
        session.add(CheckIn(event_id=event.id, student_id=dana.id, method="swipe"))
        session.commit()
    import_roster(seeded, roster("three_of_five.csv"), archive_missing=True, force=True)
    back = import_roster(seeded, roster("base.csv"), archive_missing=True)
    assert (back.updated, back.unchanged, back.archived) == (2, 3, 0)
    stored = students(seeded)
    assert not stored["h1004"].archived and stored["h1004"].archived_at is None
    with Session(seeded) as session:
        assert len(session.exec(select(CheckIn)).all()) == 1


def test_disabled_true_archives_the_student(seeded: Engine, tmp_path) -> None:
    path = tmp_path / "disabled.csv"
    path.write_text("email_address,username,first_name,disabled\r\n"
                    "eli.moss@example.edu,h1005,Eli,TRUE\r\n", encoding="utf-8")
    report = import_roster(seeded, path)
    assert (report.archived, report.updated) == (1, 0)
    assert students(seeded)["h1005"].archived
    again = import_roster(seeded, path)
    assert (again.archived, again.unchanged) == (0, 1)


def test_a_small_archive_passes_the_guard(seeded: Engine, tmp_path) -> None:
    for n in range(6, 11):
        import_roster(seeded, _one_student(tmp_path, n))
    four_of_ten_missing = tmp_path / "nine.csv"
    lines = roster("base.csv").read_text(encoding="utf-8").splitlines()
    four_of_ten_missing.write_text("\r\n".join(lines[:5]) + "\r\n", encoding="utf-8")
    report = import_roster(seeded, four_of_ten_missing, archive_missing=True)
    assert report.refused is not None  # 6 of 10 missing
    nine = tmp_path / "all-but-one.csv"
    rows = [lines[0], *lines[1:], *(_row(n) for n in range(6, 10))]
    nine.write_text("\r\n".join(rows) + "\r\n", encoding="utf-8")
    report = import_roster(seeded, nine, archive_missing=True)
    assert (report.refused, report.archived) == (None, 1)  # 1 of 10 = 10%


def _row(n: int) -> str:
    return f"s{n}@example.edu,h10{n:02d},Sam,Extra,sso-s{n},Junior,3.00,Biology,Biology," \
        "Bachelors,,,,,,,,"


def _one_student(tmp_path, n: int):
    header = roster("base.csv").read_text(encoding="utf-8").splitlines()[0]
    path = tmp_path / f"one-{n}.csv"
    path.write_text(f"{header}\r\n{_row(n)}\r\n", encoding="utf-8")
    return path


def test_dry_run_writes_nothing_and_reports_the_same(seeded: Engine) -> None:
    before = snapshot(seeded)
    dry = import_roster(seeded, roster("update.csv"), dry_run=True)
    assert snapshot(seeded) == before
    assert preflight(seeded, roster("update.csv")).to_dict() == dry.to_dict()
    real = import_roster(seeded, roster("update.csv"))
    dry_dict, real_dict = dry.to_dict(), real.to_dict()
    assert (dry_dict.pop("status"), dry_dict.pop("dry_run")) == ("dry_run", True)
    assert (real_dict.pop("status"), real_dict.pop("dry_run")) == ("imported", False)
    assert dry_dict == real_dict


def test_a_real_import_leaves_an_audit_event_with_the_counts(seeded: Engine) -> None:
    import_roster(seeded, roster("update.csv"), dry_run=True)
    with Session(seeded) as session:
        audits = session.exec(select(AuditEvent)).all()
    assert [(a.kind, a.detail) for a in audits] == [
        ("roster_import", "base.csv: rows=5 created=5 updated=0 unchanged=0 archived=0 "
         "rejected=0"),
    ]
