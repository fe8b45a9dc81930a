"""Benchmark: the check-in service with a 100,000-student roster (the domain half of the
kiosk's swipe-to-confirmation figure; the TUI benchmark adds rendering on top).

Prints, all measured in this run on one SQLite file (WAL, synchronous=FULL):

- the floor: one ``INSERT`` of a check-in row and its ``COMMIT`` through the same engine,
  i.e. the price of durability alone (p50, p99), alternating swipe by swipe with the service
  so both see the same disk load (the machine's fsync times drift with other work);
- ``CheckInService.handle_swipe`` over N swipes, half matched by a rule's card_id and half
  by containment (no rule matching), with ~10% repeats (``already``) and a few unknown
  cards: p50, p99 and max, and the ratio of its p50/p99 to the floor's (target p99 < 50 ms);
- ``check_in_by_lookup`` with a username typed in capitals;
- the time to build the service (roster load + containment index) and the process's peak
  resident memory after it, against the peak before (target: well under the kiosk's 200 MB).

Usage: python benchmarks/checkin_swipes.py [--students 100000] [--swipes 1000]
"""

from __future__ import annotations

import argparse
import gc
import random
import tempfile
import time
from pathlib import Path

from _common import card_id, peak_mb, percentiles, populate_students, resident_mb
from sqlalchemy import insert

from drivers.base import Swipe
from kiosk.cards.rules import Rule, RuleSet
from kiosk.checkin import CheckInService
from kiosk.checkin.events import create_event
from kiosk.db.models import CheckIn, utcnow
from kiosk.db.session import open_database

TARGET_P99_MS = 50.0


def _swipe_texts(students: int, swipes: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    texts: list[str] = []
    for index in range(swipes):
        roll = rng.random()
        if roll < 0.1 and texts:
            texts.append(rng.choice(texts))  # a repeat: "already"
            continue
        number = rng.randrange(students)
        if roll < 0.12:
            texts.append(f";{rng.randrange(10**8):08d}?")  # unknown card, no rule matches
        elif index % 2:
            texts.append(f";{card_id(number)}{rng.randrange(100):02d}?")  # rule card_id
        else:
            texts.append(f"%{card_id(number)}^STUDENT?")  # containment (no rule matches)
    return texts


def _ms(p50: float, p99: float) -> str:
    return f"p50 {p50 * 1e3:6.2f} ms   p99 {p99 * 1e3:6.2f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=100_000)
    parser.add_argument("--swipes", type=int, default=1_000)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as directory:
        engine = open_database(f"sqlite:///{Path(directory) / 'bench.sqlite3'}")
        populate_students(engine, args.students, archived_every=97)
        event = create_event(engine, "Benchmark fair", kind="fair", handshake_id=1)
        assert event.id is not None
        rules = RuleSet(rules=(Rule(name="t2-id", pattern=r"^;(\d{9})\d{2}\?$"),))

        floor_event = create_event(engine, "Floor")
        gc.collect()
        before_mb = resident_mb()
        start = time.perf_counter()
        service = CheckInService(engine, event.id, rules, kiosk_id="bench")
        load_s = time.perf_counter() - start
        after_mb = resident_mb()

        # Floor and service alternate, swipe by swipe, so both see the same disk load.
        kinds: dict[str, int] = {}
        samples: list[float] = []
        floor: list[float] = []
        with engine.connect() as connection:
            for number, swipe_text in enumerate(_swipe_texts(args.students, args.swipes)):
                start = time.perf_counter()
                connection.execute(
                    insert(CheckIn).values(
                        event_id=floor_event.id,
                        student_id=number % args.students + 1,
                        method="swipe",
                        card_id=card_id(number),
                        checked_in_at=utcnow(),
                    )
                )
                connection.commit()
                floor.append(time.perf_counter() - start)
                swipe = Swipe(text=swipe_text, reader="bench")
                start = time.perf_counter()
                outcome = service.handle_swipe(swipe)
                samples.append(time.perf_counter() - start)
                kinds[outcome.kind] = kinds.get(outcome.kind, 0) + 1
        lookups: list[float] = []
        rng = random.Random(11)
        for _ in range(100):
            username = f"STUDENT{rng.randrange(args.students):06d}"  # typed in capitals
            start = time.perf_counter()
            service.check_in_by_lookup(username)
            lookups.append(time.perf_counter() - start)
        engine.dispose()

    f50, f99, _ = percentiles(floor)
    s50, s99, smax = percentiles(samples)
    print(f"students: {args.students:,}   swipes: {args.swipes:,}   outcomes: {kinds}")
    print(f"floor (INSERT + COMMIT, synchronous=FULL): {_ms(f50, f99)}")
    print(f"handle_swipe:                              {_ms(s50, s99)}   max {smax * 1e3:6.2f} ms")
    print(f"ratio to floor: p50 {s50 / f50:4.2f}x   p99 {s99 / f99:4.2f}x")
    verdict = "OK" if s99 * 1e3 < TARGET_P99_MS else "OVER"
    print(f"target p99 < {TARGET_P99_MS:.0f} ms (before rendering): {verdict}")
    l50, l99, _ = percentiles(lookups)
    print(f"check_in_by_lookup (username typed in capitals, 100 lookups): {_ms(l50, l99)}")
    print(f"service start (roster load + index): {load_s:5.2f} s")
    print(
        f"resident memory: {before_mb:6.1f} MB before the service, {after_mb:6.1f} MB after "
        f"(+{after_mb - before_mb:.1f} MB for the in-memory roster); "
        f"process peak {peak_mb():.1f} MB"
    )


if __name__ == "__main__":
    main()
