"""The per-reader flood limit (drivers/flood.py) on a fake clock: swipes carry their times."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import pytest

from drivers.base import Swipe
from drivers.flood import SwipeLimiter, TokenBucket

T0 = datetime(2026, 10, 14, 9, 30, tzinfo=UTC)
SECRET = ";90123456701?"


def swipe(reader: str, at: float, text: str = SECRET) -> Swipe:
    return Swipe(text, reader, monotonic=at, wall=T0 + timedelta(seconds=at))


def admitted(limiter: SwipeLimiter, reader: str, times: list[float]) -> list[bool]:
    return [limiter.admit(swipe(reader, at)) for at in times]


def test_the_bucket_allows_a_burst_then_refills_at_its_rate() -> None:
    bucket = TokenBucket.full(rate=2.0, burst=3, at=0.0)
    assert [bucket.take(0.0) for _ in range(4)] == [True, True, True, False]
    assert not bucket.take(0.4)  # 0.8 token
    assert bucket.take(0.5)  # 1.0 token
    assert bucket.available(100.0) == 3  # never more than the burst


def test_a_line_of_students_is_never_limited() -> None:
    limiter = SwipeLimiter(rate=2.0, burst=5)
    # one swipe a second on each of two readers for ten minutes, with doubled swipes
    times = [float(t) for t in range(600)] + [t + 0.3 for t in range(0, 600, 7)]
    assert all(admitted(limiter, "left", sorted(times)))
    assert all(admitted(limiter, "right", [float(t) for t in range(600)]))
    assert limiter.flooding() == {} and limiter.episode("left") is None


def test_a_flood_is_cut_to_the_burst_and_the_rate() -> None:
    limiter = SwipeLimiter(rate=2.0, burst=5)
    flood = [i * 0.00012 for i in range(10_000)]  # 10,000 swipes in 1.2 s
    results = admitted(limiter, "left", flood)
    # the burst, then one token every half second of the flood
    assert sum(results) == 5 + 2
    assert results[:5] == [True] * 5
    episode = limiter.episode("left")
    assert episode is not None and episode.ongoing
    assert episode.dropped == 10_000 - 7 == limiter.dropped("left")
    assert episode.since == T0 + timedelta(seconds=flood[5])
    assert limiter.flooding() == {"left": episode}


def test_another_reader_is_not_limited_by_a_flood() -> None:
    limiter = SwipeLimiter(rate=2.0, burst=5)
    admitted(limiter, "left", [i * 0.0001 for i in range(1_000)])
    assert admitted(limiter, "right", [0.05, 0.06]) == [True, True]
    assert "right" not in limiter.flooding()


def test_the_flooding_reader_admits_a_real_swipe_once_a_token_is_back() -> None:
    limiter = SwipeLimiter(rate=2.0, burst=5)
    admitted(limiter, "left", [i * 0.0001 for i in range(1_000)])  # ends at 0.1 s
    assert not limiter.would_admit("left", 0.2)
    assert not limiter.admit(swipe("left", 0.2))
    assert limiter.would_admit("left", 0.75)
    assert limiter.admit(swipe("left", 0.75))


def test_an_episode_ends_after_quiet_and_a_new_flood_starts_a_new_one() -> None:
    limiter = SwipeLimiter(rate=2.0, burst=5, quiet_after=5.0)
    admitted(limiter, "left", [i * 0.001 for i in range(100)])  # drops end at 0.099 s
    assert limiter.settle(5.0) == []  # quiet for 4.9 s only
    (closed,) = limiter.settle(5.2)
    assert closed.reader == "left" and not closed.ongoing and closed.dropped == 95
    assert limiter.flooding() == {}
    assert limiter.episode("left") == closed  # staff still see the last one
    assert limiter.settle(6.0) == []  # closed once
    admitted(limiter, "left", [10.0 + i * 0.001 for i in range(10)])
    second = limiter.episode("left")
    assert second is not None and second.ongoing and second.dropped == 5
    assert second.since == T0 + timedelta(seconds=10.005)
    assert limiter.dropped("left") == 100


def test_describe_says_since_when_and_how_many(monkeypatch: pytest.MonkeyPatch) -> None:
    import time

    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    try:
        limiter = SwipeLimiter(rate=2.0, burst=1)
        admitted(limiter, "left", [0.0, 0.1, 0.2, 0.3])
        episode = limiter.episode("left")
        assert episode is not None
        assert episode.describe() == "flooding since 09:30:00: 3 swipes dropped"
        (closed,) = limiter.settle(60.0)
        assert closed.describe() == "flooded 09:30:00–09:30:00: 3 swipes dropped"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_each_episode_is_logged_at_its_start_and_end_without_swipe_text(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.DEBUG, logger="drivers.flood")
    limiter = SwipeLimiter(rate=2.0, burst=5)
    admitted(limiter, "left", [i * 0.0001 for i in range(5_000)])
    limiter.settle(30.0)
    messages = [record.getMessage() for record in caplog.records]
    assert len(messages) == 2, messages
    assert "reader left is flooding" in messages[0]
    assert "reader left stopped flooding: 4995 swipes dropped" in messages[1]
    assert not any("901234567" in message for message in messages)


def test_bad_limits_are_refused() -> None:
    with pytest.raises(ValueError):
        SwipeLimiter(rate=0)
    with pytest.raises(ValueError):
        SwipeLimiter(burst=0)
