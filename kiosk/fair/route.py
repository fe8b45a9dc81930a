"""Where a check-in goes in fair mode: the shared database while it answers, else the replica.

``FairRoute`` is what the desk asks to check someone in when several kiosks share a database.
Each check-in gets an idempotency key first. Online, it goes to the shared database, which
settles "already checked in" across every kiosk; with no answer within ``ONLINE_WAIT_S`` (a
dropped network swallows packets) or a refusal, the kiosk goes offline and makes the same
check-in, same key, in its replica — durable there before the student sees it — and later
swipes go straight to the replica. ``tick`` (every few seconds) refreshes the replica while
online, sends the queue and comes back online when a probe answers.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from dataclasses import dataclass

from kiosk.checkin import CheckInOutcome, CheckInService
from kiosk.db.models import CheckIn
from kiosk.fair.link import ONLINE_WAIT_S, SharedLink
from kiosk.fair.replica import Replica
from kiosk.fair.sync import send_pending

log = logging.getLogger(__name__)

#: Picks the service method to call: ``lambda service: service.handle_swipe``.
Call = Callable[[CheckInService], Callable[..., CheckInOutcome]]
ServiceFactory = Callable[[], CheckInService]


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
        self.queued = self.replica.pending_count()

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
        True when the roster changed (the caller reloads its index)."""
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
            self.queued = self.replica.pending_count()
        if refreshed.roster_copied and self.shared is not None:
            self.shared.reload_roster()
            if self.local is not None:
                self.local.set_matcher(self.shared.matcher)
        return refreshed.roster_copied
