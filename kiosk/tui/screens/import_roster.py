"""Staff: import a roster CSV. The preflight (a dry run) is shown before anything is written;
Import stays disabled until a preflight of the same file found nothing that stops it."""

from __future__ import annotations

from pathlib import Path

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Button, Checkbox, Input, Static

from kiosk.errors import UserError
from kiosk.roster.report import ImportReport, render_text
from kiosk.tui.screens.base import StaffScreen


class ImportScreen(StaffScreen):
    TITLE_TEXT = "import a roster"

    def __init__(self) -> None:
        super().__init__()
        self._checked: tuple[Path, bool] | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(
            "Path of the Handshake Student CSV. Preflight shows what would change; "
            "nothing is written until you press Import.",
            classes="staff-help",
        )
        with Horizontal(classes="form-row"):
            yield Input(placeholder="/path/to/students.csv", id="import-path")
            yield Button("Preflight", id="import-preflight", variant="primary")
            yield Button("Import", id="import-go", variant="warning", disabled=True)
        yield Checkbox("Archive students missing from this file", id="import-archive")
        with VerticalScroll(id="import-report-box"):
            yield Static("", markup=False, id="import-report")

    def on_mount(self) -> None:
        self.query_one("#import-path", Input).focus()

    def _choice(self) -> tuple[Path, bool]:
        path = Path(self.query_one("#import-path", Input).value.strip()).expanduser()
        return path, self.query_one("#import-archive", Checkbox).value

    def on_input_changed(self, event: Input.Changed) -> None:
        self._invalidate()

    def on_checkbox_changed(self, event: Checkbox.Changed) -> None:
        self._invalidate()

    def _invalidate(self) -> None:
        self._checked = None
        self.query_one("#import-go", Button).disabled = True

    async def on_input_submitted(self, event: Input.Submitted) -> None:
        await self.run_preflight()

    async def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "import-preflight":
            await self.run_preflight()
        elif event.button.id == "import-go":
            await self.run_import()

    async def run_preflight(self) -> None:
        path, archive = self._choice()
        report = await self._run(path, dry_run=True, archive=archive)
        if report is None:
            return
        self.show(report, "Preflight (nothing written yet)")
        if report.refused is None:
            self._checked = (path, archive)
            self.query_one("#import-go", Button).disabled = False

    async def run_import(self) -> None:
        choice = self._choice()
        if self._checked != choice:
            self._invalidate()
            return
        path, archive = choice
        report = await self._run(path, dry_run=False, archive=archive)
        self._invalidate()
        if report is None:
            return
        self.show(report, "Imported" if report.refused is None else "Not imported")

    async def _run(self, path: Path, *, dry_run: bool, archive: bool) -> ImportReport | None:
        desk = self.app.desk
        try:
            if dry_run:
                return await desk.preflight(path, archive_missing=archive)
            return await desk.import_roster(path, archive_missing=archive)
        except UserError as exc:
            self.query_one("#import-report", Static).update(str(exc))
            return None

    def show(self, report: ImportReport, heading: str) -> None:
        self.query_one("#import-report", Static).update(f"{heading}\n\n{render_text(report)}")
