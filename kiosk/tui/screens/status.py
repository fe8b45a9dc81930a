"""Staff: each reader's status, the database in use, the rules file and this kiosk."""

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
        for reader in app.readers:
            status = reader.status
            text.append(f"  {reader.name}  ", style="bold")
            text.append(f"{reader.spec}  {status.state}")
            if status.message:
                text.append(f" — {status.message}")
            text.append("\n")
        text.append("\nDatabase\n", style="bold")
        text.append(f"  {app.setup.database_label}\n")
        text.append("\nEvent\n", style="bold")
        text.append(f"  {app.event.name} (id {app.event.id})\n")
        text.append("\nCard rules\n", style="bold")
        text.append(f"  {app.rules_path or 'none: matching by card_id containment'}\n")
        text.append(f"  {len(app.rules.rules)} rule(s)\n")
        text.append("\nKiosk\n", style="bold")
        text.append(f"  id {app.setup.kiosk_id}\n")
        self.query_one("#status-body", Static).update(text)
