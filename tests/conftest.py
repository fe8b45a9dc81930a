"""Shared fixtures: real databases (SQLite always; PostgreSQL when KIOSK_TEST_PG_URL is set)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from sqlalchemy import text
from sqlalchemy.engine import Engine

from kiosk.db.engine import make_engine
from kiosk.db.session import open_database

# Property tests judge behaviour, never speed: a loaded CI machine must not fail them.
settings.register_profile(
    "kiosk", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("kiosk")

PG_URL_ENV = "KIOSK_TEST_PG_URL"
REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
SHARED_CORPUS = REPO_ROOT.parent / "shared" / "swipe-corpus.jsonl"


def _database_backends() -> list[Any]:
    backends: list[Any] = ["sqlite"]
    if os.environ.get(PG_URL_ENV):
        backends.append("postgresql")
    else:
        backends.append(
            pytest.param(
                "postgresql",
                marks=pytest.mark.skip(reason=f"{PG_URL_ENV} is not set: no PostgreSQL to test"),
            )
        )
    return backends


def _reset_postgres(url: str) -> None:
    engine = make_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            connection.execute(text("CREATE SCHEMA public"))
    finally:
        engine.dispose()


@pytest.fixture(params=_database_backends())
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A URL to an empty database: a fresh SQLite file, or a wiped PostgreSQL schema."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    url = os.environ[PG_URL_ENV]
    _reset_postgres(url)
    return url


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    """An engine on an empty database with the schema migrated to head."""
    engine = open_database(db_url)
    yield engine
    engine.dispose()


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"


def load_corpus() -> list[dict[str, Any]]:
    """The shared swipe corpus (falls back to the copy in tests/fixtures)."""
    path = SHARED_CORPUS if SHARED_CORPUS.exists() else FIXTURES / "swipe-corpus.jsonl"
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]
