"""Serial readers over real pty pairs: a simulated reader writes the corpus's framings."""

from __future__ import annotations

import asyncio
import contextlib
import errno
import os
import threading
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest
import serial

from drivers.base import ReaderStatus, Swipe
from drivers.framing import SwipeAssembler
from drivers.readers import open_reader
from drivers.reconnecting import RESCAN_INTERVAL
from drivers.serialport import (
    SerialFramer,
    SerialReader,
    port_opener,
    trailing_byte_dropper,
)
from tests.conftest import load_corpus

SERIAL_CASES = [case for case in load_corpus() if case["transport"] == "serial"]
T1 = "%B6009999012345675^TESTER/ALEX J^2908120000000000?"
T2 = ";6009999012345675=29081200000000000?"
MARKER = ";999?"


def _expected(case_id: str, raw: str) -> list[str]:
    """What the driver must deliver for each corpus serial case."""
    table = {
        "serial-magtek-default": [T1 + T2],
        "serial-magtek-stx-esc-etx": [T1 + T2],
        "serial-magtek-card-present-notice": [],
        "serial-magtek-signon": [],
        "serial-idtech-format": [T1 + "\r" + T2],
        "serial-idtech-uic-stx-dle": [";90123456701?"],  # LRC '<' removed
        "serial-magtek-payment": [raw.strip("\x02\x1b\r\x03")],
        # Binary frame: STX/ETX vanish, everything else (masked PAN, KSN bytes) stays.
        "serial-securemag-encrypted-payment": ["".join(c for c in raw if c not in "\x02\x03")],
    }
    return table[case_id]


class SimulatedReader:
    """A pty pair; the driver opens the slave through a symlink that can be re-pointed."""

    def __init__(self, link: Path) -> None:
        self.link = link
        self.master, self.slave = os.openpty()
        if link.is_symlink():
            link.unlink()
        os.symlink(os.ttyname(self.slave), link)

    def write(self, data: bytes | str) -> None:
        os.write(self.master, data.encode("latin-1") if isinstance(data, str) else data)

    def vanish(self) -> None:
        """USB unplugged: the tty goes away under the driver."""
        os.close(self.master)
        os.close(self.slave)
        self.link.unlink()


@pytest.fixture
def pty_reader(tmp_path: Path) -> Iterator[SimulatedReader]:
    simulated = SimulatedReader(tmp_path / "ttyREADER")
    yield simulated
    for fd in (simulated.master, simulated.slave):
        with contextlib.suppress(OSError):
            os.close(fd)


class Collector:
    def __init__(self, reader: SerialReader) -> None:
        self.reader = reader
        self.swipes: list[Swipe] = []
        self.statuses: list[ReaderStatus] = []
        reader.on_status = self.statuses.append
        self.task = asyncio.ensure_future(self._run())

    async def _run(self) -> None:
        async for swipe in self.reader.swipes():
            self.swipes.append(swipe)

    async def connected(self, timeout: float = 3.0) -> None:
        await self._until(lambda: self.reader.status.state == "connected", timeout)

    async def until_count(self, count: int, timeout: float = 5.0) -> list[str]:
        await self._until(lambda: len(self.swipes) >= count, timeout)
        return [s.text for s in self.swipes]

    async def until_marker(self, timeout: float = 5.0) -> list[str]:
        await self._until(lambda: any(s.text == MARKER for s in self.swipes), timeout)
        texts = [s.text for s in self.swipes]
        self.swipes.clear()
        return texts[: texts.index(MARKER)]

    async def _until(self, condition: object, timeout: float) -> None:
        loop = asyncio.get_running_loop()
        end = loop.time() + timeout
        while not condition():  # type: ignore[operator]
            assert loop.time() < end, f"timed out; status {self.reader.status}"
            assert not self.task.done(), self.task.exception()
            await asyncio.sleep(0.01)

    async def close(self) -> None:
        await self.reader.close()
        await asyncio.wait_for(self.task, 2)


@pytest.fixture
async def collector(pty_reader: SimulatedReader) -> AsyncIterator[Collector]:
    reader = open_reader(f"serial:{pty_reader.link}?gap=0.2&partial=0.6", name="desk")
    assert isinstance(reader, SerialReader)
    collected = Collector(reader)
    await collected.connected()
    yield collected
    await collected.close()


@pytest.mark.parametrize("case", SERIAL_CASES, ids=[c["id"] for c in SERIAL_CASES])
async def test_corpus_serial_framings(
    case: dict[str, object], pty_reader: SimulatedReader, collector: Collector
) -> None:
    raw = str(case["raw"])
    pty_reader.write(raw)
    await asyncio.sleep(0.35)  # more than the idle gap
    pty_reader.write(MARKER + "\r")
    assert await collector.until_marker() == _expected(str(case["id"]), raw)
    assert {s.reader for s in collector.swipes} <= {"desk"}


async def test_a_swipe_split_into_bursts_is_one_swipe(
    pty_reader: SimulatedReader, collector: Collector
) -> None:
    data = "\x02\x1b" + T1 + T2 + "\r\x03"
    for start in range(0, len(data), 17):
        pty_reader.write(data[start : start + 17])
        await asyncio.sleep(0.02)
    assert await collector.until_count(1) == [T1 + T2]


async def test_cr_after_each_track_with_a_pause_is_one_swipe(
    pty_reader: SimulatedReader, collector: Collector
) -> None:
    pty_reader.write(T1 + "\r")
    await asyncio.sleep(0.03)  # well inside the 0.2 s idle gap
    pty_reader.write(T2 + "\r\n")
    assert await collector.until_count(1) == [T1 + "\r" + T2]


async def test_several_frames_in_one_write_stay_apart(
    pty_reader: SimulatedReader, collector: Collector
) -> None:
    frames = "\x02\x1b1\r\x03" + "\x02\x1b;111?\r\x03" + "\x02\x1b;222?0\r\x03"
    pty_reader.write(frames)
    assert await collector.until_count(2) == [";111?", ";222?"]  # notice dropped, sensor digit


async def test_a_partial_swipe_is_given_up_after_the_partial_timeout(
    pty_reader: SimulatedReader, collector: Collector
) -> None:
    pty_reader.write(";60099990123")
    await asyncio.sleep(0.3)  # past the idle gap, before the partial timeout
    assert collector.swipes == []  # a gap without terminator does not end a serial swipe
    assert await collector.until_count(1) == [";60099990123"]


async def test_sign_on_after_dtr_then_a_swipe(
    pty_reader: SimulatedReader, collector: Collector
) -> None:
    pty_reader.write("21088838A01\r")
    await asyncio.sleep(0.35)
    pty_reader.write(T2 + "\r")
    assert await collector.until_count(1) == [T2]


async def test_a_port_that_vanishes_is_reopened_when_it_returns(tmp_path: Path) -> None:
    link = tmp_path / "ttyUSB-reader"
    first = SimulatedReader(link)
    reader = open_reader(f"serial:{link}")
    assert isinstance(reader, SerialReader)
    reader.rescan_interval = 0.1
    collected = Collector(reader)
    await collected.connected()
    first.write(";111?\r")
    assert await collected.until_count(1) == [";111?"]

    first.vanish()
    await collected._until(lambda: reader.status.state == "missing", 3.0)
    await asyncio.sleep(0.3)
    assert reader.status.state == "missing"

    second = SimulatedReader(link)
    await collected.connected()  # reopened by a rescan; the default interval keeps it < 2 s
    assert RESCAN_INTERVAL <= 1.0
    second.write(";222?\r")
    assert await collected.until_count(2) == [";111?", ";222?"]
    assert [s.state for s in collected.statuses] == ["connected", "missing", "connected"]
    await collected.close()
    os.close(second.master)
    os.close(second.slave)


async def test_no_permission_names_the_udev_fix() -> None:
    def denied() -> object:
        raise serial.SerialException(errno.EACCES, "could not open port: Permission denied")

    reader = SerialReader("desk", "serial:/dev/ttyUSB0", denied, rescan_interval=0.05)
    collected = Collector(reader)
    await collected._until(lambda: reader.status.state == "no_permission", 2.0)
    assert "99-swipe-kiosk-readers.rules" in reader.status.message
    assert "udevadm control --reload && sudo udevadm trigger" in reader.status.message
    await collected.close()


def test_config_options_reach_the_port(pty_reader: SimulatedReader) -> None:
    """kiosk.toml passes options as keywords (config/kiosk.example.toml: baudrate = 9600)."""
    reader = open_reader(f"serial:{pty_reader.link}", "right", baudrate=4800, parity="E")
    assert isinstance(reader, SerialReader)
    port = reader._open()
    try:
        assert (port.baudrate, port.parity, port.bytesize, port.stopbits) == (4800, "E", 8, 1)
    finally:
        port.close()


def test_port_opener_asserts_dtr_and_applies_settings() -> None:
    port = port_opener("loop://", baudrate=1200, bytesize=7, parity="E", stopbits=1)()
    try:
        assert port.dtr is True
        assert (port.baudrate, port.bytesize, port.parity) == (1200, 7, "E")
    finally:
        port.close()


@pytest.mark.parametrize(
    ("mode", "segment", "kept"),
    [
        ("auto", ";901?<", ";901?"),
        ("auto", "%A?;1?0", "%A?;1?"),
        ("auto", "%A?;", "%A?;"),
        ("auto", "901", "901"),
        ("yes", ";1?;", ";1?"),
        ("no", ";901?<", ";901?<"),
    ],
)
def test_trailing_lrc_and_sensor_digit(mode: str, segment: str, kept: str) -> None:
    drop = trailing_byte_dropper(mode)
    assert (drop(segment) if drop else segment) == kept


def test_framer_rules_without_timing() -> None:
    framer = SerialFramer(SwipeAssembler(0.1, require_terminator=True, partial_timeout=1.0))
    assert framer.feed(b"\x02\x1b;1?\r\x03\x02;2?", 0.0) == [";1?"]
    assert framer.feed(b"\r", 0.05) == []
    assert framer.poll(0.14) is None
    assert framer.poll(0.16) == ";2?"
    assert framer.feed(b"%A?\r;B?\r\n", 1.0) == []
    assert framer.poll(1.2) == "%A?\r;B?"


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("serial:", "must name a port"),
        ("serial:vid=zz", "vid=zz is not a 4-digit hex USB ID"),
        ("serial:loop://?parity=Q", "parity=Q is not one of"),
        ("serial:loop://?bytesize=9", "bytesize must be 5 to 8"),
        ("serial:loop://?lrc=maybe", "lrc=maybe is not one of"),
    ],
)
def test_bad_serial_specs(spec: str, message: str) -> None:
    from kiosk.errors import UsageError

    with pytest.raises(UsageError, match=message):
        open_reader(spec)


async def test_a_tty_is_read_on_readiness_without_a_thread(
    pty_reader: SimulatedReader, collector: Collector
) -> None:
    await collector.connected()
    pty_reader.write(T2 + "\r")
    assert await collector.until_count(1) == [T2]
    assert not [t for t in threading.enumerate() if t.name == "serial reader"]


async def test_a_url_port_without_a_descriptor_is_read_in_a_thread() -> None:
    ports: list[object] = []

    def open_loop_port() -> object:
        port = port_opener("loop://", baudrate=9600, bytesize=8, parity="N", stopbits=1)()
        ports.append(port)
        return port

    reader = SerialReader("loop", "serial:loop://", open_loop_port, idle_gap=0.05)
    collected = Collector(reader)
    await collected.connected()
    ports[0].write((T2 + "\r").encode())  # type: ignore[attr-defined]
    assert await collected.until_count(1) == [T2]
    assert [t for t in threading.enumerate() if t.name == "serial reader"]
    await collected.close()
    assert not [t for t in threading.enumerate() if t.name == "serial reader"]
