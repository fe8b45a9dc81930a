"""Fair mode under load: N kiosks on one PostgreSQL server, the network cut once, the server
restarted once; nothing may be lost or doubled.

One asyncio process drives every kiosk (the 2-core machine this was written on cannot run 20
Python processes that each hold a roster index without the processes themselves becoming the
noise; in one process the kiosks share the interpreter, so latency figures here are an upper
bound of what one kiosk on its own machine sees). Each kiosk is a real ``KioskDesk`` in fair
mode (``open_shared`` + its own replica file) reaching the server through a ``NetProxy``
(tests/netproxy.py); each swipes a random roster student's card once a second and calls
``desk.tick()`` every 3 s, as the app does. Blocking work runs in a thread pool big enough
that no kiosk waits for a thread (the app has one kiosk per process and its own pool).

Timeline (``--seconds`` D): at 0.2·D the network goes dark for ``--cut-seconds`` (a
black-hole by default: packets swallowed, as a venue network drops; ``--cut-mode cut`` resets
connections instead); at 0.7·D the server restarts. With ``--restart-server`` that is a real
``pg_ctl restart -m fast`` of a throwaway PostgreSQL server the benchmark starts for itself
(tests/pgcluster.py: initdb into a temporary folder, a free port, removed at the end; never the
shared server on 5432); otherwise it is simulated by resetting every connection through the
proxy for ``--restart-gap`` seconds (said so in the output). After D, swiping stops and the
kiosks tick until every queue is empty.

Printed: swipes made, answers (checked_in / already / other), lost check-ins (a student shown
checked_in at some kiosk without a live check-in in the shared database), duplicated ones (a
student with more than one live check-in; rows marked ``duplicate_of`` are counted apart),
both must be 0; p50/p99/max swipe-to-recorded latency online and offline (offline split into
the first swipe of an outage, which waits ``ONLINE_WAIT_S`` for the network, and the swipes
made straight from the replica), the slowest offline swipes with when they happened; the time
each outage's queues took to drain after the network returned and at the end; and a baseline
from the same run: the same swipes, in order, through one CheckInService straight on the
server (no proxy, no fair mode), with the ratio.

Without ``--pg`` the benchmark runs on its own throwaway server (fsync on, as a real one).
With ``--pg URL`` it uses that database instead: its public schema is DROPPED and recreated
(give it a scratch database), and the restart can only be simulated.

Usage: python benchmarks/fair_load.py [--restart-server] [--kiosks 20] [--seconds 300]
       [--cut-seconds 60] [--cut-mode blackhole|cut] [--students 4000] [--restart-gap 3]
       [--pg postgresql://kiosk:kiosk@localhost/kiosk_h12load]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import platform
import random
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # the tests package

from _common import card_id, percentiles, populate_students  # noqa: E402
from sqlalchemy import text  # noqa: E402
from sqlalchemy.engine import Engine, make_url  # noqa: E402

from drivers.base import Swipe  # noqa: E402
from kiosk.cards.rules import RuleSet  # noqa: E402
from kiosk.checkin import CheckInService  # noqa: E402
from kiosk.checkin.events import create_event  # noqa: E402
from kiosk.db.models import Event  # noqa: E402
from kiosk.db.session import open_database  # noqa: E402
from kiosk.desk import KioskDesk  # noqa: E402
from kiosk.fair.start import open_shared  # noqa: E402
from tests.netproxy import NetProxy  # noqa: E402
from tests.pgcluster import ThrowawayCluster, missing_reason  # noqa: E402

TICK_S = 3.0


@dataclass
class Tally:
    """What every kiosk saw, in order."""

    cards: list[str] = field(default_factory=list)  # every swipe's card, in swipe order
    kinds: dict[str, int] = field(default_factory=dict)
    shown_in: set[int] = field(default_factory=set)  # students shown "checked_in"
    checked_in: int = 0
    online_s: list[float] = field(default_factory=list)
    offline_s: list[float] = field(default_factory=list)
    first_offline_s: list[float] = field(default_factory=list)  # began online, answered offline
    slowest: list[tuple[float, float, str]] = field(default_factory=list)  # (s, at, kiosk)
    errors: list[str] = field(default_factory=list)
    t0: float = 0.0


def reset(url: str) -> Engine:
    engine = open_database(url, migrate=False)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()
    return open_database(url)


def through(url: str, proxy: NetProxy) -> str:
    return make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(False)


def swipe_of(card: str) -> Swipe:
    return Swipe(f";{card}?", "front")


async def open_kiosk(url: str, event: Event, replica: Path, name: str) -> KioskDesk:
    start = await asyncio.to_thread(open_shared, url, replica)
    desk = KioskDesk(
        start.shared, event, RuleSet.empty(), kiosk_id=name, replica=start.replica,
        link=start.link,
    )  # fmt: skip
    await desk.start()
    return desk


async def swiping(desk: KioskDesk, students: int, until: float, seed: int, tally: Tally) -> None:
    rng = random.Random(seed)
    await asyncio.sleep(rng.random())  # the kiosks do not swipe in lockstep
    while time.monotonic() < until:
        due = time.monotonic() + 1.0
        student = rng.randrange(students)
        card = card_id(student)
        tally.cards.append(card)
        began_offline = desk.link_status().startswith("offline")
        started = time.monotonic()
        try:
            outcome = await desk.handle_swipe(swipe_of(card))
        except Exception as error:  # counted and shown, never hidden
            tally.errors.append(f"{type(error).__name__}: {error}")
            continue
        elapsed = time.monotonic() - started
        offline = desk.link_status().startswith("offline")
        (tally.offline_s if offline else tally.online_s).append(elapsed)
        if offline and not began_offline:
            tally.first_offline_s.append(elapsed)
        elif offline:
            tally.slowest.append((elapsed, started - tally.t0, desk.kiosk_id))
        tally.kinds[outcome.kind] = tally.kinds.get(outcome.kind, 0) + 1
        if outcome.kind == "checked_in":
            tally.checked_in += 1
            if outcome.record is not None and outcome.record.student_id is not None:
                tally.shown_in.add(outcome.record.student_id)
        await asyncio.sleep(max(0.0, due - time.monotonic()))


async def ticking(desk: KioskDesk, stop: asyncio.Event, period: float = TICK_S) -> None:
    while not stop.is_set():
        try:
            await desk.tick()
        except Exception as error:  # tick must never raise; say so if it does
            print(f"  tick raised {type(error).__name__}: {error}", flush=True)
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(stop.wait(), period)


def all_clear(desks: list[KioskDesk]) -> bool:
    return all(not desk.link_status() for desk in desks)


async def until_clear(desks: list[KioskDesk], limit: float) -> float | None:
    """Seconds until every kiosk's status line is clear (None: not within ``limit``)."""
    started = time.monotonic()
    while time.monotonic() - started < limit:
        if all_clear(desks):
            return time.monotonic() - started
        await asyncio.sleep(0.2)
    return None


def restart_server(proxy: NetProxy, cluster: ThrowawayCluster | None, gap: float) -> str:
    if cluster is not None:
        cluster.restart("fast")
        return f"server restarted (pg_ctl restart -m fast, its own server on port {cluster.port})"
    proxy.cut()
    time.sleep(gap)
    proxy.restore()
    return f"server restart SIMULATED: every connection reset, refused for {gap:g} s"


async def run(args: argparse.Namespace, cluster: ThrowawayCluster | None) -> int:
    loop = asyncio.get_running_loop()
    loop.set_default_executor(ThreadPoolExecutor(max_workers=8 * args.kiosks + 16))
    seconds, cut_s = args.seconds, args.cut_seconds
    cut_at, restart_at = 0.2 * seconds, 0.7 * seconds
    if cut_at + cut_s >= restart_at:
        print("--cut-seconds too long for --seconds (the cut must end before 0.7·D)")
        return 2

    engine = reset(args.pg)
    populate_students(engine, args.students)
    event = create_event(engine, "Fair load", None, "fair")
    baseline_event = create_event(engine, "Fair load baseline", None, "fair")
    tally = Tally()
    print(
        f"{datetime.now(UTC):%Y-%m-%d %H:%M} UTC · {platform.node()} · {os.cpu_count()} cores · "
        f"Python {platform.python_version()} · PostgreSQL at {make_url(args.pg).host}:"
        f"{make_url(args.pg).port or 5432}"
        + (" (the benchmark's own server)" if cluster is not None else "")
        + f" · load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}\n"
        f"{args.kiosks} kiosks (one asyncio process), {seconds:g} s, one swipe per kiosk per "
        f"second, roster of {args.students} students; network {args.cut_mode} for {cut_s:g} s "
        f"at {cut_at:g} s; server restart at {restart_at:g} s",
        flush=True,
    )

    with NetProxy(make_url(args.pg).host or "localhost", make_url(args.pg).port or 5432) as proxy:
        url = through(args.pg, proxy)
        with tempfile.TemporaryDirectory(prefix="fair-load-") as folder:
            started = time.monotonic()
            desks = []  # one after another: Alembic's migration context is process-global
            for n in range(args.kiosks):
                replica = Path(folder) / f"replica-{n}.sqlite3"
                desks.append(await open_kiosk(url, event, replica, f"door-{n:02d}"))
            print(f"kiosks started (replicas copied) in {time.monotonic() - started:.1f} s")
            stop = asyncio.Event()
            tickers = [asyncio.create_task(ticking(desk, stop)) for desk in desks]
            t0 = tally.t0 = time.monotonic()
            swipers = [
                asyncio.create_task(swiping(desk, args.students, t0 + seconds, n, tally))
                for n, desk in enumerate(desks)
            ]
            await asyncio.sleep(max(0.0, t0 + cut_at - time.monotonic()))
            (proxy.blackhole if args.cut_mode == "blackhole" else proxy.cut)()
            print(f"{time.monotonic() - t0:6.1f} s  network {args.cut_mode}", flush=True)
            await asyncio.sleep(cut_s)
            queued = sum(desk._fair.queued for desk in desks if desk._fair is not None)
            offline = sum(desk.link_status().startswith("offline") for desk in desks)
            proxy.restore()
            print(
                f"{time.monotonic() - t0:6.1f} s  network back ({offline}/{len(desks)} kiosks "
                f"offline, {queued} queued)",
                flush=True,
            )
            cut_drain = await until_clear(desks, restart_at - (time.monotonic() - t0))
            print(
                f"{time.monotonic() - t0:6.1f} s  queues drained after the cut in "
                + (f"{cut_drain:.1f} s" if cut_drain is not None else "NOT before the restart"),
                flush=True,
            )
            await asyncio.sleep(max(0.0, t0 + restart_at - time.monotonic()))
            what = await asyncio.to_thread(
                restart_server, proxy, cluster if args.restart_server else None, args.restart_gap
            )
            print(f"{time.monotonic() - t0:6.1f} s  {what}", flush=True)
            restart_drain = await until_clear(desks, seconds - (time.monotonic() - t0) + 60)
            print(
                f"{time.monotonic() - t0:6.1f} s  clear after the restart in "
                + (f"{restart_drain:.1f} s" if restart_drain is not None else "NOT within 60 s"),
                flush=True,
            )
            await asyncio.gather(*swipers)
            ended = time.monotonic()
            final_drain = await until_clear(desks, 300)
            print(f"{ended - t0:6.1f} s  swiping stopped", flush=True)
            stop.set()
            await asyncio.gather(*tickers)
            pending = [
                desk._fair.replica.pending_count() for desk in desks if desk._fair is not None
            ]
            for desk in desks:
                if desk._fair is not None:
                    desk._fair.replica.close()
                    desk._fair.link.shared.dispose()

    report(engine, event, tally, cut_drain, restart_drain, final_drain, pending)
    baseline(engine, baseline_event, tally)
    engine.dispose()
    lost, doubled = integrity(engine, event, tally)
    return 0 if lost == doubled == 0 and not tally.errors and sum(pending) == 0 else 1


def integrity(engine: Engine, event: Event, tally: Tally) -> tuple[int, int]:
    with engine.connect() as connection:
        live = set(
            connection.execute(
                text(
                    "SELECT student_id FROM check_in WHERE event_id = :e AND undone_at IS NULL "
                    "AND duplicate_of IS NULL"
                ),
                {"e": event.id},
            ).scalars()
        )
        doubled = connection.execute(
            text(
                "SELECT count(*) FROM (SELECT student_id FROM check_in WHERE event_id = :e "
                "AND undone_at IS NULL AND duplicate_of IS NULL GROUP BY student_id "
                "HAVING count(*) > 1) AS d"
            ),
            {"e": event.id},
        ).scalar_one()
    return len(tally.shown_in - live), int(doubled)


def report(
    engine: Engine,
    event: Event,
    tally: Tally,
    cut_drain: float | None,
    restart_drain: float | None,
    final_drain: float | None,
    pending: list[int],
) -> None:
    lost, doubled = integrity(engine, event, tally)
    with engine.connect() as connection:
        rows, marked = connection.execute(
            text("SELECT count(*), count(duplicate_of) FROM check_in WHERE event_id = :e"),
            {"e": event.id},
        ).one()
    kinds = ", ".join(f"{kind} {count}" for kind, count in sorted(tally.kinds.items()))
    print()
    print(f"swipes made            {len(tally.cards)} ({kinds}); errors {len(tally.errors)}")
    for error in tally.errors[:5]:
        print(f"  {error}")
    print(
        f"check-ins in the shared database: {rows} rows for {tally.checked_in} shown "
        f"checked_in; {marked} marked duplicate_of (two kiosks offline, earliest counts)"
    )
    print(f"lost check-ins         {lost}   (must be 0)")
    print(f"duplicated check-ins   {doubled}   (live twice; must be 0)")
    print(f"still queued at the end {sum(pending)}")
    straight = [elapsed for elapsed, _, _ in tally.slowest]
    for label, samples in (
        ("online ", tally.online_s),
        ("offline", tally.offline_s),
        ("  first of an outage", tally.first_offline_s),
        ("  from the replica", straight),
    ):
        if samples:
            p50, p99, top = percentiles(samples)
            print(
                f"swipe-to-recorded {label} p50 {p50 * 1000:7.1f} ms  p99 {p99 * 1000:7.1f} ms  "
                f"max {top * 1000:7.1f} ms  ({len(samples)} swipes, "
                f"{sum(s > 0.5 for s in samples)} over 0.5 s)"
            )
    for elapsed, at, kiosk in sorted(tally.slowest, reverse=True)[:5]:
        print(f"  slow from the replica: {elapsed * 1000:7.1f} ms at {at:6.1f} s ({kiosk})")
    for label, value in (
        ("after the network cut", cut_drain),
        ("after the restart", restart_drain),
        ("after swiping stopped", final_drain),
    ):
        shown = f"{value:.1f} s" if value is not None else "did not drain"
        print(f"queues drained {label:<22} {shown}  (kiosks tick every {TICK_S:g} s)")


def baseline(engine: Engine, event: Event, tally: Tally) -> None:
    """The same swipes, in order, through one CheckInService straight on the server."""
    assert event.id is not None
    service = CheckInService(engine, event.id, RuleSet.empty(), kiosk_id="baseline")
    samples = []
    for card in tally.cards:
        started = time.monotonic()
        service.handle_swipe(swipe_of(card))
        samples.append(time.monotonic() - started)
    p50, p99, top = percentiles(samples)
    print(
        f"baseline (same {len(samples)} swipes, one CheckInService, no proxy, sequential) "
        f"p50 {p50 * 1000:.1f} ms  p99 {p99 * 1000:.1f} ms  max {top * 1000:.1f} ms"
    )
    online = percentiles(tally.online_s) if tally.online_s else None
    offline = percentiles(tally.offline_s) if tally.offline_s else None
    if online:
        print(f"ratio online/baseline  p50 {online[0] / p50:.1f}x  p99 {online[1] / p99:.1f}x")
    if offline:
        print(f"ratio offline/baseline p50 {offline[0] / p50:.1f}x  p99 {offline[1] / p99:.1f}x")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--pg",
        default=os.environ.get("KIOSK_BENCH_PG_URL"),
        help="a scratch database to use (its schema is dropped); default: a throwaway server",
    )
    parser.add_argument("--kiosks", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=300)
    parser.add_argument("--cut-seconds", type=float, default=60)
    parser.add_argument("--cut-mode", choices=("blackhole", "cut"), default="blackhole")
    parser.add_argument("--students", type=int, default=4000)
    parser.add_argument("--restart-server", action="store_true")
    parser.add_argument("--restart-gap", type=float, default=3.0)
    args = parser.parse_args()
    logging.getLogger("kiosk").setLevel(logging.CRITICAL)  # the figures, not each outage
    if args.pg:
        if args.restart_server:
            parser.error(
                "--restart-server restarts a server the benchmark owns: leave out --pg "
                "(a shared server is never restarted)"
            )
        return asyncio.run(run(args, None))
    reason = missing_reason()
    if reason is not None:
        parser.error(f"no throwaway server ({reason}); give --pg URL of a scratch database")
    with ThrowawayCluster(fsync=True, max_connections=400) as cluster:
        args.pg = cluster.url("fair_load")
        return asyncio.run(run(args, cluster))


if __name__ == "__main__":
    sys.exit(main())
