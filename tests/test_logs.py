"""Logs: card data is masked and ordinary words are not; while the full-screen kiosk runs,
log records go to an owner-only file in the state directory and never to its terminal."""

from __future__ import annotations

import io
import json
import logging
import os
import re
import select
import shutil
import sqlite3
import stat
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.checkin.events import create_event
from kiosk.checkin.staff import set_pin
from kiosk.db.session import open_database
from kiosk.demo import DEMO_RULES, SAMPLE_ROSTER
from kiosk.errors import UserError
from kiosk.logs import LOG_FILE_NAME, logs_to_file, redact, redacted_traceback
from kiosk.roster import import_roster
from tests.conftest import FIXTURES, load_corpus

KEPT = [
    "check-in not saved: database unavailable (OperationalError)",
    "a swipe could not be handled (IntegrityError)",
    "unrecognized card on left (rule plus-iss)",
    "unrecognized card on front-desk (rule track2-campus)",
    "reader hid 0801:0001: read failed (No such device)",
    "reader ttyUSB0: port lost (SerialException)",
    "reader Mag-Tek_USB_Swipe_Reader: swipe of 86 characters",
    "swipe on keyboard: checked_in",
    "check-in 4127 undone by staff",
    "rules file /etc/swipe-kiosk/card-rules.toml; 3 rules; 2 readers",
    "export written 2026-12-04 17:20:40; 12 rows",
    "database postgresql+psycopg://kiosk:***@db.example.edu/kiosk unavailable",
]

# (log message with card data, the card data that must not survive)
MASKED = [
    ("swipe %B4111111111111111^DOE/JANE^2512101000000000000000000? on left",
     ["4111111111111111", "DOE/JANE", "2512101"]),
    ("no sentinel: B5266092201416174^FATEHI/SUALEH^16041010000000000000000 refused",
     ["5266092201416174", "FATEHI/SUALEH", "1604101"]),
    ("track 1 cut after the name: %B4111111111111111^SMITH/JOHN Q MR",
     ["4111111111111111", "SMITH/JOHN"]),
    ("name field alone: ^TESTER/ALEX^ from a misread", ["TESTER/ALEX"]),
    ("track 2 ;4111111111111111=25121010000000000000? refused", ["4111111111111111", "2512101"]),
    ("both tracks without sentinels 4111111111111111=2512101 4111111111111111",
     ["4111111111111111", "2512101"]),
    ("campus card ;90123456701? unknown", ["90123456701", "901234567"]),
    ("short campus card ;123456? unknown", ["123456"]),
    ("card_id 901234567 matched no student", ["901234567"]),
    ("pan 4111 1111 1111 1111 or 3782-822463-10005", ["4111 1111", "822463", "10005"]),
    ("track 3 +0123456789=1234? kept?", ["0123456789"]),
]


@pytest.mark.parametrize("message", KEPT)
def test_ordinary_log_messages_are_left_whole(message: str) -> None:
    assert redact(message) == message


@pytest.mark.parametrize(("message", "secrets"), MASKED)
def test_card_data_in_a_log_message_is_masked(message: str, secrets: list[str]) -> None:
    redacted = redact(message)
    for secret in secrets:
        assert secret not in redacted
    first_word = message.split()[0]
    assert redacted.startswith(first_word)  # the words around the card data stay


PAYMENT_VECTORS = [
    json.loads(line)
    for line in (FIXTURES / "cards" / "public-payment-vectors.jsonl").read_text().splitlines()
    if line.strip()
]


def test_public_bank_card_vectors_and_corpus_swipes_are_masked_in_a_log_line() -> None:
    """Swipes from other projects' test suites and from our corpus, pasted into a log line
    by mistake: no card number, no long digit run, no track 1 name survives."""
    for vector in PAYMENT_VECTORS:
        redacted = redact(f"swipe {vector['swipe']} on left")
        assert vector["pan"] not in redacted and "FATEHI" not in redacted, vector["source"]
        assert not re.search(r"\d{8,}", redacted), redacted
        assert redacted.startswith("swipe ") and redacted.endswith(" on left")
    for swipe in load_corpus():
        redacted = redact(f"swipe {swipe['raw']} on left")
        assert not re.search(r"\d{8,}|\^[A-Z]", redacted), (swipe["id"], redacted)


def test_a_crash_report_keeps_its_markers_and_loses_the_card() -> None:
    """Python's ~~~^^^^ markers under the failing expression are not track 1 name fields."""

    def fail(swipe: dict[str, str]) -> str:
        return swipe["text"] + swipe["card"]

    try:
        fail({"text": "%B4111111111111111^DOE/JANE^2512?"})
    except KeyError as error:
        report = redacted_traceback(error)
    assert "~~~~~^^^^^^^^" in report and "KeyError: 'card'" in report
    assert "4111111111111111" not in report  # the test's own source line, shown, is masked

    try:
        raise ValueError("cannot read %B4111111111111111^DOE/JANE^2512?")
    except ValueError as error:
        report = redacted_traceback(error)
    assert "ValueError: cannot read [track redacted]" in report and "DOE" not in report


@pytest.fixture
def root_logger() -> Iterator[logging.Logger]:
    root = logging.getLogger()
    handlers, level = list(root.handlers), root.level
    root.setLevel(logging.INFO)
    yield root
    root.handlers[:] = handlers
    root.setLevel(level)


def test_while_the_kiosk_runs_logs_go_to_the_file_not_the_terminal(
    tmp_path: Path, root_logger: logging.Logger
) -> None:
    """A handler writing to a terminal (a real pty) gets nothing while in logs_to_file, a
    handler writing elsewhere (the journal) still does; afterwards all is as before."""
    master, slave = os.openpty()
    terminal_stream = os.fdopen(slave, "w")
    terminal = logging.StreamHandler(terminal_stream)
    journal_stream = io.StringIO()
    journal = logging.StreamHandler(journal_stream)
    root_logger.addHandler(terminal)
    root_logger.addHandler(journal)
    log = logging.getLogger("kiosk.checkin.service")
    path = tmp_path / LOG_FILE_NAME
    try:
        with logs_to_file(path):
            log.error("check-in not saved: database unavailable (%s)", "OperationalError")
            log.info("swipe ;90123456701? on left")
        assert not select.select([master], [], [], 0.2)[0], "a log line reached the terminal"
        written = path.read_text()
        assert "ERROR kiosk.checkin.service: check-in not saved: database unavailable " \
               "(OperationalError)" in written
        assert "90123456701" not in written and "swipe [track redacted] on left" in written
        assert "database unavailable" in journal_stream.getvalue()
        assert terminal in root_logger.handlers
        log.error("after the kiosk")
        assert select.select([master], [], [], 2)[0]
        assert b"after the kiosk" in os.read(master, 4096)
    finally:
        terminal_stream.close()
        os.close(master)


def test_the_log_file_and_its_rotated_copies_are_owner_only(
    tmp_path: Path, root_logger: logging.Logger, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("kiosk.logs.LOG_FILE_BYTES", 300)
    previous = os.umask(0o000)
    try:
        with logs_to_file(tmp_path / LOG_FILE_NAME):
            for number in range(40):
                logging.getLogger("kiosk.test").warning("reader left stopped (%d)", number)
    finally:
        os.umask(previous)
    names = sorted(path.name for path in tmp_path.iterdir())
    assert names == ["kiosk.log", "kiosk.log.1", "kiosk.log.2", "kiosk.log.3"]
    assert {oct(stat.S_IMODE((tmp_path / n).stat().st_mode)) for n in names} == {"0o600"}


def test_a_log_file_that_cannot_be_written_is_one_sentence(
    tmp_path: Path, root_logger: logging.Logger
) -> None:
    handlers = list(root_logger.handlers)
    unwritable = logs_to_file(tmp_path / "missing" / LOG_FILE_NAME)
    with pytest.raises(UserError, match="Cannot write the kiosk's log file .* check that"):
        unwritable.__enter__()
    assert root_logger.handlers == handlers


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_an_error_while_the_kiosk_runs_is_in_the_log_file_and_not_on_screen(
    tmp_path: Path,
) -> None:
    """The real ``kiosk run`` in a terminal, at its default log level: a swipe arrives while
    another program holds the database's write lock, the check-in fails with an ERROR log.
    The record is in $STATE_DIRECTORY/kiosk.log; the screen never shows it."""
    from tests.tui.test_e2e_tmux import Terminal

    state = tmp_path / "state"
    state.mkdir()
    database = state / "kiosk.sqlite3"
    engine = open_database(f"sqlite:///{database}")
    import_roster(engine, SAMPLE_ROSTER)
    create_event(engine, "Log Fair")
    set_pin(engine, "13579")
    engine.dispose()
    command = ["env", f"STATE_DIRECTORY={state}", sys.executable, "-m", "kiosk", "run",
               "--event", "Log Fair", "--reader", "terminal", "--rules", str(DEMO_RULES)]
    terminal = Terminal(command, tmp_path)
    blocker = sqlite3.connect(database, isolation_level=None)
    try:
        terminal.wait_for("Swipe your student ID")
        blocker.execute("BEGIN IMMEDIATE")  # the kiosk can read but not write
        terminal.type_like_a_reader(";90123456701?")
        log_file = state / LOG_FILE_NAME
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if log_file.exists() and "database unavailable" in log_file.read_text():
                break
            time.sleep(0.2)
        written = log_file.read_text()
        assert "ERROR kiosk.checkin.service: check-in not saved: database unavailable (" \
            in written
        time.sleep(0.5)  # anything written to the terminal would be on screen by now
        screen = terminal.screen()
        assert "Swipe your student ID" in screen or "staff" in screen.lower()
        assert "check-in not saved" not in screen and "ERROR" not in screen
        assert "kiosk.checkin" not in screen
    finally:
        blocker.close()
        terminal.close()
