"""The check-in service the kiosk's screens (and tests) drive: swipe in, outcome out."""

from __future__ import annotations

import functools
import gc
import logging
from collections.abc import Callable
from typing import ParamSpec, TypeVar

from sqlalchemy.engine import Engine
from sqlalchemy.exc import InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session, select

from drivers.base import Swipe
from kiosk.cards.parse import SwipeResult, parse_swipe
from kiosk.cards.rules import RuleSet
from kiosk.checkin.events import get_event
from kiosk.checkin.manual import (
    UNKNOWN_CARD_OFF_MESSAGE,
    Confirmation,
    ManualCheckin,
    refusal,
    staff_label,
    validate_mode,
)
from kiosk.checkin.matching import RosterMatch, RosterMatcher
from kiosk.checkin.outcome import (
    MISREAD,
    NOISE,
    NOT_FOUND,
    NOT_SAVED,
    PAYMENT_CARD,
    UNKNOWN_CARD_MESSAGE,
    CheckInOutcome,
    CheckInRow,
    IdentifiedStudent,
)
from kiosk.checkin.policies import ARCHIVED_POLICIES, ArchivedPolicy
from kiosk.checkin.queries import (
    full_name,
    live_count,
    manual_counts,
    recent_check_ins,
    rule_counts_since,
    start_of_local_day,
)
from kiosk.checkin.recording import (
    Attempt,
    record_payment_card_refused,
    record_student,
    record_walk_in,
    undo_check_in,
)
from kiosk.checkin.search import student_id_by_login
from kiosk.db.models import Event, Student
from kiosk.errors import UserError

log = logging.getLogger(__name__)

P = ParamSpec("P")
R = TypeVar("R")


class CheckInNotSaved(UserError):
    """The database could not be reached or written: nothing was recorded."""


def _saving(method: Callable[P, R]) -> Callable[P, R]:
    """Turn a database outage into one sentence, dropping the driver's exception (its text
    quotes the SQL parameters, card_ids included) so no card data reaches crash output."""

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        for attempt in (1, 2):
            if attempt == 2:
                # SQLite: a closed connection lives on while a garbage cycle (an exception's
                # traceback) holds one of its statements, and keeps the file's read-only view
                # for the new connections of this process: collect it before trying again.
                gc.collect()
            try:
                return method(*args, **kwargs)
            except (OperationalError, InterfaceError, PoolTimeout) as error:
                if attempt == 1 and getattr(error, "connection_invalidated", False):
                    # The connection was lost or went bad (kiosk/db/engine.py) and is replaced:
                    # try once more on a new one (a check-in that did get in is "already").
                    continue
                orig = getattr(error, "orig", None)  # the driver's error (PoolTimeout: none)
                reason = getattr(orig, "sqlite_errorname", None) or type(orig or error).__name__
                log.error("check-in not saved: database unavailable (%s)", reason)
                raise CheckInNotSaved(
                    f"Nothing was recorded: the database is unavailable ({reason}); "
                    "staff: check the disk or the database server, then swipe again."
                ) from None
        raise AssertionError("unreachable")

    return wrapper


def _answering(method: Callable[P, CheckInOutcome]) -> Callable[P, CheckInOutcome]:
    """For what a student does: database trouble is the ``not_saved`` answer ("please see
    a staff member") instead of an exception, so every swipe gets an answer on screen."""
    saving = _saving(method)

    @functools.wraps(method)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> CheckInOutcome:
        try:
            return saving(*args, **kwargs)
        except CheckInNotSaved:
            return NOT_SAVED

    return wrapper


class CheckInService:
    """Checks students in to one event.

    The roster's card_ids are loaded into memory once (``reload_roster`` after an import);
    each swipe then costs one parse, one roster lookup and one committed
    transaction. Every method that records something has committed before it returns.
    Raw swipe text is only ever held in the ``Swipe`` passed in: never stored or logged.
    """

    def __init__(
        self,
        engine: Engine,
        event_id: int,
        rules: RuleSet,
        *,
        kiosk_id: str = "kiosk",
        archived_policy: ArchivedPolicy = "allow",
        manual_checkin: ManualCheckin = "anyone",
        matcher: RosterMatcher | None = None,
        offline: bool = False,
    ) -> None:
        """``matcher``: the roster's card_id index when the caller has it already (a kiosk's
        local replica shares the shared database's student ids, and so its index).
        ``offline``: this service answers from a fair-mode kiosk's replica (no check-out)."""
        if archived_policy not in ARCHIVED_POLICIES:
            raise UserError(
                f'archived_policy {archived_policy!r} is unknown; use "allow" or "refuse".'
            )
        self.engine = engine
        self.event: Event = get_event(engine, event_id)
        self.event_id = event_id
        self.rules = rules
        self.kiosk_id = kiosk_id
        self.archived_policy: ArchivedPolicy = archived_policy
        self.manual_checkin: ManualCheckin = validate_mode(manual_checkin)
        self.offline = offline
        self._matcher = matcher if matcher is not None else RosterMatcher.load(engine)

    # -- configuration -------------------------------------------------------------------

    def set_rules(self, rules: RuleSet) -> None:
        """Use these card rules from the next swipe on."""
        self.rules = rules

    def set_manual_checkin(self, mode: ManualCheckin) -> None:
        """Who may check in by username, email or as a walk-in, from now on."""
        self.manual_checkin = validate_mode(mode)

    def reload_roster(self) -> None:
        """Reread the roster's card_ids (after an import)."""
        self._matcher = RosterMatcher.load(self.engine)

    @property
    def roster_card_count(self) -> int:
        """How many distinct card_ids the in-memory roster holds."""
        return len(self._matcher)

    # -- checking in ---------------------------------------------------------------------

    @property
    def matcher(self) -> RosterMatcher:
        return self._matcher

    def set_matcher(self, matcher: RosterMatcher) -> None:
        """Use this roster index from now on (loaded by the caller, e.g. after an import)."""
        self._matcher = matcher

    @_answering
    def handle_swipe(self, swipe: Swipe, client_key: str | None = None) -> CheckInOutcome:
        """Parse, match and record one swipe; committed before this returns. ``client_key``
        is its idempotency key (see ``recording.Attempt``)."""
        result = parse_swipe(swipe.text, self.rules, reader=swipe.reader)
        if result.status == "noise":
            return NOISE
        if result.status == "misread":
            log.info("misread swipe from %s", swipe.reader)
            return MISREAD
        if result.status == "refused":
            record_payment_card_refused(self.engine, self.event_id, swipe.reader)
            log.info("payment card refused on %s", swipe.reader)
            return PAYMENT_CARD
        match = self._find(swipe.text, result)
        unknown_card_id = result.card_id if result.status == "ok" else None
        if match is None:
            log.info("unrecognized card on %s (rule %s)", swipe.reader, result.rule)
            return CheckInOutcome(
                kind="unknown", message=self._unknown_card_message, card_id=unknown_card_id
            )
        attempt = Attempt(
            event_id=self.event_id,
            method="swipe",
            kiosk_id=self.kiosk_id,
            reader=swipe.reader,
            rule=result.rule if result.status == "ok" else None,
            card_id=match.card_id,
            at=swipe.wall,
            client_key=client_key,
            offline=self.offline,
        )
        outcome = record_student(self.engine, match.student_id, attempt, self.archived_policy)
        if outcome is None:  # the student left the roster since it was loaded
            return CheckInOutcome(
                kind="unknown", message=self._unknown_card_message, card_id=unknown_card_id
            )
        log.info("swipe on %s: %s", swipe.reader, outcome.kind)
        return outcome

    @property
    def _unknown_card_message(self) -> str:
        """Under manual_checkin "off" an unknown card has nowhere to go but staff."""
        return UNKNOWN_CARD_OFF_MESSAGE if self.manual_checkin == "off" else UNKNOWN_CARD_MESSAGE

    def _find(self, text: str, result: SwipeResult) -> RosterMatch | None:
        match = self._matcher.match(text, result)
        if match is None and result.status == "ok" and result.card_id is not None:
            match = self._match_in_database(result.card_id)
        return match

    @_saving
    def identify(self, text: str, result: SwipeResult) -> IdentifiedStudent | None:
        """Staff only (the rule tester): whose card a parsed swipe is, matched exactly as
        :meth:`handle_swipe` would, without recording anything."""
        match = self._find(text, result)
        if match is None:
            return None
        with Session(self.engine) as session:
            student = session.get(Student, match.student_id)
        if student is None:
            return None
        return IdentifiedStudent(
            full_name=full_name(student),
            username=student.username,
            archived=student.archived,
            matched_by="rule" if result.status == "ok" else "containment",
            rule=result.rule,
        )

    def _match_in_database(self, card_id: str) -> RosterMatch | None:
        """A card_id added to the roster since it was loaded (e.g. by another kiosk's import)."""
        with Session(self.engine) as session:
            student_id = session.exec(select(Student.id).where(Student.card_id == card_id)).first()
        return RosterMatch(student_id, card_id) if student_id is not None else None

    @_answering
    def check_in_by_lookup(
        self, query: str, confirmed_by: Confirmation | None = None, client_key: str | None = None
    ) -> CheckInOutcome:
        """Check in by username or email (case-insensitive), method ``manual``. Any failure
        gives the same neutral message, so the lookup reveals nothing about who is on the
        roster. Under ``manual_checkin`` "off", or "staff-confirm" without ``confirmed_by``
        (the staff PIN or card, checked by the caller), nothing is looked up or recorded.
        A confirmed one records who confirmed it (``checked_in_by``), and is a staff
        decision: a registered-only event lets the student in too."""
        refused = refusal(self.manual_checkin, confirmed_by)
        if refused is not None:
            return refused
        student_id = self._find_student_id(query)
        if student_id is None:
            return NOT_FOUND
        attempt = Attempt(
            event_id=self.event_id,
            method="manual",
            kiosk_id=self.kiosk_id,
            client_key=client_key,
            checked_in_by=staff_label(confirmed_by, self.kiosk_id),
            offline=self.offline,
        )
        outcome = record_student(self.engine, student_id, attempt, self.archived_policy)
        if outcome is None or outcome.kind == "archived":
            return NOT_FOUND
        return outcome

    def _find_student_id(self, query: str) -> int | None:
        return student_id_by_login(self.engine, query)

    @_answering
    def check_in_student(
        self,
        student_id: int,
        checked_in_by: str,
        confirmed_by: Confirmation | None = None,
        client_key: str | None = None,
    ) -> CheckInOutcome:
        """Staff check a roster student in by hand (a search result, kiosk.checkin.search):
        method ``manual``, ``checked_in_by`` saying who ("staff PIN at kiosk front"). The
        ``manual_checkin`` setting applies as to :meth:`check_in_by_lookup`: "off" refuses,
        "staff-confirm" needs ``confirmed_by`` (staff mode's own PIN or card). Unlike the
        student's lookup, the answer is not made neutral: staff see "archived" and
        "already checked in at 10:02"."""
        refused = refusal(self.manual_checkin, confirmed_by)
        if refused is not None:
            return refused
        attempt = Attempt(
            event_id=self.event_id,
            method="manual",
            kiosk_id=self.kiosk_id,
            client_key=client_key,
            checked_in_by=checked_in_by,
            offline=self.offline,
        )
        outcome = record_student(self.engine, student_id, attempt, self.archived_policy)
        return NOT_FOUND if outcome is None else outcome

    @_answering
    def register_walk_in(
        self,
        name: str,
        email: str | None,
        card_id: str | None,
        confirmed_by: Confirmation | None = None,
        client_key: str | None = None,
    ) -> CheckInOutcome:
        """Register someone not on the roster (name and email typed at the kiosk) and check
        them in; ``card_id`` is the one an unknown outcome carried, if any. A manual
        check-in: ``manual_checkin`` applies as to :meth:`check_in_by_lookup`."""
        refused = refusal(self.manual_checkin, confirmed_by)
        if refused is not None:
            return refused
        attempt = Attempt(
            event_id=self.event_id,
            method="walk-in",
            kiosk_id=self.kiosk_id,
            card_id=card_id,
            client_key=client_key,
            checked_in_by=staff_label(confirmed_by, self.kiosk_id),
        )
        return record_walk_in(self.engine, name, email, attempt)

    @_saving
    def undo(self, check_in_id: int, by: str) -> None:
        """Undo a mistaken check-in of this event: it leaves the count and the exports, and
        the undo is recorded (who, when) as an audit event."""
        undo_check_in(self.engine, self.event_id, check_in_id, by)

    # -- reading -------------------------------------------------------------------------

    def recent(self, limit: int = 20) -> list[CheckInRow]:
        """The newest live check-ins of this event, newest first."""
        return recent_check_ins(self.engine, self.event_id, limit)

    def count(self) -> int:
        """Live check-ins of this event (walk-ins included)."""
        return live_count(self.engine, self.event_id)

    def manual_counts(self) -> dict[str, int]:
        """Live manual check-ins of this event per method (``manual``, ``walk-in``)."""
        return manual_counts(self.engine, self.event_id)

    def rule_counts(self) -> dict[str, int]:
        """Live check-ins per card rule today (local time), on every event."""
        return rule_counts_since(self.engine, start_of_local_day())
