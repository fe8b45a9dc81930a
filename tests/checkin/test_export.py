"""Attendance exports: Handshake's attendees import and the full record, from a real database."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from drivers.base import Swipe
from kiosk.cards.rules import RuleSet
from kiosk.checkin import CheckInService
from kiosk.checkin.events import create_event
from kiosk.checkin.export import HANDSHAKE_COLUMNS, export_checkins, export_to_file, walk_ins_path
from kiosk.db.models import Event
from kiosk.errors import UserError

START = datetime(2026, 10, 14, 14, 0, tzinfo=UTC)


def swipe(text: str, minutes: int) -> Swipe:
    return Swipe(text=text, reader="front", wall=START + timedelta(minutes=minutes))


@pytest.fixture
def busy_service(service: CheckInService) -> CheckInService:
    """Alex (swipe), Carmen (swipe, then undone), Dana (archived, swipe), Bo (lookup, now),
    a walk-in with a roster email (Eve), and two walk-ins not on the roster."""
    service.handle_swipe(swipe(";90123456701?", 0))
    carmen = service.handle_swipe(swipe(";12345678?", 1))
    assert carmen.check_in_id is not None
    service.undo(carmen.check_in_id, by="staff")
    service.check_in_by_lookup("bnguyen")
    service.handle_swipe(swipe(";60123456?", 3))
    service.register_walk_in("Eve Nocard", "ENOCARD@example.edu", None)
    service.register_walk_in("Jordan Kim", "jordan@elsewhere.org", "555555555")
    service.register_walk_in('=HYPERLINK("x") Evil', None, None)
    return service


def _export(
    engine: Engine, event_id: int, fmt: str, **kwargs: object
) -> tuple[list[list[str]], object]:
    out = io.StringIO(newline="")
    summary = export_checkins(engine, event_id, fmt, out, **kwargs)  # type: ignore[arg-type]
    return list(csv.reader(io.StringIO(out.getvalue()))), summary


def test_handshake_export_lists_live_roster_attendees(busy_service: CheckInService) -> None:
    walk_ins = io.StringIO(newline="")
    table, summary = _export(
        busy_service.engine, busy_service.event_id, "handshake", walk_ins_out=walk_ins
    )
    assert (
        table[0]
        == list(HANDSHAKE_COLUMNS)
        == [
            "student_email_address",
            "registered",
            "checked_in",
            "identifiable_type",
            "identifiable_id",
            "identifier",
        ]
    )
    assert table[1:] == [
        ["atester@example.edu", "TRUE", "TRUE", "CareerFairSession", "4321", ""],
        ["dold@example.edu", "TRUE", "TRUE", "CareerFairSession", "4321", ""],
        ["BNGUYEN@EXAMPLE.EDU", "TRUE", "TRUE", "CareerFairSession", "4321", ""],
        ["enocard@example.edu", "TRUE", "TRUE", "CareerFairSession", "4321", ""],
    ]
    assert (summary.rows, summary.unmatched_walk_ins, summary.walk_ins_written) == (4, 2, True)
    # Handshake's import has no column for it: the summary counts Bo (lookup), Eve (walk-in)
    assert summary.manual == 2  # type: ignore[attr-defined]
    walk_in_table = list(csv.reader(io.StringIO(walk_ins.getvalue())))
    assert walk_in_table[0] == ["name", "email", "card_id", "checked_in_at", "kiosk_id", "method"]
    assert [row[:3] + row[5:] for row in walk_in_table[1:]] == [
        ["Jordan Kim", "jordan@elsewhere.org", "555555555", "walk-in"],
        ['\'=HYPERLINK("x") Evil', "", "", "walk-in"],
    ]
    assert all(datetime.fromisoformat(row[3]).tzinfo is not None for row in walk_in_table[1:])


def test_handshake_type_is_event_for_events(engine: Engine, student_ids: dict[str, int]) -> None:
    event = create_event(engine, "Info session", kind="event", handshake_id=99)
    assert event.id is not None
    CheckInService(engine, event.id, RuleSet.empty()).check_in_by_lookup("atester")
    table, summary = _export(engine, event.id, "handshake")
    assert table[1] == ["atester@example.edu", "TRUE", "TRUE", "Event", "99", ""]
    assert summary.unmatched_walk_ins == 0  # type: ignore[attr-defined]


def test_handshake_export_without_an_id_is_a_clear_error(
    engine: Engine, student_ids: dict[str, int]
) -> None:
    event = create_event(engine, "No id yet")
    assert event.id is not None
    CheckInService(engine, event.id, RuleSet.empty()).check_in_by_lookup("atester")
    out = io.StringIO()
    with pytest.raises(UserError, match=f"set-handshake-id {event.id}"):
        export_checkins(engine, event.id, "handshake", out)
    assert out.getvalue() == ""
    table, _ = _export(engine, event.id, "handshake", handshake_id="555")
    assert table[1][4] == "555"


def test_unmatched_walk_ins_are_counted_when_no_walk_in_file_is_given(
    busy_service: CheckInService,
) -> None:
    _, summary = _export(busy_service.engine, busy_service.event_id, "handshake")
    assert (summary.unmatched_walk_ins, summary.walk_ins_written) == (2, False)  # type: ignore[attr-defined]


def test_full_export_has_every_check_in_with_undone_flag(busy_service: CheckInService) -> None:
    table, summary = _export(busy_service.engine, busy_service.event_id, "full")
    assert table[0] == [
        "username",
        "email",
        "first_name",
        "last_name",
        "checked_in_at",
        "method",
        "reader",
        "kiosk_id",
        "undone",
        "duplicate",
        "checked_out_at",
        "duration_minutes",
        "registered",
        "checked_in_by",
    ]
    body = table[1:]
    assert [(r[0], r[1], r[2], r[3], r[5], r[6], r[7], r[8]) for r in body] == [
        (
            "atester",
            "atester@example.edu",
            "Alexandra",
            "Tester",
            "swipe",
            "front",
            "kiosk-1",
            "FALSE",
        ),
        ("cruiz", "cruiz@example.edu", "Carmen", "Ruiz", "swipe", "front", "kiosk-1", "TRUE"),
        ("dold", "dold@example.edu", "Dana", "Oldfield", "swipe", "front", "kiosk-1", "FALSE"),
        ("bnguyen", "BNGUYEN@EXAMPLE.EDU", "Bo", "Nguyen", "manual", "", "kiosk-1", "FALSE"),
        ("enocard", "enocard@example.edu", "Eve", "Nocard", "walk-in", "", "kiosk-1", "FALSE"),
        ("", "jordan@elsewhere.org", "Jordan", "Kim", "walk-in", "", "kiosk-1", "FALSE"),
        ("", "", '\'=HYPERLINK("x")', "Evil", "walk-in", "", "kiosk-1", "FALSE"),
    ]
    first = datetime.fromisoformat(body[0][4])
    assert first == START and first.utcoffset() is not None
    assert body[0][4] == START.astimezone().isoformat(timespec="seconds")
    assert summary.rows == 7  # type: ignore[attr-defined]
    assert summary.manual == 4  # type: ignore[attr-defined]  # Bo and the three walk-ins


def test_unknown_format_and_event(engine: Engine, event: Event) -> None:
    assert event.id is not None
    with pytest.raises(UserError, match="handshake or full"):
        export_checkins(engine, event.id, "xlsx", io.StringIO())  # type: ignore[arg-type]
    with pytest.raises(UserError, match="no event with id 4040"):
        export_checkins(engine, 4040, "full", io.StringIO())


def test_export_to_file_writes_walk_ins_beside_it(
    busy_service: CheckInService, tmp_path: Path
) -> None:
    tmp_path = tmp_path / "exports"
    tmp_path.mkdir()
    target = tmp_path / "fair.csv"
    summary = export_to_file(busy_service.engine, busy_service.event_id, "handshake", target)
    assert summary.walk_ins_file == walk_ins_path(target) == tmp_path / "fair-walk-ins.csv"
    assert len(target.read_text(encoding="utf-8").splitlines()) == 5
    assert len(summary.walk_ins_file.read_text(encoding="utf-8").splitlines()) == 3
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fair-walk-ins.csv", "fair.csv"]
    full = export_to_file(busy_service.engine, busy_service.event_id, "full", tmp_path / "all")
    assert full.walk_ins_file is None and (tmp_path / "all").exists()


def test_export_to_file_keeps_the_previous_file_on_error(
    engine: Engine, student_ids: dict[str, int], tmp_path: Path
) -> None:
    event = create_event(engine, "No id yet")
    assert event.id is not None
    tmp_path = tmp_path / "exports"
    tmp_path.mkdir()
    target = tmp_path / "out.csv"
    target.write_text("previous\n", encoding="utf-8")
    with pytest.raises(UserError, match="no Handshake id"):
        export_to_file(engine, event.id, "handshake", target)
    with pytest.raises(UserError, match="does not exist"):
        export_to_file(engine, event.id, "full", tmp_path / "missing" / "out.csv")
    assert target.read_text(encoding="utf-8") == "previous\n"
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]
