"""Every file and folder the kiosk creates is owner-only (0600 / 0700) whatever the umask:
run the commands that write with umask 000 and look at the mode of everything they left."""

from __future__ import annotations

import io
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.cards.rules import RuleSet
from kiosk.cards.rules_file import save_rules
from kiosk.checkin import CheckInService
from kiosk.checkin.events import find_event
from kiosk.cli import main
from kiosk.db.session import open_database
from kiosk.demo import DEMO_RULES, SAMPLE_ROSTER, prepare_demo
from kiosk.logs import logs_to_file
from kiosk.paths import copy_private, data_dir, open_private, private_dir, private_file
from tests.conftest import FIXTURES


@pytest.fixture
def open_umask() -> Iterator[None]:
    """The most permissive umask: anything not made private on purpose is world-readable."""
    previous = os.umask(0o000)
    yield
    os.umask(previous)


def modes(root: Path) -> dict[str, str]:
    """``{relative path: octal mode}`` of ``root`` and everything under it."""
    found = {".": oct(stat.S_IMODE(root.stat().st_mode))}
    for path in root.rglob("*"):
        found[str(path.relative_to(root))] = oct(stat.S_IMODE(path.lstat().st_mode))
    return found


def not_private(root: Path) -> dict[str, str]:
    """What under ``root`` (itself included) is not owner-only."""
    return {
        name: mode
        for name, mode in modes(root).items()
        if mode != ("0o700" if (root / name).is_dir() else "0o600")
    }


@pytest.mark.usefixtures("open_umask")
def test_a_kiosk_session_leaves_only_owner_only_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Import (with failed rows), events, PIN, a check-in, exports, logs and a saved rules file:
    the data dir, the SQLite database and its -wal/-shm, and every output file are private."""
    state = tmp_path / "state"  # missing: the kiosk creates it
    out = private_dir(tmp_path / "out")
    monkeypatch.setenv("STATE_DIRECTORY", str(state))
    monkeypatch.delenv("KIOSK_DB", raising=False)

    assert main(
        [
            "import",
            "--failed-rows",
            str(out / "failed.csv"),
            str(FIXTURES / "roster" / "bad_cells.csv"),
        ]
    ) in (0, 1)
    assert main(["import", str(SAMPLE_ROSTER)]) == 0
    assert main(["events", "create", "Fair", "--kind", "fair", "--handshake-id", "4321"]) == 0
    monkeypatch.setattr("sys.stdin", io.StringIO("24680\n"))
    assert main(["staff", "set-pin", "--pin-stdin"]) == 0
    engine = open_database()
    try:
        event_id = find_event(engine, "Fair").id
        assert event_id is not None
        service = CheckInService(engine, event_id, RuleSet.empty())
        service.check_in_by_lookup("stu10001")
        service.register_walk_in("Jordan Kim", "jordan@elsewhere.org", None)
    finally:
        engine.dispose()
    assert main(["checkins", "export", "--event", "Fair", "-o", str(out / "fair.csv")]) == 0
    assert (
        main(
            [
                "checkins",
                "export",
                "--event",
                "Fair",
                "--format",
                "full",
                "-o",
                str(out / "full.csv"),
            ]
        )
        == 0
    )
    with logs_to_file(state / "kiosk.log"):
        logging.getLogger("kiosk.test").error("something went wrong")
    rules = out / "card-rules.toml"
    save_rules(rules, RuleSet.empty())
    assert save_rules(rules, RuleSet.empty()) is not None  # the second save keeps a .bak

    engine = open_database()
    try:  # while the database is open: SQLite removes -wal and -shm when the last one closes
        assert find_event(engine, "Fair").name == "Fair"
        assert {"kiosk.sqlite3", "kiosk.sqlite3-wal", "kiosk.sqlite3-shm", "kiosk.log"} <= set(
            modes(state)
        )
        assert not_private(state) == {}
    finally:
        engine.dispose()
    assert {"failed.csv", "fair.csv", "fair-walk-ins.csv", "full.csv", "card-rules.toml"} <= set(
        modes(out)
    )
    assert any(name.endswith(".bak") for name in modes(out))
    assert not_private(state) == {}
    assert not_private(out) == {}


@pytest.mark.usefixtures("open_umask")
def test_the_demo_folder_and_its_files_are_owner_only(tmp_path: Path) -> None:
    directory = private_dir(tmp_path / "kept" / "demo")  # kiosk demo --dir
    setup = prepare_demo(directory)
    try:
        assert setup.desk.event.id is not None
        CheckInService(setup.desk.engine, setup.desk.event.id, setup.desk.rules).check_in_by_lookup(
            "stu10001"
        )
        # while the database is open: SQLite removes -wal and -shm when the last one closes
        assert {"demo.sqlite3", "demo.sqlite3-wal", "demo.sqlite3-shm", "card-rules.toml"} <= set(
            modes(directory)
        )
        assert not_private(directory) == {}
    finally:
        setup.desk.engine.dispose()


@pytest.mark.usefixtures("open_umask")
def test_the_default_data_dir_is_made_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without systemd the data dir is platformdirs' (XDG_DATA_HOME); one an older version
    made 0755 is ours alone, so it is made 0700; a database file it left 0644 is tightened
    when opened."""
    monkeypatch.delenv("STATE_DIRECTORY", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "share"))
    assert not_private(data_dir()) == {}
    old = tmp_path / "share" / "swipe-kiosk"
    old.chmod(0o755)
    database = old / "kiosk.sqlite3"
    open_database(f"sqlite:///{database}").dispose()
    database.chmod(0o644)
    assert data_dir() == old
    open_database(f"sqlite:///{database}").dispose()
    assert not_private(old) == {}


def test_systemds_state_directory_keeps_its_mode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """StateDirectoryMode= in the unit decides the state directory's mode, not the kiosk."""
    state = tmp_path / "state"
    state.mkdir(mode=0o750)
    state.chmod(0o750)
    monkeypatch.setenv("STATE_DIRECTORY", str(state))
    assert data_dir() == state
    assert oct(stat.S_IMODE(state.stat().st_mode)) == "0o750"


@pytest.mark.usefixtures("open_umask")
def test_the_helpers_make_owner_only_files(tmp_path: Path) -> None:
    with open_private(tmp_path / "new.txt") as handle:
        handle.write("x")
    shared = tmp_path / "was-shared.txt"
    shared.write_text("y")
    shared.chmod(0o666)
    with open_private(shared, "a") as handle:
        handle.write("z")
    copy_private(DEMO_RULES, tmp_path / "copy.toml")
    private_file(tmp_path / "empty.sqlite3")
    read_only = tmp_path / "read-only.sqlite3"
    read_only.write_text("")
    read_only.chmod(0o444)
    private_file(read_only)  # group and others lose access; the owner gains none
    assert oct(stat.S_IMODE(read_only.stat().st_mode)) == "0o400"
    read_only.chmod(0o600)
    assert {name: mode for name, mode in modes(tmp_path).items() if name != "."} == {
        "new.txt": "0o600",
        "was-shared.txt": "0o600",
        "copy.toml": "0o600",
        "empty.sqlite3": "0o600",
        "read-only.sqlite3": "0o600",
    }
    assert shared.read_text() == "yz"
    assert (tmp_path / "copy.toml").read_bytes() == DEMO_RULES.read_bytes()


@pytest.mark.usefixtures("open_umask")
def test_readers_capture_output_is_owner_only(tmp_path: Path) -> None:
    swipes = tmp_path / "in.txt"
    swipes.write_text(";90123456701?\n")
    out = private_dir(tmp_path / "out")
    older = out / "older.txt"  # a capture file from before, readable by all
    older.write_text("# earlier swipes\n")
    older.chmod(0o644)
    assert (
        main(
            [
                "readers",
                "capture",
                "--reader",
                f"replay:{swipes}?interval=0",
                "--count",
                "1",
                "-o",
                str(older),
            ]
        )
        == 0
    )
    assert (
        main(
            [
                "readers",
                "capture",
                "--reader",
                f"replay:{swipes}?interval=0",
                "--count",
                "1",
                "-o",
                str(out / "swipes.txt"),
            ]
        )
        == 0
    )
    assert (out / "swipes.txt").exists()
    assert not_private(out) == {}
