"""The real kiosk in a real terminal, killed at random moments: the harness behind the
crash-safety and data-at-rest tests (tests/reliability/) and ``benchmarks/crash_safety.py``.

``prepare_home`` builds a kiosk's world in a folder: a state directory (``$STATE_DIRECTORY``,
holding the SQLite database), a configuration directory, a roster imported through the real
importer (every student's first name is unique, so the name on the student screen says whose
check-in was confirmed), an event and a staff PIN. ``KioskTerminal`` runs ``python -m kiosk
run`` in tmux (the end-to-end test's Terminal) with a ``replay:`` reader feeding it swipes.

What counts as a *shown* confirmation is read off the real screen: tmux's pane is polled while
the kiosk runs, and read once more after the SIGKILL (the pane stays, ``remain-on-exit``), so
an answer drawn just before the kill is seen too. No hook in the app is needed.
"""

from __future__ import annotations

import csv
import os
import random
import re
import signal
import sqlite3
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from drivers.capture import write_capture
from kiosk.checkin.events import create_event
from kiosk.checkin.staff import set_pin
from kiosk.db.session import open_database
from kiosk.demo import DEMO_RULES, SAMPLE_ROSTER
from kiosk.roster import import_roster
from tests.conftest import REPO_ROOT
from tests.tui.test_e2e_tmux import Terminal

EVENT = "Crash Fair"
PIN = "13579"
# The student screen's confirmations (kiosk/checkin/outcome.py): a fresh check-in and a
# repeated swipe of someone already in. Both promise a live check-in in the database.
_CONFIRMED = re.compile(r"Welcome(?: back)?, (Zq[a-z]+) [A-Z]\. — you(?:'re| already) checked in")
_LETTERS = "abcdefghijklmnopqrstuvwxyz"
ANSWER_TIMEOUT_S = 60.0
IDLE_PROMPT = "Swipe your student ID"


def unique_first_name(number: int) -> str:
    """``Zqaaa``, ``Zqaab``…: a first name no other student has (and no screen text holds)."""
    letters = ""
    for _ in range(3):
        number, digit = divmod(number, 26)
        letters = _LETTERS[digit] + letters
    return "Zq" + letters


def student_swipe(card_id: str) -> str:
    """What a campus card reader sends for ``card_id``: track 2 with a 2-digit issue code
    (the demo rules' ``id-plus-issue-code``)."""
    return f";{card_id}01?"


@dataclass
class KioskHome:
    """Everything one kiosk under test owns, under ``root``."""

    root: Path
    students: dict[str, str]  # first name -> card_id
    event_id: int

    @property
    def state(self) -> Path:
        return self.root / "state"

    @property
    def config(self) -> Path:
        return self.root / "config"

    @property
    def inputs(self) -> Path:
        """Files the test writes for the kiosk to read (roster, captures): not the kiosk's."""
        return self.root / "inputs"

    @property
    def db_path(self) -> Path:
        return self.state / "kiosk.sqlite3"

    @property
    def db_url(self) -> str:
        return f"sqlite:///{self.db_path}"

    def env(self) -> dict[str, str]:
        """The kiosk's environment: every folder it may write to is under ``root``."""
        return {
            "STATE_DIRECTORY": str(self.state),
            "CONFIGURATION_DIRECTORY": str(self.config),
            "XDG_DATA_HOME": str(self.root / "xdg-data"),
            "XDG_CONFIG_HOME": str(self.root / "xdg-config"),
            "XDG_STATE_HOME": str(self.root / "xdg-state"),
            "XDG_CACHE_HOME": str(self.root / "xdg-cache"),
            "TMPDIR": str(self.root / "tmp"),
        }

    def kiosk(self, *args: str) -> list[str]:
        """The command line of ``kiosk --db URL ARGS…`` run from this checkout."""
        return [sys.executable, "-m", "kiosk", "--db", self.db_url, *args]

    def run_command(self, capture: Path, interval: float, *extra: str) -> list[str]:
        reader = f"replay:{capture}?interval={interval}"
        return self.kiosk(
            *extra, "run", "--event", EVENT, "--rules", str(DEMO_RULES), "--reader", reader
        )


def write_roster(path: Path, count: int, first_card: int = 800_000_000) -> dict[str, str]:
    """A Handshake Student CSV of ``count`` students built on the sample roster's first row;
    returns first name -> card_id."""
    with SAMPLE_ROSTER.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        template = next(reader)
        headers = list(reader.fieldnames or [])
    students: dict[str, str] = {}
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, headers)
        writer.writeheader()
        for number in range(count):
            first = unique_first_name(number)
            card_id = f"{first_card + number * 13:09d}"
            email = f"{first.lower()}@example.edu"
            writer.writerow(
                template
                | {
                    "email_address": email,
                    "auth_identifier": email,
                    "username": f"crash{number:05d}",
                    "first_name": first,
                    "last_name": "Tester",
                    "preferred_name": "",
                    "card_id": card_id,
                }
            )
            students[first] = card_id
    return students


def prepare_home(root: Path, students: int = 150) -> KioskHome:
    """A kiosk world under ``root``: roster imported, event created, staff PIN set."""
    for folder in ("state", "config", "inputs", "tmp"):
        (root / folder).mkdir(parents=True, exist_ok=True)
    roster_path = root / "inputs" / "roster.csv"
    cards = write_roster(roster_path, students)
    engine = open_database(f"sqlite:///{root / 'state' / 'kiosk.sqlite3'}")
    try:
        report = import_roster(engine, roster_path)
        assert report.created == students, report
        event = create_event(engine, EVENT)
        set_pin(engine, PIN)
    finally:
        engine.dispose()
    assert event.id is not None
    return KioskHome(root, cards, event.id)


class KioskTerminal(Terminal):
    """The end-to-end test's tmux terminal running one command with its own environment,
    kept on screen after the command dies so its last frame can be read."""

    def __init__(self, command: list[str], env: dict[str, str]) -> None:
        settings = [f"{name}={value}" for name, value in env.items()]
        # exec: the pane's process *is* the kiosk, so its pid is the one to kill; run from
        # the checkout, so ``python -m kiosk`` is the code under test.
        super().__init__(["exec", "env", *settings, *command], REPO_ROOT)
        self._tmux("set-option", "-t", "kiosk", "remain-on-exit", "on")

    def _pane(self, variable: str) -> str:
        return self._tmux("display-message", "-p", "-t", "kiosk", f"#{{{variable}}}").strip()

    def pid(self) -> int:
        return int(self._pane("pane_pid"))

    def dead(self) -> bool:
        return self._pane("pane_dead") == "1"

    def record_output(self, path: Path) -> None:
        """Append every byte the program writes to the terminal to ``path``."""
        self._tmux("pipe-pane", "-o", "-t", "kiosk", f"cat >> '{path}'")

    def wait_dead(self, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while not self.dead():
            if time.monotonic() > deadline:
                raise AssertionError(f"the kiosk did not die; the screen was:\n{self.screen()}")
            time.sleep(0.02)


def confirmed_names(screen: str) -> set[str]:
    """The first names of the students whose confirmation is on ``screen``."""
    return set(_CONFIRMED.findall(screen))


def kill_kiosk(terminal: KioskTerminal) -> None:
    pid = terminal.pid()
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    assert b"kiosk" in cmdline, f"pane process {pid} is not the kiosk: {cmdline!r}"
    os.kill(pid, signal.SIGKILL)
    terminal.wait_dead()


@dataclass
class DatabaseState:
    """What the SQLite file holds after a kill: live check-ins per student of the event."""

    live: Counter[str]  # first name -> live check-ins
    integrity: str

    @property
    def doubled(self) -> list[str]:
        return sorted(name for name, count in self.live.items() if count > 1)


def read_database(home: KioskHome) -> DatabaseState:
    """Open the file as the next kiosk start would (a hot WAL is recovered) and count."""
    connection = sqlite3.connect(home.db_path)
    try:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        rows = connection.execute(
            "SELECT s.first_name, COUNT(*) FROM check_in c JOIN student s ON s.id = c.student_id"
            " WHERE c.event_id = ? AND c.undone_at IS NULL GROUP BY s.first_name",
            (home.event_id,),
        ).fetchall()
    finally:
        connection.close()
    return DatabaseState(Counter(dict(rows)), integrity)


@dataclass
class CrashTally:
    """The running totals of a crash session."""

    kills: int = 0
    shown: set[str] = field(default_factory=set)  # students whose confirmation was seen
    answers_seen: int = 0  # students confirmed on screen, summed over the runs
    recorded: int = 0  # live check-ins in the database after the last kill
    lost: set[str] = field(default_factory=set)  # shown, yet no live check-in
    doubled: set[str] = field(default_factory=set)  # more than one live check-in
    integrity_failures: list[str] = field(default_factory=list)
    kill_moments: list[float] = field(default_factory=list)
    start_seconds: list[float] = field(default_factory=list)  # spawn -> idle screen drawn

    def summary(self) -> str:
        return (
            f"{self.kills} kills: {len(self.shown)} students' confirmations shown "
            f"({self.answers_seen} confirmations seen over the runs), "
            f"{self.recorded} check-ins recorded, "
            f"{len(self.lost)} lost, {len(self.doubled)} doubled, "
            f"{len(self.integrity_failures)} integrity failures"
        )


class CrashSession:
    """Start the kiosk with a replay reader, kill it with SIGKILL at a random moment, check
    the database; again and again on the same database file."""

    def __init__(
        self,
        home: KioskHome,
        seed: int,
        kill_window: tuple[float, float] = (0.5, 6.0),
        intervals: tuple[float, ...] = (0.5, 1.0),
        swipes_per_run: int = 14,
    ) -> None:
        self.home = home
        self.rng = random.Random(seed)
        self.kill_window = kill_window
        # Swipes every 0.5 s queue up behind the answer on screen (each shows for 1 s);
        # every 1.0 s each answer shows as soon as its check-in is committed.
        self.intervals = intervals
        self.swipes_per_run = swipes_per_run
        self.tally = CrashTally()
        self.checked_in: set[str] = set()  # students with a live check-in after the last kill

    def _swipes(self) -> list[str]:
        """This run's swipes: mostly students not yet confirmed, some already in (their
        repeat must not double), and one card swiped twice in a row."""
        names = list(self.home.students)
        fresh = [name for name in names if name not in self.checked_in]
        again = [name for name in names if name in self.checked_in]
        chosen = self.rng.sample(fresh, min(len(fresh), self.swipes_per_run - 4))
        chosen += self.rng.sample(again, min(len(again), 3))
        self.rng.shuffle(chosen)
        if chosen:
            twice = self.rng.randrange(len(chosen))
            chosen.insert(twice, chosen[twice])
        return [student_swipe(self.home.students[name]) for name in chosen]

    def cycle(self, after_answer: bool = False) -> DatabaseState:
        """One start, a kill, one look at the database. The kill comes at a random moment
        of ``kill_window`` seconds after the start, or (``after_answer``) within 0.3 s of the
        first confirmation appearing: the moment a lost write would show."""
        capture = self.home.inputs / f"run-{self.tally.kills:03d}.txt"
        with capture.open("w", encoding="utf-8") as handle:
            write_capture(self._swipes(), handle)
        interval = self.rng.choice(self.intervals)
        kill_after = self.rng.uniform(*self.kill_window)
        delay_after_answer = self.rng.uniform(0.0, 0.3)
        terminal = KioskTerminal(
            self.home.run_command(capture, interval), self.home.env()
        )
        shown: set[str] = set()
        ready_after: float | None = None
        try:
            started = time.monotonic()
            deadline = started + (ANSWER_TIMEOUT_S if after_answer else kill_after)
            while time.monotonic() < deadline:
                screen = terminal.screen()
                if terminal.dead():
                    raise AssertionError(f"the kiosk stopped by itself; the screen was:\n{screen}")
                if ready_after is None and (IDLE_PROMPT in screen or "Welcome" in screen):
                    ready_after = time.monotonic() - started
                names = confirmed_names(screen)
                if after_answer and names and not shown:
                    deadline = time.monotonic() + delay_after_answer
                shown |= names
                time.sleep(0.04)
            if after_answer and not shown:
                raise AssertionError(f"no confirmation within {ANSWER_TIMEOUT_S} s:\n{screen}")
            kill_after = time.monotonic() - started
            kill_kiosk(terminal)
            shown |= confirmed_names(terminal.screen())
        finally:
            terminal.close()
        state = read_database(self.home)
        tally = self.tally
        tally.kills += 1
        tally.kill_moments.append(kill_after)
        if ready_after is not None:
            tally.start_seconds.append(ready_after)
        self.checked_in = {name for name, count in state.live.items() if count}
        tally.shown |= shown
        tally.answers_seen += len(shown)
        tally.recorded = sum(state.live.values())
        tally.lost |= {name for name in tally.shown if state.live[name] == 0}
        tally.doubled |= set(state.doubled)
        if state.integrity != "ok":
            tally.integrity_failures.append(state.integrity)
        return state
