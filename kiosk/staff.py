"""Staff secrets: the PIN that opens staff mode and an optional staff card.

Both are stored only as salted scrypt hashes in a self-describing string
(``scrypt$n=16384,r=8,p=1$<salt>$<hash>``, base64), so parameters can grow later and old
hashes still verify. Wrong PINs slow down: after ``FREE_ATTEMPTS`` wrong PINs in a row each
further attempt must wait a doubling delay. The gate never sleeps: it says how long to wait.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

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
MAX_DELAY_S = 300.0


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


@dataclass
class _Failures:
    count: int = 0
    locked_until: float = 0.0


# Per process and database: every PinGate on the same database shares its failure count.
_FAILURES: dict[str, _Failures] = {}


def delay_after(failures: int) -> float:
    """Seconds to wait after ``failures`` wrong PINs in a row: none for the first
    ``FREE_ATTEMPTS - 1``, then 1, 2, 4, ... up to ``MAX_DELAY_S``."""
    if failures < FREE_ATTEMPTS:
        return 0.0
    return min(FIRST_DELAY_S * 2 ** (failures - FREE_ATTEMPTS), MAX_DELAY_S)


class PinGate:
    """Checks staff PINs, slowing down repeated wrong ones (state kept in this process)."""

    def __init__(self, engine: Engine, clock: Callable[[], float] = time.monotonic) -> None:
        self.engine = engine
        self._clock = clock
        key = engine.url.render_as_string(hide_password=False)
        self._failures = _FAILURES.setdefault(key, _Failures())

    @property
    def wrong_attempts(self) -> int:
        """Wrong PINs in a row so far (0 after a right one)."""
        return self._failures.count

    def retry_after(self) -> float:
        """Seconds until the next attempt is allowed (0 when it is allowed now)."""
        return max(0.0, self._failures.locked_until - self._clock())

    def check(self, pin: str) -> PinCheck:
        """Check a PIN. While a delay runs the PIN is not even compared."""
        wait = self.retry_after()
        if wait > 0:
            return PinCheck(False, wait, f"Too many wrong PINs — retry after {_seconds(wait)} s")
        stored = _stored(self.engine, "pin")
        if stored is None:
            return PinCheck(False, 0.0, "No staff PIN is set — run `kiosk staff set-pin` first")
        if verify_secret(pin, stored):
            self._failures.count = 0
            self._failures.locked_until = 0.0
            return PinCheck(True)
        self._failures.count += 1
        delay = delay_after(self._failures.count)
        self._failures.locked_until = self._clock() + delay
        if delay:
            return PinCheck(False, delay, f"Wrong PIN — retry after {_seconds(delay)} s")
        return PinCheck(False, 0.0, "Wrong PIN")


def _seconds(wait: float) -> int:
    return max(1, int(wait + 0.999))
