"""The student screen: idle ("Swipe your student ID") and the large coloured answer.

Answers are queued: each is shown (at least ``min_result_seconds`` when others wait), and the
screen goes back to idle ``idle_seconds`` after the last one. The queue is bounded and fair
between readers (``kiosk.tui.answers``): a flooding reader's answers are coalesced to its
newest, stale ones skipped, and another reader's student is answered next.
Only ``CheckInOutcome.message`` is shown: it holds at most the student's display name, never
a card_id, email or username.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from textual import events
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Button, ContentSwitcher, Static

from kiosk.checkin import CheckInOutcome
from kiosk.tui.answers import AnswerQueue
from kiosk.tui.presentation import (
    NO_READER,
    NO_READER_COLOUR,
    SWIPE_PROMPT,
    UNKNOWN_HINT,
    presentation_of,
)
from kiosk.tui.widgets.legend import DemoLegend
from kiosk.tui.widgets.reader_status import ReaderStatusBar

if TYPE_CHECKING:
    from kiosk.tui.app import KioskApp

STAFF_KEY = "f10"
LOOKUP_HINT = "No card with you? Press F2 to check in with your username or email."


class StudentScreen(Screen[None]):
    """The screen students see. Leaving it for staff mode needs the staff PIN or card.

    It renders from one reactive value, ``current``: the answer on screen, or None for the
    idle screen (``watch_current``); the answer queue decides what ``current`` is next."""

    app: KioskApp
    current: reactive[CheckInOutcome | None] = reactive(None, always_update=True, init=False)

    # The answer's buttons are hidden most of the time: none may hold the focus and take
    # Enter or space (F2/F3, a click or a touch use them).
    AUTO_FOCUS = ""

    BINDINGS = [
        Binding("f2", "lookup", "Username or email", show=False),
        Binding("f3", "walk_in", "Register as walk-in", show=False),
        Binding(STAFF_KEY, "staff", "Staff", show=False),
        Binding("escape", "back_to_idle", show=False),
    ]

    def __init__(self, event_name: str, idle_seconds: float, min_result_seconds: float) -> None:
        super().__init__(id="student-screen")
        self.event_name = event_name
        self.idle_seconds = idle_seconds
        self.min_result_seconds = min_result_seconds
        self.count: int | None = None
        self.link_status = ""
        self.reader_connected = True  # what the idle prompt shows (refresh_readers)
        self._pending: AnswerQueue[CheckInOutcome] = AnswerQueue()
        self._shown_at = 0.0
        self._idle_timer: Timer | None = None
        self._advance_timer: Timer | None = None

    def compose(self) -> ComposeResult:
        with Vertical(id="student"):
            yield Static(self.event_name, markup=False, id="event-name")
            with ContentSwitcher(initial="idle", id="student-view"):
                with Vertical(id="idle"):
                    yield Static(SWIPE_PROMPT, markup=False, id="swipe-prompt")
                    yield Static(LOOKUP_HINT, id="idle-hint")
                with Vertical(id="result"):
                    yield Static("", markup=False, id="result-message")
                    yield Static("", markup=False, id="result-hint")
                    with Horizontal(id="result-actions"):
                        yield Button("Username or email (F2)", id="lookup", variant="primary")
                        yield Button("Register as walk-in (F3)", id="walk-in")
            with Horizontal(id="status-line"):
                yield Static("", markup=False, id="count")
                yield ReaderStatusBar("", id="readers")
            demo = self.app.setup.demo
            if demo is not None:
                yield DemoLegend(demo.keys, demo.staff_pin, STAFF_KEY.upper())

    def on_mount(self) -> None:
        self.on_screen_resume()
        self._render_count()
        self.refresh_readers()
        self.set_interval(1.0, self.refresh_readers)

    def refresh_readers(self) -> None:
        """The status line's reader dots, and the idle prompt: while no reader is connected
        (missing, unplugged, no permission) it says so plainly instead of "Swipe"."""
        bar = self.query_one("#readers", ReaderStatusBar)
        bar.refresh_from(self.app.readers, self.app.swipe_limiter.flooding())
        connected = any(reader.status.state == "connected" for reader in self.app.readers)
        if connected != self.reader_connected:
            self.reader_connected = connected
            prompt = self.query_one("#swipe-prompt", Static)
            prompt.update(SWIPE_PROMPT if connected else NO_READER)
            prompt.set_class(not connected, f"no-reader-{NO_READER_COLOUR}")

    # --- what the app tells this screen -------------------------------------------------

    def set_event_name(self, name: str) -> None:
        self.event_name = name
        for label in self.query("#event-name").results(Static):
            label.update(name)

    def set_count(self, count: int) -> None:
        self.count = count
        if self.is_mounted:
            self._render_count()

    def set_link_status(self, text: str) -> None:
        """Fair mode: ``offline — 3 queued`` while the shared database does not answer."""
        if text != self.link_status:
            self.link_status = text
            if self.is_mounted:
                self._render_count()

    def _render_count(self) -> None:
        text = "" if self.count is None else f"{self.count} checked in so far"
        if self.link_status:
            text = f"{text}  ·  {self.link_status}" if text else self.link_status
        # Before the screen's widgets are composed there is nothing to update yet:
        # on_mount renders the count once they are.
        for label in self.query("#count").results(Static):
            label.update(text)

    def present(self, outcome: CheckInOutcome, source: str | None = None) -> None:
        """Queue ``outcome`` (from reader ``source``; None: typed at the kiosk); it shows now,
        or once the one on screen has had its time, unless newer ones replace it."""
        if not presentation_of(outcome.kind).shown:
            return
        self._pending.put(outcome, source, time.monotonic())
        self._advance()

    @property
    def showing_result(self) -> bool:
        return self.current is not None

    @property
    def pending_count(self) -> int:
        return len(self._pending)

    @property
    def skipped(self) -> dict[str | None, int]:
        """Answers never shown (too many from one reader, or too old), by reader."""
        return dict(self._pending.skipped)

    @property
    def shown_at(self) -> float:
        """When the answer on screen was put there (time.monotonic())."""
        return self._shown_at

    # --- the queue -----------------------------------------------------------------------

    def _advance(self) -> None:
        now = time.monotonic()
        self._pending.drop_stale(now)
        if not self._pending:
            return
        if self.current is not None:
            wait = self.min_result_seconds - (now - self._shown_at)
            if wait > 0:
                if self._advance_timer is None:
                    self._advance_timer = self.set_timer(wait, self._advance_due)
                return
        outcome = self._pending.pop(now)
        if outcome is not None:
            self._show(outcome)

    def _advance_due(self) -> None:
        self._advance_timer = None
        self._advance()

    def _show(self, outcome: CheckInOutcome) -> None:
        if self._idle_timer is not None:
            self._idle_timer.stop()
        self._shown_at = time.monotonic()
        self.current = outcome
        self._idle_timer = self.set_timer(self.idle_seconds, self._idle_due)
        self.app.result_shown(outcome)
        if self._pending:
            self._advance()

    def watch_current(self, outcome: CheckInOutcome | None) -> None:
        """Draw the idle screen (None) or an answer, from the presentation table alone."""
        view = self.query_one("#student-view", ContentSwitcher)
        if outcome is None:
            view.current = "idle"
            return
        look = presentation_of(outcome.kind)
        self.query_one("#result", Vertical).set_classes(f"outcome-{look.colour}")
        self.query_one("#result-message", Static).update(f"{look.headline}\n\n{outcome.message}")
        # Under manual_checkin "off" F2/F3 are not offered (they would only say so).
        offers = look.offers_manual_checkin and self.app.desk.manual_checkin != "off"
        self.query_one("#result-hint", Static).update(UNKNOWN_HINT if offers else "")
        self.query_one("#result-actions").display = offers
        view.current = "result"

    def _idle_due(self) -> None:
        self._idle_timer = None
        self._pending.drop_stale(time.monotonic())
        if self._pending:
            self._advance()
        else:
            self.show_idle()

    def on_screen_resume(self) -> None:
        """The idle F2 hint shows only while manual check-in is on (staff may switch it)."""
        for hint in self.query("#idle-hint").results(Static):
            hint.display = self.app.desk.manual_checkin != "off"

    def show_idle(self) -> None:
        if self._idle_timer is not None:
            self._idle_timer.stop()
            self._idle_timer = None
        self.set_focus(None)
        self.current = None
        self._advance()

    # --- actions -------------------------------------------------------------------------

    def action_lookup(self) -> None:
        self.app.open_lookup()

    def action_walk_in(self) -> None:
        if self.current is not None and presentation_of(self.current.kind).offers_manual_checkin:
            self.app.open_walk_in(self.current.card_id)

    def action_staff(self) -> None:
        self.app.request_staff_mode()

    def action_back_to_idle(self) -> None:
        if self.current is not None and not self._pending:
            self.show_idle()

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "lookup":
            self.action_lookup()
        elif event.button.id == "walk-in":
            self.action_walk_in()

    def on_key(self, event: events.Key) -> None:
        demo = self.app.setup.demo
        if demo is None or event.character is None:
            return
        for demo_key in demo.keys:
            if event.character == demo_key.key:
                event.stop()
                self.app.demo_swipe(demo_key)
                return
