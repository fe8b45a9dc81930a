"""Check-in by username/email, walk-ins, undo and the staff queries, on real databases."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from drivers.base import Swipe
from kiosk.cards.rules import Rule, RuleSet
from kiosk.checkin import CheckInService
from kiosk.checkin.events import create_event
from kiosk.checkin.outcome import NOT_FOUND_MESSAGE
from kiosk.db.models import AuditEvent, CheckIn, Event, WalkIn
from kiosk.errors import UserError
from tests.checkin.roster import Person, add_students

UNKNOWN_SWIPE = ";55555555501?"
TRACK2_RULE = RuleSet(rules=(Rule(name="t2-id", pattern=r";(\d{9})\d{2}\?"),))


def swipe(text: str, minutes: int = 0) -> Swipe:
    wall = datetime(2026, 10, 14, 14, 0, tzinfo=UTC) + timedelta(minutes=minutes)
    return Swipe(text=text, reader="front", wall=wall)


def rows(engine: Engine) -> list[CheckIn]:
    with Session(engine) as session:
        return list(session.exec(select(CheckIn).order_by(CheckIn.id)).all())  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "query", ["atester", "ATESTER", " atester@example.edu ", "ATester@Example.EDU"]
)
def test_lookup_by_username_or_email_ignores_case(service: CheckInService, query: str) -> None:
    outcome = service.check_in_by_lookup(query)
    assert (outcome.kind, outcome.message) == ("checked_in", "Welcome, Alex T. — you're checked in")
    (row,) = rows(service.engine)
    assert (row.method, row.card_id, row.reader, row.kiosk_id) == ("manual", None, None, "kiosk-1")


def test_lookup_of_a_mixed_case_stored_email(service: CheckInService) -> None:
    # bnguyen's roster email is stored upper-case; the lookup still finds it.
    assert service.check_in_by_lookup("bnguyen@example.edu").display_name == "Bo N."


def test_lookup_failures_all_give_the_same_neutral_message(
    engine: Engine, student_ids: dict[str, int], event: Event
) -> None:
    assert event.id is not None
    service = CheckInService(engine, event.id, RuleSet.empty(), archived_policy="refuse")
    answers = [
        service.check_in_by_lookup(query)
        for query in ("nobody", "", "   ", "nobody@example.edu", "atest", "dold", "%", "a%")
    ]
    assert {(a.kind, a.message, a.display_name, a.card_id) for a in answers} == {
        ("not_found", NOT_FOUND_MESSAGE, None, None)
    }
    assert rows(engine) == []


def test_lookup_after_swipe_is_already(service: CheckInService) -> None:
    first = service.handle_swipe(swipe(";90123456701?"))
    again = service.check_in_by_lookup("atester")
    assert again.kind == "already" and again.first_checked_in_at == first.first_checked_in_at


def test_unknown_card_registered_as_walk_in(service: CheckInService) -> None:
    service.set_rules(TRACK2_RULE)
    unknown = service.handle_swipe(swipe(UNKNOWN_SWIPE))
    assert (unknown.kind, unknown.card_id) == ("unknown", "555555555")
    outcome = service.register_walk_in("  Jordan   Kim ", "jordan@elsewhere.org", unknown.card_id)
    assert (outcome.kind, outcome.message) == (
        "checked_in",
        "Welcome, Jordan K. — you're checked in",
    )
    assert outcome.staff_note is not None and "reconcile" in outcome.staff_note
    with Session(service.engine) as session:
        (walk_in,) = session.exec(select(WalkIn)).all()
    assert (walk_in.name, walk_in.email_address, walk_in.card_id) == (
        "Jordan Kim",
        "jordan@elsewhere.org",
        "555555555",
    )
    (row,) = rows(service.engine)
    assert (row.method, row.walk_in_id, row.card_id, row.student_id) == (
        "walk-in",
        walk_in.id,
        "555555555",
        None,
    )
    assert service.count() == 1
    # The same card, or the same email, again: already.
    assert service.register_walk_in("Jordan Kim", None, "555555555").kind == "already"
    assert service.register_walk_in("J. Kim", "JORDAN@elsewhere.org", None).kind == "already"
    assert service.count() == 1


def test_walk_in_with_a_roster_email_is_linked_to_the_student(
    service: CheckInService, student_ids: dict[str, int]
) -> None:
    outcome = service.register_walk_in("Carmen Ruiz", "CRuiz@example.edu", None)
    assert outcome.kind == "checked_in"
    (row,) = rows(service.engine)
    assert (row.student_id, row.method) == (student_ids["cruiz"], "walk-in")
    # Her card works as a duplicate check now.
    assert service.handle_swipe(swipe(";12345678?")).kind == "already"
    assert service.register_walk_in("Carmen Ruiz", "cruiz@example.edu", None).kind == "already"


@pytest.mark.parametrize(
    ("name", "email", "fragment"),
    [
        ("  ", "a@b.org", "Type your name"),
        ("Al", "not-an-email", "email address"),
        ("Al", "a@b", "email"),
    ],
)
def test_walk_in_bad_input(service: CheckInService, name: str, email: str, fragment: str) -> None:
    with pytest.raises(UserError, match=fragment):
        service.register_walk_in(name, email, None)
    with Session(service.engine) as session:
        assert session.exec(select(WalkIn)).all() == []
    assert rows(service.engine) == []


def test_undo_removes_from_count_records_it_and_allows_a_new_check_in(
    service: CheckInService,
) -> None:
    first = service.handle_swipe(swipe(";90123456701?"))
    service.handle_swipe(swipe(";12345678?", minutes=1))
    assert service.count() == 2 and first.check_in_id is not None
    service.undo(first.check_in_id, by="staff:desk")
    assert service.count() == 1
    assert [r.display_name for r in service.recent()] == ["Carmen R."]
    with Session(service.engine) as session:
        undone = session.get(CheckIn, first.check_in_id)
        (audit,) = session.exec(select(AuditEvent).where(AuditEvent.kind == "undo")).all()
    assert undone is not None and undone.undone_at is not None and undone.undone_by == "staff:desk"
    assert (audit.event_id, audit.detail) == (
        service.event_id,
        f"check_in={first.check_in_id} by=staff:desk",
    )
    again = service.handle_swipe(swipe(";90123456701?", minutes=2))
    assert again.kind == "checked_in" and again.check_in_id != first.check_in_id
    assert service.count() == 2
    with pytest.raises(UserError, match="already undone"):
        service.undo(first.check_in_id, by="staff")


def test_undo_of_another_events_check_in_is_refused(
    service: CheckInService, engine: Engine
) -> None:
    other_event = create_event(engine, "Other")
    assert other_event.id is not None
    other = CheckInService(engine, other_event.id, RuleSet.empty())
    theirs = other.handle_swipe(swipe(";90123456701?"))
    assert theirs.check_in_id is not None
    with pytest.raises(UserError, match="no check-in"):
        service.undo(theirs.check_in_id, by="staff")
    with pytest.raises(UserError, match="no check-in"):
        service.undo(99999, by="staff")
    assert other.count() == 1


def test_recent_lists_newest_first_with_staff_details(service: CheckInService) -> None:
    service.set_rules(TRACK2_RULE)
    service.handle_swipe(swipe(";90123456701?", minutes=0))
    service.check_in_by_lookup("bnguyen")
    service.register_walk_in("Jordan Kim", "jordan@elsewhere.org", "555555555")
    recent = service.recent()
    assert [(r.display_name, r.method) for r in recent] == [
        ("Jordan K.", "walk-in"),
        ("Bo N.", "manual"),
        ("Alex T.", "swipe"),
    ]
    alex = recent[-1]
    assert (alex.username, alex.email, alex.rule, alex.reader, alex.walk_in, alex.undone) == (
        "atester",
        "atester@example.edu",
        "t2-id",
        "front",
        False,
        False,
    )
    assert recent[0].walk_in and recent[0].email == "jordan@elsewhere.org"
    assert [r.display_name for r in service.recent(limit=1)] == ["Jordan K."]


def test_count_is_per_event(service: CheckInService, engine: Engine) -> None:
    other_event = create_event(engine, "Other")
    assert other_event.id is not None
    other = CheckInService(engine, other_event.id, RuleSet.empty())
    service.handle_swipe(swipe(";90123456701?"))
    other.handle_swipe(swipe(";90123456701?"))
    other.handle_swipe(swipe(";12345678?"))
    assert (service.count(), other.count()) == (1, 2)


def test_rule_counts_are_todays_live_check_ins_per_rule(service: CheckInService) -> None:
    rules = RuleSet(
        rules=(
            Rule(name="t2-id", pattern=r";(\d{9})\d{2}\?"),
            Rule(name="t2-8", pattern=r"^;(\d{8})\?$"),
        )
    )
    service.set_rules(rules)
    now = datetime.now(UTC)
    service.handle_swipe(Swipe(text=";90123456701?", reader="front", wall=now))
    service.handle_swipe(Swipe(text=";12345678?", reader="front", wall=now))
    bo = service.handle_swipe(Swipe(text=";41234567?", reader="front", wall=now))
    service.handle_swipe(Swipe(text=";12345678?", reader="front", wall=now))  # already: not new
    service.handle_swipe(Swipe(text=";60123456?", reader="front", wall=now - timedelta(days=2)))
    assert bo.check_in_id is not None
    service.undo(bo.check_in_id, by="staff")
    assert service.rule_counts() == {"t2-id": 1, "t2-8": 1}


def test_lookup_of_a_mixed_case_stored_username(service: CheckInService, engine: Engine) -> None:
    add_students(engine, [Person("JDoe", "Jane", "Doe", None)])
    assert service.check_in_by_lookup("jdoe").display_name == "Jane D."
    assert service.check_in_by_lookup("JDOE").kind == "already"
