"""Recorded evdev event sequences: load them, and (re)build them from text.

A recording is JSON: ``{"description": ..., "events": [[sec, usec, type, code, value], ...]}``
with every key event followed by EV_MSC/MSC_SCAN and EV_SYN/SYN_REPORT as a real USB keyboard
reports them. ``python -m tests.drivers.evdev_recording`` rewrites tests/fixtures/evdev/.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from evdev import InputEvent, ecodes

from drivers.keymap import DE, US, Layout

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "evdev"
Raw = tuple[int, int, int, int, int]

# Real USB keyboards report the HID usage (page 7) in MSC_SCAN before each key event; the
# value here is page 7 + the evdev code, which is as good as any: the driver drops EV_MSC.
_SCAN_BASE = 0x70000


def load_recording(name: str) -> list[InputEvent]:
    data = json.loads((FIXTURES / name).read_text(encoding="utf-8"))
    return [InputEvent(*row) for row in data["events"]]


class Recorder:
    """Builds a realistic event stream: scan code, key event, SYN_REPORT per key change."""

    def __init__(self, start: float = 1_700_000_000.0) -> None:
        self.now = start
        self.rows: list[Raw] = []

    def _stamp(self) -> tuple[int, int]:
        sec = int(self.now)
        return sec, int(round((self.now - sec) * 1_000_000))

    def raw(self, type_: int, code: int, value: int) -> None:
        self.rows.append((*self._stamp(), type_, code, value))

    def key(self, code: int, value: int) -> None:
        self.raw(ecodes.EV_MSC, ecodes.MSC_SCAN, _SCAN_BASE + code)
        self.raw(ecodes.EV_KEY, code, value)
        self.raw(ecodes.EV_SYN, ecodes.SYN_REPORT, 0)

    def wait(self, seconds: float) -> None:
        self.now += seconds

    def keys(self, pairs: list[tuple[str, int]], step: float = 0.002) -> None:
        """Key names with values, as the corpus lists them (``["KEY_9", 1]``)."""
        for name, value in pairs:
            self.key(ecodes.ecodes[name], value)
            self.wait(step)

    def type_text(self, text: str, layout: Layout = US, step: float = 0.002) -> None:
        """Type ``text`` as a reader in ``layout`` would: Shift/AltGr around keys, Enter for \\n."""
        for char in text:
            if char == "\n":
                self.keys([("KEY_ENTER", 1), ("KEY_ENTER", 0)], step)
                continue
            code, level = _find(layout, char)
            modifier = {1: "KEY_LEFTSHIFT", 2: "KEY_RIGHTALT"}.get(level)
            names = ecodes.KEY[code]
            name = names if isinstance(names, str) else names[0]
            if modifier:
                self.keys([(modifier, 1)], step)
            self.keys([(name, 1), (name, 0)], step)
            if modifier:
                self.keys([(modifier, 0)], step)

    def dump(self, description: str) -> dict[str, Any]:
        return {"description": description, "events": [list(row) for row in self.rows]}


def _find(layout: Layout, char: str) -> tuple[int, int]:
    for code, levels in sorted(layout.keys.items()):
        if code >= ecodes.KEY_KP7 and code <= ecodes.KEY_KPDOT:
            continue  # prefer the main block, as readers do
        if char in levels:
            return code, levels.index(char)
    raise KeyError(char)


def build_all() -> dict[str, dict[str, Any]]:
    from tests.conftest import load_corpus

    corpus = {case["id"]: case for case in load_corpus()}
    out: dict[str, dict[str, Any]] = {}

    r = Recorder()
    r.type_text(corpus["wedge-t1t2t3-magtek"]["raw"])
    out["magtek-us-three-tracks.json"] = r.dump("MagTek USB HID: tracks 1-3 then Enter, US")

    r = Recorder()
    track1, track2, _ = corpus["wedge-idtech-enter-per-track"]["raw"].split("\n")
    r.type_text(track1 + "\n")
    r.wait(0.030)  # ID TECH pauses between tracks, well inside the idle gap
    r.type_text(track2 + "\n")
    out["idtech-enter-per-track.json"] = r.dump("ID TECH: Enter after each track, 30 ms pause")

    r = Recorder()
    r.type_text(";9")
    r.keys([("KEY_0", 1), ("KEY_0", 2), ("KEY_0", 2), ("KEY_0", 0)])  # auto-repeat while held
    r.type_text("123456701?\n")
    out["auto-repeat.json"] = r.dump("a key held long enough to auto-repeat (value 2)")

    r = Recorder()
    r.type_text(";1111")
    r.raw(ecodes.EV_SYN, ecodes.SYN_DROPPED, 0)
    r.keys([("KEY_LEFTSHIFT", 1), ("KEY_2", 1)])  # lost in the middle of the drop
    r.raw(ecodes.EV_SYN, ecodes.SYN_REPORT, 0)
    r.type_text("2222?\n")
    r.wait(1.0)
    r.type_text(";33333333?\n")
    out["syn-dropped.json"] = r.dump("SYN_DROPPED in the middle of a swipe, then a clean swipe")

    r = Recorder()
    r.keys([tuple(pair) for pair in corpus["wedge-german-layout-misdecoded"]["evdev_keys_de"]])
    out["german-layout.json"] = r.dump("a reader set to a German layout: ;90123456701?")

    r = Recorder()
    r.type_text(";90123456701?\n")
    r.wait(0.8)
    r.type_text("\n")
    r.wait(0.8)
    r.type_text("0004718298\n")
    r.wait(0.8)
    r.type_text(";6009999012", step=0.003)  # a partial swipe: no end sentinel, no Enter
    out["two-swipes-noise-partial.json"] = r.dump(
        "a swipe, an empty Enter, a prox card, then a partial swipe that times out"
    )

    r = Recorder()
    r.type_text("%B6009999012345675^TESTER/ALEX J^2908120000000000?\n", layout=DE)
    out["german-layout-track1.json"] = r.dump(
        "German-layout reader typing track 1 with AltGr-free chars"
    )
    return out


if __name__ == "__main__":
    FIXTURES.mkdir(parents=True, exist_ok=True)
    for name, data in build_all().items():
        (FIXTURES / name).write_text(json.dumps(data) + "\n", encoding="utf-8")
        print(name, len(data["events"]), "events")
