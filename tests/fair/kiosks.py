"""What the fair-mode tests share: the shared PostgreSQL (KIOSK_TEST_PG_URL) reached through a
TCP proxy the test can cut, and fair-mode desks opened on it as ``kiosk run`` opens them."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, col, select

from drivers.base import Swipe
from kiosk.cards.rules import RuleSet
from kiosk.db.models import CheckIn, Event
from kiosk.desk import KioskDesk
from kiosk.fair.start import open_shared
from tests.netproxy import NetProxy

PG_URL = os.environ.get("KIOSK_TEST_PG_URL")
needs_pg = pytest.mark.skipif(not PG_URL, reason="KIOSK_TEST_PG_URL is not set")


@pytest.fixture
def db_url() -> str:  # the shared database is PostgreSQL here, whatever the other tests use
    assert PG_URL is not None
    from tests.conftest import _reset_postgres

    _reset_postgres(PG_URL)
    return PG_URL


@pytest.fixture
def proxy() -> Iterator[NetProxy]:
    assert PG_URL is not None
    target = make_url(PG_URL)
    with NetProxy(target.host or "localhost", target.port or 5432) as running:
        yield running


def through(proxy: NetProxy, url: str | None = None) -> str:
    """``url`` (default: the test server's) with the proxy in the way."""
    url = url or PG_URL
    assert url is not None
    return make_url(url).set(host="127.0.0.1", port=proxy.port).render_as_string(False)


async def open_kiosk(
    url: str, event: Event, replica: Path, name: str, rules: RuleSet | None = None
) -> KioskDesk:
    """A fair-mode desk, started as ``kiosk run`` starts one (offline if ``url`` is away);
    without card rules unless given."""
    start = open_shared(url, replica)
    desk = KioskDesk(
        start.shared, event, rules or RuleSet.empty(), kiosk_id=name, replica=start.replica,
        link=start.link,
    )  # fmt: skip
    await desk.start()
    return desk


def close_kiosk(desk: KioskDesk) -> None:
    assert desk._fair is not None
    desk._fair.replica.close()
    desk._fair.link.shared.dispose()


def swipe(card_id: str | None) -> Swipe:
    return Swipe(f";{card_id}?", "front")


def live(engine: Engine, event: Event) -> list[CheckIn]:
    with Session(engine) as session:
        statement = select(CheckIn).where(CheckIn.event_id == event.id, CheckIn.live())
        return list(session.exec(statement.order_by(col(CheckIn.checked_in_at))))


def every_check_in(engine: Engine, event: Event) -> list[CheckIn]:
    with Session(engine) as session:
        statement = select(CheckIn).where(CheckIn.event_id == event.id)
        return list(session.exec(statement.order_by(col(CheckIn.id))))


async def until_drained(desk: KioskDesk, limit: float = 30.0) -> None:
    """Tick as the app does until the status line clears (fails after ``limit`` s)."""
    deadline = time.monotonic() + limit
    while desk.link_status():
        assert time.monotonic() < deadline, desk.link_status()
        await desk.tick()
        await asyncio.sleep(0.1)


class KioskProcess:
    """A kiosk as its own process (tests/fair/kiosk_process.py), driven line by line."""

    def __init__(self, url: str, event: Event, replica: Path, name: str) -> None:
        from tests.conftest import REPO_ROOT

        self.name = name
        self.process = subprocess.Popen(
            [sys.executable, "-m", "tests.fair.kiosk_process", url, str(event.id),
             str(replica), name],
            cwd=REPO_ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            stderr=subprocess.PIPE, text=True,
        )  # fmt: skip
        self.ready: str = self.read()["ready"]  # "online", or the status line

    def read(self) -> dict[str, Any]:
        assert self.process.stdout is not None and self.process.stderr is not None
        line = self.process.stdout.readline()
        if not line:
            code = self.process.wait()
            raise AssertionError(f"{self.name} ended ({code}): {self.process.stderr.read()}")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def send(self, line: str) -> None:
        assert self.process.stdin is not None
        self.process.stdin.write(line + "\n")
        self.process.stdin.flush()

    def swipe(self, card_id: str | None, at: float = 0.0) -> None:
        """Swipe ``card_id`` at wall-clock time ``at`` (now when past); read the answer."""
        self.send(f"{card_id} {at}")

    def drain(self) -> str:
        self.send("drain")
        return str(self.read()["status"])

    def quit(self) -> None:
        self.send("quit")
        assert self.process.stdin is not None
        self.process.stdin.close()
        assert self.process.wait(timeout=30) == 0

    def kill(self) -> None:
        """SIGKILL: no clean-up of any kind, as a pulled plug."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def __enter__(self) -> KioskProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
