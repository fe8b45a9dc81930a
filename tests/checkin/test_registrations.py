"""Registrations (issue 16.1): the import, the registered flag at check-in, registered-only
events; and check-out (issue 16.5). Real databases, through CheckInService."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from drivers.base import Swipe
from kiosk.cards.rules import RuleSet
from kiosk.checkin import CheckInService
from kiosk.checkin.event_options import parse_checkout_minutes, set_event_options
from kiosk.checkin.events import delete_event
from kiosk.checkin.registration_import import email_column, import_registrations
from kiosk.checkin.registrations import registrations_of
from kiosk.db.models import CheckIn, Event, Registration, Student
from kiosk.errors import UserError
from tests.checkin.roster import ALEX, BO, CARMEN


def write_csv(tmp_path: Path, text: str, name: str = "attendees.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def swipe(person_card: str | None, at: datetime | None = None) -> Swipe:
    text = f";{person_card}?"
    return Swipe(text=text, reader="front", wall=at) if at else Swipe(text=text, reader="front")


@pytest.mark.parametrize(
    ("header", "index"),
    [
        (["Email"], 0),
        (["First Name", "email address", "Last Name"], 1),
        (["Name", " E-mail "], 1),
        (["Attendee Name", "Attendee Email", "Registered"], 1),
        (["student_email_address", "registered"], 0),
    ],
)
def test_the_email_column_is_found_by_name_whatever_its_case_and_spacing(
    header: list[str], index: int
) -> None:
    assert email_column(header, "x.csv") == index


def test_no_or_several_email_columns_are_refused_in_one_sentence() -> None:
    with pytest.raises(UserError, match="has no email column"):
        email_column(["Name", "Registered"], "x.csv")
    with pytest.raises(UserError, match=r"2 email columns \('Email', 'Alternate E-mail'\)"):
        email_column(["Email", "Alternate E-mail"], "x.csv")


def test_import_matches_roster_by_email_and_counts_everything(
    engine: Engine, student_ids: dict[str, int], event: Event, tmp_path: Path
) -> None:
    assert event.id is not None
    with Session(engine) as session:  # Carmen registered with another address of hers
        session.execute(
            update(Student)
            .where(Student.username == CARMEN.username)  # type: ignore[arg-type]
            .values(additional_email_addresses="carmen.r@gmail.com;cr@example.org")
        )
        session.commit()
    path = write_csv(
        tmp_path,
        "First Name,Last Name, Attendee E-mail Address ,Registered At\n"
        f"Alex,Tester,{ALEX.email.upper()},2026-10-01\n"
        "Bo,Nguyen,bnguyen@example.edu,2026-10-01\n"
        "Carmen,Ruiz,Carmen.R@gmail.com,2026-10-02\n"
        "Zed,Stranger,zed@elsewhere.org,2026-10-03\n"
        "Alex,Again,atester@example.edu,2026-10-04\n"
        "No,Email,,2026-10-04\n",
    )
    report = import_registrations(engine, event.id, path)
    assert (report.rows, report.new, report.already_registered) == (6, 4, 0)
    assert (report.matched, report.not_in_roster, report.duplicates, report.blank) == (3, 1, 1, 1)
    rows = {r.email_key: r for r in registrations_of(engine, event.id)}
    assert set(rows) == {
        "atester@example.edu",
        "bnguyen@example.edu",
        "carmen.r@gmail.com",
        "zed@elsewhere.org",
    }
    assert rows["carmen.r@gmail.com"].student_id == student_ids["cruiz"]
    assert rows["zed@elsewhere.org"].student_id is None
    assert rows["atester@example.edu"].source == "attendees.csv"
    again = import_registrations(engine, event.id, path)  # idempotent
    assert (again.new, again.already_registered) == (0, 4)
    assert len(registrations_of(engine, event.id)) == 4


@pytest.mark.parametrize(
    ("text", "words"),
    [
        (
            "Email\natester@example.edu\nbo\x1b[2J@example.edu\n",
            "line 3, column 1, contains a control",
        ),
        ("Email,Note\natester@example.edu,hi\u202eyo\n", "line 2, column 2, contains an invisible"),
        ("Email\natester@example.edu\nnot-an-email\n", "line 3: 'not-an-email' is not an email"),
        ("Name\nAlex\n", "has no email column"),
    ],
)
def test_a_bad_file_is_refused_whole_naming_its_line(
    engine: Engine, student_ids: dict[str, int], event: Event, tmp_path: Path, text: str, words: str
) -> None:
    assert event.id is not None
    with pytest.raises(UserError, match=words):
        import_registrations(engine, event.id, write_csv(tmp_path, text))
    assert registrations_of(engine, event.id) == []


def test_checked_in_says_registered_or_walk_in_once_an_event_has_registrants(
    service: CheckInService, engine: Engine, event: Event, tmp_path: Path
) -> None:
    assert event.id is not None
    plain = service.handle_swipe(swipe(CARMEN.card_id))
    assert plain.registered is None and plain.message == "Welcome, Carmen R. — you're checked in"
    import_registrations(engine, event.id, write_csv(tmp_path, f"Email\n{ALEX.email}\n"))
    alex = service.handle_swipe(swipe(ALEX.card_id))
    bo = service.handle_swipe(swipe(BO.card_id))
    assert (alex.kind, alex.registered) == ("checked_in", True)
    assert alex.message == "Welcome, Alex T. — you're registered and checked in"
    assert (bo.kind, bo.registered) == ("checked_in", False)
    assert bo.message == "Welcome, Bo N. — you're checked in as a walk-in"
    assert service.handle_swipe(swipe(ALEX.card_id)).registered is True  # "already" too


def test_a_registered_only_event_sends_the_unregistered_to_staff(
    service: CheckInService, engine: Engine, event: Event, tmp_path: Path
) -> None:
    assert event.id is not None
    import_registrations(engine, event.id, write_csv(tmp_path, f"Email\n{ALEX.email}\n"))
    set_event_options(engine, event.id, registered_only=True)
    refused = service.handle_swipe(swipe(BO.card_id))
    assert refused.kind == "not_registered"
    assert (
        refused.message == "This event is for registered students only — please see a staff member"
    )
    walk_in = service.register_walk_in("Wanda Walker", "wanda@example.org", None)
    assert walk_in.kind == "not_registered"
    assert service.handle_swipe(swipe(ALEX.card_id)).kind == "checked_in"
    assert service.count() == 1  # nothing recorded for the refused
    set_event_options(engine, event.id, registered_only=False)
    assert service.handle_swipe(swipe(BO.card_id)).kind == "checked_in"


def test_a_staff_confirmed_lookup_or_walk_in_records_who_and_passes_registered_only(
    service: CheckInService, engine: Engine, event: Event, tmp_path: Path
) -> None:
    """The student is sent to staff; staff confirm the F2 lookup (or F3 walk-in) with the
    PIN or card: that is staff's decision, recorded as who made it."""
    assert event.id is not None
    import_registrations(engine, event.id, write_csv(tmp_path, f"Email\n{ALEX.email}\n"))
    set_event_options(engine, event.id, registered_only=True)
    assert service.check_in_by_lookup(BO.username).kind == "not_registered"  # unconfirmed
    bo = service.check_in_by_lookup(BO.username, confirmed_by="pin")
    wanda = service.register_walk_in("Wanda Walker", "wanda@example.org", None, "card")
    alex = service.check_in_by_lookup(ALEX.username)  # registered: no staff needed
    assert (bo.kind, wanda.kind, alex.kind) == ("checked_in", "checked_in", "checked_in")
    with Session(engine) as session:
        by = {
            c.id: c.checked_in_by
            for c in session.exec(select(CheckIn).where(CheckIn.event_id == event.id))
        }
    assert by[bo.check_in_id] == "staff PIN at kiosk kiosk-1"
    assert by[wanda.check_in_id] == "staff card at kiosk kiosk-1"
    assert by[alex.check_in_id] is None


def test_check_out_after_the_configured_time_with_the_stay(
    service: CheckInService, engine: Engine, event: Event
) -> None:
    assert event.id is not None
    set_event_options(engine, event.id, checkout_after_minutes=30)
    start = datetime.now(UTC) - timedelta(hours=1, minutes=5)
    first = service.handle_swipe(swipe(ALEX.card_id, start))
    early = service.handle_swipe(swipe(ALEX.card_id, start + timedelta(minutes=29)))
    assert (first.kind, early.kind) == ("checked_in", "already")
    out_at = start + timedelta(hours=1, minutes=5)
    out = service.handle_swipe(swipe(ALEX.card_id, out_at))
    assert out.kind == "checked_out"
    assert out.message == "Checked out — see you, Alex T. (you were here 1 h 05 min)"
    assert out.checked_out_at == out_at
    again = service.handle_swipe(swipe(ALEX.card_id))
    assert again.kind == "checked_out" and "already checked out at" in again.message
    with Session(engine) as session:
        (row,) = session.exec(select(CheckIn)).all()
    assert row.checked_out_at == out_at and service.count() == 1


def test_without_check_out_a_late_second_swipe_is_still_already(
    service: CheckInService,
) -> None:
    start = datetime.now(UTC) - timedelta(hours=3)
    service.handle_swipe(swipe(ALEX.card_id, start))
    assert service.handle_swipe(swipe(ALEX.card_id)).kind == "already"


def test_offline_check_out_is_refused_with_a_sentence_and_nothing_recorded(
    engine: Engine, student_ids: dict[str, int], event: Event
) -> None:
    assert event.id is not None
    set_event_options(engine, event.id, checkout_after_minutes=10)
    offline = CheckInService(engine, event.id, RuleSet.empty(), offline=True)
    start = datetime.now(UTC) - timedelta(minutes=45)
    assert offline.handle_swipe(swipe(ALEX.card_id, start)).kind == "checked_in"
    answer = offline.handle_swipe(swipe(ALEX.card_id))
    assert answer.kind == "already"
    assert "check-out is not available right now, please see a staff member" in answer.message
    with Session(engine) as session:
        (row,) = session.exec(select(CheckIn)).all()
    assert row.checked_out_at is None


def test_checkout_delay_parsing() -> None:
    assert parse_checkout_minutes("30") == 30
    assert parse_checkout_minutes("off") is None
    with pytest.raises(UserError, match="not a number of minutes"):
        parse_checkout_minutes("half an hour")


def test_registration_rows_keep_one_per_event_and_email(engine: Engine, event: Event) -> None:
    assert event.id is not None
    with Session(engine) as session:
        session.add(Registration(event_id=event.id, email_key="a@x.org", email_address="a@x.org"))
        session.commit()
        session.add(Registration(event_id=event.id, email_key="a@x.org", email_address="A@x.org"))
        with pytest.raises(Exception, match="(?i)unique|duplicate"):
            session.commit()


def test_deleting_an_event_deletes_its_registrants(
    engine: Engine, student_ids: dict[str, int], event: Event, tmp_path: Path
) -> None:
    assert event.id is not None
    import_registrations(engine, event.id, write_csv(tmp_path, f"Email\n{ALEX.email}\n"))
    delete_event(engine, str(event.id))
    with Session(engine) as session:
        assert session.exec(select(Registration)).all() == []


def test_a_missing_folder_or_empty_file_is_one_sentence_about_registrations(
    engine: Engine, event: Event, tmp_path: Path
) -> None:
    assert event.id is not None
    with pytest.raises(UserError, match="There is no file .*registrations CSV"):
        import_registrations(engine, event.id, tmp_path / "missing.csv")
    with pytest.raises(UserError, match="is a folder: give the path of the registrations CSV"):
        import_registrations(engine, event.id, tmp_path)
    with pytest.raises(UserError, match=r"^empty\.csv is empty: export the event's attendees"):
        import_registrations(engine, event.id, write_csv(tmp_path, "", name="empty.csv"))
