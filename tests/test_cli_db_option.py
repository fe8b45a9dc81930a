"""``--db URL`` is taken before a command and after it alike, for every command that opens
the database (kiosk.cli.add_db_option), and means the same database either way. Real SQLite
files, through kiosk.cli.main()."""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.checkin.events import list_events
from kiosk.cli import COMMANDS, build_parser, main
from kiosk.db.session import open_database
from tests.conftest import FIXTURES


def _parsers_under(parser: argparse.ArgumentParser) -> Iterator[argparse.ArgumentParser]:
    yield parser
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                yield from _parsers_under(sub)


def _takes_db(parser: argparse.ArgumentParser) -> bool:
    return any("--db" in action.option_strings for action in parser._actions)


def test_every_command_that_opens_the_database_takes_db_after_itself_and_its_actions() -> None:
    commands = build_parser()._subparsers._group_actions[0].choices  # type: ignore[union-attr]
    opening = {command.name for command in COMMANDS if command.opens_db}
    assert {"db", "run", "import", "events", "checkins", "staff", "doctor", "init"} <= opening
    for command in COMMANDS:
        parsers = list(_parsers_under(commands[command.name]))
        if command.opens_db:
            assert all(_takes_db(parser) for parser in parsers), command.name
        else:  # parse, rules, readers, demo, fair: no kiosk database to name
            assert not any(_takes_db(parser) for parser in parsers), command.name


@pytest.fixture
def two_databases(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str]:
    """Two SQLite files; no $KIOSK_DB, kiosk.toml or default database in play."""
    monkeypatch.delenv("KIOSK_DB", raising=False)
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    monkeypatch.setenv("CONFIGURATION_DIRECTORY", str(tmp_path / "config"))
    return f"sqlite:///{tmp_path / 'a.sqlite3'}", f"sqlite:///{tmp_path / 'b.sqlite3'}"


def _event_names(url: str) -> list[str]:
    engine = open_database(url)
    try:
        return [event.name for event in list_events(engine)]
    finally:
        engine.dispose()


def test_db_after_a_command_or_its_action_means_what_it_means_before(
    two_databases: tuple[str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    a, b = two_databases
    assert main(["events", "create", "Fall Fair", "--db", a]) == 0
    assert main(["events", "--db", b, "create", "Spring Fair"]) == 0
    assert _event_names(a) == ["Fall Fair"] and _event_names(b) == ["Spring Fair"]
    capsys.readouterr()
    assert main(["--db", a, "events", "list"]) == 0
    before = capsys.readouterr().out
    assert main(["events", "list", "--db", a]) == 0
    assert capsys.readouterr().out == before and "Fall Fair" in before
    # given in both places, the one after the command is used
    assert main(["--db", b, "events", "list", "--db", a]) == 0
    assert capsys.readouterr().out == before


def test_db_after_import_checkins_staff_and_db_status(
    two_databases: tuple[str, str],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, b = two_databases
    assert main(["import", str(FIXTURES / "roster" / "base.csv"), "--db", a]) == 0
    assert main(["events", "create", "Fall Fair", "--db", a]) == 0
    capsys.readouterr()
    assert main(["students", "search", "ana lopez", "--db", a]) == 0
    assert "h1001" in capsys.readouterr().out
    assert main(["students", "search", "ana lopez", "--db", b]) == 1  # nobody in b
    capsys.readouterr()
    add = ["checkins", "add", "--event", "Fall Fair", "--student", "h1001", "--db", a]
    assert main(add) == 0
    assert main(["checkins", "list", "--event", "Fall Fair", "--db", a]) == 0
    assert "h1001" in capsys.readouterr().out
    monkeypatch.setattr(sys, "stdin", io.StringIO("2468\n"))
    assert main(["staff", "set-pin", "--pin-stdin", "--db", b]) == 0
    capsys.readouterr()
    assert main(["db", "status", "--db", b]) == 0
    assert "b.sqlite3" in capsys.readouterr().out
    assert main(["db", "--db", a, "status"]) == 0
    assert "a.sqlite3" in capsys.readouterr().out


def test_without_db_every_command_uses_kiosk_toml_s_database_as_run_and_doctor_do(
    two_databases: tuple[str, str],
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    a, b = two_databases
    (tmp_path / "config").mkdir()
    settings = tmp_path / "config" / "kiosk.toml"
    settings.write_text(f'database = "{a}"\n', encoding="utf-8")
    assert main(["events", "create", "Fall Fair"]) == 0
    assert main(["import", str(FIXTURES / "roster" / "base.csv")]) == 0
    assert _event_names(a) == ["Fall Fair"]
    assert not (tmp_path / "state" / "kiosk.sqlite3").exists()  # not the default file
    capsys.readouterr()
    assert main(["db", "status"]) == 0
    assert "a.sqlite3" in capsys.readouterr().out
    main(["doctor"])
    assert "a.sqlite3" in capsys.readouterr().out  # the same database as kiosk doctor's
    # --db, then $KIOSK_DB, come first
    assert main(["events", "create", "Spring Fair", "--db", b]) == 0
    monkeypatch.setenv("KIOSK_DB", b)
    assert main(["events", "create", "Winter Fair"]) == 0
    assert _event_names(a) == ["Fall Fair"]
    assert sorted(_event_names(b)) == ["Spring Fair", "Winter Fair"]
    monkeypatch.delenv("KIOSK_DB")
    # a kiosk.toml that cannot be used is one sentence, not the default database
    settings.write_text("database = 5432\n", encoding="utf-8")
    assert main(["events", "list"]) != 0
    err = capsys.readouterr().err
    assert "kiosk.toml" in err and err.count("\n") == 1
