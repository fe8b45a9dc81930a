"""Swipes through CheckInService on real databases: match, record, duplicates, refusals."""

from __future__ import annotations

import logging
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from drivers.base import Swipe
from kiosk.cards.clean import clean_swipe
from kiosk.cards.parse import parse_swipe
from kiosk.cards.rules import Rule, RuleSet
from kiosk.checkin import CheckInService
from kiosk.checkin.events import create_event
from kiosk.db.models import AuditEvent, CheckIn, Event
from kiosk.db.session import open_database
from tests.checkin.roster import ALEX, CARMEN, DANA, Person, add_students
from tests.conftest import load_corpus

CORPUS = {case["id"]: case for case in load_corpus()}
ALEX_SWIPE = ";90123456701?"  # track 2: ALEX's 9-digit id + a 2-digit issue code
TRACK2_RULE = RuleSet(rules=(Rule(name="t2-id", pattern=r";(\d{9})\d{2}\?"),))


def swipe(text: str, reader: str = "front") -> Swipe:
    return Swipe(text=text, reader=reader)


def check_ins(engine: Engine) -> list[CheckIn]:
    with Session(engine) as session:
        return list(session.exec(select(CheckIn).order_by(CheckIn.id)).all())  # type: ignore[arg-type]


def test_containment_checks_in_and_commits_before_returning(
    service: CheckInService, db_url: str, student_ids: dict[str, int]
) -> None:
    outcome = service.handle_swipe(swipe(ALEX_SWIPE))
    assert outcome.kind == "checked_in"
    assert outcome.message == "Welcome, Alex T. — you're checked in"
    assert outcome.display_name == "Alex T."
    # A separate engine (another process would see the same) finds the committed row.
    other = open_database(db_url)
    try:
        (row,) = check_ins(other)
    finally:
        other.dispose()
    assert row.id == outcome.check_in_id
    assert (row.student_id, row.method, row.card_id, row.rule) == (
        student_ids["atester"],
        "swipe",
        "901234567",
        None,
    )
    assert (row.reader, row.kiosk_id, row.undone_at) == ("front", "kiosk-1", None)
    assert service.count() == 1


def test_second_swipe_is_already_with_the_first_time(service: CheckInService) -> None:
    first_swipe = Swipe(
        text=ALEX_SWIPE, reader="front", wall=datetime(2026, 10, 14, 13, 5, tzinfo=UTC)
    )
    first = service.handle_swipe(first_swipe)
    second = service.handle_swipe(swipe(ALEX_SWIPE, reader="side"))
    assert second.kind == "already"
    assert second.first_checked_in_at == first.first_checked_in_at == first_swipe.wall
    local = first_swipe.wall.astimezone().strftime("%H:%M")
    assert second.message == f"Welcome back, Alex T. — you already checked in at {local}"
    assert second.check_in_id == first.check_in_id
    assert service.count() == 1
    assert len(check_ins(service.engine)) == 1


def test_rule_card_id_matches_exactly_and_is_counted(
    engine: Engine, student_ids: dict[str, int], event: Event
) -> None:
    assert event.id is not None
    service = CheckInService(engine, event.id, TRACK2_RULE)
    outcome = service.handle_swipe(swipe(ALEX_SWIPE))
    assert outcome.kind == "checked_in"
    (row,) = check_ins(engine)
    assert (row.card_id, row.rule, row.kiosk_id) == ("901234567", "t2-id", "kiosk")
    assert service.rule_counts() == {"t2-id": 1}


def test_rule_card_id_not_on_roster_is_unknown_with_its_card_id(service: CheckInService) -> None:
    service.set_rules(TRACK2_RULE)
    outcome = service.handle_swipe(swipe(";99999999901?"))
    assert outcome.kind == "unknown"
    assert outcome.card_id == "999999999"
    assert "username or email" in outcome.message and "999" not in outcome.message
    assert outcome.display_name is None
    assert check_ins(service.engine) == []


def test_no_rule_and_nothing_contained_is_unknown_without_card_id(
    service: CheckInService,
) -> None:
    outcome = service.handle_swipe(swipe(";55555555501?"))
    assert (outcome.kind, outcome.card_id) == ("unknown", None)
    assert check_ins(service.engine) == []


def test_containment_needs_exactly_one_student(
    engine: Engine, student_ids: dict[str, int], event: Event
) -> None:
    # "1234567" is nested in CARMEN's "12345678": a swipe of either card contains both.
    add_students(engine, [Person("nested", "Nia", "Nest", "1234567")])
    assert event.id is not None
    service = CheckInService(engine, event.id, RuleSet.empty())
    assert service.handle_swipe(swipe(";12345678?")).kind == "unknown"
    # Two unrelated roster card_ids in one swipe: nobody.
    assert service.handle_swipe(swipe(";901234567=41234567?")).kind == "unknown"
    assert check_ins(engine) == []
    # With a rule the exact card_id decides, nesting or not.
    service.set_rules(RuleSet(rules=(Rule(name="whole", pattern=r"^;(\d+)\?$"),)))
    assert service.handle_swipe(swipe(";12345678?")).display_name == "Carmen R."
    assert service.handle_swipe(swipe(";1234567?")).display_name == "Nia N."


@pytest.mark.parametrize(
    "case_id",
    sorted(
        case["id"]
        for case in CORPUS.values()
        if case["expected"]["outcome"] == "accept"
        and parse_swipe(case["raw"], RuleSet.empty()).status == "no_match"
        and case["expected"]["card_id"] in clean_swipe(case["raw"])
    ),
)
def test_corpus_swipes_match_by_containment_without_rules(sqlite_url: str, case_id: str) -> None:
    # Matching does not depend on the database: SQLite only, to keep the suite quick.
    case = CORPUS[case_id]
    card_id = case["expected"]["card_id"]
    engine = open_database(sqlite_url)
    try:
        ids = add_students(engine, [Person("owner", "Olu", "Owner", card_id)])
        event = create_event(engine, "Fair")
        assert event.id is not None
        service = CheckInService(engine, event.id, RuleSet.empty())
        outcome = service.handle_swipe(swipe(case["raw"]))
        assert (outcome.kind, outcome.display_name) == ("checked_in", "Olu O.")
        (row,) = check_ins(engine)
        assert (row.student_id, row.card_id) == (ids["owner"], card_id)
    finally:
        engine.dispose()


def _database_bytes(db_url: str) -> bytes:
    path = Path(db_url.removeprefix("sqlite:///"))
    return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))


@pytest.mark.parametrize("case_id", ["pay-visa-t1t2", "serial-magtek-payment", "pay-mc-t2only"])
def test_payment_card_is_refused_and_nothing_of_it_kept(
    service: CheckInService, db_url: str, case_id: str
) -> None:
    raw = CORPUS[case_id]["raw"]
    outcome = service.handle_swipe(swipe(raw))
    assert outcome.kind == "refused"
    assert outcome.message == "That looks like a payment card — please swipe your student ID"
    assert (outcome.card_id, outcome.display_name, outcome.check_in_id) == (None, None, None)
    assert check_ins(service.engine) == []
    with Session(service.engine) as session:
        (audit,) = session.exec(select(AuditEvent)).all()
    assert (audit.kind, audit.event_id, audit.detail) == (
        "payment_card_refused",
        service.event_id,
        "reader=front",
    )
    if db_url.startswith("sqlite"):
        stored = _database_bytes(db_url)
        pan = clean_swipe(raw).split(";")[-1].split("=")[0].encode()
        assert len(pan) >= 13 and pan not in stored


@pytest.mark.parametrize(
    ("case_id", "kind", "message"),
    [
        ("wedge-all-tracks-error", "misread", "Please swipe again"),
        ("wedge-partial-timeout", "misread", "Please swipe again"),
        ("wedge-interleaved-keyboard", "misread", "Please swipe again"),
        ("wedge-empty-enter", "noise", ""),
        ("serial-magtek-signon", "noise", ""),
    ],
)
def test_misreads_and_noise_record_nothing(
    service: CheckInService, case_id: str, kind: str, message: str
) -> None:
    outcome = service.handle_swipe(swipe(CORPUS[case_id]["raw"]))
    assert (outcome.kind, outcome.message) == (kind, message)
    assert check_ins(service.engine) == []
    with Session(service.engine) as session:
        assert session.exec(select(AuditEvent)).all() == []


def test_archived_student_allowed_with_a_staff_note(service: CheckInService) -> None:
    assert DANA.card_id is not None and DANA.archived
    outcome = service.handle_swipe(swipe(f";{DANA.card_id}?"))
    assert (outcome.kind, outcome.display_name) == ("checked_in", "Dana O.")
    assert outcome.staff_note == "dold is archived in the roster: checked in anyway."
    assert "dold" not in outcome.message
    (row,) = check_ins(service.engine)
    assert row.note == "archived student"
    again = service.handle_swipe(swipe(f";{DANA.card_id}?"))
    assert again.kind == "already" and again.staff_note is not None


def test_archived_student_refused_by_policy(
    engine: Engine, student_ids: dict[str, int], event: Event
) -> None:
    assert event.id is not None
    service = CheckInService(engine, event.id, RuleSet.empty(), archived_policy="refuse")
    outcome = service.handle_swipe(swipe(f";{DANA.card_id}?"))
    assert outcome.kind == "archived"
    assert outcome.message == "We can't check you in here — please see a staff member"
    assert outcome.display_name is None
    assert outcome.staff_note == "dold is archived in the roster: not checked in."
    assert check_ins(engine) == []


def test_unknown_archived_policy_is_refused(engine: Engine, event: Event) -> None:
    assert event.id is not None
    with pytest.raises(Exception, match="allow"):
        CheckInService(engine, event.id, RuleSet.empty(), archived_policy="maybe")  # type: ignore[arg-type]


def test_roster_changes_are_seen_after_reload(
    engine: Engine, student_ids: dict[str, int], event: Event
) -> None:
    assert event.id is not None
    service = CheckInService(engine, event.id, RuleSet.empty())
    add_students(engine, [Person("late", "Lee", "Late", "777888999")])
    assert service.handle_swipe(swipe(";77788899901?")).kind == "unknown"
    # An exact card_id from a rule is also looked up in the database when memory misses.
    service.set_rules(TRACK2_RULE)
    assert service.handle_swipe(swipe(";77788899901?")).display_name == "Lee L."
    service.set_rules(RuleSet.empty())
    service.reload_roster()
    assert service.roster_card_count == 5  # four roster cards + the late one
    other_event = create_event(engine, "Info session")
    assert other_event.id is not None
    other = CheckInService(engine, other_event.id, RuleSet.empty())
    assert other.handle_swipe(swipe(";77788899901?")).kind == "checked_in"


def test_two_kiosks_racing_for_one_student_record_one_check_in(
    db_url: str, student_ids: dict[str, int], event: Event
) -> None:
    assert event.id is not None
    engines = [open_database(db_url) for _ in range(2)]
    services = [
        CheckInService(e, event.id, RuleSet.empty(), kiosk_id=f"k{i}")
        for i, e in enumerate(engines)
    ]
    barrier = threading.Barrier(2)
    results: list[Any] = []

    def run(service: CheckInService) -> None:
        barrier.wait()
        results.append(service.handle_swipe(swipe(f";{CARMEN.card_id}?")))

    threads = [threading.Thread(target=run, args=(s,)) for s in services]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    try:
        assert sorted(o.kind for o in results) == ["already", "checked_in"]
        assert len(check_ins(engines[0])) == 1
    finally:
        for e in engines:
            e.dispose()


def test_raw_swipe_text_never_reaches_the_log(
    service: CheckInService, caplog: pytest.LogCaptureFixture
) -> None:
    texts = [ALEX_SWIPE, ALEX_SWIPE, CORPUS["pay-visa-t1t2"]["raw"], ";55555555501?", "%E?;E?"]
    with caplog.at_level(logging.DEBUG):
        for text in texts:
            service.handle_swipe(swipe(text))
    assert caplog.records, "the service logs its outcomes"
    logged = "\n".join(record.getMessage() for record in caplog.records)
    for fragment in ("901234567", "4111111111", "555555555", ALEX.card_id):
        assert fragment not in logged


def test_identify_tells_staff_whose_card_without_recording(service: CheckInService) -> None:
    empty = RuleSet.empty()
    found = service.identify(ALEX_SWIPE, parse_swipe(ALEX_SWIPE, empty))
    assert found is not None
    assert (found.full_name, found.username, found.archived, found.matched_by, found.rule) == (
        "Alex (Alexandra) Tester",
        "atester",
        False,
        "containment",
        None,
    )
    by_rule = service.identify(ALEX_SWIPE, parse_swipe(ALEX_SWIPE, TRACK2_RULE))
    assert by_rule is not None and (by_rule.matched_by, by_rule.rule) == ("rule", "t2-id")
    dana = f";{DANA.card_id}?"
    archived = service.identify(dana, parse_swipe(dana, empty))
    assert archived is not None and archived.archived
    assert service.identify(";55555555501?", parse_swipe(";55555555501?", TRACK2_RULE)) is None
    payment = CORPUS["pay-visa-t1t2"]["raw"]
    assert service.identify(payment, parse_swipe(payment, empty)) is None
    assert check_ins(service.engine) == []
