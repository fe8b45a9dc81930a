"""Staff: attendance at a glance, live (issue 16.3).

The counts (checked in, registered / came / no-shows, walk-ins, not on the roster, checked
out), a chart of check-ins per 15 minutes (Textual's Sparkline: staff see the rush coming)
and the busiest school years, colleges and majors. It reads the desk's summary
(kiosk.checkin.summary) when it opens and every ``TICK_S`` seconds, the kiosk's own tick, so
check-ins from every kiosk of the event show within seconds. ``r`` turns the event's
registered-only mode on or off; the check-out field sets after how many minutes a second swipe
checks a student out (empty: check-out off).
"""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Input, Label, Sparkline, Static

from kiosk.checkin.summary import AttendanceSummary
from kiosk.errors import DatabaseUnavailable, UserError
from kiosk.tui.app import TICK_S
from kiosk.tui.screens.base import StaffScreen

#: How many names each breakdown shows (the rest are summed as "others").
TOP = 5
#: Fair mode, the shared database out of reach: the summary is the replica's.
FROM_REPLICA = (
    "The shared database cannot be reached: these are this kiosk's counts (its own check-ins "
    "and those copied before the network dropped), without the school year, college and "
    "major breakdown; they update when the network returns."
)


def counts_text(summary: AttendanceSummary, registered_only: bool) -> Text:
    text = Text()
    text.append(f"{summary.total}", style="bold")
    text.append(" checked in")
    if summary.registered:
        text.append(f"   registered {summary.registered}: ")
        text.append(f"{summary.registered_in} came", style="bold green")
        text.append(", ")
        text.append(f"{summary.no_shows} no-show(s)", style="bold yellow")
    else:
        text.append("   no registrants imported (kiosk registrations import)")
    text.append(f"\nwalk-ins (not registered) {summary.walk_ins}")
    text.append(f"   not on the roster {summary.not_on_roster}")
    text.append(f"   checked out {summary.checked_out}")
    mode = "registered students only" if registered_only else "open to everyone"
    text.append(f"\nThis event is {mode} (r: change)", style="italic")
    return text


def chart_caption(summary: AttendanceSummary) -> str:
    if not summary.per_quarter_hour:
        return "Check-ins per 15 minutes: none yet"
    first, _ = summary.per_quarter_hour[0]
    last, _ = summary.per_quarter_hour[-1]
    peak = max(count for _, count in summary.per_quarter_hour)
    return f"Check-ins per 15 minutes, {first:%H:%M} to {last:%H:%M} (busiest quarter hour: {peak})"


def breakdown_text(summary: AttendanceSummary) -> Text:
    text = Text()
    for title, counts in (
        ("School year", summary.by_school_year),
        ("College", summary.by_college),
        ("Major", summary.by_major),
    ):
        if not counts:
            continue
        text.append(f"{title}\n", style="bold")
        for name, count in counts[:TOP]:
            text.append(f"  {count:>5}  {name}\n")
        others = sum(count for _, count in counts[TOP:])
        if others:
            text.append(f"  {others:>5}  others\n")
    return text


class AttendanceScreen(StaffScreen):
    TITLE_TEXT = "attendance at a glance"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("r", "toggle_registered_only", "Registered only on/off"),
    ]
    DEFAULT_CSS = """
    AttendanceScreen #attendance-chart {
        height: 6;
        margin: 0 1;
    }
    AttendanceScreen Static {
        padding: 0 1;
    }
    AttendanceScreen #attendance-checkout-row {
        height: auto;
    }
    AttendanceScreen #attendance-checkout-row Label {
        padding: 1 1 0 1;
    }
    AttendanceScreen #attendance-checkout {
        width: 40;
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self.summary: AttendanceSummary | None = None

    def compose_body(self) -> ComposeResult:
        with VerticalScroll():
            yield Static("Reading the check-ins…", id="attendance-counts")
            yield Static("", markup=False, id="attendance-caption")
            yield Sparkline([], id="attendance-chart")
            yield Static("", id="attendance-breakdown")
            with Horizontal(id="attendance-checkout-row"):
                yield Label("Check-out after (minutes; empty: off)")
                yield Input(id="attendance-checkout", restrict=r"[0-9]*", max_length=4)
            yield Static("", markup=False, id="attendance-message")

    async def on_mount(self) -> None:
        self.set_interval(TICK_S, self._refresh_due)
        minutes = self.app.desk.event.checkout_after_minutes
        self.query_one("#attendance-checkout", Input).value = str(minutes or "")
        await self.refresh_summary()

    def _refresh_due(self) -> None:
        self.run_worker(self.refresh_summary(), group="attendance", exclusive=True)

    async def refresh_summary(self) -> None:
        message = self.query_one("#attendance-message", Static)
        try:
            summary = await self.app.desk.attendance_summary()
        except DatabaseUnavailable as error:  # the last numbers stay on screen
            message.update(str(error))
            return
        message.update(FROM_REPLICA if summary.from_replica else "")
        self.summary = summary
        registered_only = self.app.desk.event.registered_only
        self.query_one("#attendance-counts", Static).update(counts_text(summary, registered_only))
        self.query_one("#attendance-caption", Static).update(chart_caption(summary))
        chart = self.query_one("#attendance-chart", Sparkline)
        chart.data = [float(count) for _, count in summary.per_quarter_hour]
        self.query_one("#attendance-breakdown", Static).update(breakdown_text(summary))

    async def action_toggle_registered_only(self) -> None:
        desk = self.app.desk
        try:
            event = await desk.set_registered_only(not desk.event.registered_only)
        except (UserError, DatabaseUnavailable) as error:
            self.query_one("#attendance-message", Static).update(str(error))
            return
        await self.refresh_summary()
        state = "only registered students" if event.registered_only else "everyone"
        self.query_one("#attendance-message", Static).update(f"Now checking in {state}.")

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        """Enter in the check-out field saves it to the event (every kiosk, next swipe)."""
        if event.input.id != "attendance-checkout":
            return
        message = self.query_one("#attendance-message", Static)
        try:
            saved = await self.app.desk.set_checkout_after(event.value.strip() or "off")
        except (UserError, DatabaseUnavailable) as error:
            message.update(str(error))
            return
        minutes = saved.checkout_after_minutes
        self.set_focus(None)  # saved: the screen's keys (r) work again
        message.update(
            f"A second swipe {minutes} minutes or more after check-in now checks out."
            if minutes
            else "Check-out is off for this event."
        )
