"""README.md's "A first real event", run as written, in order, in a temporary folder.

Every command of the walk-through's code block runs through a shell (`kiosk` from this
venv) with no database named anywhere (no $KIOSK_DB, no --db: the default SQLite file in the
data folder, as for a new user), the configuration and data folders in the temporary folder,
so `kiosk init` writes the kiosk.toml that every later command reads. Each must exit 0, and
`kiosk doctor` must say the kiosk is ready. `kiosk staff set-pin` runs as written on a real
terminal (a pty) where the PIN is typed twice at its prompts. Only what needs hardware is
substituted, in the table below, and `kiosk run` (see below).
"""

from __future__ import annotations

import argparse
import csv
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from drivers.base import Swipe
from kiosk.cards.rules import load_rules
from kiosk.checkin import CheckInService
from kiosk.checkin.events import find_event
from kiosk.cli import build_parser
from kiosk.commands.kiosk_args import config_from_args
from kiosk.commands.run_cmd import build_setup
from kiosk.config import database_url
from kiosk.db.session import open_database
from tests.ptyrun import PtyProcess

REPO = Path(__file__).resolve().parents[1]
SAMPLE_ROSTER = REPO / "kiosk" / "samples" / "roster.csv"
PIN = "13579"
# Two students of the sample roster (card_ids 901234567, 901815908), swiped as a reader
# sends a card with a 2-digit issue code after the 9-digit id.
CARDS = ((";90123456701?", "901234567"), (";90181590801?", "901815908"))

# README text -> what the test runs instead (and why). Kept small on purpose.
SUBSTITUTIONS = {
    # the USB reader: a capture file replayed at once
    "hid:vid=0801": "replay:reader.txt?interval=0",
}
# `kiosk run` (full screen, needs a terminal and a person) is run in-process instead: its own
# argument parsing and set-up (build_setup: database, PIN, event, rules, readers) with the
# same settings, then the first card of reader.txt checked in as its student screen would.


def walkthrough_commands(readme: str) -> list[str]:
    """The command lines of the code block under "### A first real event", comments cut."""
    section = readme.split("### A first real event", 1)[1]
    block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert block is not None, "README's walk-through has no ```sh block"
    lines = [re.sub(r"\s+#.*$", "", line).strip() for line in block.group(1).splitlines()]
    return [line for line in lines if line]


def _substituted(command: str) -> str:
    for readme_text, test_text in SUBSTITUTIONS.items():
        command = command.replace(readme_text, test_text)
    return command


@pytest.fixture
def folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The user's folder: the Handshake export, the reader's cards and the pairs CSV."""
    (tmp_path / "students.csv").write_bytes(SAMPLE_ROSTER.read_bytes())
    (tmp_path / "reader.txt").write_text("".join(f"{swipe}\n" for swipe, _ in CARDS))
    with (tmp_path / "pairs.csv").open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["swipe", "card_id"])
        writer.writerows(CARDS)
    env = {
        "CONFIGURATION_DIRECTORY": str(tmp_path / "etc"),
        "STATE_DIRECTORY": str(tmp_path / "state"),
        "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("KIOSK_DB", raising=False)  # a new user names no database
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _run_typing_the_pin(command: str, folder: Path) -> None:
    """`kiosk staff set-pin` as a person runs it: on a terminal, the PIN typed at each prompt."""
    with PtyProcess(["bash", "-c", command], cwd=folder) as terminal:
        seen = terminal.read_until(b"New staff PIN:")
        terminal.type(f"{PIN}\r".encode())
        seen += terminal.read_until(b"The same PIN again:")
        terminal.type(f"{PIN}\r".encode())
        seen += terminal.read_until(b"Staff PIN set.")
        assert terminal.wait(timeout=60) == 0, seen
    assert b"Staff PIN set." in seen and PIN.encode() not in seen  # not echoed


def _run_in_process(command: str) -> None:
    """`kiosk run …` as far as it goes without a screen: the same parsing and set-up."""
    args: argparse.Namespace = build_parser().parse_args(command.split()[1:])
    config = config_from_args(args)
    build_setup(config, args.db)  # raises UserError where `kiosk run` would stop
    assert config.event is not None and config.rules_file is not None
    engine = open_database(database_url(args.db, config))
    try:
        event = find_event(engine, config.event)
        assert event.id is not None
        service = CheckInService(engine, event.id, load_rules(config.rules_file))
        outcome = service.handle_swipe(Swipe(CARDS[0][0], config.readers[0].name))
        assert outcome.kind == "checked_in", outcome
    finally:
        engine.dispose()


def test_the_readme_walkthrough_runs_as_written(folder: Path) -> None:
    commands = walkthrough_commands((REPO / "README.md").read_text(encoding="utf-8"))
    assert commands[0].startswith("kiosk init")  # one set-up, written first
    assert any(c.startswith("kiosk doctor") for c in commands)
    ran: list[str] = []
    for readme_command in commands:
        command = _substituted(readme_command)
        if command.split()[:2] == ["kiosk", "run"]:
            _run_in_process(command)
            ran.append(command)
            continue
        if command.split()[:3] == ["kiosk", "staff", "set-pin"]:
            _run_typing_the_pin(command, folder)
            ran.append(command)
            continue
        result = subprocess.run(
            ["bash", "-c", command], cwd=folder, capture_output=True, text=True, timeout=120
        )
        assert result.returncode == 0, (readme_command, result.stdout, result.stderr)
        assert "Traceback" not in result.stderr
        if command.startswith("kiosk doctor"):
            assert "FAIL" not in result.stdout, result.stdout
            assert result.stdout.rstrip().endswith("Ready for the event."), result.stdout
        ran.append(command)
    assert len(ran) == len(commands)
    settings = folder / "etc" / "kiosk.toml"
    assert (settings.stat().st_mode & 0o777) == 0o600
    # every command used the one default database a new user gets
    assert [p.name for p in (folder / "state").glob("*.sqlite3")] == ["kiosk.sqlite3"]
    assert not list(folder.glob("*.sqlite3"))
    with (folder / "attendees.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    assert [row[0] for row in rows[1:]] == ["alex.tester@example.edu"]
    assert rows[1][3:5] == ["CareerFairSession", "12345"]


def test_every_substitution_is_used() -> None:
    """The table names only README text that is there (a stale entry would hide a change)."""
    commands = walkthrough_commands((REPO / "README.md").read_text(encoding="utf-8"))
    for readme_text in SUBSTITUTIONS:
        assert any(readme_text in command for command in commands)
    assert sum(c.split()[:2] == ["kiosk", "run"] for c in commands) == 1
    assert sum(c.split()[:3] == ["kiosk", "staff", "set-pin"] for c in commands) == 1
