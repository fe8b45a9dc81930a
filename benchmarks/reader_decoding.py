"""Benchmark: the CPU cost of turning reader input into swipes, against reader speed.

Prints, all measured in this run, each path against its own floor (the same loop doing
nothing but touching its input: ``event.type``, decoding the read's bytes, computing key times):

- the HID path (``drivers.hid.EventDecoder``: keymap + SYN/MSC filtering + idle-gap framing)
  over N recorded MagTek swipes (track 1+2+3, 127 key presses and 762 events each, with
  MSC_SCAN and SYN_REPORT noise): events/s, microseconds per swipe, ratio to the floor;
- the serial path (``drivers.serialport.SerialFramer``) over the same swipes as framed bytes
  (STX ESC … CR ETX) in 16-byte reads;
- the terminal detector (``drivers.terminal.KeyTimingDetector``) over the same text as keys;
- the headroom: how many times faster than a reader types (one key every 4 ms) each path is.

Usage: python benchmarks/reader_decoding.py [--swipes 2000]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from evdev import InputEvent

from drivers.framing import SwipeAssembler
from drivers.hid import EventDecoder
from drivers.keymap import US, KeyDecoder
from drivers.serialport import SerialFramer, trailing_byte_dropper
from drivers.terminal import KeyTimingDetector

RECORDING = (
    Path(__file__).resolve().parent.parent / "tests/fixtures/evdev/magtek-us-three-tracks.json"
)
READER_KEY_INTERVAL = 0.004


def _events(swipes: int) -> tuple[list[InputEvent], int]:
    rows = json.loads(RECORDING.read_text(encoding="utf-8"))["events"]
    start = rows[0][0] + rows[0][1] / 1e6
    span = rows[-1][0] + rows[-1][1] / 1e6 - start + 1.0  # one second between swipes
    events = []
    for index in range(swipes):
        shift = index * span
        for sec, usec, type_, code, value in rows:
            at = sec + usec / 1e6 + shift
            events.append(
                InputEvent(int(at), int(round(at % 1 * 1e6)) % 1_000_000, type_, code, value)
            )
    presses = sum(1 for _, _, type_, _, value in rows if type_ == 1 and value == 1)
    return events, presses


def _floors(events: list[InputEvent], text: str, swipes: int) -> tuple[float, float, float]:
    """The same loops as the three paths, doing nothing but touching their input."""
    started = time.perf_counter()
    total = 0
    for event in events:
        total += event.type
    hid = time.perf_counter() - started
    frame = ("\x02\x1b" + text + "\r\x03").encode("latin-1")
    started = time.perf_counter()
    for index in range(swipes):
        for offset in range(0, len(frame), 16):
            total += len(frame[offset : offset + 16].decode("latin-1")) + index
    serial = time.perf_counter() - started
    keys = [("\r", "enter") if c == "\n" else (c, c) for c in text + "\n"]
    started = time.perf_counter()
    for index in range(swipes):
        for number, (_character, _key) in enumerate(keys):
            total += int(index * 1.0 + number * READER_KEY_INTERVAL)
    terminal = time.perf_counter() - started
    return hid, serial, terminal


def _hid(events: list[InputEvent]) -> tuple[float, int]:
    assembler = SwipeAssembler(0.1)
    decoder = EventDecoder(KeyDecoder(US), assembler, "bench")
    count = 0
    started = time.perf_counter()
    for event in events:
        if decoder.handle(event) is not None:
            count += 1
    if assembler.flush() is not None:
        count += 1
    return time.perf_counter() - started, count


def _serial(text: str, swipes: int) -> tuple[float, int]:
    frame = ("\x02\x1b" + text + "\r\x03").encode("latin-1")
    framer = SerialFramer(
        SwipeAssembler(0.1, require_terminator=True, close_segment=trailing_byte_dropper("auto"))
    )
    count = 0
    started = time.perf_counter()
    for index in range(swipes):
        at = index * 1.0
        for offset in range(0, len(frame), 16):
            count += len(framer.feed(frame[offset : offset + 16], at + offset * 0.001))
    count += framer.flush() is not None
    return time.perf_counter() - started, count


def _terminal(text: str, swipes: int) -> tuple[float, int]:
    detector = KeyTimingDetector()
    keys = [("\r", "enter") if c == "\n" else (c, c) for c in text + "\n"]
    count = 0
    started = time.perf_counter()
    for index in range(swipes):
        at = index * 1.0
        for number, (character, key) in enumerate(keys):
            if detector.feed(character, key, at + number * READER_KEY_INTERVAL).swipe is not None:
                count += 1
    count += detector.expire().swipe is not None
    return time.perf_counter() - started, count


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--swipes", type=int, default=2000)
    args = parser.parse_args()
    text = "%B6009999012345675^TESTER/ALEX J^2908120000000000?;6009999012345675=29081200000000000?"
    events, presses = _events(args.swipes)
    floors = _floors(events, text, args.swipes)
    hid_seconds, hid_swipes = _hid(events)
    serial_seconds, serial_swipes = _serial(text, args.swipes)
    terminal_seconds, terminal_swipes = _terminal(text, args.swipes)
    assert hid_swipes == serial_swipes == terminal_swipes == args.swipes
    typing = presses * READER_KEY_INTERVAL  # how long a reader takes to type one swipe

    print(f"{args.swipes} swipes; a reader types one in {typing * 1000:.0f} ms ({presses} keys)")
    rows = [
        ("HID decode + framing", hid_seconds, floors[0], f"{len(events):,} events"),
        ("serial framing", serial_seconds, floors[1], f"{args.swipes * (len(text) + 4):,} bytes"),
        (
            "terminal detector",
            terminal_seconds,
            floors[2],
            f"{args.swipes * (len(text) + 1):,} keys",
        ),
    ]
    for name, seconds, floor, units in rows:
        per_swipe = seconds / args.swipes
        print(
            f"{name:<22} {units} in {seconds * 1000:,.1f} ms: {per_swipe * 1e6:,.0f} µs/swipe, "
            f"{seconds / floor:.1f}x its floor ({floor * 1000:,.1f} ms), "
            f"{typing / per_swipe:,.0f}x faster than the reader"
        )


if __name__ == "__main__":
    main()
