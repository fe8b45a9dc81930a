"""The student screen's answer queue (kiosk/tui/answers.py) on a fake clock."""

from __future__ import annotations

import pytest

from kiosk.tui.answers import AnswerQueue


def drain(queue: AnswerQueue[str], at: float) -> list[str]:
    shown = []
    while (answer := queue.pop(at)) is not None:
        shown.append(answer)
    return shown


def test_a_few_answers_from_one_reader_all_show_in_order() -> None:
    queue: AnswerQueue[str] = AnswerQueue(per_source=3)
    for name in ("a", "b", "c"):
        queue.put(name, "left", 0.0)
    assert len(queue) == 3
    assert drain(queue, 0.1) == ["a", "b", "c"]
    assert queue.skipped == {}


def test_more_than_a_few_keeps_only_the_newest_and_counts_the_rest() -> None:
    queue: AnswerQueue[str] = AnswerQueue(per_source=3)
    for number in range(10_000):
        queue.put(f"flood {number}", "left", 0.0)
    assert len(queue) <= 3
    assert drain(queue, 0.1)[-1] == "flood 9999"
    assert queue.skipped_total() == queue.skipped["left"] >= 10_000 - 3


def test_another_readers_answer_comes_next_whatever_waits_from_a_flood() -> None:
    queue: AnswerQueue[str] = AnswerQueue(per_source=3)
    queue.put("flood 0", "left", 0.0)
    assert queue.pop(0.0) == "flood 0"  # on screen
    for number in range(1, 4):
        queue.put(f"flood {number}", "left", 0.1)
    queue.put("student", "right", 0.2)
    assert queue.pop(1.0) == "student"
    assert queue.pop(2.0) == "flood 1"


def test_readers_take_turns() -> None:
    queue: AnswerQueue[str] = AnswerQueue(per_source=3)
    for at, (answer, source) in enumerate(
        [("l1", "left"), ("l2", "left"), ("r1", "right"), ("k1", None), ("r2", "right")]
    ):
        queue.put(answer, source, at * 0.01)
    assert drain(queue, 0.5) == ["l1", "r1", "k1", "l2", "r2"]


def test_stale_answers_are_skipped() -> None:
    queue: AnswerQueue[str] = AnswerQueue(per_source=3, stale_after=5.0)
    queue.put("old", "left", 0.0)
    queue.put("fresh", "left", 3.0)
    assert queue.pop(5.5) == "fresh"
    assert queue.skipped == {"left": 1}
    queue.put("forgotten", None, 10.0)
    queue.drop_stale(15.0)
    assert len(queue) == 0 and queue.pop(15.0) is None
    assert queue.skipped == {"left": 1, None: 1}


def test_bad_bounds_are_refused() -> None:
    with pytest.raises(ValueError):
        AnswerQueue(per_source=0)
