"""``kiosk doctor``: every check reported at once, on a real SQLite file, a real pty and files."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from sqlmodel import Session

from drivers.probe import probe_reader
from kiosk.checkin.events import create_event
from kiosk.checkin.staff import set_pin
from kiosk.cli import main
from kiosk.db.models import Student
from kiosk.db.session import open_database
from kiosk.demo import DEMO_RULES


@pytest.fixture
def isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("KIOSK_DB", raising=False)
    monkeypatch.setenv("CONFIGURATION_DIRECTORY", str(tmp_path / "etc"))
    return tmp_path


def _student(session: Session, username: str, card_id: str | None) -> None:
    session.add(
        Student(
            username=username,
            email_address=f"{username}@example.edu",
            email_key=f"{username}@example.edu",
            first_name="Sam",
            card_id=card_id,
        )
    )


def _ready_kiosk(tmp_path: Path) -> tuple[str, Path]:
    url = f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    engine = open_database(url)
    create_event(engine, "Spring Expo", handshake_id="777")
    set_pin(engine, "13579")
    with Session(engine) as session:
        _student(session, "u1", "901234567")
        _student(session, "u2", "902345678")
        session.commit()
    engine.dispose()
    capture = tmp_path / "swipes.txt"
    capture.write_text(";90123456701?\n")
    config = tmp_path / "kiosk.toml"
    config.write_text(
        f'event = "Spring Expo"\nrules_file = "{DEMO_RULES}"\n'
        f'[[readers]]\nname = "bench"\nspec = "replay:{capture}"\n'
    )
    return url, config


def test_a_ready_kiosk_passes_every_check(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, config = _ready_kiosk(isolated)
    assert main(["--db", url, "doctor", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "FAIL" not in out and "warn" not in out
    assert "Spring Expo (id 1), Handshake id 777." in out
    assert "2 students, 2 with a card_id." in out
    assert out.rstrip().endswith("Ready for the event.")


def test_every_problem_is_reported_at_once(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url = f"sqlite:///{isolated / 'empty.sqlite3'}"
    config = isolated / "kiosk.toml"
    config.write_text(
        'event = "Nope"\nrules_file = "missing-rules.toml"\n'
        f'[[readers]]\nname = "left"\nspec = "hid:{isolated / "no-such-event-kbd"}"\n'
        '[[readers]]\nname = "odd"\nspec = "bogus:x"\n'
    )
    assert main(["--db", url, "doctor", "--config", str(config)]) == 1
    out = capsys.readouterr().out
    assert "[FAIL] card rules" in out and "missing-rules.toml does not exist" in out
    assert "[FAIL] reader left" in out and "plug the reader in" in out
    assert "[FAIL] reader odd" in out and "Unknown reader kind 'bogus'" in out
    assert "[FAIL] roster" in out and "kiosk import" in out
    assert "[FAIL] staff PIN" in out
    assert "[FAIL] event" in out and "There is no event 'Nope'" in out
    assert "6 problem(s) to fix first." in out


def test_nested_card_ids_are_a_warning_naming_verify(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, config = _ready_kiosk(isolated)
    engine = open_database(url)
    with Session(engine) as session:
        _student(session, "u3", "0901234567")  # contains u1's card_id
        session.commit()
    engine.dispose()
    assert main(["--db", url, "doctor", "--config", str(config)]) == 0
    out = capsys.readouterr().out
    assert "[warn] card_ids" in out and "1 card_id(s) sit inside another student's" in out


def test_probe_finds_a_real_serial_port_without_opening_it(tmp_path: Path) -> None:
    controller, device = os.openpty()
    try:
        status = probe_reader(f"serial:{os.ttyname(device)}", "desk")
        assert (status.state, status.reader) == ("connected", "desk")
        gone = probe_reader(f"serial:{tmp_path / 'ttyUSB9'}", "desk")
        assert gone.state == "missing"
    finally:
        os.close(controller)
        os.close(device)


def test_probe_names_the_udev_fix_without_permission(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    node = tmp_path / "event-kbd"
    node.write_text("")
    # Tests run as root here, and root may open anything: deny access the way a kiosk user
    # outside the readers' group would see it.
    monkeypatch.setattr("drivers.probe.os.access", lambda path, mode: False)
    status = probe_reader(f"hid:{node}", "left")
    assert status.state == "no_permission"
    assert "99-swipe-kiosk-readers.rules" in status.message and "udevadm" in status.message


def _subcommand_options(name: str) -> dict[str, tuple[str | None, object]]:
    from kiosk.cli import build_parser

    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.dest == "command")
    sub = subparsers.choices[name]  # type: ignore[index]
    return {
        option: (action.dest, action.nargs)
        for action in sub._actions
        for option in action.option_strings
        if option not in ("-h", "--help")
    }


def test_doctor_takes_every_option_run_takes() -> None:
    run_options = _subcommand_options("run")
    assert set(run_options) >= {"--config", "--event", "--reader", "--rules", "--db"}
    assert _subcommand_options("doctor") == run_options


def test_doctor_checks_what_run_would_use_from_the_command_line(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, config = _ready_kiosk(isolated)
    capture = isolated / "swipes.txt"
    # no settings file at all: everything given as `kiosk run` would be given it
    argv = ["doctor", "--db", url, "--event", "Spring Expo", "--rules", str(DEMO_RULES),
            "--reader", f"replay:{capture}"]
    assert main(argv) == 0
    out = capsys.readouterr().out
    assert "defaults (no kiosk.toml found)" in out
    assert "Spring Expo (id 1)" in out and "reader swipes.txt" in out
    assert out.rstrip().endswith("Ready for the event.")
    # --event and --reader replace the settings file's values, as for run
    argv = ["--db", url, "doctor", "--config", str(config), "--event", "Nope",
            "--reader", f"replay:{isolated / 'gone.txt'}"]
    assert main(argv) == 1
    out = capsys.readouterr().out
    assert "[FAIL] event" in out and "There is no event 'Nope'" in out
    assert "[FAIL] reader gone.txt" in out and "reader bench" not in out
    assert "Ready for the event." not in out


def test_never_ready_without_an_event_or_a_reader(
    isolated: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, _config = _ready_kiosk(isolated)  # PIN, roster and event are in the database
    assert main(["--db", url, "doctor"]) == 1  # but nothing says which event, which reader
    out = capsys.readouterr().out
    assert "[FAIL] event" in out and "give --event ID|NAME" in out
    assert "[FAIL] readers" in out and "No reader configured" in out
    assert "Ready for the event." not in out and "2 problem(s) to fix first." in out
    assert main(["doctor", "--db", url, "--reader", "bogus:x", "--event", "1"]) == 1
    assert "Unknown reader kind 'bogus'" in capsys.readouterr().out
