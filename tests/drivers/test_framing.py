"""The shared idle-gap assembler: table-driven timing cases and a splitting property."""

from __future__ import annotations

import asyncio
import time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from drivers.framing import SourceClock, SwipeAssembler, next_or_idle
from drivers.serialport import SerialFramer, trailing_byte_dropper


def _keys(assembler: SwipeAssembler, text: str, start: float, step: float) -> list[str]:
    done = []
    for index, char in enumerate(text):
        at = start + index * step
        result = (
            assembler.add_terminator("\n", at) if char == "\n" else assembler.add_text(char, at)
        )
        if result is not None:
            done.append(result)
    return done


def test_keyboard_swipe_ends_at_the_idle_gap_and_drops_the_final_enter() -> None:
    assembler = SwipeAssembler(0.1)
    assert _keys(assembler, ";123?\n", 0.0, 0.004) == []
    assert assembler.deadline == pytest.approx(0.02 + 0.1)
    assert assembler.poll(0.11) is None
    assert assembler.poll(0.121) == ";123?"
    assert not assembler.pending


def test_enter_per_track_within_the_gap_is_one_swipe_with_the_enter_kept() -> None:
    assembler = SwipeAssembler(0.1)
    _keys(assembler, "%A?\n", 0.0, 0.004)
    _keys(assembler, ";1?\n", 0.06, 0.004)
    assert assembler.flush() == "%A?\n;1?"


def test_a_key_after_the_gap_finishes_the_previous_swipe() -> None:
    assembler = SwipeAssembler(0.1)
    _keys(assembler, ";1?\n", 0.0, 0.004)
    assert _keys(assembler, ";2?\n", 1.0, 0.004) == [";1?"]


def test_lone_enter_is_noise() -> None:
    assembler = SwipeAssembler(0.1)
    _keys(assembler, "\n", 0.0, 0.004)
    assert assembler.poll(1.0) is None
    assert not assembler.pending


def test_serial_needs_a_terminator_then_gives_up_after_the_partial_timeout() -> None:
    assembler = SwipeAssembler(0.1, require_terminator=True, partial_timeout=0.5)
    assembler.add_text(";6009", 0.0)
    assert assembler.poll(0.3) is None
    assert assembler.deadline == 0.5
    assert assembler.poll(0.5) == ";6009"


def test_discard_until_gap_drops_the_rest_of_a_damaged_swipe() -> None:
    assembler = SwipeAssembler(0.1)
    _keys(assembler, ";11", 0.0, 0.004)
    assembler.discard_until_gap()
    assert _keys(assembler, "22?\n", 0.02, 0.004) == []
    assert assembler.poll(0.5) is None  # the gap ends the discarding, nothing is emitted
    assert _keys(assembler, ";3?\n", 1.0, 0.004) == []
    assert assembler.flush() == ";3?"


def test_segment_filter_runs_per_track() -> None:
    assembler = SwipeAssembler(0.1, close_segment=lambda s: s.upper())
    assembler.add_text("a", 0.0)
    assembler.add_terminator("\r", 0.0)
    assembler.add_text("b", 0.0)
    assert assembler.flush() == "A\rB"


@given(
    cuts=st.lists(st.integers(min_value=1, max_value=60), max_size=8),
    gaps=st.lists(st.floats(min_value=0.0, max_value=0.099), min_size=8, max_size=8),
)
def test_any_split_within_the_gap_gives_the_same_single_swipe(
    cuts: list[int], gaps: list[float]
) -> None:
    frame = b"\x02\x1b%B6009^TESTER/A^29?\r;6009=29?0\r\x03"
    framer = SerialFramer(
        SwipeAssembler(0.1, require_terminator=True, close_segment=trailing_byte_dropper("auto"))
    )
    at, start, out = 0.0, 0, []
    for cut, gap in zip(sorted(set(cuts)), gaps, strict=False):
        out += framer.feed(frame[start:cut], at)
        start, at = cut, at + gap
    out += framer.feed(frame[start:], at)
    assert out == []
    assert framer.poll(at + 0.1001) == "%B6009^TESTER/A^29?\r;6009=29?"  # sensor digit dropped


async def test_next_or_idle_returns_items_or_none_at_the_deadline() -> None:
    queue: asyncio.Queue[str] = asyncio.Queue()
    assembler = SwipeAssembler(0.05)
    clock = SourceClock()
    clock.mark(1000.0)  # source clock far from time.monotonic(): only differences matter
    assembler.add_text("x", 1000.0)
    queue.put_nowait("next")
    assert await next_or_idle(queue, assembler, clock) == "next"
    started = time.monotonic()
    assert await next_or_idle(queue, assembler, clock) is None
    assert 0.03 < time.monotonic() - started < 1.0
    assert assembler.poll(clock.now()) == "x"
