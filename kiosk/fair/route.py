"""Where a check-in goes in fair mode: the shared database while it answers, else the replica.

``FairRoute`` is what the desk asks to check someone in when several kiosks share a database.
Each check-in gets an idempotency key first. Online, it goes to the shared database, which
settles "already checked in" across every kiosk; with no answer within ``ONLINE_WAIT_S`` (a
dropped network swallows packets) or a refusal, the kiosk goes offline and makes the same
check-in, same key, in its replica — durable there before the student sees it — and later
swipes go straight to the replica. ``tick`` (every few seconds) refreshes the replica while
online, sends the queue and comes back online when a probe answers.

An undo goes the same way, by the idempotency key of the check-in staff picked from the
list (``recent``), so it reaches the right row whichever database the list came from: online
on the shared database (and mirrored into the replica), else in the replica and queued, to
be replayed once when the shared database answers again.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar, cast

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError, SQLAlchemyError
from sqlmodel import col

from kiosk.checkin import CheckInOutcome, CheckInRow, CheckInService
from kiosk.checkin.recording import undo_check_in
from kiosk.db.models import CheckIn
from kiosk.errors import DatabaseUnavailable, UserError
from kiosk.fair.link import ONLINE_WAIT_S, SharedLink
from kiosk.fair.replica import Replica, keys_of
from kiosk.fair.sync import send_pending

log = logging.getLogger(__name__)

#: Picks the service method to call: ``lambda service: service.handle_swipe``.
Call = Callable[[CheckInService], Callable[..., CheckInOutcome]]
ServiceFactory = Callable[[], CheckInService]
R = TypeVar("R")
_NO_ANSWER = object()
#: What staff read when an action only the shared database can take cannot be taken now.
OFFLINE_ACTION = (
    "The shared database cannot be reached, so the kiosk cannot {action} now; try again "
    "once the status line no longer says offline."
)
#: ... and when the shared database stopped answering while it was being taken.
NO_ANSWER_ACTION = (
    "The shared database stopped answering, so the kiosk could not {action}{maybe}; try "
    "again once the status line no longer says offline."
)
MAYBE_SAVED = " (the change may still be saved when the network returns)"


class SharedUnreachable(DatabaseUnavailable):
    """A staff action that needs the shared database was not taken: it cannot be reached
    (the kiosk is offline, or went offline waiting for it). The message says what to do."""


@dataclass
class FairState:
    """What the status line says about the shared database."""

    online: bool
    queued: int

    def text(self) -> str:
        if not self.online:
            return f"offline — {self.queued} queued"
        return f"sending {self.queued} queued" if self.queued else ""


class FairRoute:
    """Online/offline decided here, once, for every check-in the desk makes."""

    def __init__(
        self,
        link: SharedLink,
        replica: Replica,
        shared_service: ServiceFactory,
        local_service: Callable[[CheckInService | None], CheckInService],
    ) -> None:
        """``shared_service()`` builds the service on the shared database (it reads the
        database: call only when online); ``local_service(shared)`` the one on the replica,
        sharing the shared one's roster index when there is one."""
        self.link = link
        self.replica = replica
        self._make_shared = shared_service
        self._make_local = local_service
        self.shared: CheckInService | None = None
        self.local: CheckInService | None = None
        self.queued = 0
        self._mirrors: set[asyncio.Future[None]] = set()
        self._listed: dict[int, str] = {}  # check-in id -> key, of the last list staff saw
        self._upkeep = threading.Lock()  # held by the one upkeep running (``tick``)

    # ------------------------------------------------------------- services

    def start(self, event_id: int) -> None:
        """Build the services (blocking: call in a thread). Online: the shared service, the
        replica refreshed; offline: the replica's own index."""
        if self.link.online:
            try:
                self.shared = self._make_shared()
                self.replica.refresh(self.link.shared, event_id)
            except Exception as error:  # the shared database went away while starting
                self.link.lost(type(error).__name__)
                self.shared = None
        self.local = self._make_local(self.shared)
        self.queued = self.replica.queued_count()

    def services(self) -> list[CheckInService]:
        """Every service in use (to change their rules or policies together)."""
        return [s for s in (self.shared, self.local) if s is not None]

    def state(self) -> FairState:
        return FairState(self.link.online, self.queued)

    # ------------------------------------------------------------- check-ins

    async def check_in(self, call: Call, args: tuple[object, ...], key: str) -> CheckInOutcome:
        """One check-in, answered within about ``ONLINE_WAIT_S`` whatever the network does."""
        if self.link.online and self.shared is not None:
            attempt = asyncio.to_thread(call(self.shared), *args, client_key=key)
            try:
                outcome = await asyncio.wait_for(attempt, ONLINE_WAIT_S)
            except TimeoutError:
                self.link.lost(f"no answer within {ONLINE_WAIT_S:g} s")
            else:
                if outcome.kind != "not_saved":
                    if outcome.record is not None:
                        self._mirror_soon(outcome.record)
                    return outcome
                self.link.lost("it did not take a check-in")
        assert self.local is not None, "start() first"
        outcome = await asyncio.to_thread(call(self.local), *args, client_key=key)
        if outcome.kind == "checked_in":
            self.queued += 1
        return outcome

    # ---------------------------------------------------------------- reads

    async def _shared_answer(self, work: Callable[[], R], *, reading: bool = True) -> R | object:
        """``work()`` (on the shared database) when the kiosk is online and it answers within
        ``ONLINE_WAIT_S``; else ``_NO_ANSWER``, the kiosk offline (the thread still waiting
        ends within the engine's answer limit). Every staff question and action goes through
        here or ``check_in``/``recent``/``undo``, so none waits longer on the network. A
        database error ends a read the same way; a change (not ``reading``) only goes
        offline for a lost connection, any other error is raised."""
        if not self.link.online:
            return _NO_ANSWER
        try:
            return await asyncio.wait_for(asyncio.to_thread(work), ONLINE_WAIT_S)
        except TimeoutError:
            self.link.lost(f"no answer within {ONLINE_WAIT_S:g} s")
        except SQLAlchemyError as error:
            if not reading and not isinstance(error, OperationalError):
                raise
            self.link.lost(type(error).__name__)
        return _NO_ANSWER

    async def read(self, query: Callable[[Engine], R]) -> R:
        """``query(engine)`` on the shared database when it answers within
        ``ONLINE_WAIT_S`` (else the kiosk goes offline), otherwise on the replica: what the
        screen shows (the count) never waits longer on the network."""
        return (await self.read_from(query))[0]

    async def read_from(self, query: Callable[[Engine], R]) -> tuple[R, bool]:
        """As ``read``, and whether the answer came from the shared database (False: from
        the replica, which knows this kiosk's check-ins and what it copied before the
        network dropped; screens say so)."""
        shared = self.link.shared
        answer = await self._shared_answer(lambda: query(shared))
        if answer is not _NO_ANSWER:
            return cast(R, answer), True
        return await asyncio.to_thread(query, self.replica.engine), False

    async def ask(self, question: Callable[[CheckInService], R]) -> R:
        """A question for the check-in service (counts, whose card a swipe is): the shared
        database's when it answers within ``ONLINE_WAIT_S``, else the replica's."""
        shared = self.shared
        if shared is not None:
            answer = await self._shared_answer(lambda: question(shared))
            if answer is not _NO_ANSWER:
                return cast(R, answer)
        assert self.local is not None, "start() first"
        return await asyncio.to_thread(question, self.local)

    async def on_shared(
        self, work: Callable[[Engine], R], action: str, *, writes: bool, long: bool = False
    ) -> R:
        """A staff action only the shared database can take: a change every kiosk must see,
        or an export that must hold every kiosk's check-ins (a replica misses those made
        elsewhere since the network dropped). Offline, ``SharedUnreachable`` at once; online,
        ``work(engine)`` must answer within ``ONLINE_WAIT_S``, else the kiosk goes offline
        and raises it (``action``: what the sentence says could not be done; ``writes``: it
        says the change may still be saved, as the server may have it). ``long`` (an export,
        an import: longer than a second on a good network): the shared database must answer
        a probe within ``ONLINE_WAIT_S`` first, then the work has the engine's answer limit."""
        shared = self.link.shared
        if not self.link.online:
            raise SharedUnreachable(OFFLINE_ACTION.format(action=action))
        if long:
            if await self._shared_answer(self.link.probe) is not True:
                self.link.lost(f"no answer within {ONLINE_WAIT_S:g} s")
                raise SharedUnreachable(OFFLINE_ACTION.format(action=action))
            try:
                return await asyncio.to_thread(work, shared)
            except OperationalError as error:  # the network dropped during it
                self.link.lost(type(error).__name__)
                answer: R | object = _NO_ANSWER
        else:
            answer = await self._shared_answer(lambda: work(shared), reading=not writes)
        if answer is _NO_ANSWER:
            maybe = MAYBE_SAVED if writes else ""
            raise SharedUnreachable(NO_ANSWER_ACTION.format(action=action, maybe=maybe))
        return cast(R, answer)

    async def switch(self, event_id: int) -> None:
        """Check students in to event ``event_id`` from now on (the desk's event is that one
        already). Online, the shared service for it and the replica refreshed for it, within
        ``ONLINE_WAIT_S``; else (or offline) the replica's service only, and the shared one
        is made for this event by the ``tick`` that finds the network back. Before, an
        offline switch kept the old event's shared service, and once back online check-ins
        went to the old event."""
        known = self.shared or self.local  # its roster index is reused: no roster read
        answer = await self._shared_answer(lambda: self._switch_shared(event_id))
        shared = None if answer is _NO_ANSWER else cast(CheckInService, answer)
        local = await asyncio.to_thread(self._make_local, shared or known)
        self.shared, self.local = shared, local
        self.queued = await asyncio.to_thread(self.replica.queued_count)

    def _switch_shared(self, event_id: int) -> CheckInService:
        service = self._make_shared()
        # An upkeep running now (a few ms when the server answers) is waited for: the
        # replica must know the event (one created a moment ago) before its service is made.
        if self._upkeep.acquire(timeout=ONLINE_WAIT_S):
            try:
                self.replica.refresh(self.link.shared, event_id)
            finally:
                self._upkeep.release()
        return service

    # ---------------------------------------------------------------- undo

    async def recent(self, limit: int) -> list[CheckInRow]:
        """The newest check-ins, from the shared database when it answers within
        ``ONLINE_WAIT_S`` (else the kiosk goes offline and lists the replica's); their keys
        are remembered for ``undo``: an id means different rows in the two databases."""
        if self.link.online and self.shared is not None:
            try:
                listing = asyncio.to_thread(self._listing, self.shared, limit)
                return await asyncio.wait_for(listing, ONLINE_WAIT_S)
            except TimeoutError:
                self.link.lost(f"no answer within {ONLINE_WAIT_S:g} s")
            except SQLAlchemyError as error:
                self.link.lost(type(error).__name__)
        assert self.local is not None, "start() first"
        return await asyncio.to_thread(self._listing, self.local, limit)

    def _listing(self, service: CheckInService, limit: int) -> list[CheckInRow]:
        rows = service.recent(limit)
        self._listed = keys_of(service.engine, [row.id for row in rows])
        return rows

    async def undo(self, event_id: int, check_in_id: int, by: str) -> None:
        """Undo a check-in from the last list: online on the shared database within about
        ``ONLINE_WAIT_S``, else in the replica, queued to be replayed once (see module)."""
        key = self._listed.get(check_in_id)
        if key is None:  # not from a list: an id of the database in use now
            engine = self.link.shared if self.link.online else self.replica.engine
            key = (await asyncio.to_thread(keys_of, engine, [check_in_id])).get(check_in_id)
        if key is None:
            raise UserError(f"There is no check-in {check_in_id} for this event to undo.")
        if self.link.online:
            online = _OnlineUndo()
            attempt = asyncio.to_thread(self._undo_shared, event_id, key, by, online)
            try:
                if await asyncio.wait_for(attempt, ONLINE_WAIT_S):
                    return
            except TimeoutError:
                self.link.lost(f"no answer within {ONLINE_WAIT_S:g} s")
                if await asyncio.to_thread(online.give_up):  # made and mirrored meanwhile
                    return
            except SQLAlchemyError as error:
                self.link.lost(type(error).__name__)
        await asyncio.to_thread(self.replica.undo, event_id, key, by, queue=True)
        self.queued = await asyncio.to_thread(self.replica.queued_count)

    def _undo_shared(self, event_id: int, key: str, by: str, online: _OnlineUndo) -> bool:
        """The undo on the shared database, mirrored here unless the kiosk stopped waiting
        for it first (then the undo is queued here instead, and its replay finds it made).
        False when the shared database does not have the check-in yet (made offline here,
        still queued)."""
        found = _shared_id(self.link.shared, key)
        if found is None:
            return False
        undo_check_in(self.link.shared, event_id, found, by)
        with online.lock:
            if online.abandoned:
                return True
            try:
                self.replica.undo(event_id, key, by, queue=False)
            except Exception as error:  # the next refresh does not bring undos: say so
                log.warning("online undo not mirrored in the replica (%s)", type(error).__name__)
            online.mirrored = True
        return True

    def key_listed(self, check_in_id: int) -> str | None:
        """The key of a check-in of the last ``recent`` list (None: not in it)."""
        return self._listed.get(check_in_id)

    def find_by_key(self, key: str) -> tuple[Engine, int] | None:
        """(database, id) of the check-in with this key, read where it is: the shared
        database first while online, else the replica first; one that fails or does not have
        it yet (made offline, still queued; made online, not yet mirrored) gives way to the
        other. Blocking (the name tag printer's thread): an id alone means different rows in
        the two databases, and the link may change between a check-in and its tag."""
        places = [(self.link.shared, True), (self.replica.engine, False)]
        if not self.link.online:
            places.reverse()
        for engine, shared in places:
            try:
                found = _shared_id(engine, key) if shared else _replica_id(engine, key)
            except SQLAlchemyError as error:
                log.info("check-in key not read (%s)", type(error).__name__)
                continue
            if found is not None:
                return engine, found
        return None

    def _mirror_soon(self, check_in: CheckIn) -> None:
        """Copy an online check-in into the replica after the answer (a local write, no
        network: the next refresh would bring it anyway; this closes the seconds until then)."""

        def mirror() -> None:
            try:
                self.replica.mirror(check_in)
            except Exception as error:  # the refresh catches up
                log.debug("online check-in not mirrored (%s)", type(error).__name__)

        task = asyncio.get_running_loop().run_in_executor(None, mirror)
        self._mirrors.add(task)
        task.add_done_callback(self._mirrors.discard)

    # -------------------------------------------------------------- upkeep

    def tick(self, event_id: int) -> bool:
        """Keep the replica and the queue up to date (blocking: call in a thread). Returns
        True when the roster changed (the caller reloads its index). One upkeep at a time:
        while one still waits on the network (the app gave up waiting for it, the thread
        goes on until the engine's answer limit), the next tick does nothing, so upkeep
        threads never pile up and take the threads swipes need."""
        if not self._upkeep.acquire(blocking=False):
            return False
        try:
            return self._tick(event_id)
        finally:
            self._upkeep.release()

    def _tick(self, event_id: int) -> bool:
        if not self.link.online:
            if not self.link.probe():
                return False
            self.link.back()
        try:
            if self.shared is None:
                self.shared = self._make_shared()
                self.local = self._make_local(self.shared)
            send_pending(self.replica, self.link.shared)
            refreshed = self.replica.refresh(self.link.shared, event_id)
        except Exception as error:  # any trouble: offline again, nothing lost
            self.link.lost(type(error).__name__)
            return False
        finally:
            self.queued = self.replica.queued_count()
        if refreshed.roster_copied and self.shared is not None:
            self.shared.reload_roster()
            if self.local is not None:
                self.local.set_matcher(self.shared.matcher)
        return refreshed.roster_copied


class _OnlineUndo:
    """Who finishes an online undo the kiosk stopped waiting for: the thread still making it
    on the shared database mirrors it into the replica, unless the kiosk gave up first and
    queues it there itself. Decided under one lock, so the replica gets the undo once (a
    late mirror before the queued undo made staff see "already undone" for an undo that
    had worked)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.abandoned = False
        self.mirrored = False

    def give_up(self) -> bool:
        """Stop waiting; True when the undo was made and mirrored before that."""
        with self.lock:
            self.abandoned = True
            return self.mirrored


def _replica_id(replica: Engine, key: str) -> int | None:
    """The replica's id of the check-in with this key (every replica row carries its key)."""
    with replica.connect() as connection:
        return connection.execute(
            select(col(CheckIn.id)).where(col(CheckIn.client_key) == key)
        ).scalar_one_or_none()


def _shared_id(shared: Engine, key: str) -> int | None:
    """The shared database's id of the check-in with this key (None: it does not have it)."""
    if key.startswith("shared:"):
        return int(key.removeprefix("shared:"))
    with shared.connect() as connection:
        return connection.execute(
            select(col(CheckIn.id)).where(col(CheckIn.client_key) == key)
        ).scalar_one_or_none()
