"""Benchmark: how long each fair-mode staff path waits when the shared server is black-holed.

For every staff path of the desk (kiosk.desk.KioskDesk: what the staff screens call), a
fair-mode kiosk is opened online on a scratch database through a TCP proxy, Alex is checked
in, the proxy is black-holed (every byte swallowed, TCP up: a network that drops packets or
a frozen server) and the path is timed until it answers: from the replica, or with the
sentence that the shared database cannot be reached. The baseline, measured the same way in
the same run, is a student's swipe (the bound staff should share: ``ONLINE_WAIT_S``); the
ratio of each path to it is printed. Each path gets a fresh kiosk, so every one is the first
call after the network drops (the worst case: later calls go straight to the replica).

Usage: python benchmarks/fair_staff_paths.py --pg postgresql://USER:PW@HOST/SCRATCH_DB
(the database's public schema is dropped and made again).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import statistics
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests package

from sqlalchemy.engine import make_url  # noqa: E402

from kiosk.cards.parse import parse_swipe  # noqa: E402
from kiosk.cards.rules import RuleSet  # noqa: E402
from kiosk.checkin.events import create_event  # noqa: E402
from kiosk.checkin.staff import set_pin  # noqa: E402
from kiosk.db.models import Event  # noqa: E402
from kiosk.db.session import open_database  # noqa: E402
from kiosk.desk import KioskDesk  # noqa: E402
from kiosk.roster import import_roster  # noqa: E402
from tests.conftest import FIXTURES, _reset_postgres  # noqa: E402
from tests.fair.kiosks import close_kiosk, open_kiosk, swipe, through  # noqa: E402
from tests.netproxy import NetProxy  # noqa: E402

ROSTER = FIXTURES / "roster" / "base.csv"
CARD, OTHER_CARD = "0012345678", "0012345679"
StaffCall = Callable[[KioskDesk, Event, Path], Awaitable[Any]]


def _registrants(folder: Path) -> Path:
    path = folder / "registrants.csv"
    path.write_text("Attendee Email\nno@show.org\n", encoding="utf-8")
    return path


PATHS: dict[str, StaffCall] = {
    "swipe (baseline)": lambda d, o, f: d.handle_swipe(swipe(OTHER_CARD)),
    "attendance summary": lambda d, o, f: d.attendance_summary(),
    "events list": lambda d, o, f: d.events(),
    "event choice": lambda d, o, f: d.switch_event(o),
    "event re-read (export screen)": lambda d, o, f: d.fresh_event(),
    "export, Handshake attendees": lambda d, o, f: d.export("handshake", f / "x.csv", "4321"),
    "PIN check": lambda d, o, f: d.check_pin("1234"),
    "PIN wait left": lambda d, o, f: d.pin_retry_after(),
    "staff card": lambda d, o, f: d.is_staff_card(swipe("7770001111")),
    "student search roster read": lambda d, o, f: d.prepare_search(),
    "student search": lambda d, o, f: d.search_students("alex"),
    "recent check-ins": lambda d, o, f: d.recent(20),
    "count": lambda d, o, f: d.live_count(),
    "manual counts": lambda d, o, f: d.manual_counts(),
    "rule counts": lambda d, o, f: d.rule_counts(),
    "rule tester": lambda d, o, f: d.identify(
        f";{CARD}?", parse_swipe(f";{CARD}?", RuleSet.empty())
    ),
    "Handshake id": lambda d, o, f: d.set_handshake_id("999"),
    "registered-only": lambda d, o, f: d.set_registered_only(True),
    "check-out after": lambda d, o, f: d.set_checkout_after("30"),
    "name tag label": lambda d, o, f: d.set_nametag_label("30252"),
    "create event": lambda d, o, f: d.create_event("Spring", "2027-03-01", "fair", None),
    "rename event": lambda d, o, f: d.rename_event(o.id or 0, "Other 2"),
    "delete event": lambda d, o, f: d.delete_event(o.id or 0),
    "import registrations": lambda d, o, f: d.import_registrations(_registrants(f)),
    "roster preflight": lambda d, o, f: d.preflight(ROSTER, archive_missing=False),
}


async def _time_path(
    proxy: NetProxy, url: str, event: Event, other: Event, call: StaffCall
) -> tuple[float, str]:
    folder = Path(tempfile.mkdtemp(prefix="fair-staff-"))
    desk = await open_kiosk(through(proxy, url), event, folder / "replica.sqlite3", "door-a")
    try:
        await desk.handle_swipe(swipe(CARD))
        await desk.prepare_search()
        proxy.blackhole()
        started = time.monotonic()
        try:
            answer = await asyncio.wait_for(call(desk, other, folder), 60)
            what = type(answer).__name__
        except Exception as error:  # the sentence staff read
            what = type(error).__name__
        return time.monotonic() - started, what
    finally:
        proxy.restore()
        await asyncio.sleep(0.3)  # the proxy resets the connections that lived through it
        close_kiosk(desk)


async def run(url: str, rounds: int) -> int:
    _reset_postgres(url)
    engine = open_database(url)
    import_roster(engine, ROSTER)
    event = create_event(engine, "Fall Career Fair", "2026-10-14", "fair", "4321")
    other = create_event(engine, "Other", "2026-10-15", "fair")
    set_pin(engine, "1234")
    engine.dispose()
    target = make_url(url)
    print(
        f"fair_staff_paths · {datetime.now(UTC):%Y-%m-%d %H:%M} UTC · "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())} · {rounds} round(s), "
        "median"
    )
    times: dict[str, list[float]] = {name: [] for name in PATHS}
    answers: dict[str, str] = {}
    with NetProxy(target.host or "localhost", target.port or 5432) as proxy:
        for _ in range(rounds):
            for name, call in PATHS.items():
                took, answers[name] = await _time_path(proxy, url, event, other, call)
                times[name].append(took)
    baseline = statistics.median(times["swipe (baseline)"])
    print(f"{'path':32s} {'black-holed':>11s} {'/ swipe':>8s}  answered with")
    for name in PATHS:
        took = statistics.median(times[name])
        print(f"{name:32s} {took:9.2f} s {took / baseline:7.2f}x  {answers[name]}")
    print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pg", required=True, help="a scratch PostgreSQL database's URL")
    parser.add_argument("--rounds", type=int, default=1, help="times each path (median)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    return asyncio.run(run(args.pg, args.rounds))


if __name__ == "__main__":
    sys.exit(main())
