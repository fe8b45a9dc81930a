"""Events: no second event of the same name on the same date; rename; delete (check-ins are
exported to an owner-only file first, in the same transaction, and never lost)."""

from __future__ import annotations

import csv
import stat
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kiosk.cards.rules import RuleSet
from kiosk.checkin import CheckInService
from kiosk.checkin.events import create_event, delete_event, find_event, list_events, rename_event
from kiosk.checkin.export import FULL_COLUMNS
from kiosk.cli import main
from kiosk.db.models import CheckIn, Event, WalkIn
from kiosk.errors import UserError
from tests.checkin.roster import PEOPLE, add_students


def _count(engine: Engine, model: type[CheckIn] | type[WalkIn] | type[Event]) -> int:
    with Session(engine) as session:
        return int(session.exec(select(func.count()).select_from(model)).one())


def test_same_name_same_date_is_refused_case_insensitively(engine: Engine) -> None:
    create_event(engine, "Fall Career Fair", date="2026-10-01")
    with pytest.raises(UserError) as raised:
        create_event(engine, "  fall   CAREER fair ", date="2026-10-01")
    assert str(raised.value) == (
        "There is already an event called 'Fall Career Fair' on 2026-10-01 (id 1); "
        "use that one, or give this one another name."
    )
    create_event(engine, "Fall Career Fair", date="2027-10-01")  # another year: fine
    create_event(engine, "Info session")
    with pytest.raises(UserError, match="without a date"):
        create_event(engine, "INFO SESSION")
    assert len(list_events(engine)) == 3


def test_cli_refuses_a_duplicate_with_one_sentence(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", db_url, "events", "create", "Expo", "--date", "2026-10-01"]) == 0
    assert main(["--db", db_url, "events", "create", "expo", "--date", "2026-10-01"]) == 1
    err = capsys.readouterr().err
    assert err.startswith("kiosk: There is already an event called 'Expo'") and err.count("\n") == 1


def test_rename(engine: Engine, db_url: str, capsys: pytest.CaptureFixture[str]) -> None:
    create_event(engine, "Expo", date="2026-10-01")
    create_event(engine, "Spring Expo", date="2026-10-01")
    assert main(["--db", db_url, "events", "rename", "expo", "Autumn Expo"]) == 0
    assert capsys.readouterr().out == "event 1 is now called 'Autumn Expo'\n"
    assert find_event(engine, "autumn expo").id == 1
    with pytest.raises(UserError, match="There is already an event called 'Spring Expo'"):
        rename_event(engine, "1", "spring EXPO")
    assert rename_event(engine, "1", "AUTUMN expo").name == "AUTUMN expo"  # its own name
    with pytest.raises(UserError, match="needs a name"):
        rename_event(engine, "1", "   ")


@pytest.fixture
def attended(engine: Engine) -> int:
    add_students(engine, PEOPLE)
    event = create_event(engine, "Fair", kind="fair")
    other = create_event(engine, "Other")
    assert event.id is not None and other.id is not None
    service = CheckInService(engine, event.id, RuleSet.empty(), kiosk_id="k1")
    service.check_in_by_lookup("atester")
    service.check_in_by_lookup("cruiz")
    service.register_walk_in("Jordan Kim", "jordan@elsewhere.org", None)
    CheckInService(engine, other.id, RuleSet.empty(), kiosk_id="k1").check_in_by_lookup("cruiz")
    return event.id


def test_delete_with_check_ins_needs_force(
    engine: Engine, attended: int, db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", db_url, "events", "delete", "Fair"]) == 1
    err = capsys.readouterr().err
    assert err == (
        "kiosk: The event 'Fair' has 3 check-in(s); export them first (`kiosk checkins export`), "
        "or delete with --force, which saves them to a file before deleting.\n"
    )
    assert _count(engine, Event) == 2 and _count(engine, CheckIn) == 4


def test_forced_delete_exports_first(
    engine: Engine, attended: int, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    saved = tmp_path / "saved"
    argv = ["--db", db_url, "events", "delete", "fair", "--force", "--export-dir", str(saved)]
    assert main(argv) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == f"deleted event {attended} (Fair)"
    prefix = "its 3 check-in(s) were first saved to "
    assert out[1].startswith(prefix)
    export = Path(out[1].removeprefix(prefix))
    assert export.parent == saved and stat.S_IMODE(export.stat().st_mode) == 0o600
    with export.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert tuple(rows[0]) == FULL_COLUMNS
    assert sorted(row[0] or row[2] for row in rows[1:]) == ["Jordan", "atester", "cruiz"]
    # the event, its check-ins and its walk-in are gone; the other event's check-in stays
    assert [event.name for event in list_events(engine)] == ["Other"]
    assert _count(engine, CheckIn) == 1 and _count(engine, WalkIn) == 0


def test_a_failed_export_deletes_nothing(engine: Engine, attended: int, tmp_path: Path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder\n")
    with pytest.raises(UserError, match="Cannot create the folder"):
        delete_event(engine, "Fair", force=True, export_dir=blocker / "exports")
    assert _count(engine, Event) == 2 and _count(engine, CheckIn) == 4


def test_delete_without_check_ins(engine: Engine) -> None:
    create_event(engine, "Empty")
    deleted = delete_event(engine, "empty")
    assert (deleted.name, deleted.check_ins, deleted.export) == ("Empty", 0, None)
    assert list_events(engine) == []
