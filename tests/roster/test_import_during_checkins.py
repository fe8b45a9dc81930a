"""A roster import while kiosks check students in (SQLite and PostgreSQL): the import
succeeds, no check-in fails, and ``roster_version`` tells the kiosks when the roster changed.

The figure (the longest check-in wait during a 100,000-row import, against a baseline) is
printed by benchmarks/import_during_checkins.py, never asserted here.
"""

from __future__ import annotations

import csv
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from drivers.base import Swipe
from kiosk.cards.rules import RuleSet
from kiosk.checkin import CheckInService
from kiosk.checkin.events import create_event
from kiosk.cli import main
from kiosk.db.engine import make_engine
from kiosk.db.models import CheckIn, Student
from kiosk.errors import UserError
from kiosk.roster import import_roster, preflight, service
from kiosk.roster.version import roster_version
from tests.reliability.import_kill import generate_roster
from tests.roster.conftest import roster, snapshot, students
from tests.roster.swiping_kiosk import SwipingKiosk

ROWS = 4000


def _event(engine: Engine) -> int:
    event = create_event(engine, "Career fair", kind="fair")
    assert event.id is not None
    return event.id


def _card_ids(engine: Engine) -> list[str]:
    with Session(engine) as session:
        return [c for c in session.scalars(select(col(Student.card_id))) if c is not None]


def _live_check_ins(engine: Engine) -> int:
    with Session(engine) as session:
        return session.scalar(select(func.count()).select_from(CheckIn)) or 0


@pytest.fixture
def kiosk_engine(db_url: str, engine: Engine) -> Iterator[Engine]:
    """A second engine on the same database, as another kiosk process would have."""
    other = make_engine(db_url)
    yield other
    other.dispose()


def test_kiosk_import_succeeds_while_a_kiosk_checks_students_in(
    db_url: str, engine: Engine, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """``kiosk import`` of a roster changing every stored student (values and card_ids),
    while a kiosk swipes stored cards one every 0.2-1 s: every import exits 0 and every swipe
    got an answer other than "not saved" (on SQLite such an import failed with "database is
    locked"); each checked-in answer is a row in the database. The two rosters are imported
    in turn until swipes were made during the imports (an import takes well under a second
    on a fast machine)."""
    stored, changed = tmp_path / "stored.csv", tmp_path / "changed.csv"
    generate_roster(stored, ROWS, seed=1)
    generate_roster(changed, ROWS, seed=2)
    assert import_roster(engine, stored).created == ROWS
    kiosk = SwipingKiosk(db_url, _event(engine), _card_ids(engine))
    kiosk.start_swiping()
    imports: list[tuple[float, float]] = []
    statuses: list[int] = []
    try:
        time.sleep(0.5)  # the kiosk is swiping before the first import starts
        while len(imports) < 40 and not (
            len(imports) % 2 == 1 and sum(len(kiosk.during(*i)) for i in imports) >= 3
        ):
            started = time.monotonic()
            roster_file = changed if len(imports) % 2 == 0 else stored
            statuses.append(main(["--db", db_url, "import", str(roster_file)]))
            imports.append((started, time.monotonic()))
        time.sleep(0.5)
    finally:
        kiosk.stop()
    assert set(statuses) == {0}, capsys.readouterr()
    assert kiosk.failures == [], kiosk.kinds()
    assert sum(len(kiosk.during(*i)) for i in imports) >= 3, "too few swipes during imports"
    assert kiosk.kinds()["checked_in"] == _live_check_ins(engine)
    assert set(_card_ids(engine)) == _file_card_ids(changed)  # the last import's roster, whole


def _file_card_ids(path: Path) -> set[str]:
    with path.open(encoding="utf-8", newline="") as handle:
        return {row["card_id"] for row in csv.DictReader(handle)}


def _during_planning(monkeypatch: pytest.MonkeyPatch, action: Callable[[], None],
                     times: int = 1) -> list[int]:
    """Run ``action`` inside the import's read transaction, after the stored roster was
    read (the first ``times`` plans only)."""
    real = service.build_plan
    calls: list[int] = []  # plans of the import under test (not of imports ``action`` runs)
    acting: list[bool] = []

    def planning(*args: Any, **kwargs: Any) -> Any:
        plan = real(*args, **kwargs)
        if acting:
            return plan
        calls.append(1)
        if len(calls) <= times:
            acting.append(True)
            try:
                action()
            finally:
                acting.clear()
        return plan

    monkeypatch.setattr(service, "build_plan", planning)
    return calls


def test_a_check_in_while_the_import_plans_does_not_fail_it(
    engine: Engine, kiosk_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A kiosk's check-in committed after the import read the stored roster, before it
    wrote: on SQLite the import's transaction could not become a writing one any more and
    failed at once with "database is locked"."""
    import_roster(engine, roster("base.csv"))
    kiosk = CheckInService(kiosk_engine, _event(engine), RuleSet.empty())

    def check_in() -> None:
        assert kiosk.handle_swipe(Swipe(text=";0012345678?", reader="t")).kind == "checked_in"

    calls = _during_planning(monkeypatch, check_in)
    report = import_roster(engine, roster("update.csv"))
    assert report.refused is None and (report.created, report.updated) == (1, 3)
    assert calls == [1] and _live_check_ins(engine) == 1
    assert students(engine)["h1001"].last_name == "Lopez-Reyes"


def test_a_check_in_of_a_student_the_import_is_changing_does_not_wait_for_it(
    engine: Engine, kiosk_engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """PostgreSQL: a kiosk checks in Ana (by her card as it loaded it) while the import's
    write transaction, which gives her a new card_id and email, is still open. Her row is
    locked by the import's UPDATE, but not against the check-in's foreign key check (the
    unique columns are partial unique indexes, migration 0005): the check-in is recorded
    at once. With plain unique constraints it waited for the import to commit: here, inside
    the import, until the kiosk's lock timeout (5 s), then "not saved"."""
    if engine.dialect.name != "postgresql":
        pytest.skip("SQLite has one writer at a time: the check-in waits for the import")
    import_roster(engine, roster("base.csv"))
    kiosk = CheckInService(kiosk_engine, _event(engine), RuleSet.empty())
    outcomes: list[str] = []
    real = service.apply_plan

    def applying(connection: Any, *args: Any) -> None:
        real(connection, *args)  # Ana's row is now locked by the import's UPDATE
        outcomes.append(kiosk.handle_swipe(Swipe(text=";0012345678?", reader="t")).kind)

    monkeypatch.setattr(service, "apply_plan", applying)
    changed = _roster_file(tmp_path / "changed.csv", {"h1001": "0099999999"})
    changed.write_text(changed.read_text().replace("ana.lopez@", "ana.lopez-reyes@"))
    assert import_roster(engine, changed).updated == 1
    assert outcomes == ["checked_in"]
    assert _live_check_ins(engine) == 1
    assert students(engine)["h1001"].card_id == "0099999999"


def test_an_import_committed_while_another_plans_makes_it_plan_again(
    engine: Engine, kiosk_engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Import B gives h1003 a new card_id while import A (whose file keeps h1003's card_id
    and adds h1006 with that same card_id) is planning. A's plan is stale, so A plans again
    against B's roster and rejects the h1006 row, instead of failing on the unique card_id
    (nothing imported) or writing over B's change."""
    import_roster(engine, roster("base.csv"))
    assert roster_version(engine) == 1
    b_file = _roster_file(tmp_path / "b.csv", {"h1003": "0099999999"})

    def import_b() -> None:
        assert import_roster(kiosk_engine, b_file).updated == 1

    calls = _during_planning(monkeypatch, import_b)
    a_file = _roster_file(tmp_path / "a.csv", {"h1003": ""}, new=("h1006", "0099999999"))
    report = import_roster(engine, a_file)
    assert len(calls) == 2  # planned again after B's commit
    assert report.refused is None
    assert (report.created, report.updated, report.unchanged, report.rejected) == (0, 0, 5, 1)
    assert len(report.errors) == 1 and "already been taken" in report.errors[0].message
    assert students(engine)["h1003"].card_id == "0099999999"  # B's change kept
    assert "h1006" not in students(engine)
    assert roster_version(engine) == 2  # B changed the roster; A changed nothing


def test_a_row_rejected_by_a_stale_plan_is_accepted_when_the_import_plans_again(
    engine: Engine, kiosk_engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The first plan rejects the new h1006 row (its card_id is h1003's); import B gives
    h1003 another card_id meanwhile, so the second plan must forget that verdict and create
    h1006 with the freed card_id. (Every row planned in full: with rows skipped, the import
    would stage the file again instead of planning again.)"""
    import_roster(engine, _roster_file(tmp_path / "start.csv", {"h1003": "0099999999"}))
    b_file = _roster_file(tmp_path / "b.csv", {"h1003": "0088888888"})

    def import_b() -> None:
        assert import_roster(kiosk_engine, b_file).updated == 1

    calls = _during_planning(monkeypatch, import_b)
    a_file = _roster_file(tmp_path / "a.csv", {"h1003": ""}, new=("h1006", "0099999999"))
    report = import_roster(engine, a_file, skip_unchanged=False)
    assert len(calls) == 2
    assert (report.created, report.rejected, report.errors) == (1, 0, [])
    assert students(engine)["h1006"].card_id == "0099999999"
    assert students(engine)["h1003"].card_id == "0088888888"


def test_an_import_gives_up_in_one_sentence_when_the_roster_keeps_changing(
    engine: Engine, kiosk_engine: Engine, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import_roster(engine, roster("base.csv"))
    cards = iter(f"00777777{n:02d}" for n in range(10))

    def other_import() -> None:
        path = _roster_file(tmp_path / "b.csv", {"h1002": next(cards)})
        assert import_roster(kiosk_engine, path).updated == 1

    _during_planning(monkeypatch, other_import, times=service.PLAN_ATTEMPTS)
    before = snapshot(engine)
    with pytest.raises(UserError, match="nothing was written") as raised:
        import_roster(engine, roster("update.csv"))
    assert "\n" not in str(raised.value)
    assert "h1006" not in students(engine)
    assert len(snapshot(engine)) == len(before) + service.PLAN_ATTEMPTS  # B's audit rows only


def _roster_file(path: Path, cards: dict[str, str], new: tuple[str, str] | None = None
                 ) -> Path:
    """base.csv with some card_ids changed (by username) and perhaps one new student."""
    with roster("base.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.reader(handle))
    header = rows[0]
    username, card = header.index("username"), header.index("card_id")
    email, auth = header.index("email_address"), header.index("auth_identifier")
    for row in rows[1:]:
        row[card] = cards.get(row[username], row[card])
    if new is not None:
        extra = list(rows[1])
        extra[username], extra[card] = new
        extra[email], extra[auth] = f"{new[0]}@example.edu", f"sso-{new[0]}"
        rows.append(extra)
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(rows)
    return path


# ------------------------------------------------------------------ roster_version


def test_roster_version_is_0_before_any_import(engine: Engine) -> None:
    assert roster_version(engine) == 0


def test_roster_version_rises_only_when_an_import_changes_the_roster(engine: Engine) -> None:
    import_roster(engine, roster("base.csv"))
    assert roster_version(engine) == 1
    assert import_roster(engine, roster("base.csv")).unchanged == 5  # changes nothing
    assert roster_version(engine) == 1
    assert preflight(engine, roster("update.csv")).updated == 3  # a dry run writes nothing
    assert roster_version(engine) == 1
    refused = import_roster(engine, roster("three_of_five.csv"), archive_missing=True)
    assert refused.refused is not None and roster_version(engine) == 1
    assert import_roster(engine, roster("update.csv")).updated == 3
    assert roster_version(engine) == 2


def test_a_failed_import_leaves_roster_version_as_it_was(
    engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    import_roster(engine, roster("base.csv"))
    monkeypatch.setattr(service, "apply_plan", _power_cut)
    with pytest.raises(RuntimeError, match="power cut"):
        import_roster(engine, roster("update.csv"))
    assert roster_version(engine) == 1


def _power_cut(*_args: Any) -> None:
    raise RuntimeError("power cut")
