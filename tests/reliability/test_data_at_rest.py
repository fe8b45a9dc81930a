"""No card data at rest: after a session with payment cards (with sentinels and without),
encrypted-reader output, misreads and student cards, run through the real ``kiosk run`` (in
tmux, replay reader, ``-v``), ``kiosk parse``, ``kiosk verify``, ``kiosk readers capture``
and ``kiosk checkins export``, no file the kiosk wrote (database, WAL, SHM, logs, exports,
anything under its folders) and nothing it printed holds a card number (nor its masked
forms), track data or a swipe's raw text. Only a student's card_id may be kept, and the
capture file ``readers capture`` writes holds the student swipes it was asked to record
(never a payment card or encrypted output)."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest

from drivers.capture import write_capture
from kiosk.demo import DEMO_RULES
from tests.conftest import REPO_ROOT, load_corpus
from tests.reliability.harness import (
    EVENT,
    KioskHome,
    KioskTerminal,
    kill_kiosk,
    prepare_home,
    student_swipe,
)

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed: the kiosk runs in tmux"
)

ENCRYPTED = next(case["raw"] for case in load_corpus() if case["id"] == "kb-encrypted-pipe-output")
PAYMENT = {
    # PAN -> swipes carrying it
    "4111111111111111": [
        "%B4111111111111111^CARDHOLDER/TEST^28121011000000000000000?"
        ";4111111111111111=28121011000000000000?",
    ],
    "5350290149345177": [  # sualeh/magnetictrackparser's test card, with sentinels
        "%B5350290149345177^FATEHI/SUALEH^16042010000000000000000000000000000567001000?"
        ";5350290149345177=16042010000056700100?",
    ],
    "5266092201416174": [  # without sentinels (issue 10.1): track 1, track 2, both with CR
        "B5266092201416174^FATEHI/SUALEH^16042010000000000000000000000000000567001000",
        "5266092201416174=16042010000056700100",
        "B5266092201416174^FATEHI/SUALEH^1604201000000000000000\r5266092201416174=1604201000",
    ],
}
TRACK_DATA = ["FATEHI/SUALEH", "CARDHOLDER/TEST", "=1604201000", "=2812101100",
              "^16042010000", "^28121011000"]
ENCRYPTED_PIECES = ["9A9A9A9A9A9A9A9A", "5C5C5C5C5C5C5C5C", "ABABABABABABABAB", "4111********1111",
                    "CARDHOLDER/TEST"]
MISREADS = ["%E?;E?", "%E?", ";8001234"]
# A bank card cut off by the reader: 12 and 15 of its 16 digits (the 16th is its Luhn digit).
CUT_OFF_PAYMENT = ["%B526609220141", ";526609220141617"]
CAPTURED = "captured.txt"
KILLED_STATE = "state-when-killed"  # copies of the database, WAL and SHM right after the kill
STUDENT_NAME_FIELD = "QUOKKA/ZEBRAFINCH"


def masked_forms(pan: str) -> list[str]:
    """The ways a card number is shown masked: last 4 kept, or first 6 / 4 and last 4."""
    hidden = len(pan) - 4
    # More than the first 6 and last 4 digits is more than any receipt may show: the first
    # 12 of 16 (or all but the Luhn digit) give the number away.
    forms = [pan[:12], " ".join(pan[i : i + 4] for i in range(0, len(pan), 4))]
    for mask in "*X#x•":
        forms += [mask * hidden + pan[-4:], pan[:6] + mask * (hidden - 6) + pan[-4:],
                  pan[:4] + mask * (hidden - 4) + pan[-4:]]
    return forms


def needles(home: KioskHome, students: list[str]) -> dict[str, str]:
    """What must appear nowhere: text -> why."""
    found: dict[str, str] = {}
    for pan in PAYMENT:
        found |= {form: f"card number {pan}" for form in masked_forms(pan)}
    found |= {piece: "track data" for piece in TRACK_DATA}
    found |= {piece: "encrypted reader output" for piece in ENCRYPTED_PIECES}
    for name in students:
        card_id = home.students[name]
        found[f"{card_id}01"] = f"{name}'s raw swipe beyond the card_id"
    found[STUDENT_NAME_FIELD] = "a student card's track 1 name field"
    found |= {text: "a misread's raw text" for text in MISREADS}
    return found


def payment_needles() -> dict[str, str]:
    found: dict[str, str] = {}
    for pan in PAYMENT:
        found |= {form: f"card number {pan}" for form in masked_forms(pan)}
    return found | {piece: "track data" for piece in TRACK_DATA} | {
        piece: "encrypted reader output" for piece in ENCRYPTED_PIECES
    }


def leaks(data: bytes, searched: dict[str, str]) -> list[str]:
    hits = []
    for text, why in searched.items():
        for encoding in ("utf-8", "utf-16-le"):
            if text.encode(encoding) in data:
                hits.append(f"{why} ({text!r}, {encoding})")
    return hits


def files_under(folder: Path) -> Iterable[Path]:
    return (path for path in sorted(folder.rglob("*")) if path.is_file())


def session_swipes(home: KioskHome, students: list[str]) -> list[str]:
    """Payment cards, encrypted output and misreads first, the students' cards after them."""
    first, second, last = students
    swipes = [swipe for swipes in PAYMENT.values() for swipe in swipes]
    swipes += [ENCRYPTED, *MISREADS, *CUT_OFF_PAYMENT]
    swipes.insert(3, student_swipe(home.students[first]))
    swipes.append(f"%B{home.students[second]}^{STUDENT_NAME_FIELD}^2912?"
                  f"{student_swipe(home.students[second])}")
    swipes.append(student_swipe(home.students[last]))
    return swipes


def run_cli(home: KioskHome, *args: str) -> str:
    done = subprocess.run(
        home.kiosk(*args), capture_output=True, text=True, timeout=120, cwd=REPO_ROOT,
        env=dict(os.environ) | home.env(), check=False,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.stdout + done.stderr


@dataclass
class Session:
    home: KioskHome
    students: list[str]
    capture: Path  # the swipes, as the test wrote them (never scanned)
    printed: dict[str, bytes]  # what each command printed


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> Session:
    """One kiosk session (``kiosk run -v`` killed with SIGKILL once the last swipe is
    answered, so the WAL stays as it was), then the other commands on the same swipes."""
    home = prepare_home(tmp_path_factory.mktemp("at-rest"), students=12)
    students = sorted(home.students)[:3]
    capture = home.inputs / "session.txt"
    with capture.open("w", encoding="utf-8") as handle:
        write_capture(session_swipes(home, students), handle)
    terminal_bytes = home.inputs / "terminal-output.bin"  # raw bytes sent to the terminal
    terminal = KioskTerminal(home.run_command(capture, 0.5, "-v"), home.env())
    try:
        terminal.record_output(terminal_bytes)
        terminal.wait_for(f"Welcome, {students[-1]} T. — you're checked in", timeout=90)
        screen = terminal.screen()
        kill_kiosk(terminal)
    finally:
        terminal.close()
    # The database files as the kill left them (the commands below check the WAL in).
    killed = home.root / KILLED_STATE
    killed.mkdir()
    for path in home.state.glob("kiosk.sqlite3*"):
        shutil.copy2(path, killed / path.name)
    printed = {
        "kiosk run's screen": screen.encode(),
        "parse": run_cli(home, "parse", "--rules", str(DEMO_RULES), str(capture)).encode(),
        "verify": run_cli(
            home, "verify", "--roster", "db", "--swipes", str(capture), "--rules", str(DEMO_RULES)
        ).encode(),
        "capture": run_cli(
            home, "readers", "capture", "--reader", f"replay:{capture}?interval=0",
            "--timeout", "20", "-o", str(home.state / CAPTURED),
        ).encode(),
        "export": run_cli(
            home, "checkins", "export", "--event", EVENT, "--format", "full",
            "-o", str(home.state / "export.csv"),
        ).encode(),
    }
    for _ in range(50):  # tmux's pipe may lag the kill by a moment
        if terminal_bytes.exists() and terminal_bytes.stat().st_size:
            break
        time.sleep(0.1)
    printed["kiosk run's terminal output"] = terminal_bytes.read_bytes()
    return Session(home, students, capture, printed)


def test_the_session_happened_and_the_search_would_see_a_leak(session: Session) -> None:
    exported = (session.home.state / "export.csv").read_text(encoding="utf-8")
    assert all(f"{name.lower()}@example.edu" in exported for name in session.students)
    # The search finds every needle in the swipes themselves (so a leak would be seen).
    swipes = session.capture.read_bytes()
    for pan in PAYMENT:
        assert pan[:12].encode() in swipes
    assert len(leaks(swipes, needles(session.home, session.students))) >= 12


def test_the_kiosk_refused_every_bank_card(session: Session) -> None:
    """The audit keeps one row per refused card (the reader's name only)."""
    connection = sqlite3.connect(session.home.db_path)
    try:
        refused = connection.execute(
            "SELECT COUNT(*) FROM audit_event WHERE kind = 'payment_card_refused'"
        ).fetchone()[0]
    finally:
        connection.close()
    # + the encrypted one, + the cut-off ones (refused since the guard knows cut-off numbers)
    assert refused == sum(len(swipes) for swipes in PAYMENT.values()) + 1 + len(CUT_OFF_PAYMENT)
    # The capture file holds the student swipes (that is its job) and nothing refused.
    captured = (session.home.state / CAPTURED).read_text(encoding="utf-8")
    assert student_swipe(session.home.students[session.students[0]]) in captured


def test_no_file_the_kiosk_wrote_holds_card_data_or_raw_swipes(session: Session) -> None:
    """Database, WAL, SHM, the log file, exports, anything under the kiosk's folders."""
    home = session.home
    searched = needles(home, session.students)
    problems: list[str] = []
    scanned = []
    for path in files_under(home.root):
        if home.inputs in path.parents or path.name == CAPTURED:
            continue  # the test's own input files; the capture file: the next test
        scanned.append(path.name)
        problems += [f"{path.relative_to(home.root)}: {hit}"
                     for hit in leaks(path.read_bytes(), searched)]
    assert not problems, "\n".join(problems)
    assert "kiosk.sqlite3" in scanned, scanned
    assert (home.root / KILLED_STATE / "kiosk.sqlite3-wal").stat().st_size > 0


def test_the_capture_file_holds_no_payment_card_data(session: Session) -> None:
    """``readers capture -o`` keeps the student swipes it records, never a payment card."""
    hits = leaks((session.home.state / CAPTURED).read_bytes(), payment_needles())
    assert not hits, hits


@pytest.mark.parametrize("command", ["kiosk run's screen", "kiosk run's terminal output",
                                     "parse", "capture", "export"])
def test_nothing_printed_holds_card_data_or_raw_swipes(session: Session, command: str) -> None:
    hits = leaks(session.printed[command], needles(session.home, session.students))
    assert not hits, hits


def test_verify_prints_no_card_data(session: Session) -> None:
    """verify shows misreads' text by design (docs/verify.md), never a payment card's."""
    hits = leaks(session.printed["verify"], payment_needles())
    assert not hits, hits
