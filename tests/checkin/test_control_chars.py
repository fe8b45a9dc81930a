"""Control characters never reach an export or a command's output (issue 10, point 4): typed
ones are refused (walk-ins, event names), and rows stored before that (old data, written here
straight into the real database) are exported and listed without them."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kiosk.checkin import CheckInService
from kiosk.checkin.events import find_event, get_event, list_events
from kiosk.checkin.export import export_to_file, walk_ins_path
from kiosk.checkin.outcome import IdentifiedStudent
from kiosk.cli import main
from kiosk.db.models import CheckIn, Event, WalkIn
from kiosk.errors import UserError
from kiosk.text_safety import first_forbidden
from kiosk.tui.screens.rule_tester import describe

CLEAR_SCREEN = "\x1b[H\x1b[J"


def _write_raw(engine: Engine, sql: str, **params: str) -> None:
    """Change a row behind the kiosk's back, as data stored before the checks existed."""
    with engine.begin() as connection:
        connection.execute(text(sql), params)


def _clean_file(path: Path) -> str:
    data = path.read_bytes()
    assert b"\x1b" not in data and b"\x00" not in data
    decoded = data.decode("utf-8")
    assert first_forbidden(decoded, multiline=True) is None  # csv rows end in CRLF
    return decoded


def test_old_rows_with_control_characters_are_exported_without_them(
    service: CheckInService, engine: Engine, tmp_path: Path
) -> None:
    _write_raw(engine, "UPDATE student SET first_name = :first, last_name = :last, "
               "preferred_name = :preferred, email_address = :email "
               "WHERE username = 'atester'",
               first="Alex" + CLEAR_SCREEN + "andra", last="\u202eTester",
               preferred="\x1bcAlex", email="atester\x1bc@example.edu")
    outcome = service.check_in_by_lookup("atester")
    assert outcome.message == "Welcome, Alex T. — you're checked in"
    _write_raw(engine, "UPDATE student SET username = :username WHERE username = 'atester'",
               username="at\x1b[2Jester")
    (row,) = service.recent()  # what the staff Recent screen and `checkins list` show
    assert (row.display_name, row.username, row.email) == (
        "Alex T.", "atester", "atester@example.edu")
    service.register_walk_in("Jordan Kim", "jordan@elsewhere.org", None)
    _write_raw(engine, "UPDATE walk_in SET name = :name, email_address = :email",
               name="Jor\x1b]0;owned\x07dan \u202eKim", email="jordan\x85@elsewhere.org")

    full = export_to_file(engine, service.event_id, "full", tmp_path / "full.csv")
    assert full.rows == 2
    text_full = _clean_file(tmp_path / "full.csv")
    assert "atester,atester@example.edu,Alexandra,Tester," in text_full
    assert ",Jordan,Kim," in text_full and "jordan @elsewhere.org" in text_full

    handshake = export_to_file(engine, service.event_id, "handshake", tmp_path / "hs.csv")
    assert handshake.walk_ins_file == walk_ins_path(tmp_path / "hs.csv")
    _clean_file(tmp_path / "hs.csv")
    assert "Jordan Kim" in _clean_file(handshake.walk_ins_file)


def test_a_walk_in_with_control_characters_is_refused_and_nothing_stored(
    service: CheckInService, engine: Engine
) -> None:
    for name, email in (("Eve" + CLEAR_SCREEN, "eve@elsewhere.org"),
                        ("Eve\x00 Adams", "eve@elsewhere.org"),
                        ("Eve Adams", "eve\u202e@elsewhere.org")):
        with pytest.raises(UserError) as caught:
            service.register_walk_in(name, email, None)
        assert str(caught.value).endswith("; please type it again.")
    with Session(engine) as session:
        assert session.exec(select(WalkIn)).all() == []
        assert session.exec(select(CheckIn)).all() == []


@pytest.mark.parametrize("name", ["Fair" + CLEAR_SCREEN, "\x1bcFair", "Fair\u202e", "Fa\x00ir",
                                  "Fair\x85"])
def test_events_create_with_a_control_character_exits_1_with_a_sentence(
    db_url: str, engine: Engine, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    assert main(["--db", db_url, "events", "create", name]) == 1
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.startswith("kiosk: The event name contains ")
    assert captured.err.endswith("; type the name again without it.\n")
    assert captured.err.count("\n") == 1
    assert first_forbidden(captured.err, multiline=True) is None
    assert list_events(engine) == []


def test_an_old_event_name_with_control_characters_is_read_without_them(
    db_url: str, engine: Engine, event: Event, capsys: pytest.CaptureFixture[str]
) -> None:
    assert event.id is not None
    _write_raw(engine, "UPDATE event SET name = :name", name="Fall" + CLEAR_SCREEN + " Fair\u202e")
    assert get_event(engine, event.id).name == "Fall Fair"
    assert find_event(engine, str(event.id)).name == "Fall Fair"
    assert [e.name for e in list_events(engine)] == ["Fall Fair"]
    with engine.connect() as connection:  # the stored row itself is not rewritten by reading
        stored = connection.execute(text("SELECT name FROM event")).scalar_one()
    assert stored == "Fall" + CLEAR_SCREEN + " Fair\u202e"
    assert main(["--db", db_url, "events", "list"]) == 0
    out = capsys.readouterr().out
    assert "Fall Fair" in out and first_forbidden(out, multiline=True) is None


def test_the_rule_tester_names_an_old_username_without_control_characters() -> None:
    identified = IdentifiedStudent(full_name="Alex Tester", username="at\x1b[2Jester",
                                   archived=False, matched_by="rule", rule="campus")
    assert describe(identified) == "Alex Tester (atester) — matched by rule"
