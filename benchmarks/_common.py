"""Helpers the benchmark scripts share: a synthetic roster, percentiles, memory figures."""

from __future__ import annotations

import resource
import statistics
from pathlib import Path
from typing import Any


def peak_mb() -> float:
    """This process's peak resident memory so far."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def resident_mb() -> float:
    """Current resident memory (Linux /proc), not the peak."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * resource.getpagesize() / 2**20


def percentiles(samples: list[float]) -> tuple[float, float, float]:
    """p50, p99 and the maximum of ``samples``."""
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(round(0.99 * len(ordered))) - 1)]
    return statistics.median(ordered), p99, ordered[-1]


def card_id(number: int) -> str:
    """Student ``number``'s card_id in the synthetic roster (9 digits, unique)."""
    return f"{700000000 + number * 7:09d}"


def populate_students(engine: Any, students: int, archived_every: int | None = None) -> None:
    """Fill the student table with ``students`` synthetic students (every
    ``archived_every``-th archived), in batches of 10,000."""
    from sqlalchemy import insert

    from kiosk.db.models import Student, utcnow

    now = utcnow()
    rows = [
        {
            "username": f"student{n:06d}",
            "email_address": f"student{n:06d}@example.edu",
            "email_key": f"student{n:06d}@example.edu",
            "first_name": "Student",
            "last_name": f"Number{n}",
            "card_id": card_id(n),
            "archived": bool(archived_every) and n % archived_every == 0,
            "created_at": now,
            "updated_at": now,
        }
        for n in range(students)
    ]
    with engine.begin() as connection:
        for start in range(0, len(rows), 10_000):
            connection.execute(insert(Student), rows[start : start + 10_000])
