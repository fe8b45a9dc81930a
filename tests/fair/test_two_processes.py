"""Two kiosk processes, both online on one shared PostgreSQL database, swipe the same
student's card at the same instant, round after round with a different student each time:
exactly one check-in counts, the other kiosk says "already checked in", nothing is lost.
Real processes (tests/fair/kiosk_process.py), a real server; skipped without
KIOSK_TEST_PG_URL."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path
from typing import IO, Any

from sqlalchemy.engine import Engine

from kiosk.db.models import Event
from tests.checkin.roster import Person, add_students
from tests.conftest import REPO_ROOT
from tests.fair.kiosks import PG_URL, db_url, every_check_in, live, needs_pg

pytestmark = needs_pg
__all__ = ["db_url"]

ROUNDS = 15
CROWD = [
    Person(f"twin{n:02d}", "Twin", f"Number{n}", f"{810000000 + n * 13}") for n in range(ROUNDS)
]


def _line(stream: IO[str], process: subprocess.Popen[str]) -> str:
    line = stream.readline()
    assert line, f"kiosk process ended (exit {process.wait()}): {process.stderr.read()}"  # type: ignore[union-attr]
    return line


def test_two_kiosk_processes_swiping_one_student_at_once_count_them_once(
    engine: Engine, event: Event, tmp_path: Path
) -> None:
    assert PG_URL is not None and event.id is not None
    ids = add_students(engine, CROWD)
    kiosks = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "tests.fair.kiosk_process",
                PG_URL,
                str(event.id),
                str(tmp_path / f"replica-{name}.sqlite3"),
                name,
            ],
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )  # fmt: skip
        for name in ("door-a", "door-b")
    ]
    try:
        for kiosk in kiosks:
            assert _line(kiosk.stdout, kiosk).strip() == "ready"  # type: ignore[arg-type]
        answers: list[list[dict[str, Any]]] = []
        instants: list[float] = []
        for person in CROWD:
            at = time.time() + 0.3  # both wait for the same instant
            instants.append(at)
            for kiosk in kiosks:
                kiosk.stdin.write(f"{person.card_id} {at}\n")  # type: ignore[union-attr]
                kiosk.stdin.flush()  # type: ignore[union-attr]
            answers.append(
                [json.loads(_line(k.stdout, k)) for k in kiosks]  # type: ignore[arg-type]
            )
        for kiosk in kiosks:
            kiosk.stdin.write("quit\n")  # type: ignore[union-attr]
            kiosk.stdin.close()  # type: ignore[union-attr]
            assert kiosk.wait(timeout=30) == 0, kiosk.stderr.read()  # type: ignore[union-attr]
    finally:
        for kiosk in kiosks:
            if kiosk.poll() is None:
                kiosk.kill()
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
    doors = {row.kiosk_id for row in rows}
    assert doors <= {"door-a", "door-b"}
