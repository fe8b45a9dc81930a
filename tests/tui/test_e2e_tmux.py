"""End to end: the real ``kiosk`` command in a real terminal (tmux), a swipe typed the way a
keyboard-wedge reader types it (one burst of keys, then Enter), the screen read back."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.checkin.events import create_event
from kiosk.checkin.staff import set_pin
from kiosk.db.session import open_database
from kiosk.demo import DEMO_PIN, DEMO_RULES, SAMPLE_ROSTER
from kiosk.roster import import_roster

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed: the end-to-end test needs it"
)


class Terminal:
    """A detached tmux session on its own server socket, 100x30."""

    def __init__(self, command: list[str], cwd: Path) -> None:
        self.socket = f"kiosk-e2e-{os.getpid()}-{time.monotonic_ns()}"
        env = {**os.environ, "TERM": "xterm-256color", "COLUMNS": "100", "LINES": "30"}
        env.pop("TMUX", None)
        shell_command = " ".join(_quote(part) for part in command)
        self._tmux("new", "-d", "-s", "kiosk", "-x", "100", "-y", "30", "-c", str(cwd),
                   shell_command, env=env)

    def _tmux(self, *args: str, env: dict[str, str] | None = None) -> str:
        result = subprocess.run(
            ["tmux", "-L", self.socket, *args],
            capture_output=True, text=True, timeout=20, env=env, check=False,
        )
        return result.stdout

    def screen(self) -> str:
        return self._tmux("capture-pane", "-p", "-t", "kiosk")

    def type_like_a_reader(self, text: str) -> None:
        self._tmux("send-keys", "-t", "kiosk", "-l", text)
        self._tmux("send-keys", "-t", "kiosk", "Enter")

    def press(self, *keys: str) -> None:
        for key in keys:
            self._tmux("send-keys", "-t", "kiosk", key)
            time.sleep(0.15)  # a person, not a reader

    def wait_for(self, words: str, timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        screen = ""
        while time.monotonic() < deadline:
            screen = self.screen()
            if words in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{words!r} never appeared; the screen was:\n{screen}")

    def running(self) -> bool:
        return "kiosk" in self._tmux("list-sessions", "-F", "#{session_name}")

    def close(self) -> None:
        self._tmux("kill-server")


def _quote(part: str) -> str:
    return "'" + part.replace("'", "'\\''") + "'"


@pytest.fixture
def terminals() -> Iterator[list[Terminal]]:
    opened: list[Terminal] = []
    yield opened
    for terminal in opened:
        terminal.close()


def test_kiosk_demo_takes_a_swipe_typed_into_the_terminal(
    tmp_path: Path, terminals: list[Terminal]
) -> None:
    command = [sys.executable, "-m", "kiosk", "demo", "--dir", str(tmp_path / "demo")]
    terminal = Terminal(command, tmp_path)
    terminals.append(terminal)
    screen = terminal.wait_for("Swipe your student ID")
    assert "Demo Career Fair" in screen and "PIN 2468" in screen
    terminal.type_like_a_reader(";90123456701?")
    screen = terminal.wait_for("Welcome, Alex T. — you're checked in")
    assert "901234567" not in screen  # only the display name, never the card_id
    terminal.wait_for("1 checked in so far")
    terminal.press("5")  # the demo's payment card
    terminal.wait_for("That looks like a payment card")
    terminal.press("F10", *DEMO_PIN, "Enter")
    terminal.wait_for("Staff mode — menu")
    terminal.press("q")
    deadline = time.monotonic() + 15
    while terminal.running() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not terminal.running()


def test_kiosk_run_with_the_terminal_reader(tmp_path: Path, terminals: list[Terminal]) -> None:
    database = f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    engine = open_database(database)
    import_roster(engine, SAMPLE_ROSTER)
    create_event(engine, "Spring Expo")
    set_pin(engine, "13579")
    engine.dispose()
    command = [
        sys.executable, "-m", "kiosk", "--db", database, "run",
        "--event", "Spring Expo", "--reader", "terminal", "--rules", str(DEMO_RULES),
    ]
    terminal = Terminal(command, tmp_path)
    terminals.append(terminal)
    terminal.wait_for("Swipe your student ID")
    assert "keyboard: connected" in terminal.screen()
    terminal.type_like_a_reader(";90181590801?")
    terminal.wait_for("Welcome, Mari G. — you're checked in")
    terminal.type_like_a_reader(";90181590801?")
    terminal.wait_for("you already checked in at")


def test_kiosk_demo_writes_only_in_its_temporary_folder(
    tmp_path: Path, terminals: list[Terminal]
) -> None:
    # issue 13.7: `kiosk demo` as a new user runs it (no --dir, no settings): its database,
    # log, rules and the staff Export screen's file all go to its temporary folder, the
    # screen says where the export went, and nothing is left anywhere once it exits
    home, temporary = tmp_path / "home", tmp_path / "tmp"
    home.mkdir()
    temporary.mkdir()
    cleared = ("KIOSK_DB", "STATE_DIRECTORY", "CONFIGURATION_DIRECTORY", "XDG_DATA_HOME",
               "XDG_CONFIG_HOME", "XDG_STATE_HOME", "XDG_CACHE_HOME")
    command = ["env", *(f"-u{name}" for name in cleared), f"HOME={home}", f"TMPDIR={temporary}",
               sys.executable, "-m", "kiosk", "demo"]
    terminal = Terminal(command, tmp_path)
    terminals.append(terminal)
    terminal.wait_for("Swipe your student ID")
    terminal.press("1")
    terminal.wait_for("1 checked in so far")
    terminal.press("F10", *DEMO_PIN, "Enter")
    terminal.wait_for("Staff mode — menu")
    terminal.press(*["Down"] * 11, "Enter")
    terminal.wait_for("Staff mode — export check-ins")
    terminal.press("Tab", "Tab", "Enter")  # to the file's field, the Export button: pressed
    screen = "".join(terminal.wait_for("Wrote 1 row(s) to").split())  # the path may wrap
    (folder,) = temporary.iterdir()
    assert folder.name.startswith("kiosk-demo-")
    exported = folder / f"checkins-event1-handshake-{time.strftime('%Y%m%d')}.csv"
    assert f"Wrote1row(s)to{exported}." in screen
    assert "alex.tester@example.edu" in exported.read_text(encoding="utf-8-sig")
    terminal.press("Escape", "q")
    deadline = time.monotonic() + 15
    while terminal.running() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not terminal.running()
    assert list(temporary.iterdir()) == []  # the demo's folder went with it
    assert list(home.rglob("*")) == []  # nothing in the user's data or settings folders
