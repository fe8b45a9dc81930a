from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from kiosk.cards.rules import Rule, RuleSet
from kiosk.checkin import staff
from kiosk.checkin.staff import (
    PinGate,
    delay_after,
    has_pin,
    hash_secret,
    is_staff_card,
    is_staff_swipe,
    set_pin,
    set_staff_card,
    set_staff_card_from_swipe,
    staff_card_keys,
    verify_secret,
)
from kiosk.db.engine import make_engine
from kiosk.db.migrate import upgrade
from kiosk.db.models import StaffSecret
from kiosk.db.session import open_database
from kiosk.errors import UserError


class FakeClock:
    """The wall clock the gate sees, moved by hand (no test waits real time)."""

    def __init__(self) -> None:
        self.now = datetime(2026, 10, 14, 14, 0, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


def test_hash_is_salted_self_describing_scrypt() -> None:
    first, second = hash_secret("2468"), hash_secret("2468")
    assert first != second  # random salt
    scheme, params, _salt, _digest = first.split("$")
    assert (scheme, params) == ("scrypt", "n=16384,r=8,p=1")
    assert "2468" not in first
    assert verify_secret("2468", first) and verify_secret("2468", second)
    assert not verify_secret("2469", first)
    assert not verify_secret("2468", "garbage")
    assert not verify_secret("2468", "bcrypt$x$y$z")


def test_old_parameters_still_verify() -> None:
    cheap = hash_secret("2468", n=2**10, r=4, p=1)
    assert cheap.split("$")[1] == "n=1024,r=4,p=1"
    assert verify_secret("2468", cheap)


def test_pin_is_stored_hashed_and_checked(db_url: str) -> None:
    engine = open_database(db_url)
    assert not has_pin(engine)
    set_pin(engine, "246810")
    with Session(engine) as session:
        stored = session.exec(select(StaffSecret)).one()
    assert stored.kind == "pin" and "246810" not in stored.secret_hash
    engine.dispose()
    reopened = open_database(db_url)  # a fresh engine: the PIN is in the database
    try:
        gate = PinGate(reopened)
        assert gate.check("246810")
        assert not gate.check("000000")
        set_pin(reopened, "1357")  # replacing keeps one row
        assert PinGate(reopened).check("1357")
        assert not PinGate(reopened).check("246810")
        with Session(reopened) as session:
            assert len(session.exec(select(StaffSecret)).all()) == 1
    finally:
        reopened.dispose()


@pytest.mark.parametrize("pin", ["", "123", "12ab", "1234567890123", "１２３４"])
def test_bad_pins_are_refused(engine: Engine, pin: str) -> None:
    with pytest.raises(UserError, match="4 to 12 digits"):
        set_pin(engine, pin)
    assert not has_pin(engine)


def test_no_pin_set_says_what_to_do(engine: Engine) -> None:
    result = PinGate(engine).check("1234")
    assert not result
    assert "kiosk staff set-pin" in result.message


def test_delay_schedule_grows_after_three_wrong_pins_and_stops_at_30_s() -> None:
    assert [delay_after(n) for n in range(1, 10)] == [0, 0, 1, 2, 4, 8, 16, 30, 30]
    assert delay_after(40) == staff.MAX_DELAY_S == 30.0


def test_wrong_pins_slow_down_without_sleeping(engine: Engine) -> None:
    set_pin(engine, "2468")
    clock = FakeClock()
    gate = PinGate(engine, clock=clock)
    assert gate.check("1111").message == "Wrong PIN"
    assert gate.check("1111").retry_after == 0
    third = gate.check("1111")
    assert (third.ok, third.retry_after) == (False, 1.0)
    assert third.message == "Wrong PIN. Too many wrong PINs: try again in 1 s"
    # While the wait runs even the right PIN is refused, and not compared or counted.
    locked = gate.check("2468")
    assert not locked and locked.retry_after == 1.0
    assert locked.message == "Too many wrong PINs: try again in 1 s"
    assert gate.wrong_attempts == 3
    clock.advance(1.0)
    assert gate.check("1111").retry_after == 2.0
    clock.advance(1.5)
    assert gate.retry_after() == 0.5
    clock.advance(0.5)
    assert gate.check("1111").retry_after == 4.0
    # Another gate (a new PIN screen, or another kiosk on the database) shares the count.
    other = PinGate(engine, clock=clock)
    assert other.retry_after() == 4.0
    clock.advance(4.0)
    assert other.check("2468")  # right PIN after the wait: opens and resets
    assert gate.wrong_attempts == 0
    assert gate.check("1111").retry_after == 0
    assert gate.check("1111").retry_after == 0
    assert gate.check("1111").retry_after == 1.0


def test_the_right_pin_gets_in_30_s_after_many_wrong_ones(engine: Engine) -> None:
    set_pin(engine, "2468")
    clock = FakeClock()
    gate = PinGate(engine, clock=clock)
    for _ in range(25):
        clock.advance(gate.retry_after())
        assert not gate.check("1111")
    assert gate.wrong_attempts == 25
    assert gate.retry_after() == 30.0
    clock.advance(29.9)
    assert not gate.check("2468")  # still waiting
    clock.advance(0.1)
    assert gate.check("2468")
    assert gate.wrong_attempts == 0 and gate.retry_after() == 0


def test_the_fastest_guesser_gets_at_most_ten_checks_a_minute(engine: Engine) -> None:
    set_pin(engine, "2468")
    clock = FakeClock()
    gate = PinGate(engine, clock=clock)
    start = clock.now
    checked: list[float] = []  # seconds from the start of each guess that was compared
    while clock.now - start < timedelta(minutes=10):
        result = gate.check("1111")
        if result.retry_after == 0 or result.message.startswith("Wrong PIN"):
            checked.append((clock.now - start).total_seconds())
        assert result.retry_after <= staff.MAX_DELAY_S
        clock.advance(result.retry_after or 0.001)  # try again the moment it is allowed
    assert len(checked) == gate.wrong_attempts
    busiest = max(sum(1 for t in checked if s <= t < s + 60) for s in checked)
    assert busiest <= staff.MAX_CHECKS_PER_MINUTE
    assert 20 < len(checked) < 40  # 8 in the first minute, then 2 a minute


def test_the_count_survives_a_restart(db_url: str) -> None:
    clock = FakeClock()
    first = open_database(db_url)
    set_pin(first, "2468")
    for _ in range(5):
        clock.advance(PinGate(first, clock=clock).retry_after())
        PinGate(first, clock=clock).check("1111")
    first.dispose()
    clock.advance(1.0)
    again = open_database(db_url)  # a new process: nothing in memory
    try:
        gate = PinGate(again, clock=clock)
        assert gate.wrong_attempts == 5
        assert gate.retry_after() == 3.0  # 4 s after the fifth wrong PIN, 1 s gone
        assert not gate.check("2468")
        set_pin(again, "1357")  # a new PIN starts clean
        assert PinGate(again, clock=clock).check("1357")
    finally:
        again.dispose()


def test_a_clock_stepping_back_never_makes_the_wait_longer(engine: Engine) -> None:
    set_pin(engine, "2468")
    clock = FakeClock()
    gate = PinGate(engine, clock=clock)
    for _ in range(8):
        clock.advance(gate.retry_after())
        gate.check("1111")
    clock.advance(-3600)  # NTP corrects the clock by an hour after the last wrong PIN
    assert gate.retry_after() == 30.0


def test_attempts_at_the_same_moment_are_compared_one_at_a_time(engine: Engine) -> None:
    # Two kiosks (or threads) when a wait ends: only one guess is compared, the others wait.
    set_pin(engine, "2468")
    clock = FakeClock()
    gate = PinGate(engine, clock=clock)
    for _ in range(7):
        clock.advance(gate.retry_after())
        gate.check("1111")
    clock.advance(gate.retry_after())
    start = threading.Barrier(6)
    answers: list[staff.PinCheck] = []

    def guess() -> None:
        start.wait()
        answers.append(PinGate(engine, clock=clock).check("1111"))

    threads = [threading.Thread(target=guess) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert gate.wrong_attempts == 8
    assert sum(a.message.startswith("Wrong PIN") for a in answers) == 1
    assert all(a.retry_after == 30.0 for a in answers)


def test_staff_card(engine: Engine) -> None:
    assert not is_staff_card(engine, "99887766")
    set_staff_card(engine, " 99887766 ")
    assert is_staff_card(engine, "99887766")
    assert not is_staff_card(engine, "99887767")
    assert not is_staff_card(engine, None)
    assert not is_staff_card(engine, "")
    with Session(engine) as session:
        stored = session.exec(select(StaffSecret).where(StaffSecret.kind == "card")).one()
    assert "99887766" not in stored.secret_hash
    with pytest.raises(UserError, match="empty"):
        set_staff_card(engine, "   ")


def test_staff_card_from_a_swipe(engine: Engine) -> None:
    rules = RuleSet(rules=(Rule(name="t2-id", pattern=r";(\d{9})\d{2}\?"),))
    staff_swipe = "\x02;99887766501?\r\x03"
    assert staff_card_keys(staff_swipe, rules) == ["998877665", ";99887766501?"]
    assert staff_card_keys(staff_swipe, RuleSet.empty()) == [";99887766501?"]
    payment = "%B4111111111111111^CARDHOLDER/TEST^28121011000000000000000?"
    assert staff_card_keys(payment, rules) == []
    assert staff_card_keys("%E?;E?", rules) == []
    # Stored before any rule existed: still recognized once rules are configured.
    set_staff_card_from_swipe(engine, staff_swipe, RuleSet.empty())
    assert is_staff_swipe(engine, staff_swipe, RuleSet.empty())
    assert is_staff_swipe(engine, staff_swipe, rules)
    assert not is_staff_swipe(engine, ";12345678901?", rules)
    # Stored with rules: the card_id is what counts (another issue code still opens).
    set_staff_card_from_swipe(engine, staff_swipe, rules)
    assert is_staff_swipe(engine, ";99887766502?", rules)
    assert is_staff_card(engine, "998877665")
    with pytest.raises(UserError, match="not a readable card"):
        set_staff_card_from_swipe(engine, payment, rules)
    assert is_staff_card(engine, "998877665")  # the refused swipe changed nothing


def test_a_students_card_cannot_become_the_staff_card(
    engine: Engine, student_ids: dict[str, int]
) -> None:
    # The kiosk checks a student's card in before asking whether it is the staff card, so
    # such a staff card would never open staff mode: it is refused when it is set.
    rules = RuleSet(rules=(Rule(name="t2-id", pattern=r";(\d{9})\d{2}\?"),))
    with pytest.raises(UserError, match="student's card in the roster"):
        set_staff_card(engine, "901234567")  # Alex's card_id, typed
    with pytest.raises(UserError, match="student's card in the roster"):
        set_staff_card_from_swipe(engine, ";90123456701?", rules)  # by the rule's card_id
    with pytest.raises(UserError, match="student's card in the roster"):
        set_staff_card_from_swipe(engine, ";6009990412345679?", RuleSet.empty())  # contains Bo's
    assert not is_staff_card(engine, "901234567")
    with Session(engine) as session:
        assert session.exec(select(StaffSecret)).all() == []
    set_staff_card_from_swipe(engine, ";99887766501?", rules)  # nobody's card: accepted
    assert is_staff_swipe(engine, ";99887766501?", rules)


def test_a_pin_set_before_the_upgrade_keeps_working_with_a_clean_count(db_url: str) -> None:
    # A kiosk in the field upgrades in place: its PIN row gets failed_attempts 0.
    old = make_engine(db_url)
    try:
        upgrade(old, "0001")
        with old.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO staff_secret (kind, secret_hash, created_at) "
                    "VALUES ('pin', :hash, :at)"
                ),
                {"hash": hash_secret("2468"), "at": datetime(2026, 10, 1, tzinfo=UTC)},
            )
    finally:
        old.dispose()
    engine = open_database(db_url)  # migrates to head
    try:
        gate = PinGate(engine, clock=FakeClock())
        assert gate.wrong_attempts == 0 and gate.retry_after() == 0
        assert not gate.check("1111") and gate.wrong_attempts == 1
        assert gate.check("2468") and gate.wrong_attempts == 0
    finally:
        engine.dispose()
