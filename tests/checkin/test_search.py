"""Finding a student by name (issue 16.2): kiosk.checkin.search on real databases, and the
staff check-in from a result (CheckInService.check_in_student)."""

from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kiosk.checkin import CheckInService
from kiosk.checkin.search import (
    StudentDirectory,
    fold,
    live_check_in_times,
    load_index,
    student_id_by_login,
)
from kiosk.db.models import CheckIn, Event, utcnow
from kiosk.roster.version import bump_version
from tests.checkin.roster import PEOPLE, Person, add_students

ZOE = Person("znunez", "Zoë", "Ñúñez", "55501234")
ZOEY = Person("zoeyn", "Zoey", "Nunn", "55509876")
LIAM = Person("loconnor", "Liam", "O'Connor", None, preferred_name="Billy")
SEARCH_PEOPLE = (ZOE, ZOEY, LIAM)


@pytest.fixture
def search_ids(engine: Engine, student_ids: dict[str, int]) -> dict[str, int]:
    return {**student_ids, **add_students(engine, SEARCH_PEOPLE)}


def names(hits: list) -> list[str]:
    return [hit.student.username for hit in hits]


def test_fold_drops_accents_case_and_apostrophes() -> None:
    assert fold("Zoë Ñúñez") == "zoe nunez"
    assert fold("  O'Connor-Smith ") == "oconnor smith"
    assert fold("Søren Łukasz STRAßE") == "soren lukasz strasse"


@pytest.mark.parametrize(
    "query",
    [
        "zoe nunez",
        "nunez zoe",
        "zoe nunes",
        "ZOË ÑÚÑEZ",
        "Ñúñez",
        "zoenunez",
        "zo nune",
        "zoe nuenz",
        "zoe nnez",
    ],  # fmt: skip
)
def test_forgiving_of_accents_case_order_typos_and_beginnings(
    engine: Engine, search_ids: dict[str, int], query: str
) -> None:
    hits = load_index(engine).search(query)
    assert names(hits)[0] == "znunez"
    assert hits[0].student.full_name == "Zoë Ñúñez"


def test_a_whole_name_outranks_a_similar_one(engine: Engine, search_ids: dict[str, int]) -> None:
    hits = load_index(engine).search("zoe")
    assert names(hits)[:2] == ["znunez", "zoeyn"]  # "zoe" whole, then "zoey" begun
    assert hits[0].score > hits[1].score


def test_preferred_name_username_and_email_find_the_student(
    engine: Engine, search_ids: dict[str, int]
) -> None:
    index = load_index(engine)
    assert names(index.search("billy oconnor")) == ["loconnor"]
    assert index.search("Liam O'Connor")[0].student.full_name == "Billy (Liam) O'Connor"
    by_username = index.search("LOCONNOR")
    assert names(by_username) == ["loconnor"] and by_username[0].matched_by == "username"
    by_email = index.search("ZNUNEZ@example.edu")
    assert names(by_email) == ["znunez"] and by_email[0].matched_by == "email"
    assert names(index.search("loconor"))[0] == "loconnor"  # a login with a typo


def test_nothing_alike_finds_nobody(engine: Engine, search_ids: dict[str, int]) -> None:
    index = load_index(engine)
    assert index.search("xavier quigley") == []
    assert index.search("   ") == []


def test_archived_students_are_found_marked_and_listed_last(
    engine: Engine, search_ids: dict[str, int]
) -> None:
    add_students(engine, [Person("dold2", "Dana", "Oldfield", None)])
    hits = load_index(engine).search("dana oldfield")
    assert names(hits) == ["dold2", "dold"]  # the same score: the active student first
    assert [hit.student.archived for hit in hits] == [False, True]


def test_the_directory_reads_a_changed_roster(engine: Engine, search_ids: dict[str, int]) -> None:
    directory = StudentDirectory(engine)
    assert directory.search("kim jordan") == []
    add_students(engine, [Person("jkim", "Jordan", "Kim", None)])
    assert directory.search("kim jordan") == []  # the same roster version: the same index
    with engine.begin() as connection:
        bump_version(connection, utcnow())  # what every import that changes the roster does
    assert names(directory.search("kim jordan")) == ["jkim"]


def test_login_lookup_is_shared_with_the_students_own_lookup(
    engine: Engine, search_ids: dict[str, int]
) -> None:
    assert student_id_by_login(engine, " ZNUNEZ ") == search_ids["znunez"]
    assert student_id_by_login(engine, "znunez@EXAMPLE.edu") == search_ids["znunez"]
    assert student_id_by_login(engine, "zoe") is None


def test_staff_check_in_from_a_result_records_manual_and_who(
    engine: Engine, search_ids: dict[str, int], event: Event, service: CheckInService
) -> None:
    assert event.id is not None
    service.set_manual_checkin("staff-confirm")
    student_id = load_index(engine).search("zoe nunes")[0].student.id
    refused = service.check_in_student(student_id, "staff PIN at kiosk kiosk-1")
    assert refused.kind == "see_staff"  # staff-confirm without a confirmation
    outcome = service.check_in_student(student_id, "staff PIN at kiosk kiosk-1", "pin")
    assert outcome.kind == "checked_in"
    again = service.check_in_student(student_id, "staff PIN at kiosk kiosk-1", "pin")
    assert again.kind == "already"
    with Session(engine) as session:
        rows = session.exec(select(CheckIn).where(CheckIn.student_id == student_id)).all()
    assert [(row.method, row.checked_in_by) for row in rows] == [
        ("manual", "staff PIN at kiosk kiosk-1")
    ]
    times = live_check_in_times(engine, event.id, [student_id, search_ids["zoeyn"]])
    assert list(times) == [student_id]


def test_staff_check_in_respects_manual_checkin_off_and_archived_policy(
    engine: Engine, search_ids: dict[str, int], service: CheckInService
) -> None:
    service.set_manual_checkin("off")
    assert service.check_in_student(search_ids["znunez"], "staff card", "card").kind == "see_staff"
    service.set_manual_checkin("anyone")
    service.archived_policy = "refuse"
    assert service.check_in_student(search_ids["dold"], "staff card", "card").kind == "archived"
    with Session(engine) as session:
        assert session.exec(select(CheckIn)).all() == []


def test_every_person_of_the_shared_roster_is_found_by_name(
    engine: Engine, search_ids: dict[str, int]
) -> None:
    index = load_index(engine)
    for person in PEOPLE:
        given = person.preferred_name or person.first_name
        assert person.username in names(index.search(f"{person.last_name} {given}"))


@pytest.mark.parametrize("query", ["carmen ruzi", "carmen rujz", "carmne ruiz"])
def test_one_letter_wrong_or_two_swapped_in_a_short_name(
    engine: Engine, search_ids: dict[str, int], query: str
) -> None:
    """ "ruzi" or "rujz" for "Ruiz": one edit in four letters (a ratio of 75)."""
    assert names(load_index(engine).search(query))[:1] == ["cruiz"]


def test_a_three_letter_word_gets_no_typo_allowance(
    engine: Engine, search_ids: dict[str, int]
) -> None:
    assert load_index(engine).search("zox") == []  # not "zoe"
