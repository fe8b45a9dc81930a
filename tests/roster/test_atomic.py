"""One import is one transaction: a crash or a database error after the first write leaves
the database exactly as it was (SQLite and PostgreSQL), and so does ``kiosk import`` killed
with SIGKILL midway (SQLite)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from kiosk.errors import UserError
from kiosk.roster import import_roster, service
from tests.reliability.import_kill import ImportKills
from tests.roster.conftest import fail_after_first_write, roster, snapshot, students


def test_a_crash_midway_leaves_the_database_as_it_was(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_roster(engine, roster("base.csv"))
    before = snapshot(engine)
    calls = fail_after_first_write(monkeypatch, RuntimeError("power cut"))
    with pytest.raises(RuntimeError, match="power cut"):
        import_roster(engine, roster("update.csv"), archive_missing=True)
    assert calls == [1]  # the first statement was written inside the transaction
    assert snapshot(engine) == before
    assert "h1006" not in students(engine)


def test_a_database_error_midway_is_one_sentence_and_writes_nothing(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = snapshot(engine)
    fail_after_first_write(monkeypatch, OperationalError("INSERT", {}, Exception("disk full")))
    with pytest.raises(UserError) as raised:
        import_roster(engine, roster("base.csv"))
    assert "nothing was written" in str(raised.value) and "disk full" in str(raised.value)
    assert snapshot(engine) == before == []


def test_without_failure_every_chunk_lands(engine: Engine, monkeypatch: pytest.MonkeyPatch
                                          ) -> None:
    monkeypatch.setattr(service, "CHUNK_ROWS", 2)  # rows are checked and staged 2 at a time
    report = import_roster(engine, roster("base.csv"))
    assert report.created == 5 and len(students(engine)) == 5


def test_kiosk_import_killed_with_sigkill_leaves_the_roster_exactly_as_before(
    tmp_path: Path,
) -> None:
    """The real ``kiosk import`` of a generated roster updating every stored student, killed
    once at a random moment of its run and twice just after its first rows reach the WAL (the
    long run, benchmarks/crash_safety.py, kills a 50,000-row import more often): the whole
    student table and the audit rows are exactly as before each time (or exactly the
    finished import's, timestamps apart, if the kill came after the commit)."""
    kills = ImportKills(tmp_path, rows=10_000, seed=3)
    for while_writing in (False, True, True):
        kills.kill_once(while_writing)
        assert not kills.tally.damaged, kills.tally.damaged
    assert kills.tally.kills >= 2 and kills.tally.intact >= 1, kills.tally.summary()
    assert kills.tally.while_writing >= 1, kills.tally.summary()
