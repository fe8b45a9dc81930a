from __future__ import annotations

import pytest
from sqlalchemy.engine import Engine

from kiosk.checkin.events import create_event, find_event, list_events, set_handshake_id
from kiosk.db.session import open_database
from kiosk.errors import UserError


def test_create_event_stores_it(engine: Engine) -> None:
    event = create_event(engine, "  Fall   Career Fair ", "2026-10-14", "fair", 4321)
    assert event.id is not None
    assert (event.name, event.date, event.kind, event.handshake_id) == (
        "Fall Career Fair",
        "2026-10-14",
        "fair",
        "4321",
    )
    again = find_event(engine, str(event.id))
    assert (again.name, again.kind, again.handshake_id) == ("Fall Career Fair", "fair", "4321")


def test_events_survive_reopening_the_database(db_url: str) -> None:
    first = open_database(db_url)
    created = create_event(first, "Resume clinic", kind="appointment")
    first.dispose()
    second = open_database(db_url)
    try:
        assert [(e.id, e.name) for e in list_events(second)] == [(created.id, "Resume clinic")]
    finally:
        second.dispose()


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"name": "  "}, "needs a name"),
        ({"name": "X", "kind": "party"}, "event, fair, appointment"),
        ({"name": "X", "date": "14/10/2026"}, "YYYY-MM-DD"),
        ({"name": "X", "date": "2026-02-30"}, "YYYY-MM-DD"),
        ({"name": "X", "handshake_id": "abc"}, "Handshake URL"),
        ({"name": "Fair " * 30}, "at most 120"),
    ],
)
def test_bad_event_input_is_one_clear_sentence(
    engine: Engine, kwargs: dict[str, str], fragment: str
) -> None:
    with pytest.raises(UserError, match=fragment):
        create_event(engine, **kwargs)
    assert list_events(engine) == []


def test_an_event_name_of_the_longest_allowed_length_is_kept(engine: Engine) -> None:
    name = "N" * 120
    assert create_event(engine, name).name == name


def test_list_events_newest_date_first_undated_last(engine: Engine) -> None:
    create_event(engine, "Old", "2025-01-01")
    create_event(engine, "Undated")
    create_event(engine, "New", "2026-09-01")
    assert [e.name for e in list_events(engine)] == ["New", "Old", "Undated"]


def test_find_event_by_id_name_and_ambiguity(engine: Engine) -> None:
    fair = create_event(engine, "Career Fair", "2026-10-01", "fair")
    create_event(engine, "Info session", "2026-10-02")
    create_event(engine, "Info session", "2026-10-09")  # same name, another day: allowed
    assert find_event(engine, "career fair").id == fair.id
    assert find_event(engine, f" {fair.id} ").id == fair.id
    create_event(engine, "INFO session")  # and one without a date
    with pytest.raises(UserError) as raised:
        find_event(engine, "Info session")
    assert str(raised.value) == (  # the dates tell staff which id they mean
        "3 events are called 'Info session' (ids 2 on 2026-10-02, 3 on 2026-10-09, "
        "4 without a date); name the one you mean by its id."
    )
    with pytest.raises(UserError, match="no event 'Gala'"):
        find_event(engine, "Gala")
    with pytest.raises(UserError, match="no event '999'"):
        find_event(engine, "999")


def test_set_handshake_id(engine: Engine) -> None:
    event = create_event(engine, "Fair")
    assert event.id is not None
    assert set_handshake_id(engine, event.id, " 777 ").handshake_id == "777"
    assert find_event(engine, "Fair").handshake_id == "777"
    with pytest.raises(UserError, match="no event with id 12345"):
        set_handshake_id(engine, 12345, "1")
