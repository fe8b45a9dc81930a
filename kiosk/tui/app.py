"""The kiosk app: readers in, answers out. ``make_app(setup)`` is the factory.

Each reader's ``swipes()`` runs in a Textual worker and feeds one queue, through a per-reader
flood limit (``drivers.flood.SwipeLimiter``: swipes beyond it are dropped, never checked in,
and staff see the flood); a single worker takes swipes in arrival order, hands each to the
check-in service in a thread (the database call blocks) and gives the outcome to the student
screen, whose answer queue is bounded and fair between readers (``kiosk.tui.answers``).
Staff screens that want swipes (rule tester, rule wizard) implement ``SwipeTaker``.
"""

from __future__ import annotations

import asyncio
import logging
import sys
import time
from collections.abc import Callable
from typing import Any

from rich.segment import Segments
from rich.text import Text
from textual import events
from textual.app import App
from textual.binding import Binding
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Input

from drivers.base import Reader, Swipe
from drivers.flood import SwipeLimiter
from drivers.terminal import HeldKey, KeyFedReader
from kiosk.checkin import CheckInOutcome
from kiosk.checkin.manual import Confirmation
from kiosk.desk import Event, KioskDesk
from kiosk.errors import DatabaseUnavailable
from kiosk.logs import redacted_traceback
from kiosk.tui.screens.base import StaffScreen, StudentFacingScreen, SwipeTaker
from kiosk.tui.screens.student import StudentScreen
from kiosk.tui.setup import DemoKey, KioskSetup

log = logging.getLogger(__name__)

ResultHook = Callable[[CheckInOutcome], None]
COUNT_DELAY_S = 0.2
# Upkeep (fair mode's replica and queue, a roster changed elsewhere) and the count from other
# kiosks: every few seconds, so event-wide counts are at most this old.
TICK_S = 3.0

# Tab and Shift+Tab with a terminal reader: the focus moves at once (see on_event)
_FOCUS_KEYS: dict[str, Callable[[Screen[Any]], object]] = {
    "tab": lambda screen: screen.focus_next(),
    "shift+tab": lambda screen: screen.focus_previous(),
}


class KioskApp(App[None]):
    CSS_PATH = "kiosk.tcss"
    TITLE = "Check-in kiosk"
    ENABLE_COMMAND_PALETTE = False
    # The student screen cannot be left from the keyboard: no quit keys (staff menu: Quit).
    BINDINGS = [
        Binding("ctrl+q", "nothing", show=False, priority=True),
        Binding("ctrl+c", "nothing", show=False, priority=True),
    ]

    def _handle_exception(self, error: Exception) -> None:
        self._crash = error
        super()._handle_exception(error)

    def _fatal_error(self) -> None:
        """Crash output without Textual's local variables (a swipe's text may be one of
        them), redacted like the logs. systemd restarts the kiosk after a crash."""
        error = getattr(self, "_crash", None) or sys.exc_info()[1]
        report = redacted_traceback(error) if error is not None else "The kiosk crashed."
        self.bell()
        self._exit_renderables.append(
            Segments(self.console.render(Text(report), self.console.options))
        )
        self._close_messages_no_wait()

    def __init__(self, setup: KioskSetup) -> None:
        super().__init__()
        self.setup = setup
        # The one way to the domain (kiosk.desk): its roster index is built in a thread
        # while the screen comes up; swipes wait for it, none is lost.
        self.desk: KioskDesk = setup.desk
        self.readers = list(setup.readers)
        self.key_readers = [reader for reader in self.readers if isinstance(reader, KeyFedReader)]
        for reader in self.key_readers:
            reader.on_release = self.give_back_keys
        self.student_screen = StudentScreen(
            self.desk.event.name, setup.idle_seconds, setup.min_result_seconds
        )
        self.result_hooks: list[ResultHook] = []
        self._swipes: asyncio.Queue[Swipe] | None = None
        # Replace before the app runs to change the limits (benchmarks feeding one reader
        # at machine speed do).
        self.swipe_limiter = SwipeLimiter()
        self._count_timer: Timer | None = None
        # How staff mode was last opened: a staff check-in records it (desk.staff_check_in)
        self.staff_confirmation: Confirmation | None = None

    # --- start and stop ------------------------------------------------------------------

    def get_default_screen(self) -> Screen[Any]:
        return self.student_screen

    def on_mount(self) -> None:
        self._swipes = asyncio.Queue()
        self.run_worker(self.desk.start(), name="roster", group="roster")
        for reader in self.readers:
            self.run_worker(self._pump(reader), name=f"reader {reader.name}", group="readers")
        self.run_worker(self._process_swipes(), name="swipes", group="swipes")
        self.set_interval(1.0, self._settle_floods)
        self.set_interval(TICK_S, self._tick_due)
        self.refresh_count()

    async def on_unmount(self) -> None:
        self.desk.close()
        for reader in self.readers:
            try:
                await reader.close()
            except Exception as exc:  # closing must not hide why the app stopped
                log.warning("closing reader %s failed (%s)", reader.name, type(exc).__name__)

    def action_nothing(self) -> None:
        """Quit keys do nothing: staff quit from the staff menu."""

    # --- keys typed by a keyboard-wedge reader into the terminal -------------------------

    async def on_event(self, event: events.Event) -> None:
        # drivers/terminal.py: every key from the terminal is offered to the terminal
        # readers first; a key they take is part of a swipe and must reach no widget.
        # With a text box focused (staff forms, lookup, walk-in) fast typing and pasted keys
        # go to the box unless they end with Enter and look like a card (terminal.py's
        # "Into a text field"); a bracketed paste goes to the box after any held keys.
        if self.key_readers and not event.is_forwarded:
            if isinstance(event, events.Key):
                into_field = isinstance(self.focused, Input)
                taken = False
                for reader in self.key_readers:
                    taken = (
                        reader.feed(event.character, event.key, event.time, into_field=into_field)
                        or taken
                    )
                if taken:
                    return
                if event.key in _FOCUS_KEYS:
                    # the focus moves now, not when the key reaches a widget: keys right
                    # behind it (fast typing, a paste typed by the terminal) are offered to
                    # the readers knowing which field they are for
                    _FOCUS_KEYS[event.key](self.screen)
                    return
            elif isinstance(event, events.Paste):
                for reader in self.key_readers:  # keys typed before the paste go first
                    reader.release_held()
                event._set_forwarded()
                (self.focused or self.screen).post_message(event)
                return
        await super().on_event(event)

    def give_back_keys(self, keys: list[HeldKey]) -> None:
        """Deliver keys a terminal reader held back (they were typing, not a swipe), in order,
        to where they would have gone, without offering them to the reader again.

        Each key goes to the widget focused when it is its turn. Posting only queues a key,
        so a Tab among them moves the focus here, at once (what the Tab binding does), and
        the keys after it reach the next field, not the one the Tab left."""
        for held in keys:
            if held.key == "tab":
                self.screen.focus_next()
                continue
            event = events.Key(held.key, held.character)
            event._set_forwarded()
            (self.focused or self.screen).post_message(event)

    # --- swipes ---------------------------------------------------------------------------

    async def _pump(self, reader: Reader) -> None:
        try:
            async for swipe in reader.swipes():
                if self.swipe_limiter.admit(swipe):
                    self.take_swipe(swipe)
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            log.warning("reader %s stopped (%s)", reader.name, type(exc).__name__)
            self.notify(
                f"Reader {reader.name} stopped: {exc}", severity="error", timeout=30, markup=False
            )

    def _settle_floods(self) -> None:
        """Close (and log) the flood episodes that have gone quiet."""
        self.swipe_limiter.settle(time.monotonic())

    def take_swipe(self, swipe: Swipe) -> None:
        """Queue an admitted swipe for processing (in arrival order; none is dropped here)."""
        assert self._swipes is not None, "the app is not running"
        self._swipes.put_nowait(swipe)

    async def _process_swipes(self) -> None:
        assert self._swipes is not None
        await self.desk.ready.wait()
        while True:
            swipe = await self._swipes.get()
            try:
                await self._handle_swipe(swipe)
            except Exception as exc:  # keep the kiosk answering; the log has the type only
                log.error("a swipe could not be handled (%s)", type(exc).__name__)
                self.notify(
                    "Sorry — that swipe was not saved. Please swipe again, or ask staff.",
                    severity="error",
                )

    async def _handle_swipe(self, swipe: Swipe) -> None:
        screen = self.screen
        if isinstance(screen, SwipeTaker):
            screen.take_swipe(swipe)
            return
        outcome = await self.desk.handle_swipe(swipe, staff_mode=self.in_staff_mode)
        if outcome.kind == "staff":
            self.back_to_student_screen()
            self.staff_confirmation = "card"
            self.open_staff_menu()
            return
        self.show_outcome(outcome, swipe.reader)

    def show_outcome(self, outcome: CheckInOutcome, source: str | None = None) -> None:
        """Put an answer in front of the student (staff mode: as a notification);
        ``source`` is the reader it answers (None: typed at the kiosk)."""
        if self.in_staff_mode:
            if outcome.kind != "noise":
                self.notify(outcome.message, title="Swipe at the kiosk", markup=False)
        else:
            self.back_to_student_screen()
            self.student_screen.present(outcome, source)
        self.refresh_count()

    def result_shown(self, outcome: CheckInOutcome) -> None:
        """Called by the student screen; hooks run once the answer is rendered."""
        if self.result_hooks:
            self.call_after_refresh(self._run_result_hooks, outcome)

    def _run_result_hooks(self, outcome: CheckInOutcome) -> None:
        for hook in self.result_hooks:
            hook(outcome)

    def demo_swipe(self, demo_key: DemoKey) -> None:
        if self.setup.demo is not None:
            self.setup.demo.reader.push(demo_key.text)

    # --- state shown on screens ------------------------------------------------------------

    def refresh_count(self) -> None:
        """Update the count shortly (answers coming in a burst share one query, run after
        their screens, so counting never delays the next answer)."""
        if self._count_timer is None:
            self._count_timer = self.set_timer(COUNT_DELAY_S, self._count_due)

    def _count_due(self) -> None:
        self._count_timer = None
        self.run_worker(self._update_count(), group="count")

    async def _update_count(self) -> None:
        self.student_screen.set_link_status(self.desk.link_status())
        for notice in self.desk.nametag_failures():  # a printer in trouble: staff must see it
            self.notify(notice, title="Name tags", severity="error", timeout=30, markup=False)
        try:
            count = await self.desk.live_count()
        except DatabaseUnavailable:  # database trouble: the last count stays on screen
            return
        self.student_screen.set_count(count)

    def _tick_due(self) -> None:
        self.run_worker(self._tick(), group="tick", exclusive=True)

    async def _tick(self) -> None:
        try:
            await self.desk.tick()
        except Exception as exc:  # upkeep must never take the kiosk down
            log.warning("upkeep failed (%s)", type(exc).__name__)
        self.refresh_count()

    async def switch_event(self, event: Event) -> None:
        """Check students in to ``event`` from now on."""
        await self.desk.switch_event(event)
        self.student_screen.set_event_name(event.name)
        self.refresh_count()

    # --- navigation -----------------------------------------------------------------------

    @property
    def in_staff_mode(self) -> bool:
        return any(isinstance(screen, StaffScreen) for screen in self.screen_stack)

    def back_to_student_screen(self) -> None:
        while self.screen is not self.student_screen and len(self.screen_stack) > 1:
            self.pop_screen()

    def open_lookup(self) -> None:
        from kiosk.tui.screens.lookup import LookupScreen

        if not self._manual_checkin_off() and not isinstance(self.screen, StudentFacingScreen):
            self.push_screen(LookupScreen())

    def open_walk_in(self, card_id: str | None) -> None:
        from kiosk.tui.screens.walk_in import WalkInScreen

        if not self._manual_checkin_off():
            self.push_screen(WalkInScreen(card_id))

    def _manual_checkin_off(self) -> bool:
        """Under manual_checkin "off", F2 and F3 answer so instead of opening a form."""
        refusal = self.desk.manual_refusal()
        if refusal is None:
            return False
        self.show_outcome(refusal)
        return True

    def request_staff_mode(self) -> None:
        from kiosk.tui.screens.pin import PinScreen

        if self.in_staff_mode or isinstance(self.screen, PinScreen):
            return

        def opened(ok: bool | None) -> None:
            if ok:
                self.staff_confirmation = "pin"
                self.open_staff_menu()

        self.push_screen(PinScreen(), opened)

    def open_staff_menu(self) -> None:
        self.run_worker(self._open_staff_menu(), group="staff")

    async def _open_staff_menu(self) -> None:
        from kiosk.tui.screens.staff_menu import StaffMenuScreen

        await self.desk.ready.wait()  # staff screens use the check-in service
        self.student_screen.show_idle()
        await self.push_screen(StaffMenuScreen())

    def leave_staff_mode(self) -> None:
        self.back_to_student_screen()


def make_app(setup: KioskSetup) -> KioskApp:
    """The kiosk app for ``setup``; the roster is loaded in a thread once the app starts."""
    return KioskApp(setup)
