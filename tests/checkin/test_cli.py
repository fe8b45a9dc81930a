"""The events, checkins and staff commands, run as the `kiosk` command line runs them."""

from __future__ import annotations

import csv
import io
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from kiosk.cards.rules import RuleSet
from kiosk.checkin import CheckInService
from kiosk.checkin.staff import PinGate, is_staff_card, is_staff_swipe
from kiosk.cli import main
from kiosk.db.session import open_database
from tests.checkin.roster import PEOPLE, add_students


def run(capsys: pytest.CaptureFixture[str], db_url: str, *argv: str) -> tuple[int, str, str]:
    status = main(["--db", db_url, *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


@pytest.fixture
def db(db_url: str) -> Iterator[Engine]:
    engine = open_database(db_url)
    yield engine
    engine.dispose()


def test_events_create_list_and_set_handshake_id(
    capsys: pytest.CaptureFixture[str], db_url: str
) -> None:
    status, out, _ = run(
        capsys,
        db_url,
        "events",
        "create",
        "Fall Career Fair",
        "--date",
        "2026-10-14",
        "--kind",
        "fair",
        "--handshake-id",
        "4321",
    )
    assert status == 0 and out.strip().isdigit()
    fair_id = int(out)
    status, out, _ = run(capsys, db_url, "events", "create", "Info session")
    assert status == 0 and int(out) == fair_id + 1
    status, out, _ = run(capsys, db_url, "events", "list")
    lines = out.splitlines()
    assert status == 0 and lines[0].split() == [
        "id",
        "date",
        "kind",
        "handshake",
        "checked",
        "in",
        "name",
    ]
    assert lines[1].split() == [
        str(fair_id),
        "2026-10-14",
        "fair",
        "4321",
        "0",
        "Fall",
        "Career",
        "Fair",
    ]
    assert lines[2].split() == [str(fair_id + 1), "-", "event", "-", "0", "Info", "session"]
    status, out, _ = run(capsys, db_url, "events", "set-handshake-id", "info session", "77")
    assert status == 0 and "Handshake id 77" in out


@pytest.mark.parametrize(
    ("argv", "status", "fragment"),
    [
        (["events", "create", "X", "--date", "14.10.2026"], 1, "YYYY-MM-DD"),
        (["events", "create", "X", "--handshake-id", "abc"], 1, "Handshake URL"),
        (["events", "create", "X", "--kind", "party"], 2, "invalid choice"),
        (["checkins", "export", "--event", "Gala"], 1, "no event 'Gala'"),
        (["checkins", "list", "--event", "9"], 1, "no event '9'"),
    ],
)
def test_command_errors_are_one_sentence(
    capsys: pytest.CaptureFixture[str], db_url: str, argv: list[str], status: int, fragment: str
) -> None:
    if status == 2:
        with pytest.raises(SystemExit) as exit_info:
            main(["--db", db_url, *argv])
        assert exit_info.value.code == 2
        err = capsys.readouterr().err
    else:
        got, _, err = run(capsys, db_url, *argv)
        assert got == status
        assert "Traceback" not in err and err.startswith("kiosk: ")
    assert fragment in err


@pytest.fixture
def attended(db: Engine, db_url: str, capsys: pytest.CaptureFixture[str]) -> int:
    """An event (fair, Handshake id 4321) with two roster check-ins and one outside walk-in."""
    add_students(db, PEOPLE)
    _, out, _ = run(
        capsys, db_url, "events", "create", "Fair", "--kind", "fair", "--handshake-id", "4321"
    )
    event_id = int(out)
    service = CheckInService(db, event_id, RuleSet.empty(), kiosk_id="k1")
    service.check_in_by_lookup("atester")
    service.check_in_by_lookup("cruiz")
    service.register_walk_in("Jordan Kim", "jordan@elsewhere.org", None)
    return event_id


def test_export_to_files(
    capsys: pytest.CaptureFixture[str], db_url: str, attended: int, tmp_path: Path
) -> None:
    target = tmp_path / "fair.csv"
    status, out, err = run(
        capsys, db_url, "checkins", "export", "--event", str(attended), "-o", str(target)
    )
    assert status == 0 and out == ""
    assert "wrote 2 check-in(s)" in err and "fair-walk-ins.csv" in err
    assert "(2 manual check-ins: by username, email or walk-in)" in err
    with target.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert [r[0] for r in rows] == [
        "student_email_address",
        "atester@example.edu",
        "cruiz@example.edu",
    ]
    with (tmp_path / "fair-walk-ins.csv").open(newline="", encoding="utf-8") as handle:
        walk_ins = list(csv.reader(handle))
    assert [r[:2] for r in walk_ins[1:]] == [["Jordan Kim", "jordan@elsewhere.org"]]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []

    full = tmp_path / "full.csv"
    status, _, _ = run(
        capsys, db_url, "checkins", "export", "--event", "Fair", "--format", "full", "-o", str(full)
    )
    assert status == 0
    assert len(full.read_text(encoding="utf-8").splitlines()) == 4
    assert not (tmp_path / "full-walk-ins.csv").exists()


def test_export_to_stdout_warns_about_walk_ins(
    capsys: pytest.CaptureFixture[str], db_url: str, attended: int
) -> None:
    status, out, err = run(capsys, db_url, "checkins", "export", "--event", "Fair")
    assert status == 0
    assert list(csv.reader(io.StringIO(out)))[1] == [
        "atester@example.edu",
        "TRUE",
        "TRUE",
        "CareerFairSession",
        "4321",
        "",
    ]
    assert "1 walk-in(s) without a roster email are not in this export" in err


def test_failed_export_leaves_no_file(
    capsys: pytest.CaptureFixture[str], db_url: str, db: Engine, tmp_path: Path
) -> None:
    _, out, _ = run(capsys, db_url, "events", "create", "No id")
    target = tmp_path / "out.csv"
    target.write_text("previous export\n", encoding="utf-8")
    status, _, err = run(
        capsys, db_url, "checkins", "export", "--event", out.strip(), "-o", str(target)
    )
    assert status == 1 and "set-handshake-id" in err
    assert target.read_text(encoding="utf-8") == "previous export\n"
    status, _, err = run(
        capsys,
        db_url,
        "checkins",
        "export",
        "--event",
        "No id",
        "--format",
        "full",
        "-o",
        str(tmp_path / "no" / "x.csv"),
    )
    assert status == 1 and "does not exist" in err


def test_checkins_list(capsys: pytest.CaptureFixture[str], db_url: str, attended: int) -> None:
    status, out, _ = run(capsys, db_url, "checkins", "list", "--event", "Fair")
    lines = out.splitlines()
    assert status == 0 and len(lines) == 5
    # staff see whole names (issue 13): not the student screen's "Alex T."
    assert "(walk-in)" in lines[1] and "Jordan Kim" in lines[1]
    assert "cruiz" in lines[2] and "Carmen Ruiz" in lines[2]
    assert "atester" in lines[3] and "manual" in lines[3]
    assert "Alex (Alexandra) Tester" in lines[3] and "Alex T." not in out
    assert lines[4] == (
        "3 checked in; 3 manual check-ins (2 by username or email, 1 walk-in)."
    )


def test_set_pin_from_stdin_and_getpass(
    capsys: pytest.CaptureFixture[str], db_url: str, db: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("2468\n"))
    status, out, _ = run(capsys, db_url, "staff", "set-pin", "--pin-stdin")
    assert status == 0 and out == "Staff PIN set.\n"
    assert PinGate(db).check("2468")

    answers = iter(["97531", "97531"])
    monkeypatch.setattr("getpass.getpass", lambda prompt="": next(answers))
    status, _, _ = run(capsys, db_url, "staff", "set-pin")
    assert status == 0 and PinGate(db).check("97531")

    answers = iter(["1111", "2222"])
    status, _, err = run(capsys, db_url, "staff", "set-pin")
    assert status == 1 and "differ" in err
    assert PinGate(db).check("97531")  # unchanged

    monkeypatch.setattr(sys, "stdin", io.StringIO("12\n"))
    status, _, err = run(capsys, db_url, "staff", "set-pin", "--pin-stdin")
    assert status == 1 and "4 to 12 digits" in err


def test_set_card(
    capsys: pytest.CaptureFixture[str],
    db_url: str,
    db: Engine,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    rules_file = tmp_path / "rules.toml"
    rules_file.write_text(
        "[[rules]]\nname = \"t2-id\"\npattern = ';(\\d{9})\\d{2}\\?'\n", encoding="utf-8"
    )
    monkeypatch.setattr(sys, "stdin", io.StringIO(";99887766501?\n"))
    status, out, _ = run(
        capsys, db_url, "staff", "set-card", "--card-stdin", "--rules", str(rules_file)
    )
    assert status == 0 and out == "Staff card set.\n"
    assert is_staff_card(db, "998877665")
    monkeypatch.setattr("getpass.getpass", lambda prompt="": ";11122233301?")
    status, _, _ = run(capsys, db_url, "staff", "set-card")
    assert status == 0 and is_staff_swipe(db, ";11122233301?", RuleSet.empty())
    status, _, _ = run(capsys, db_url, "staff", "set-card", "--card-id", "A1B2")
    assert status == 0 and is_staff_card(db, "A1B2")
    monkeypatch.setattr(sys, "stdin", io.StringIO("%B4111111111111111^X/Y^2812101?\n"))
    status, _, err = run(capsys, db_url, "staff", "set-card", "--card-stdin")
    assert status == 1 and "not a readable card" in err and "4111" not in err
    assert is_staff_card(db, "A1B2")


def test_the_installed_command_sets_a_pin_from_a_pipe(sqlite_url: str) -> None:
    kiosk = Path(sys.executable).with_name("kiosk")
    done = subprocess.run(
        [str(kiosk), "--db", sqlite_url, "staff", "set-pin", "--pin-stdin"],
        input="864200\n",
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (done.returncode, done.stdout, done.stderr) == (0, "Staff PIN set.\n", "")
    engine = open_database(sqlite_url)
    try:
        assert PinGate(engine).check("864200")
    finally:
        engine.dispose()


def test_recent_rows_carry_both_names(db: Engine, attended: int) -> None:
    from kiosk.checkin.queries import recent_check_ins

    rows = recent_check_ins(db, attended)
    assert [(row.display_name, row.full_name) for row in rows] == [
        ("Jordan K.", "Jordan Kim"),
        ("Carmen R.", "Carmen Ruiz"),
        ("Alex T.", "Alex (Alexandra) Tester"),
    ]
