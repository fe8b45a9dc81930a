"""Staff secrets: the PIN that opens staff mode and an optional staff card.

Both are stored only as salted scrypt hashes in a self-describing string
(``scrypt$n=16384,r=8,p=1$<salt>$<hash>``, base64), so parameters can grow later and old
hashes still verify. Wrong PINs slow down (:class:`PinGate`): after ``FREE_ATTEMPTS`` wrong
PINs in a row each further attempt waits a doubling delay, at most ``MAX_DELAY_S`` (30 s), so
guessing stays below ``MAX_CHECKS_PER_MINUTE`` while staff who mistype are never locked out
for long. The count is kept in the database, across restarts.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import math
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col, select

from kiosk.cards.clean import clean_swipe
from kiosk.cards.parse import parse_swipe
from kiosk.cards.rules import RuleSet
from kiosk.checkin.matching import RosterMatcher
from kiosk.db.models import StaffSecret, utcnow
from kiosk.errors import UserError

SecretKind = Literal["pin", "card"]

SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
HASH_BYTES = 32
MIN_PIN_LENGTH = 4
MAX_PIN_LENGTH = 12

FREE_ATTEMPTS = 3
FIRST_DELAY_S = 1.0
MAX_DELAY_S = 30.0
MAX_CHECKS_PER_MINUTE = 10


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def hash_secret(secret: str, *, n: int = SCRYPT_N, r: int = SCRYPT_R, p: int = SCRYPT_P) -> str:
    """A salted scrypt hash of ``secret`` as ``scrypt$n=..,r=..,p=..$salt$hash``."""
    salt = secrets.token_bytes(SALT_BYTES)
    digest = hashlib.scrypt(
        secret.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=HASH_BYTES, maxmem=2**27
    )
    return f"scrypt$n={n},r={r},p={p}${_b64(salt)}${_b64(digest)}"


def verify_secret(secret: str, stored: str) -> bool:
    """True when ``secret`` hashes to ``stored`` (compared in constant time)."""
    try:
        scheme, params, salt_text, digest_text = stored.split("$")
        settings = dict(item.split("=", 1) for item in params.split(","))
        n, r, p = int(settings["n"]), int(settings["r"]), int(settings["p"])
        salt, expected = base64.b64decode(salt_text), base64.b64decode(digest_text)
    except (ValueError, KeyError):
        return False
    if scheme != "scrypt":
        return False
    digest = hashlib.scrypt(
        secret.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=len(expected), maxmem=2**27
    )
    return hmac.compare_digest(digest, expected)


def _store(engine: Engine, kind: SecretKind, secret_hash: str) -> None:
    with Session(engine) as session:
        row = session.exec(select(StaffSecret).where(StaffSecret.kind == kind)).first()
        if row is None:
            row = StaffSecret(kind=kind, secret_hash=secret_hash)
        else:
            row.secret_hash = secret_hash
            row.created_at = utcnow()
            row.failed_attempts = 0  # a new secret starts with a clean slate
            row.last_failed_at = None
        session.add(row)
        session.commit()


def _stored(engine: Engine, kind: SecretKind) -> str | None:
    with Session(engine) as session:
        row = session.exec(select(StaffSecret).where(StaffSecret.kind == kind)).first()
        return row.secret_hash if row is not None else None


def validate_pin(pin: str) -> str:
    """The PIN if it is 4 to 12 digits, else a UserError saying so."""
    if not (pin.isdigit() and pin.isascii() and MIN_PIN_LENGTH <= len(pin) <= MAX_PIN_LENGTH):
        raise UserError(
            f"A staff PIN is {MIN_PIN_LENGTH} to {MAX_PIN_LENGTH} digits; choose another."
        )
    return pin


def set_pin(engine: Engine, pin: str) -> None:
    """Store (or replace) the staff PIN, hashed."""
    _store(engine, "pin", hash_secret(validate_pin(pin)))


def has_pin(engine: Engine) -> bool:
    return _stored(engine, "pin") is not None


STUDENT_CARD_REFUSED = (
    "That is a student's card in the roster, so at the kiosk it would check the student in "
    "instead of opening staff mode; use a card no student has (a staff ID or a spare card)."
)


def set_staff_card(engine: Engine, card_id: str) -> None:
    """Store (or replace) the staff card's card_id, hashed. A roster student's card_id is
    refused: the kiosk checks a student's card in before it asks whether it is staff's."""
    card = card_id.strip()
    if not card:
        raise UserError("The staff card's id is empty; swipe the card again or type its id.")
    if RosterMatcher.load(engine).by_card_id(card) is not None:
        raise UserError(STUDENT_CARD_REFUSED)
    _store(engine, "card", hash_secret(card))


def is_staff_card(engine: Engine, card_id: str | None) -> bool:
    """True when ``card_id`` is the staff card's (False when none is set)."""
    stored = _stored(engine, "card")
    if stored is None or not card_id or not card_id.strip():
        return False
    return verify_secret(card_id.strip(), stored)


def staff_card_keys(text: str, rules: RuleSet) -> list[str]:
    """What identifies a swiped staff card: the card_id the rules give, and (when no rule
    matches) the cleaned swipe text. Empty for a payment card, a misread or noise, which
    can never be a staff card. Lives in memory only, like the swipe."""
    result = parse_swipe(text, rules)
    if result.status == "ok" and result.card_id:
        keys = [result.card_id]
    elif result.status == "no_match":
        keys = []
    else:
        return []
    cleaned = clean_swipe(text).strip()
    if cleaned and cleaned not in keys:
        keys.append(cleaned)
    return keys


def set_staff_card_from_swipe(engine: Engine, text: str, rules: RuleSet) -> None:
    """Store the staff card from a swipe (its rule card_id, else its cleaned text), hashed."""
    keys = staff_card_keys(text, rules)
    if not keys:
        raise UserError(
            "That swipe is not a readable card (a payment card, a misread or nothing); "
            "swipe the staff card again."
        )
    # Matched as the kiosk matches a swipe (rule card_id exactly, else containment), which
    # covers the exact check set_staff_card makes: the roster is loaded once.
    if RosterMatcher.load(engine).match(text, parse_swipe(text, rules)) is not None:
        raise UserError(STUDENT_CARD_REFUSED)
    _store(engine, "card", hash_secret(keys[0]))


def is_staff_swipe(engine: Engine, text: str, rules: RuleSet) -> bool:
    """True when a swipe is the staff card's (by rule card_id or by its cleaned text, so a
    card stored before rules were configured still opens staff mode)."""
    return any(is_staff_card(engine, key) for key in staff_card_keys(text, rules))


@dataclass(frozen=True)
class PinCheck:
    """The answer to one PIN attempt; truthy when the PIN was right."""

    ok: bool
    retry_after: float = 0.0
    message: str = ""

    def __bool__(self) -> bool:
        return self.ok


def delay_after(failures: int) -> float:
    """Seconds to wait after ``failures`` wrong PINs in a row: none for the first
    ``FREE_ATTEMPTS - 1``, then 1, 2, 4, 8, 16, then ``MAX_DELAY_S`` (30) for good.

    The schedule alone keeps guessing slow: the fastest guesser gets 8 checks in the first
    minute and 2 a minute after that (``MAX_CHECKS_PER_MINUTE`` is the promise, tested), and
    nobody ever waits more than ``MAX_DELAY_S`` after the last wrong PIN."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    return min(FIRST_DELAY_S * 2 ** (failures - FREE_ATTEMPTS), MAX_DELAY_S)


def wait_message(wait: float) -> str:
    """What the PIN screen says while a wait runs."""
    return f"Too many wrong PINs: try again in {_seconds(wait)} s"


@dataclass(frozen=True)
class _PinState:
    secret_hash: str
    failures: int
    last_failed_at: datetime | None


class PinGate:
    """Checks staff PINs, slowing down repeated wrong ones.

    The count of wrong PINs in a row and the time of the last one live in the PIN's
    ``staff_secret`` row, so they survive a restart and every kiosk on the database shares
    them. An attempt is counted as wrong *before* the PIN is compared (an atomic
    compare-and-set on the count), so two attempts at once cannot both slip through a wait
    and a kiosk killed mid-check has still paid for the guess; a right PIN resets the count.
    The gate never sleeps: it says how long to wait. ``clock`` gives the wall-clock time
    (aware UTC); a wait is never longer than its delay, even when the clock steps back.
    """

    def __init__(self, engine: Engine, clock: Callable[[], datetime] = utcnow) -> None:
        self.engine = engine
        self._clock = clock

    def _state(self) -> _PinState | None:
        with Session(self.engine) as session:
            row = session.exec(select(StaffSecret).where(StaffSecret.kind == "pin")).first()
            if row is None:
                return None
            return _PinState(row.secret_hash, row.failed_attempts, row.last_failed_at)

    def _wait(self, state: _PinState) -> float:
        delay = delay_after(state.failures)
        if not delay or state.last_failed_at is None:
            return 0.0
        elapsed = (self._clock() - state.last_failed_at).total_seconds()
        return min(delay, max(0.0, delay - elapsed))

    @property
    def wrong_attempts(self) -> int:
        """Wrong PINs in a row so far (0 after a right one)."""
        state = self._state()
        return state.failures if state is not None else 0

    def retry_after(self) -> float:
        """Seconds until the next attempt is allowed (0 when it is allowed now)."""
        state = self._state()
        return self._wait(state) if state is not None else 0.0

    def _claim(self, state: _PinState) -> bool:
        """Count this attempt as a wrong one unless another attempt got there first."""
        with Session(self.engine) as session:
            result = session.execute(
                update(StaffSecret)
                .where(
                    col(StaffSecret.kind) == "pin",
                    col(StaffSecret.failed_attempts) == state.failures,
                    col(StaffSecret.secret_hash) == state.secret_hash,
                )
                .values(failed_attempts=state.failures + 1, last_failed_at=self._clock())
            )
            session.commit()
            return bool(result.rowcount == 1)  # type: ignore[attr-defined]

    def _reset(self) -> None:
        with Session(self.engine) as session:
            session.execute(
                update(StaffSecret)
                .where(col(StaffSecret.kind) == "pin")
                .values(failed_attempts=0, last_failed_at=None)
            )
            session.commit()

    def check(self, pin: str) -> PinCheck:
        """Check a PIN. While a wait runs the PIN is not even compared."""
        for _ in range(3):
            state = self._state()
            if state is None:
                return PinCheck(
                    False, 0.0, "No staff PIN is set — run `kiosk staff set-pin` first"
                )
            wait = self._wait(state)
            if wait > 0:
                return PinCheck(False, wait, wait_message(wait))
            if self._claim(state):
                break
        else:  # others kept checking at the same moment: this one waits its turn
            wait = self.retry_after()
            return PinCheck(False, wait, wait_message(wait) if wait else "Try again")
        if verify_secret(pin, state.secret_hash):
            self._reset()
            return PinCheck(True)
        delay = delay_after(state.failures + 1)
        if delay:
            return PinCheck(False, delay, f"Wrong PIN. {wait_message(delay)}")
        return PinCheck(False, 0.0, "Wrong PIN")


def _seconds(wait: float) -> int:
    return max(1, math.ceil(wait))
