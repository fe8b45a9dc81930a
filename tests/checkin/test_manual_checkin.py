"""manual_checkin: who may check in by username, email or as a walk-in, and the counts staff
see. Real databases; the staff confirmation itself is the TUI's (tests/tui)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from drivers.base import Swipe
from kiosk.cards.rules import RuleSet
from kiosk.checkin import CheckInService
from kiosk.checkin.events import create_event
from kiosk.checkin.manual import (
    MANUAL_CHECKIN_MODES,
    MANUAL_OFF_MESSAGE,
    STAFF_CONFIRM_MESSAGE,
    UNKNOWN_CARD_OFF_MESSAGE,
    manual_summary,
)
from kiosk.checkin.outcome import UNKNOWN_CARD_MESSAGE
from kiosk.config import ConfigError, KioskConfig, load_config, parse_config
from kiosk.db.models import CheckIn, Event, WalkIn
from kiosk.errors import UserError

REPO_ROOT = Path(__file__).resolve().parents[2]


def _service(engine: Engine, event: Event, mode: str) -> CheckInService:
    assert event.id is not None
    return CheckInService(engine, event.id, RuleSet.empty(), manual_checkin=mode)  # type: ignore[arg-type]


def _recorded(engine: Engine) -> tuple[list[CheckIn], list[WalkIn]]:
    with Session(engine) as session:
        return list(session.exec(select(CheckIn)).all()), list(session.exec(select(WalkIn)).all())


@pytest.mark.usefixtures("student_ids")
def test_off_refuses_lookups_and_walk_ins_and_records_nothing(
    engine: Engine, event: Event
) -> None:
    service = _service(engine, event, "off")
    for confirmed_by in (None, "pin", "card"):
        lookup = service.check_in_by_lookup("atester", confirmed_by)  # type: ignore[arg-type]
        walk_in = service.register_walk_in("Jo Kim", "jo@x.org", None, confirmed_by)  # type: ignore[arg-type]
        for outcome in (lookup, walk_in):
            assert (outcome.kind, outcome.message) == ("see_staff", MANUAL_OFF_MESSAGE)
            assert not outcome.accepted
    assert _recorded(engine) == ([], [])
    # cards still check in; an unknown card is sent to staff, not to F2
    assert service.handle_swipe(Swipe(text=";901234567?", reader="front")).kind == "checked_in"
    unknown = service.handle_swipe(Swipe(text=";555555555?", reader="front"))
    assert (unknown.kind, unknown.message) == ("unknown", UNKNOWN_CARD_OFF_MESSAGE)
    service.set_manual_checkin("staff-confirm")
    unknown = service.handle_swipe(Swipe(text=";555555555?", reader="front"))
    assert unknown.message == UNKNOWN_CARD_MESSAGE


@pytest.mark.usefixtures("student_ids")
def test_staff_confirm_records_only_what_staff_confirmed(engine: Engine, event: Event) -> None:
    service = _service(engine, event, "staff-confirm")
    # A roster student's email typed as a walk-in would check that student in: refused too.
    for outcome in (
        service.check_in_by_lookup("atester"),
        service.register_walk_in("Someone", "bnguyen@example.edu", None),
    ):
        assert (outcome.kind, outcome.message) == ("see_staff", STAFF_CONFIRM_MESSAGE)
    assert _recorded(engine) == ([], [])
    assert service.check_in_by_lookup("atester", "pin").kind == "checked_in"
    assert service.register_walk_in("Jo Kim", "jo@x.org", None, "card").kind == "checked_in"
    check_ins, walk_ins = _recorded(engine)
    assert sorted(c.method for c in check_ins) == ["manual", "walk-in"]
    assert [w.name for w in walk_ins] == ["Jo Kim"]


@pytest.mark.usefixtures("student_ids")
def test_anyone_checks_in_without_confirmation_as_before(engine: Engine, event: Event) -> None:
    service = _service(engine, event, "anyone")
    assert service.check_in_by_lookup("atester").kind == "checked_in"
    assert service.register_walk_in("Jo Kim", "jo@x.org", None).kind == "checked_in"


@pytest.mark.usefixtures("student_ids")
def test_the_mode_can_change_while_the_kiosk_runs(engine: Engine, event: Event) -> None:
    service = _service(engine, event, "anyone")
    service.set_manual_checkin("off")
    assert service.check_in_by_lookup("atester").message == MANUAL_OFF_MESSAGE
    with pytest.raises(UserError, match="manual_checkin must be one of 'anyone'"):
        service.set_manual_checkin("nobody")  # type: ignore[arg-type]
    assert service.manual_checkin == "off"
    with pytest.raises(UserError, match="got 'maybe'"):
        _service(engine, event, "maybe")


@pytest.mark.usefixtures("student_ids")
def test_manual_counts_per_event_leave_out_undone_ones_and_swipes(
    engine: Engine, event: Event
) -> None:
    service = _service(engine, event, "anyone")
    bo = service.check_in_by_lookup("bnguyen")
    service.check_in_by_lookup("atester")
    service.register_walk_in("Jo Kim", "jo@x.org", None)
    service.handle_swipe(Swipe(text=";12345678?", reader="front", wall=datetime.now(UTC)))
    assert bo.check_in_id is not None
    service.undo(bo.check_in_id, by="staff")
    other = create_event(engine, "Another event")
    assert other.id is not None
    _service(engine, other, "anyone").check_in_by_lookup("cruiz")
    assert service.manual_counts() == {"manual": 1, "walk-in": 1}
    assert manual_summary(service.manual_counts()) == (
        "2 manual check-ins (1 by username or email, 1 walk-in)"
    )


def test_manual_summary_wording() -> None:
    assert manual_summary({}) == "0 manual check-ins"
    assert manual_summary({"manual": 1}) == "1 manual check-in (1 by username or email, 0 walk-ins)"
    assert manual_summary({"manual": 9, "walk-in": 3}) == (
        "12 manual check-ins (9 by username or email, 3 walk-ins)"
    )


def test_kiosk_toml_manual_checkin_defaults_to_staff_confirm() -> None:
    assert KioskConfig().manual_checkin == "staff-confirm"
    assert parse_config("").manual_checkin == "staff-confirm"
    for mode in MANUAL_CHECKIN_MODES:
        assert parse_config(f'manual_checkin = "{mode}"').manual_checkin == mode
    example = load_config(REPO_ROOT / "config" / "kiosk.example.toml")
    assert example.manual_checkin == "staff-confirm"


@pytest.mark.parametrize("value", ['"yes"', "true", '"Anyone"', "1"])
def test_a_wrong_manual_checkin_is_one_sentence(tmp_path: Path, value: str) -> None:
    path = tmp_path / "kiosk.toml"
    path.write_text(f"manual_checkin = {value}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_config(path)
    message = str(raised.value)
    assert message.startswith(f"The settings file {path}: manual_checkin must be one of")
    assert "'anyone', 'staff-confirm', 'off'" in message
