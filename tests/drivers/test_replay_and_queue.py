from __future__ import annotations

import asyncio
import logging
from pathlib import Path

import pytest

from drivers.base import BackgroundReader, Reader, ReaderStatus, Swipe
from drivers.capture import CaptureFormatError, write_capture
from drivers.readers import open_reader
from drivers.replay import QueueReader, ReplayReader
from kiosk.errors import UsageError


def _capture(tmp_path: Path, texts: list[str]) -> Path:
    path = tmp_path / "swipes.txt"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("# recorded at the fair\n")
        write_capture(texts, handle)
    return path


async def _take(reader: Reader, count: int, timeout: float = 5.0) -> list[Swipe]:
    got: list[Swipe] = []

    async def collect() -> None:
        async for swipe in reader.swipes():
            got.append(swipe)
            if len(got) == count:
                return

    await asyncio.wait_for(collect(), timeout)
    return got


async def test_replay_emits_capture_swipes_in_order_then_stops(tmp_path: Path) -> None:
    texts = [";90123456701?", "%B1^A?\n;1=2?", "\x02;1?\x03"]
    reader = ReplayReader(_capture(tmp_path, texts), interval=0.01, name="replayed")
    statuses: list[ReaderStatus] = []
    reader.on_status = statuses.append
    assert isinstance(reader, Reader)
    assert reader.status.state == "connected"
    swipes = [s async for s in reader.swipes()]
    assert [s.text for s in swipes] == texts
    assert {s.reader for s in swipes} == {"replayed"}
    assert [s.state for s in statuses] == ["stopped"]


async def test_replay_loops_and_close_ends_the_stream(tmp_path: Path) -> None:
    reader = open_reader(f"replay:{_capture(tmp_path, ['a1', 'b2'])}?interval=0.005&loop=1")
    swipes = await _take(reader, 5)
    assert [s.text for s in swipes] == ["a1", "b2", "a1", "b2", "a1"]
    await reader.close()
    assert reader.status.state == "stopped"
    assert [s async for s in reader.swipes()] == []


async def test_replay_waits_the_interval_between_swipes(tmp_path: Path) -> None:
    reader = ReplayReader(_capture(tmp_path, ["x1", "x2", "x3"]), interval=0.05)
    swipes = [s async for s in reader.swipes()]
    gaps = [b.monotonic - a.monotonic for a, b in zip(swipes, swipes[1:], strict=False)]
    assert all(gap >= 0.045 for gap in gaps), gaps


def test_replay_of_a_missing_or_empty_file_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(CaptureFormatError, match="does not exist"):
        open_reader(f"replay:{tmp_path / 'nope.txt'}")
    empty = _capture(tmp_path, [])
    with pytest.raises(UsageError, match="no swipes"):
        open_reader(f"replay:{empty}?loop=1")
    with pytest.raises(UsageError, match="interval=soon is not a number"):
        open_reader(f"replay:{empty}?interval=soon")


async def test_queue_reader_delivers_pushed_text_and_drops_empty_noise() -> None:
    reader = QueueReader("front desk")
    reader.push(";123?")
    reader.push("")
    reader.push("%B9^X?")
    swipes = await _take(reader, 2)
    assert [(s.reader, s.text) for s in swipes] == [
        ("front desk", ";123?"),
        ("front desk", "%B9^X?"),
    ]
    await reader.close()


async def test_swipe_text_is_never_logged(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    reader = open_reader("queue:demo")
    reader_text = ";6009999012345675=2908?"
    assert isinstance(reader, QueueReader)
    reader.push(reader_text)
    (swipe,) = await _take(reader, 1)
    assert swipe.text == reader_text
    assert "6009999012345675" not in caplog.text
    assert "reader demo: swipe of 23 characters" in caplog.text


async def test_a_failing_reader_raises_from_swipes() -> None:
    class Broken(BackgroundReader):
        async def _run(self) -> None:
            raise RuntimeError("bug in a driver")

    with pytest.raises(RuntimeError, match="bug in a driver"):
        async for _ in Broken("broken", "test").swipes():
            pass
