"""The kiosk's one front desk: everything the screens ask of the domain, in one place.

``kiosk run`` and ``kiosk demo`` build one ``KioskDesk``; the Textual app and its screens talk
to it and to nothing else of the domain (no engine, no SQL, no service of their own). It owns
the database engine, the event being checked in to, the card rules and their file, the
check-in service (with the roster's card_id index), the staff PIN gate and the policies
(archived students, manual check-in), and it decides what a swipe means for the kiosk as a
whole — a student's check-in, or the staff card opening staff mode. When several kiosks share
a database, this is also the one place that knows whether it is reachable.

Every method that touches the database is a coroutine that runs the work in a thread, so a
screen has one idiom for it: ``await desk.something(...)``. A student's answer never waits
more than ``ANSWER_DEADLINE_S``. Errors a user can cause arrive as ``UserError`` with the
sentence to show; database trouble outside a check-in arrives as ``DatabaseUnavailable``.
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, ParamSpec, TypeVar, cast

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from drivers.base import Swipe
from kiosk.cards.parse import SwipeResult
from kiosk.cards.rules import RuleSet
from kiosk.cards.rules_file import save_rules
from kiosk.checkin import CheckInOutcome, CheckInRow, CheckInService
from kiosk.checkin.event_options import parse_checkout_minutes, set_event_options
from kiosk.checkin.events import (
    DeletedEvent,
    create_event,
    delete_event,
    get_event,
    list_events,
    live_check_in_counts,
    rename_event,
)
from kiosk.checkin.events import set_handshake_id as store_handshake_id
from kiosk.checkin.manual import (
    MANUAL_OFF,
    Confirmation,
    ManualCheckin,
    staff_label,
    validate_mode,
)
from kiosk.checkin.outcome import NOT_SAVED, STAFF_CARD, IdentifiedStudent
from kiosk.checkin.queries import live_count
from kiosk.checkin.recording import ArchivedPolicy
from kiosk.checkin.search import SearchHit, StudentDirectory, live_check_in_times
from kiosk.checkin.staff import PinCheck, PinGate, is_staff_swipe
from kiosk.config import default_rules_path
from kiosk.db.models import Event
from kiosk.errors import DatabaseUnavailable, UserError
from kiosk.nametags.labels import label_size
from kiosk.paths import data_dir

if TYPE_CHECKING:  # imported where used: a kiosk starts without fair mode, name tags, exports
    # and the roster import (see _roster_version and the methods below)
    from kiosk.checkin.export import ExportSummary
    from kiosk.checkin.matching import RosterMatcher
    from kiosk.checkin.registration_import import RegistrationImport
    from kiosk.checkin.summary import AttendanceSummary
    from kiosk.fair.link import SharedLink
    from kiosk.fair.replica import Replica
    from kiosk.fair.route import Call, FairRoute
    from kiosk.nametags.printers import Printer
    from kiosk.nametags.render import NameTag, TagFont
    from kiosk.nametags.spool import PrintJob, TagSpool
    from kiosk.roster.report import ImportReport

log = logging.getLogger(__name__)

# Event: for screens' types
__all__ = ["ANSWER_DEADLINE_S", "Event", "EventLine", "FoundStudent", "KioskDesk"]

P = ParamSpec("P")
R = TypeVar("R")

# No student waits longer than this for the database: past it the answer is "please see a
# staff member" (a frozen server or network). Longer than SQLite's busy timeout (10 s), so a
# swipe during a roster import waits for the import instead.
ANSWER_DEADLINE_S = 12.0
UNAVAILABLE = "The database is unavailable right now; try again in a moment."
NO_TAG_PRINTER = (
    "No name tag printer: set nametag_printer in kiosk.toml (a CUPS printer or dir:PATH)."
)


@dataclass(frozen=True)
class EventLine:
    """One event as the staff Events screen lists it."""

    event: Event
    live_check_ins: int | None  # None: not known here (fair mode offline, another event)


@dataclass(frozen=True)
class FoundStudent:
    """A student staff found by name (kiosk.checkin.search), and when they checked in to
    the current event (None: not yet)."""

    hit: SearchHit
    checked_in_at: datetime | None


@contextmanager
def _unavailable_on_error(what: str = "database unavailable") -> Iterator[None]:
    """Database trouble inside becomes ``DatabaseUnavailable`` (one sentence), logged as
    ``what`` with the error's kind only (never its text: it may hold a swipe)."""
    try:
        yield
    except SQLAlchemyError as error:
        log.warning("%s (%s)", what, type(error).__name__)
        raise DatabaseUnavailable(UNAVAILABLE) from None


async def _blocking(function: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """Database and file work off the event loop: the desk's one way to block. Database
    trouble becomes ``DatabaseUnavailable`` (one sentence), never a crash of the kiosk."""
    with _unavailable_on_error():
        return await asyncio.to_thread(function, *args, **kwargs)


def _roster_version(engine: Engine) -> int:
    """kiosk.roster.version's roster_version, imported in the desk's thread when first asked
    (by ``tick``, once the kiosk is ready), not while the kiosk starts."""
    from kiosk.roster.version import roster_version

    return roster_version(engine)


async def _answer(function: Callable[P, CheckInOutcome], *args: P.args, **kwargs: P.kwargs
                  ) -> CheckInOutcome:  # fmt: skip
    """A student's answer, due within ``ANSWER_DEADLINE_S``. Late, the student is told to see
    a staff member; the call goes on in its thread, and a check-in it still records shows in
    staff mode's Recent list (and as "already")."""
    try:
        return await asyncio.wait_for(_blocking(function, *args, **kwargs), ANSWER_DEADLINE_S)
    except TimeoutError:
        log.error("check-in not confirmed: no answer from the database in time")
        return NOT_SAVED
    except DatabaseUnavailable:
        return NOT_SAVED


class KioskDesk:
    """The application facade between the kiosk's screens and its domain (see module doc)."""

    def __init__(
        self,
        engine: Engine,
        event: Event,
        rules: RuleSet,
        *,
        rules_path: Path | None = None,
        kiosk_id: str = "kiosk",
        archived_policy: ArchivedPolicy = "allow",
        manual_checkin: ManualCheckin = "anyone",
        replica: Replica | None = None,
        link: SharedLink | None = None,
        export_dir: Path | None = None,
        tag_printer: Printer | None = None,
        tag_font: TagFont | None = None,
    ) -> None:
        """``replica`` and ``link``: fair mode (kiosk.fair), where the database is shared by
        several kiosks and this one goes on from its replica when it cannot reach it."""
        assert event.id is not None, "the event must be saved first"
        self._export_dir = export_dir
        # Staff's search by name; name tags printed in the background (kiosk.nametags)
        self._directory = StudentDirectory(engine)
        self._offline_directory = StudentDirectory(replica.engine) if replica else None
        self._tags: TagSpool | None = None
        if tag_printer is not None:
            from kiosk.nametags.spool import TagSpool

            self._tags = TagSpool(tag_printer, self._load_tag, font=tag_font)
        self.engine = engine  # for the commands that build the desk and for tests: screens
        # never touch it (tests/test_architecture.py)
        self._event = event
        self._rules = rules
        self._rules_path = rules_path
        self.kiosk_id = kiosk_id
        self.archived_policy: ArchivedPolicy = archived_policy
        self._manual_checkin = validate_mode(manual_checkin)
        self._service: CheckInService | None = None
        self._fair: FairRoute | None = None
        if replica is not None and link is not None:
            from kiosk.fair.route import FairRoute

            self._fair = FairRoute(link, replica, self._shared_service, self._local_service)
        self._roster_version: int | None = None
        self._pin_gate = PinGate(engine)
        self._offline_gate = PinGate(replica.engine if replica is not None else engine)
        self.ready = asyncio.Event()

    # ------------------------------------------------------------------ state

    @property
    def event(self) -> Event:
        return self._event

    @property
    def event_id(self) -> int:
        assert self._event.id is not None
        return self._event.id

    @property
    def rules(self) -> RuleSet:
        return self._rules

    @property
    def rules_file(self) -> Path | None:
        """The rules file the kiosk was started with (None: no rules file)."""
        return self._rules_path

    @property
    def rules_path(self) -> Path:
        """The rules file staff edit: the one the kiosk was started with, else the default."""
        return self._rules_path or default_rules_path()

    @property
    def manual_checkin(self) -> ManualCheckin:
        return self._manual_checkin

    @property
    def database_label(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def service(self) -> CheckInService:
        """The check-in service in use once ``start`` has loaded it: in fair mode the shared
        database's while it answers, else the replica's."""
        if self._fair is not None:
            current = self._fair.shared if self._fair.link.online else None
            service = current or self._fair.local
        else:
            service = self._service
        if service is None:
            raise RuntimeError("the check-in service is still loading")
        return service

    def _services(self) -> list[CheckInService]:
        if self._fair is not None:
            return self._fair.services()
        return [self._service] if self._service is not None else []

    def _shared_service(self) -> CheckInService:
        """The shared database's service for the current event; the roster index of a
        service in use is reused (an event switch reads no roster)."""
        known = next(iter(self._services()), None)
        return self._service_for(self._event, known.matcher if known is not None else None)

    def _local_service(self, shared: CheckInService | None) -> CheckInService:
        assert self._fair is not None
        return CheckInService(
            self._fair.replica.engine,
            self.event_id,
            self._rules,
            kiosk_id=self.kiosk_id,
            archived_policy=self.archived_policy,
            manual_checkin=self._manual_checkin,
            matcher=shared.matcher if shared is not None else None,
            offline=True,  # no check-out from the replica (kiosk.checkin.checkout)
        )

    def _service_for(self, event: Event, matcher: RosterMatcher | None = None) -> CheckInService:
        assert event.id is not None
        return CheckInService(
            self.engine,
            event.id,
            self._rules,
            kiosk_id=self.kiosk_id,
            archived_policy=self.archived_policy,
            manual_checkin=self._manual_checkin,
            matcher=matcher,
        )

    # ------------------------------------------- staff questions and actions, fair mode

    async def _staff_read(self, query: Callable[[Engine], R]) -> tuple[R, bool]:
        """``query(engine)`` and whether the shared database answered it (always True
        without fair mode). Fair mode: the shared database when it answers within about a
        second (kiosk.fair.route), else the replica; staff never wait on a dead network."""
        if self._fair is None:
            return await _blocking(query, self.engine), True
        with _unavailable_on_error():  # the replica itself failed
            return await self._fair.read_from(query)

    async def _ask_service(self, question: Callable[[CheckInService], R]) -> R:
        """A question for the check-in service in use (fair mode: as ``_staff_read``)."""
        service = await self._ready_service()
        if self._fair is None:
            return await _blocking(question, service)
        with _unavailable_on_error():
            return await self._fair.ask(question)

    async def _shared_action(
        self, work: Callable[[Engine], R], action: str, *, writes: bool = True, long: bool = False
    ) -> R:
        """``work(engine)``: a change every kiosk must see, or an export that must hold every
        kiosk's check-ins. Fair mode: on the shared database only, answered within about a
        second, else ``DatabaseUnavailable`` saying it cannot be reached and what to do
        (kiosk.fair.route.FairRoute.on_shared: ``action``, ``writes``, ``long``)."""
        if self._fair is None:
            return await _blocking(work, self.engine)
        with _unavailable_on_error():
            return await self._fair.on_shared(work, action, writes=writes, long=long)

    async def start(self) -> None:
        """Load the roster's card_id index (a moment for a large roster); swipes wait for it."""
        if self._fair is not None:
            await asyncio.to_thread(self._fair.start, self.event_id)
        elif self._service is None:
            self._service = await _blocking(self._service_for, self._event)
        self.ready.set()

    def close(self) -> None:
        """The kiosk is stopping: the name tag printer finishes the tags queued, then stops
        (its thread would otherwise go on printing, and logging, until the process ends)."""
        if self._tags is not None:
            self._tags.close()

    async def _ready_service(self) -> CheckInService:
        await self.ready.wait()
        return self.service

    # -------------------------------------------------------------- students

    async def handle_swipe(self, swipe: Swipe, *, staff_mode: bool = False) -> CheckInOutcome:
        """What a swipe means: a check-in (recorded before this returns), or ``STAFF_CARD``
        when it is the staff card outside staff mode."""
        outcome = await self._check_in(lambda service: service.handle_swipe, swipe)
        # The staff card is not a student's: only an unknown card is checked against it
        # (a hash comparison, too slow to pay on every student's swipe).
        if outcome.kind == "unknown" and not staff_mode and await self.is_staff_card(swipe):
            return STAFF_CARD
        return outcome

    async def is_staff_card(self, swipe: Swipe, *, strict: bool = False) -> bool:
        """True when the swipe is the staff card. When the database cannot say: False, or
        with ``strict`` ``DatabaseUnavailable`` (a staff confirmation must not guess)."""
        text, rules = swipe.text, self._rules
        try:
            found, _ = await self._staff_read(lambda engine: is_staff_swipe(engine, text, rules))
            return found
        except DatabaseUnavailable:
            if strict:
                raise
            return False

    async def lookup(self, query: str, confirmed_by: Confirmation | None = None) -> CheckInOutcome:
        """Check a student in by the username or email they typed (manual check-in)."""
        return await self._check_in(lambda service: service.check_in_by_lookup, query, confirmed_by)

    async def walk_in(
        self,
        name: str,
        email: str | None,
        card_id: str | None,
        confirmed_by: Confirmation | None = None,
    ) -> CheckInOutcome:
        """Register someone not on the roster and check them in (manual check-in)."""
        return await self._check_in(
            lambda service: service.register_walk_in, name, email, card_id, confirmed_by
        )

    async def _check_in(self, call: Call, *args: object) -> CheckInOutcome:
        """Every check-in goes through here with a new idempotency key: in fair mode the
        route decides online or offline; else the one service answers."""
        await self.ready.wait()
        key = str(uuid.uuid4())
        if self._fair is not None:
            outcome = await self._fair.check_in(call, args, key)
        else:
            outcome = await _answer(call(self.service), *args, client_key=key)
        self._print_tag(outcome, key)  # queued only: the printer never delays the answer
        return outcome

    def manual_refusal(self) -> CheckInOutcome | None:
        """The answer to F2/F3 when manual check-in is off, else None."""
        return MANUAL_OFF if self._manual_checkin == "off" else None

    def set_manual_checkin(self, mode: ManualCheckin) -> None:
        """Staff mode: who may check in without a card, until the kiosk restarts."""
        self._manual_checkin = validate_mode(mode)
        for service in self._services():
            service.set_manual_checkin(self._manual_checkin)

    async def identify(self, text: str, result: SwipeResult) -> IdentifiedStudent | None:
        """Whose card a swipe is, for the staff rule tester (nothing is recorded)."""
        return await self._ask_service(lambda service: service.identify(text, result))

    # ----------------------------------------------------------------- counts

    async def live_count(self) -> int:
        """Students checked in to the current event (undone ones not counted); in fair mode
        from the shared database when it answers within about a second, else as far as this
        kiosk's replica knows."""
        event_id = self.event_id
        if self._fair is not None:
            count = partial(live_count, event_id=event_id)
            with _unavailable_on_error():
                return await self._fair.read(count)
        return await _blocking(live_count, self.engine, event_id)

    def link_status(self) -> str:
        """``offline — 3 queued`` in fair mode while the shared database does not answer (or
        its queue is being sent), else empty."""
        return self._fair.state().text() if self._fair is not None else ""

    async def tick(self) -> None:
        """Upkeep every few seconds: in fair mode the replica, the queue and coming back
        online; always, a roster changed by an import (elsewhere) read again."""
        if not self.ready.is_set():
            return
        await self._reread_event()
        if self._fair is not None:
            await asyncio.to_thread(self._fair.tick, self.event_id)
            return
        try:
            version = await _blocking(_roster_version, self.engine)
        except DatabaseUnavailable:
            return
        if self._roster_version is not None and version != self._roster_version:
            await _blocking(self.service.reload_roster)
        self._roster_version = version

    async def _reread_event(self) -> None:
        """The event's options as stored now: a label, registered-only or check-out set with
        ``kiosk events set`` (or at another kiosk) reaches this one within a tick. Check-ins
        read registered-only and check-out themselves; the copy here is what the screens show
        and what name tags print on. Unreadable (offline, deleted): the copy stays."""
        event_id, held = self.event_id, self._event

        def read(engine: Engine) -> Event:
            return get_event(engine, event_id)

        try:
            if self._fair is not None:
                event = await self._fair.read(read)
            else:
                event = await _blocking(read, self.engine)
        except (DatabaseUnavailable, UserError, SQLAlchemyError):
            return
        if self._event is held:  # not changed here meanwhile (staff set an option, switched
            self._event = event  # events): that newer copy wins over this read

    async def recent(self, limit: int) -> list[CheckInRow]:
        service = await self._ready_service()
        if self._fair is not None:  # online or offline; ids differ between the databases
            with _unavailable_on_error():
                return await self._fair.recent(limit)
        return await _blocking(service.recent, limit)

    async def undo(self, check_in_id: int, by: str = "staff") -> None:
        """Undo a check-in of the last ``recent`` list; in fair mode offline, in the replica
        and queued for the shared database (sent once, with its time, when it answers)."""
        service = await self._ready_service()
        if self._fair is not None:
            with _unavailable_on_error("undo not made"):
                await self._fair.undo(self.event_id, check_in_id, by)
            return
        await _blocking(service.undo, check_in_id, by)

    async def manual_counts(self) -> dict[str, int]:
        """The current event's live manual check-ins per method."""
        return await self._ask_service(lambda service: service.manual_counts())

    async def rule_counts(self) -> dict[str, int]:
        """Today's check-ins by the card rule that read them."""
        return await self._ask_service(lambda service: service.rule_counts())

    # ----------------------------------------------------------------- events

    async def events(self) -> list[EventLine]:
        """Every event and its live check-ins. Fair mode offline: the replica's events, with
        the count of the current event only (the replica holds no other event's check-ins
        made since it last checked students in to it): the others' are None."""

        def read(engine: Engine) -> tuple[list[Event], dict[int, int]]:
            return list_events(engine), live_check_in_counts(engine)

        (events, counts), shared = await self._staff_read(read)
        known = counts if shared else {self.event_id: counts.get(self.event_id, 0)}
        return [
            EventLine(event, known.get(event.id or 0, 0 if shared else None)) for event in events
        ]

    async def create_event(
        self, name: str, when: str | None, kind: str, handshake_id: str | None
    ) -> Event:
        return await self._shared_action(
            lambda engine: create_event(engine, name, when, kind, handshake_id),
            "create the event",
        )

    async def rename_event(self, event_id: int, new_name: str) -> Event:
        """Give an event another name (a duplicate on the same date is refused with a
        sentence); renaming the event in use renames the desk's copy too."""
        renamed = await self._shared_action(
            lambda engine: rename_event(engine, str(event_id), new_name), "rename the event"
        )
        if renamed.id == self.event_id:
            self._event = renamed
        return renamed

    async def delete_event(self, event_id: int) -> DeletedEvent:
        """Delete an event staff confirmed (the screen's confirmation is the CLI's --force):
        its check-ins, if any, are first saved to an owner-only file in the export folder
        (``DeletedEvent.export`` says where), never lost. The event this kiosk is checking in
        to is refused: staff choose another first."""
        if event_id == self.event_id:
            raise UserError(
                f"The kiosk is checking students in to {self._event.name!r}; choose another "
                "event first (Enter on it), then delete this one."
            )
        folder = self._export_dir
        return await self._shared_action(
            lambda engine: delete_event(engine, str(event_id), force=True, export_dir=folder),
            "delete the event",
            long=True,
        )

    async def switch_event(self, event: Event) -> None:
        """Check students in to ``event`` from now on."""
        await self.ready.wait()
        if self._fair is not None:  # within about a second, online or not (kiosk.fair.route)
            previous, self._event = self._event, event
            try:
                await self._fair.switch(self.event_id)
            except Exception:
                self._event = previous
                raise
            return
        self._service = await _blocking(self._service_for, event)
        self._event = event

    async def fresh_event(self) -> Event:
        """The current event as the database has it now (the CLI may have changed it);
        fair mode offline, as the replica last copied it."""
        event_id = self.event_id
        self._event, _ = await self._staff_read(lambda engine: get_event(engine, event_id))
        return self._event

    async def set_handshake_id(self, handshake_id: str) -> Event:
        event_id = self.event_id
        self._event = await self._shared_action(
            lambda engine: store_handshake_id(engine, event_id, handshake_id),
            "save the Handshake id",
        )
        return self._event

    # ------------------------------------------------- students by name; name tags

    async def prepare_search(self) -> int:
        """Fold the roster for searching now (a moment for a large roster) rather than at
        the first search; how many students it holds."""
        directories = self._directories()
        count, _ = await self._staff_read(lambda engine: len(directories[engine].index()))
        return count

    def _directories(self) -> dict[Engine, StudentDirectory]:
        """The student directory of each database (fair mode: the replica's too)."""
        directories = {self.engine: self._directory}
        if self._offline_directory is not None:
            directories[self._offline_directory.engine] = self._offline_directory
        return directories

    async def search_students(self, query: str, limit: int = 20) -> list[FoundStudent]:
        """Staff: students whose name, username or email is like ``query`` (full names: for
        staff screens only), with when each checked in to the current event."""
        event_id, directories = self.event_id, self._directories()

        def search(engine: Engine) -> list[FoundStudent]:
            hits = directories[engine].search(query, limit)
            ids = [hit.student.id for hit in hits]
            times = live_check_in_times(engine, event_id, ids)
            return [FoundStudent(hit, times.get(hit.student.id)) for hit in hits]

        found, _ = await self._staff_read(search)
        return found

    async def staff_check_in(
        self, student_id: int, confirmed_by: Confirmation | None
    ) -> CheckInOutcome:
        """Staff check a student in from a search result (method ``manual``); ``confirmed_by``
        is how staff mode was opened (PIN or staff card), recorded as who did it."""
        by = staff_label(confirmed_by, self.kiosk_id) or f"staff at kiosk {self.kiosk_id}"
        return await self._check_in(
            lambda service: service.check_in_student, student_id, by, confirmed_by
        )

    @property
    def nametag_label(self) -> str | None:
        """The label the current event's name tags print on (None: no name tags)."""
        return self._event.nametag_label

    async def set_nametag_label(self, label: str | None) -> Event:
        """Print name tags on ``label`` for the current event (None: off)."""
        event_id = self.event_id
        self._event = await self._shared_action(
            lambda engine: set_event_options(engine, event_id, nametag_label=label),
            "change the name tag label",
        )
        return self._event

    def nametag_status(self) -> str:
        """The printer, tags printed and failed, and the last failure (staff screens)."""
        if self._tags is None:
            return NO_TAG_PRINTER
        return self._tags.status().text()

    def reprint_nametag(self, check_in_id: int) -> str:
        """Print a check-in's name tag again, in the background; what to tell staff."""
        if self._tags is None:
            raise UserError(NO_TAG_PRINTER)
        label = self._event.nametag_label
        if label is None:
            raise UserError("Name tags are off for this event: choose a label under Name tags.")
        from kiosk.nametags.spool import PrintJob

        key = self._fair.key_listed(check_in_id) if self._fair is not None else None
        if self._tags.submit(PrintJob(check_in_id, label_size(label), reprint=True, key=key)):
            return f"The name tag is being printed again on {self._tags.printer.label}."
        return "The name tag printer's queue is full: check the printer, then try again."

    def nametag_failures(self) -> list[str]:
        """Tags that failed since last asked, one notice each, fit for any screen (the student
        screen may be showing: no names)."""
        if self._tags is None:
            return []
        return [f"Name tag not printed: {report.message}" for report in self._tags.take_failures()]

    def _print_tag(self, outcome: CheckInOutcome, key: str) -> None:
        """Queue the tag of a new check-in made with idempotency key ``key``."""
        label = self._event.nametag_label
        if self._tags is None or label is None or outcome.kind != "checked_in":
            return
        if outcome.check_in_id is not None:
            from kiosk.nametags.spool import PrintJob

            key_used = key if self._fair is not None else None
            self._tags.submit(PrintJob(outcome.check_in_id, label_size(label), key=key_used))

    def _load_tag(self, job: PrintJob) -> NameTag | None:
        """A check-in's tag, read by the print worker. Fair mode: by the check-in's key, in
        whichever database has it when the worker gets to it (kiosk.fair.route.find_by_key);
        without a key, by id in the database in use now."""
        from kiosk.nametags.tags import tag_for_check_in

        engine, check_in_id = self.engine, job.check_in_id
        if self._fair is not None and job.key is not None:
            found = self._fair.find_by_key(job.key)
            if found is None:
                return None
            engine, check_in_id = found
        elif self._fair is not None and not self._fair.link.online:
            engine = self._fair.replica.engine
        return tag_for_check_in(engine, check_in_id)

    # ---------------------------------------------------------------- exports

    def default_export_path(self, fmt: str) -> Path:
        """Where an export goes unless staff choose another file (the demo: its folder)."""
        folder = self._export_dir or data_dir()
        return folder / f"checkins-event{self.event_id}-{fmt}-{date.today():%Y%m%d}.csv"

    async def export(
        self,
        fmt: str,
        path: Path,
        handshake_id: str | None = None,
        *,
        include_no_shows: bool = False,
    ) -> ExportSummary:
        """Write the event's check-ins to ``path`` in ``fmt`` (``handshake`` or ``full``);
        ``include_no_shows``: also the registrants who never came (handshake)."""
        from kiosk.checkin.export import EXPORT_FORMATS, ExportFormat, export_to_file

        if fmt not in EXPORT_FORMATS:
            raise UserError(
                f"Unknown export format {fmt!r}; use one of {', '.join(EXPORT_FORMATS)}."
            )
        chosen, event_id = cast(ExportFormat, fmt), self.event_id
        return await self._shared_action(
            lambda engine: export_to_file(
                engine,
                event_id,
                chosen,
                path,
                handshake_id=handshake_id,
                include_no_shows=include_no_shows,
            ),
            "export every kiosk's check-ins (this kiosk's copy misses those made elsewhere "
            "since the network dropped)",
            writes=False,
            long=True,
        )

    # ------------------------------------------------------------- attendance

    async def attendance_summary(self) -> AttendanceSummary:
        """The current event's attendance at a glance (kiosk.checkin.summary). Fair mode:
        from the shared database when it answers within about a second, else from the
        replica, marked ``from_replica`` (its counts are what this kiosk knows; no school
        year, college or major breakdown: the replica does not copy those columns)."""
        from kiosk.checkin.summary import as_replica_summary, attendance_summary

        event_id = self.event_id
        summary, shared = await self._staff_read(
            lambda engine: attendance_summary(engine, event_id)
        )
        return summary if shared else as_replica_summary(summary)

    async def import_registrations(self, path: Path) -> RegistrationImport:
        """Import the current event's registrants from Handshake's CSV (all or nothing)."""
        from kiosk.checkin.registration_import import import_registrations

        event_id = self.event_id
        return await self._shared_action(
            lambda engine: import_registrations(engine, event_id, path),
            "import the registrations",
            long=True,
        )

    async def set_registered_only(self, registered_only: bool) -> Event:
        """Check in registered students only (or everyone again), from the next swipe on, at
        every kiosk of this event."""
        event_id = self.event_id
        self._event = await self._shared_action(
            lambda engine: set_event_options(engine, event_id, registered_only=registered_only),
            "change who may check in",
        )
        return self._event

    async def set_checkout_after(self, minutes: str) -> Event:
        """A second swipe ``minutes`` ("30"; "off": never) after check-in checks out, from
        the next swipe on, at every kiosk of this event."""
        event_id, after = self.event_id, parse_checkout_minutes(minutes)
        self._event = await self._shared_action(
            lambda engine: set_event_options(engine, event_id, checkout_after_minutes=after),
            "change the check-out setting",
        )
        return self._event

    # ---------------------------------------------------------------- roster

    async def preflight(self, path: Path, *, archive_missing: bool) -> ImportReport:
        """What importing ``path`` would do (nothing written)."""
        from kiosk.roster import import_roster

        return await self._shared_action(
            lambda engine: import_roster(
                engine, path, dry_run=True, archive_missing=archive_missing
            ),
            "check the roster file against the roster",
            writes=False,
            long=True,
        )

    async def import_roster(self, path: Path, *, archive_missing: bool) -> ImportReport:
        """Import the roster; the kiosk reads the new card_ids from the next swipe on."""
        from kiosk.roster import import_roster

        report = await self._shared_action(
            lambda engine: import_roster(engine, path, archive_missing=archive_missing),
            "import the roster",
            long=True,
        )
        if report.refused is None:
            await self.ready.wait()
            await _blocking(self.service.reload_roster)
        return report

    # ----------------------------------------------------------------- rules

    def apply_rules(self, rules: RuleSet) -> None:
        """Use ``rules`` for every swipe from now on (not saved)."""
        self._rules = rules
        for service in self._services():
            service.set_rules(rules)

    async def save_rules(self, rules: RuleSet) -> Path | None:
        """Save ``rules`` to the rules file (comments kept, the old file kept as ``.bak``) and
        use them from now on; the kept previous version's path, if there was one."""
        kept = await _blocking(save_rules, self.rules_path, rules)
        self.apply_rules(rules)
        return kept

    # ----------------------------------------------------------------- staff

    def _gate(self, engine: Engine) -> PinGate:
        """The PIN gate of ``engine`` (fair mode, the replica: its copy of the PIN)."""
        return self._pin_gate if engine is self._pin_gate.engine else self._offline_gate

    async def check_pin(self, pin: str) -> PinCheck:
        """Fair mode: on the shared database when it answers within about a second (the
        wrong-guess count every kiosk shares), else on the replica's copy."""
        check, _ = await self._staff_read(lambda engine: self._gate(engine).check(pin))
        return check

    async def pin_retry_after(self) -> float:
        """Seconds until the next PIN may be tried (0: now)."""
        wait, _ = await self._staff_read(lambda engine: self._gate(engine).retry_after())
        return wait
