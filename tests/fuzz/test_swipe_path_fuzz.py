"""Fuzzing the swipe path from the wire to the database: serial bytes through the serial
driver's framer, evdev key-event sequences through the HID driver's decoder, capture-file
lines through the capture reader; whatever comes out goes through the check-in service on a
real SQLite file (card rules of the corpus). Real swipes from the corpus are mixed with noise.

No input may raise (a malformed capture line is a one-sentence CaptureFormatError); every
swipe gets one of the outcomes the student screen knows, whose message never repeats the
swipe's text."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from evdev import InputEvent, ecodes
from hypothesis import event, given, settings
from hypothesis import strategies as st
from sqlalchemy.engine import Engine

from drivers.base import Swipe
from drivers.capture import CaptureFormatError, parse_capture_text, read_capture
from drivers.framing import SwipeAssembler
from drivers.hid import EventDecoder
from drivers.keymap import DE, US, KeyDecoder
from drivers.serialport import SerialReader
from kiosk.cards.rules import load_rules
from kiosk.checkin import CheckInService
from kiosk.checkin.events import create_event
from kiosk.db.session import open_database
from kiosk.errors import UserError
from tests.checkin.roster import PEOPLE, add_students
from tests.conftest import FIXTURES, load_corpus
from tests.drivers.evdev_recording import Recorder
from tests.fuzz.test_import_fuzz import one_sentence

RULES = load_rules(FIXTURES / "cards" / "corpus-rules.toml")
OUTCOMES = {"checked_in", "already", "unknown", "archived", "refused", "misread", "noise"}
CORPUS = [case["raw"] for case in load_corpus()]
# What the checkin roster's students' cards send (tests/checkin/roster.py), so some fuzzed
# swipes really check someone in.
STUDENT_SWIPES = [f";{person.card_id}01?" for person in PEOPLE if person.card_id]
REAL = CORPUS + STUDENT_SWIPES
READER_BYTES = [b"\x02", b"\x03", b"\x1b", b"\x10", b"\r", b"\n", b"?", b";", b"%", b"^", b"="]


@pytest.fixture(scope="module")
def service(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CheckInService]:
    path = tmp_path_factory.mktemp("fuzz") / "kiosk.sqlite3"
    engine: Engine = open_database(f"sqlite:///{path}")
    add_students(engine, PEOPLE)
    event = create_event(engine, "Fuzz Fair")
    assert event.id is not None
    yield CheckInService(engine, event.id, RULES, kiosk_id="fuzz")
    engine.dispose()


def check_in_all(service: CheckInService, texts: list[str], reader: str) -> None:
    for text in texts:
        assert isinstance(text, str) and text
        outcome = service.handle_swipe(Swipe(text=text, reader=reader))
        assert outcome.kind in OUTCOMES
        event(outcome.kind)
        if len(text) >= 8:
            assert text not in outcome.message


# --- serial: bytes in bursts, with gaps ----------------------------------------------------

serial_bursts = st.lists(
    st.tuples(
        st.one_of(
            st.binary(max_size=48),
            st.sampled_from(REAL).map(lambda text: text.encode("latin-1", errors="replace")),
            st.lists(st.sampled_from(READER_BYTES), max_size=6).map(b"".join),
        ),
        st.floats(0, 1.5),  # seconds since the previous burst
    ),
    max_size=10,
)


@settings(max_examples=60)
@given(
    bursts=serial_bursts,
    lrc=st.sampled_from(["auto", "yes", "no"]),
    terminated=st.booleans(),
)
def test_serial_bytes_never_break_the_swipe_path(
    service: CheckInService, bursts: list[tuple[bytes, float]], lrc: str, terminated: bool
) -> None:
    reader = SerialReader("fuzz-serial", "serial:loop://", lambda: None, lrc=lrc,
                          terminated=terminated)
    framer = reader._new_framer()
    texts: list[str] = []
    at = 0.0
    for data, gap in bursts:
        at += gap
        finished = framer.poll(at)
        texts += [finished] if finished else []
        texts += framer.feed(data, at)
    texts += [text for text in (framer.poll(at + 5.0), framer.flush()) if text]
    check_in_all(service, texts, "fuzz-serial")


# --- HID: evdev events, real-looking and not ----------------------------------------------

KEY_CODES = sorted(set(ecodes.KEY) & set(range(0, 250)))
raw_events = st.tuples(
    st.sampled_from([ecodes.EV_KEY] * 6 + [ecodes.EV_SYN, ecodes.EV_MSC, ecodes.EV_REL]),
    st.one_of(st.sampled_from(KEY_CODES), st.integers(0, 0x2FF)),
    st.sampled_from([0, 1, 2, 1, 0, -1, 7]),
)


@st.composite
def event_sequences(draw: st.DrawFn) -> list[InputEvent]:
    recorder = Recorder()
    for _ in range(draw(st.integers(1, 6))):
        if draw(st.booleans()):
            text = draw(st.sampled_from(REAL))
            recorder.type_text("".join(c for c in text if c.isascii() and c.isprintable())
                               + "\n")
        else:
            for kind, code, value in draw(st.lists(raw_events, max_size=20)):
                if kind == ecodes.EV_SYN:
                    code = draw(st.sampled_from([ecodes.SYN_REPORT, ecodes.SYN_DROPPED]))
                recorder.raw(kind, code, value)
                recorder.wait(draw(st.sampled_from([0.0, 0.002, 0.05, 0.3])))
        recorder.wait(draw(st.sampled_from([0.0, 0.05, 0.2, 1.0])))
    return [InputEvent(*row) for row in recorder.rows]


@settings(max_examples=50)
@given(events=event_sequences(), layout=st.sampled_from([US, DE]))
def test_evdev_key_events_never_break_the_swipe_path(
    service: CheckInService, events: list[InputEvent], layout: object
) -> None:
    assembler = SwipeAssembler(0.1)
    decoder = EventDecoder(KeyDecoder(layout), assembler, "fuzz-hid")  # type: ignore[arg-type]
    texts: list[str] = []
    for item in events:
        finished = assembler.poll(item.timestamp())
        texts += [finished] if finished else []
        finished = decoder.handle(item)
        texts += [finished] if finished else []
    last = events[-1].timestamp() if events else 0.0
    texts += [text for text in (assembler.poll(last + 5.0), assembler.flush()) if text]
    check_in_all(service, texts, "fuzz-hid")


# --- capture files -------------------------------------------------------------------------

capture_lines = st.lists(
    st.one_of(
        st.text(max_size=60),
        st.text(alphabet="\\xuU0123456789abcdefgG#;?%^=rnt ", max_size=30),
        st.sampled_from(REAL),
    ),
    max_size=12,
)


@settings(max_examples=50)
@given(lines=capture_lines, ending=st.sampled_from(["\n", "\r\n", "\r"]))
def test_capture_lines_give_swipes_or_one_sentence(
    service: CheckInService, lines: list[str], ending: str
) -> None:
    try:
        swipes = parse_capture_text(ending.join(lines))
    except CaptureFormatError as error:
        assert one_sentence(str(error)), str(error)
        return
    check_in_all(service, [swipe.text for swipe in swipes if swipe.text], "fuzz-capture")


@settings(max_examples=50)
@given(data=st.binary(max_size=200))
def test_any_capture_file_reads_or_is_refused_in_one_sentence(
    tmp_path_factory: pytest.TempPathFactory, data: bytes
) -> None:
    path: Path = tmp_path_factory.mktemp("capture") / "swipes.txt"
    path.write_bytes(data)
    try:
        swipes = read_capture(path)
    except UserError as error:
        assert one_sentence(str(error)), str(error)
        return
    assert all(isinstance(swipe.text, str) for swipe in swipes)
