"""CardIdTable: the roster's card_ids loaded from a real database (SQLite and PostgreSQL) in
one statement, found exactly and by containment as a plain search of the same pairs finds them."""

from __future__ import annotations

import random
import time
from collections.abc import Sequence
from pathlib import Path

import pytest
from sqlalchemy import insert
from sqlalchemy.engine import Engine

from kiosk.checkin.matching import RosterMatch, RosterMatcher
from kiosk.checkin.roster_index import CardIdTable
from kiosk.db.engine import make_engine
from kiosk.db.migrate import upgrade
from kiosk.db.models import Student, utcnow

# Lengths from 1 to 12, letters of both cases and punctuation (a database's own collation
# would put "a" before "B"; code-point order does not), accents and a CJK character.
CARD_IDS = [
    "901234567",
    "41234567",
    "12345678",
    "2345678",
    "B-1",
    "a-1",
    "A_1",
    "a1",
    "Zz",
    "é12",
    "e12",
    "漢字7",
    "7",
    "000000000123",
    "00000000123",
]


def _add(
    engine: Engine, card_ids: Sequence[str | None], first_id: int = 1
) -> dict[str | None, int]:
    """Insert one student per card_id, in a shuffled order, with ids from ``first_id``."""
    now = utcnow()
    order = list(enumerate(card_ids))
    random.Random(5).shuffle(order)
    rows = [
        {
            "id": first_id + n,
            "username": f"s{first_id + n}",
            "email_address": f"s{first_id + n}@example.edu",
            "email_key": f"s{first_id + n}@example.edu",
            "first_name": "S",
            "card_id": card_id,
            "created_at": now,
            "updated_at": now,
        }
        for n, card_id in order
    ]
    with engine.begin() as connection:
        connection.execute(insert(Student), rows)
    return {card_id: first_id + n for n, card_id in enumerate(card_ids)}


def _naive(pairs: dict[str | None, int], text: str) -> list[tuple[str, int]]:
    return sorted((c, k) for c, k in pairs.items() if c and not c.isspace() and c in text)


def test_loaded_table_finds_every_card_id_exactly(engine: Engine) -> None:
    ids = _add(engine, [*CARD_IDS, None, "", "   "])
    table = CardIdTable.load(engine)
    assert len(table) == len(CARD_IDS)
    for card_id in CARD_IDS:
        assert table.owners(card_id) == (ids[card_id],), card_id
    for absent in ("", "   ", "90123456", "b-1", "A-1", "漢字", "0", "9012345670"):
        assert table.owners(absent) == ()


@pytest.mark.parametrize(
    "text",
    [
        ";90123456701?",
        "%B-1^X?;a-1=漢字7?",
        "zzZz",
        "xx00000000012345",
        "é12e12",
        "",
        "no card here",
    ],
)
def test_loaded_table_contains_what_a_plain_search_finds(engine: Engine, text: str) -> None:
    ids = _add(engine, CARD_IDS)
    found = CardIdTable.load(engine).contained_in(text, limit=len(CARD_IDS))
    assert sorted(found) == _naive(ids, text)


def test_ids_wider_than_ten_digits_and_a_newline_in_a_card_id(engine: Engine) -> None:
    # PostgreSQL's id is a 32-bit integer (ten digits at most); SQLite's may be longer
    first = 98_765_432_101 if engine.dialect.name == "sqlite" else 2_147_483_000
    ids = _add(engine, ["123456", "12\n34", "555"], first_id=first)
    matcher = RosterMatcher.load(engine)
    assert matcher.by_card_id("123456") == RosterMatch(first, "123456")
    assert matcher.by_card_id("12\n34") == RosterMatch(ids["12\n34"], "12\n34")
    assert matcher.by_containment(";5551?") == RosterMatch(ids["555"], "555")
    assert len(matcher) == 3


def test_an_empty_roster(engine: Engine) -> None:
    table = CardIdTable.load(engine)
    assert len(table) == 0
    assert table.owners("123") == ()
    assert table.contained_in(";123?") == []


def test_pairs_and_database_give_the_same_answers(engine: Engine) -> None:
    rng = random.Random(7)
    card_ids = sorted({f"{rng.randrange(10 ** rng.randint(3, 9))}" for _ in range(3000)})
    ids = _add(engine, list(card_ids))
    loaded = RosterMatcher.load(engine)
    given = RosterMatcher(ids.items())
    for _ in range(500):
        text = f";{rng.randrange(10**12):012d}?"
        assert loaded.by_containment(text) == given.by_containment(text)
    for card_id in rng.sample(card_ids, 200):
        assert loaded.by_card_id(card_id) == given.by_card_id(card_id) is not None


def test_a_preloaded_roster_is_what_load_gives(engine: Engine) -> None:
    ids = _add(engine, CARD_IDS)
    RosterMatcher.preload(engine)
    matcher = RosterMatcher.load(engine)
    assert len(matcher) == len(CARD_IDS)
    assert matcher.by_card_id("901234567") == RosterMatch(ids["901234567"], "901234567")
    # taken once: the next load reads the database again and sees a new student
    _add(engine, ["55555"], first_id=1000)
    assert RosterMatcher.load(engine).by_card_id("55555") == RosterMatch(1000, "55555")


def test_a_failed_preload_is_read_again_by_load(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path / 'late.sqlite3'}")
    try:
        RosterMatcher.preload(engine)  # no student table yet: the preload fails
        time.sleep(0.2)
        upgrade(engine)
        _add(engine, ["901234567"])
        assert RosterMatcher.load(engine).by_card_id("901234567") == RosterMatch(1, "901234567")
    finally:
        engine.dispose()
