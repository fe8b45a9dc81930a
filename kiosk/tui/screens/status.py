"""Staff: each reader's status (and floods: swipes dropped, answers skipped), the database in
use, the rules file, the name tag printer (its last failure in red) and this kiosk."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.widgets import Static

from kiosk.tui.screens.base import StaffScreen


class StatusScreen(StaffScreen):
    TITLE_TEXT = "readers and database"

    def compose_body(self) -> ComposeResult:
        yield Static(id="status-body")

    def on_mount(self) -> None:
        self.refresh_status()
        self.set_interval(1.0, self.refresh_status)

    def refresh_status(self) -> None:
        app = self.app
        text = Text()
        text.append("Readers\n", style="bold")
        if not app.readers:
            text.append("  none configured (use --reader or [[readers]] in kiosk.toml)\n")
        skipped = app.student_screen.skipped
        for reader in app.readers:
            status = reader.status
            text.append(f"  {reader.name}  ", style="bold")
            text.append(f"{reader.spec}  {status.state}")
            if status.message:
                text.append(f" — {status.message}")
            text.append("\n")
            flood = app.swipe_limiter.episode(reader.name)
            if flood is not None:
                text.append(f"    {flood.describe()}", style="bold red" if flood.ongoing else "")
                total = app.swipe_limiter.dropped(reader.name)
                if total != flood.dropped:
                    text.append(f" ({total:,} dropped since the kiosk started)")
                text.append(
                    f"; more than {app.swipe_limiter.rate:g} swipes a second are not checked in\n"
                )
            if skipped.get(reader.name):
                text.append(
                    f"    {skipped[reader.name]:,} answers not shown on the student screen "
                    "(too many at once, or too old)\n"
                )
        text.append("\nDatabase\n", style="bold")
        desk = app.desk
        text.append(f"  {desk.database_label}\n")
        text.append("\nEvent\n", style="bold")
        text.append(f"  {desk.event.name} (id {desk.event.id})\n")
        text.append("\nCard rules\n", style="bold")
        text.append(f"  {desk.rules_file or 'none: matching by card_id containment'}\n")
        text.append(f"  {len(desk.rules.rules)} rule(s)\n")
        text.append("\nName tags\n", style="bold")
        label = desk.nametag_label
        text.append(f"  {'label ' + label if label else 'off for this event'}\n")
        tags = desk.nametag_status()
        text.append(f"  {tags}\n", style="bold red" if "NOT printed" in tags else "")
        text.append("\nKiosk\n", style="bold")
        text.append(f"  id {desk.kiosk_id}\n")
        self.query_one("#status-body", Static).update(text)
