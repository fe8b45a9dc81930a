"""Name tag fixtures: a real database with the check-in tests' roster plus students whose
names need a Unicode font, an event that prints tags, and fake ``lp`` programs on PATH."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine

from kiosk.checkin.event_options import set_event_options
from kiosk.checkin.events import create_event
from kiosk.db.models import Event
from tests.checkin.roster import PEOPLE, Person, add_students

ZOE = Person("znunez", "Zoë", "Ñúñez", "55501234")
ANNA = Person("akarenina", "Анна", "Каренина", "55505678")
TAG_PEOPLE = (ZOE, ANNA)


@pytest.fixture
def tag_students(engine: Engine) -> dict[str, int]:
    return add_students(engine, (*PEOPLE, *TAG_PEOPLE))


@pytest.fixture
def tag_event(engine: Engine) -> Event:
    event = create_event(engine, "Spring Career Fair", "2026-03-04", "fair", None)
    assert event.id is not None
    return set_event_options(engine, event.id, nametag_label="30252")


def fake_lp(folder: Path, body: str) -> Path:
    """An executable ``lp`` in ``folder`` running ``body`` (sh); returns the folder."""
    folder.mkdir(parents=True, exist_ok=True)
    lp = folder / "lp"
    lp.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    lp.chmod(lp.stat().st_mode | stat.S_IXUSR)
    return folder


@pytest.fixture
def lp_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A folder put first on PATH: tests write their fake ``lp`` into it."""
    folder = tmp_path / "bin"
    folder.mkdir()
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")
    yield folder


@pytest.fixture
def no_lp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A PATH on which there is no ``lp`` at all."""
    empty = tmp_path / "empty-bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
