"""``kiosk import`` end to end through kiosk.cli.main, on real database files."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine

from kiosk.cli import main
from kiosk.commands import import_cmd
from kiosk.db.session import open_database
from tests.conftest import REPO_ROOT
from tests.roster.conftest import roster, snapshot, students

SAMPLE = REPO_ROOT / "kiosk" / "samples" / "roster.csv"
JSON_KEYS = {"rows", "created", "updated", "unchanged", "archived", "rejected", "errors",
             "warnings", "new_values"}


def run(db_url: str, *args: str) -> int:
    return main(["--db", db_url, "import", *args])


def test_the_sample_roster_imports_cleanly(db_url: str, capsys: pytest.CaptureFixture[str]
                                           ) -> None:
    assert run(db_url, str(SAMPLE)) == 0
    out = capsys.readouterr().out
    assert out.startswith("Imported: roster.csv\n")
    assert "  created          40" in out and "  rejected          0" in out
    assert "Errors" not in out and "Warnings" not in out
    engine = open_database(db_url)
    stored = students(engine)
    engine.dispose()
    assert len(stored) == 40
    by_card = {s.card_id: s for s in stored.values() if s.card_id}
    # the demo's valid card and the corpus's accepting card_ids (see tests/fixtures)
    assert by_card["901234567"].first_name == "Alex"
    assert {"41234567", "12345678", "60123456"} <= set(by_card)
    assert "555123456" not in by_card  # the demo's unknown card stays unknown


def test_json_is_one_object_with_the_agreed_keys(db_url: str,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    assert run(db_url, "--json", str(roster("rule_errors.csv"))) == 0
    report = json.loads(capsys.readouterr().out)
    assert set(report) >= JSON_KEYS
    assert (report["rows"], report["created"], report["rejected"]) == (17, 1, 16)
    assert report["errors"][0] == {"row": 3, "column": "email_address",
                                   "message": "email_address can't be blank"}
    assert set(report["new_values"]) == {"primary_education:major_names",
                                         "primary_education:minor_names",
                                         "primary_education:college_names", "campus_name"}
    assert report["new_values"]["primary_education:major_names"] == ["Biology"]


def test_dry_run_writes_nothing_and_prints_the_same_report(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(db_url, "--dry-run", str(roster("base.csv"))) == 0
    dry = capsys.readouterr().out
    engine = open_database(db_url)
    assert snapshot(engine) == []
    assert run(db_url, str(roster("base.csv"))) == 0
    real = capsys.readouterr().out
    assert dry.startswith("Dry run (nothing written): base.csv\n")
    assert dry.split("\n", 1)[1] == real.split("\n", 1)[1]
    assert len(students(engine)) == 5
    engine.dispose()


@pytest.mark.parametrize("as_json", [False, True])
def test_a_refused_file_exits_1_with_one_sentence(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], as_json: bool
) -> None:
    args = ["--json"] if as_json else []
    assert run(sqlite_url, *args, str(roster("latin1.csv"))) == 1
    captured = capsys.readouterr()
    if as_json:
        report = json.loads(captured.out)
        assert report["status"] == "refused" and report["rows"] == 0
        assert report["errors"][0]["row"] == 3
    else:
        assert captured.out == ""
        assert captured.err.count("\n") == 1
        assert captured.err.startswith("kiosk: latin1.csv: line 3 is not UTF-8 text")


def test_the_archive_guard_exits_1_and_force_lets_it_through(
    db_url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(db_url, str(roster("base.csv"))) == 0
    three = str(roster("three_of_five.csv"))
    assert run(db_url, "--archive-missing", three) == 1
    captured = capsys.readouterr()
    assert "Refused (nothing written): three_of_five.csv" in captured.out
    assert "add --force" in captured.err
    assert run(db_url, "--archive-missing", "--force", three) == 0
    assert "  archived          2" in capsys.readouterr().out


def test_the_archive_guard_refusal_is_said_once_in_a_terminal(db_url: str) -> None:
    # issue 13.13: in a terminal (stdout and stderr the same screen) the refusal was printed
    # twice, in the report and again on stderr
    assert run(db_url, str(roster("base.csv"))) == 0
    leader, follower = os.openpty()
    try:
        command = [sys.executable, "-m", "kiosk", "--db", db_url, "import", "--archive-missing",
                   str(roster("three_of_five.csv"))]
        status = subprocess.run(command, stdout=follower, stderr=follower, timeout=60).returncode
        os.close(follower)
        written = b""
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the pty is drained
                break
            if not chunk:
                break
            written += chunk
    finally:
        os.close(leader)
    screen = written.decode()
    assert status == 1 and "Refused (nothing written): three_of_five.csv" in screen
    assert screen.count("would archive") == 1, screen


@pytest.mark.parametrize("args", [["--no-such-option", "x.csv"], []])
def test_a_bad_command_line_exits_2(sqlite_url: str, args: list[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        run(sqlite_url, *args)
    assert exit_.value.code == 2


def test_a_missing_file_exits_2_with_one_sentence(
    sqlite_url: str, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    missing = tmp_path / "does-not-exist.csv"
    assert run(sqlite_url, str(missing)) == 2
    assert capsys.readouterr().err == (
        f"kiosk: There is no file {missing}: check the path of the roster CSV.\n"
    )


def test_failed_rows_file_has_the_rejected_rows_and_a_reason(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "failed.csv"
    assert run(sqlite_url, "--failed-rows", str(out), str(roster("duplicates.csv"))) == 0
    with out.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    with roster("duplicates.csv").open(encoding="utf-8", newline="") as handle:
        source = list(csv.reader(handle))
    assert rows[0] == ["failed_reason", *source[0]]
    assert [r[1:] for r in rows[1:]] == source[2:6]
    assert rows[1][0] == "email_address is the same as on row 2: each student needs their own"
    assert rows[3][0] == (
        "username is the same as on row 2: each student needs their own; auth_identifier is "
        "the same as on row 2: each student needs their own"
    )


def test_failed_rows_to_an_unwritable_place_is_one_sentence(
    sqlite_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing-dir" / "failed.csv"
    assert run(sqlite_url, "--failed-rows", str(target), str(roster("base.csv"))) == 2
    assert "Cannot write the failed rows" in capsys.readouterr().err
    engine = open_database(sqlite_url)
    assert students(engine) == {}  # checked before importing: nothing written
    engine.dispose()


def test_failed_rows_is_not_left_behind_for_a_refused_file(
    sqlite_url: str, tmp_path: Path
) -> None:
    target = tmp_path / "failed.csv"
    assert run(sqlite_url, "--failed-rows", str(target), str(roster("utf16.csv"))) == 1
    assert not target.exists()


def test_progress_bar_only_when_stderr_is_a_terminal(
    sqlite_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(import_cmd, "LARGE_FILE_BYTES", 0)
    assert run(sqlite_url, str(roster("base.csv"))) == 0
    assert "[" not in capsys.readouterr().err  # stderr is not a terminal here

    leader, follower = os.openpty()
    terminal = io.TextIOWrapper(os.fdopen(follower, "wb", buffering=0), encoding="utf-8",
                                write_through=True)
    monkeypatch.setattr(sys, "stderr", terminal)
    try:
        assert run(sqlite_url, str(roster("update.csv"))) == 0
        written = os.read(leader, 65536).decode()
    finally:
        terminal.close()
        os.close(leader)
    assert "reading  [" in written and "100%" in written and "writing  [" in written
    assert capsys.readouterr().out.startswith("Imported: update.csv")


def test_kiosk_db_env_and_sqlite_file_are_real(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "kiosk.sqlite3"
    monkeypatch.setenv("KIOSK_DB", f"sqlite:///{path}")
    assert main(["import", str(roster("base.csv"))]) == 0
    engine = create_engine(f"sqlite:///{path}")
    with engine.connect() as connection:
        count = connection.exec_driver_sql("SELECT count(*) FROM student").scalar()
    engine.dispose()
    assert count == 5
