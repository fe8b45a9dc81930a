"""``kiosk fair status``: a replica's queue, read from its real SQLite file."""

from __future__ import annotations

from pathlib import Path

import pytest

from drivers.base import Swipe
from kiosk.cards.rules import RuleSet
from kiosk.checkin import CheckInService
from kiosk.checkin.events import create_event
from kiosk.cli import main
from kiosk.fair.replica import Replica
from tests.checkin.roster import ALEX, BO, PEOPLE, add_students


def _replica_with_queue(path: Path) -> Replica:
    """A replica holding two check-ins made offline (queued: not acknowledged)."""
    replica = Replica(path)
    add_students(replica.engine, PEOPLE)
    event = create_event(replica.engine, "Fall Career Fair", "2026-10-14", "fair")
    assert event.id is not None
    service = CheckInService(replica.engine, event.id, RuleSet.empty(), kiosk_id="door-a")
    for person, key in ((ALEX, "key-1"), (BO, "key-2")):
        assert service.handle_swipe(Swipe(f";{person.card_id}?", "front"), key).kind == (
            "checked_in"
        )
    return replica


def test_status_counts_the_queue_until_every_check_in_is_sent(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "replica.sqlite3"
    replica = _replica_with_queue(path)
    assert main(["fair", "status", "--replica", str(path)]) == 1
    out = capsys.readouterr().out
    assert "queued:         2" in out and "last refreshed: never" in out
    replica.mark_sent("key-1")
    assert main(["fair", "status", "--replica", str(path)]) == 1
    assert "queued:         1" in capsys.readouterr().out
    replica.mark_sent("key-2")
    assert main(["fair", "status", "--replica", str(path)]) == 0
    assert "queued:         0 (every check-in was sent)" in capsys.readouterr().out
    # An undo made offline of a check-in the shared database has is queued too.
    replica.undo(1, "key-2", "staff", queue=True)
    replica.close()
    assert main(["fair", "status", "--replica", str(path)]) == 1
    assert "queued undos:   1" in capsys.readouterr().out


def test_status_of_a_missing_replica_says_what_to_give(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "nowhere.sqlite3"
    assert main(["fair", "status", "--replica", str(missing)]) != 0
    err = capsys.readouterr().err
    assert "There is no replica at" in err and "--replica" in err
    assert "Traceback" not in err
    assert not missing.exists()  # looking did not create one
