"""Fair-mode tests use the check-in tests' roster and event on a real database, and a
throwaway PostgreSQL server of their own for what the shared one must never see (a stop)."""

import uuid
from collections.abc import Iterator

import pytest

from tests.checkin.conftest import event, student_ids
from tests.pgcluster import ThrowawayCluster, cluster_fixture

__all__ = ["event", "pg_cluster", "student_ids"]


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[ThrowawayCluster]:
    """A PostgreSQL server this test session owns (tests/pgcluster.py): stop it, start it,
    make roles on it. Skipped, with the reason, where no server binaries are installed."""
    yield from cluster_fixture()


@pytest.fixture
def cluster_url(pg_cluster: ThrowawayCluster) -> Iterator[str]:
    """An empty database of its own on the throwaway server; the server is running again
    afterwards whatever the test did to it."""
    name = f"fair_{uuid.uuid4().hex[:10]}"
    url = pg_cluster.url(name)
    yield url
    if not pg_cluster.running:
        pg_cluster.start()
    pg_cluster.drop_database(name)
