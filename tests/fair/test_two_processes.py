"""Two kiosk processes, both online on one shared PostgreSQL database, swipe the same
student's card at the same instant, round after round with a different student each time:
exactly one check-in counts, the other kiosk says "already checked in", nothing is lost.
Real processes (tests/fair/kiosk_process.py), a real server; skipped without
KIOSK_TEST_PG_URL."""

from __future__ import annotations

import time
from contextlib import ExitStack
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from kiosk.db.models import Event
from tests.checkin.roster import Person, add_students
from tests.fair.kiosks import PG_URL, KioskProcess, db_url, every_check_in, live, needs_pg

pytestmark = needs_pg
__all__ = ["db_url"]

ROUNDS = 15
CROWD = [
    Person(f"twin{n:02d}", "Twin", f"Number{n}", f"{810000000 + n * 13}") for n in range(ROUNDS)
]


def test_two_kiosk_processes_swiping_one_student_at_once_count_them_once(
    engine: Engine, event: Event, tmp_path: Path
) -> None:
    assert PG_URL is not None
    ids = add_students(engine, CROWD)
    answers: list[list[dict[str, Any]]] = []
    instants: list[float] = []
    with ExitStack() as stack:
        kiosks = [
            stack.enter_context(KioskProcess(PG_URL, event, tmp_path / f"{name}.sqlite3", name))
            for name in ("door-a", "door-b")
        ]
        assert [kiosk.ready for kiosk in kiosks] == ["online", "online"]
        for person in CROWD:
            at = time.time() + 0.3  # both wait for the same instant
            instants.append(at)
            for kiosk in kiosks:
                kiosk.swipe(person.card_id, at)
            answers.append([kiosk.read() for kiosk in kiosks])
        for kiosk in kiosks:
            kiosk.quit()
    for at, pair in zip(instants, answers, strict=True):
        assert all(answer["online"] for answer in pair), pair  # both on the shared database
        assert sorted(answer["kind"] for answer in pair) == ["already", "checked_in"], pair
        assert all(answer["began"] >= at for answer in pair)  # neither swiped early
    spread = max(abs(a["began"] - b["began"]) for a, b in answers)
    print(f"two kiosks began each swipe within {spread * 1000:.1f} ms of each other")
    rows = every_check_in(engine, event)
    assert len(rows) == ROUNDS  # the "already" answers stored nothing
    counted = sorted(row.student_id or 0 for row in live(engine, event))
    assert counted == sorted(ids[person.username] for person in CROWD)
    winners = {a["check_in_id"] for pair in answers for a in pair if a["kind"] == "checked_in"}
    assert winners == {row.id for row in rows}  # each student's one row is the one shown
    assert {row.kiosk_id for row in rows} <= {"door-a", "door-b"}
