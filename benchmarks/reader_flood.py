"""Benchmark: a real student's answer after a reader flood (issue 10.3).

The kiosk app runs headless on the demo's database (sample roster, demo rules) with two serial
readers on real pty pairs and its real answer timing (each answer at least 1 s on screen when
others wait). A hostile or broken reader writes ``--flood`` MagTek-framed swipes (STX, card
data, ETX, CR) to one pty as fast as the kernel takes them; the moment the last byte is
written, a student's real card is written to the other pty. Prints, for each run:

- flood: how long writing it took, swipes dropped by the flood limit, answers not shown;
- the real swipe's time from the flood's end to its answer rendered on the student screen
  (the app's result hook runs after the screen refresh);

and the baseline, measured in the same run alternating with the flood runs: the same real
swipe on a fresh kiosk with no flood. Target: answered within 2 s of the flood's end.

Usage: python benchmarks/reader_flood.py [--flood 10000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import statistics
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from drivers.base import Swipe

TARGET_S = 2.0
REAL_CARD = ";90123456701?"  # sample roster: Alex Tester
FLOOD_CARD = ";55512345601?"  # nobody's card
SIZE = (100, 30)
ANSWER_TIMEOUT_S = 60.0


FRAMINGS = {
    # MagTek-style: STX, card data, ETX, CR; each frame is one swipe however fast they come
    "stx": lambda text: b"\x02" + text.encode("ascii") + b"\x03\r",
    # plain lines: with no quiet gap between them the reader's framing joins them up
    "cr": lambda text: text.encode("ascii") + b"\r",
}


@dataclass
class Run:
    answer_s: float  # flood's end (or the swipe, without a flood) -> answer rendered
    flood_write_s: float = 0.0
    swipes: int = 0  # swipes the flood reader's framing made of the flood
    dropped: int = 0
    skipped: int = 0


@contextlib.contextmanager
def pty_link(path: Path) -> Iterator[int]:
    """A pty pair whose slave is reachable at ``path``; yields the master."""
    master, slave = os.openpty()
    path.symlink_to(os.ttyname(slave))
    try:
        yield master
    finally:
        for fd in (master, slave):
            with contextlib.suppress(OSError):
                os.close(fd)


async def one_run(directory: Path, flood: int, framing: str) -> Run:
    from drivers.readers import open_reader
    from kiosk.demo import prepare_demo
    from kiosk.tui.app import make_app

    directory.mkdir()
    with (
        pty_link(directory / "ttyFLOOD") as flood_master,
        pty_link(directory / "ttyDESK") as desk_master,
    ):
        readers = [
            open_reader(f"serial:{directory / 'ttyFLOOD'}", name="flood"),
            open_reader(f"serial:{directory / 'ttyDESK'}", name="desk"),
        ]
        setup = replace(prepare_demo(directory, idle_seconds=60), readers=readers, demo=None)
        app = make_app(setup)
        seen = Counter[str]()
        admit = app.swipe_limiter.admit

        def counting(swipe: Swipe) -> bool:
            seen[swipe.reader] += 1
            return admit(swipe)

        app.swipe_limiter.admit = counting  # type: ignore[method-assign]
        rendered: asyncio.Queue[tuple[float, str]] = asyncio.Queue()
        app.result_hooks.append(
            lambda outcome: rendered.put_nowait((time.monotonic(), outcome.message))
        )
        try:
            async with app.run_test(size=SIZE) as pilot:
                while not (
                    app.desk.ready.is_set() and all(r.status.state == "connected" for r in readers)
                ):
                    await pilot.pause(0.01)
                write_s = 0.0
                if flood:
                    began = time.monotonic()
                    data = FRAMINGS[framing](FLOOD_CARD) * flood
                    await asyncio.to_thread(os.write, flood_master, data)
                    write_s = time.monotonic() - began
                ended = time.monotonic()
                os.write(desk_master, FRAMINGS[framing](REAL_CARD))
                deadline = ended + ANSWER_TIMEOUT_S
                while True:
                    timeout = deadline - time.monotonic()
                    if timeout <= 0:
                        raise SystemExit(f"no answer to the real swipe in {ANSWER_TIMEOUT_S} s")
                    at, message = await asyncio.wait_for(rendered.get(), timeout)
                    if "Alex" in message:
                        break
                answer_s = at - ended
                # let the rest of the flood be read (no new swipe for 1 s) before counting
                counted = -1
                while seen["flood"] != counted and time.monotonic() < deadline:
                    counted = seen["flood"]
                    await pilot.pause(1.0)
                return Run(
                    answer_s,
                    write_s,
                    seen["flood"],
                    app.swipe_limiter.dropped("flood"),
                    sum(app.student_screen.skipped.values()),
                )
        finally:
            setup.desk.engine.dispose()


def summary(values: list[float]) -> str:
    return f"median {statistics.median(values):.3f} s, max {max(values):.3f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--flood", type=int, default=10_000, help="swipes in the flood")
    parser.add_argument("--runs", type=int, default=3, help="flood runs (and baselines)")
    parser.add_argument(
        "--framing", choices=sorted(FRAMINGS), default="stx", help="how each swipe is framed"
    )
    options = parser.parse_args()
    floods: list[Run] = []
    bases: list[Run] = []
    with tempfile.TemporaryDirectory() as tmp:
        os.environ.setdefault("STATE_DIRECTORY", str(Path(tmp) / "state"))
        for number in range(options.runs):
            root, framing = Path(tmp), options.framing
            bases.append(asyncio.run(one_run(root / f"base{number}", 0, framing)))
            floods.append(asyncio.run(one_run(root / f"flood{number}", options.flood, framing)))
            run = floods[-1]
            print(
                f"run {number + 1}: flood of {options.flood:,} written in "
                f"{run.flood_write_s:.2f} s, framed as {run.swipes:,} swipe(s); "
                f"{run.dropped:,} dropped, "
                f"{run.skipped:,} answers not shown; real swipe answered "
                f"{run.answer_s:.3f} s after the flood's end "
                f"(baseline {bases[-1].answer_s:.3f} s)"
            )
    flood_s = [run.answer_s for run in floods]
    base_s = [run.answer_s for run in bases]
    verdict = "ok" if max(flood_s) < TARGET_S else "MISSED"
    print(
        f"flood's end -> real swipe answered: {summary(flood_s)} "
        f"(target < {TARGET_S:.0f} s: {verdict})"
    )
    print(f"baseline, no flood: {summary(base_s)}")
    ratio = statistics.median(flood_s) / statistics.median(base_s)
    print(f"ratio flood/baseline (medians): {ratio:.1f}x")
    dropped = [run.dropped for run in floods]
    admitted = [run.swipes - run.dropped for run in floods]
    print(
        f"swipes dropped per flood of {options.flood:,} lines: {min(dropped):,}–{max(dropped):,} "
        f"(passed on to the check-in service: {min(admitted):,}–{max(admitted):,})"
    )


if __name__ == "__main__":
    main()
