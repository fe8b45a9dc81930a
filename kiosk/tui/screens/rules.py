"""Staff: the card rules, in order, with how many check-ins each matched today.
Reorder, disable, create (the wizard) and save; saving keeps the previous file and takes
effect at once."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from textual.app import ComposeResult
from textual.binding import Binding
from textual.widgets import DataTable, Static

from kiosk.cards.rules import Rule, RuleSet
from kiosk.errors import UserError
from kiosk.tui.screens.base import StaffScreen
from kiosk.tui.screens.rule_wizard import NewRule, RuleWizardScreen


class RulesScreen(StaffScreen):
    TITLE_TEXT = "card rules"
    BINDINGS = [
        Binding("escape", "back", "Back"),
        Binding("n", "new_rule", "New rule"),
        Binding("d", "toggle_rule", "Enable/disable"),
        Binding("ctrl+up", "move(-1)", "Move up"),
        Binding("ctrl+down", "move(1)", "Move down"),
        Binding("s", "save", "Save"),
    ]

    def __init__(self) -> None:
        super().__init__()
        self.draft: RuleSet = RuleSet()
        self.unsaved = False
        self._counts: dict[str, int] = {}

    def compose_body(self) -> ComposeResult:
        yield Static("", markup=False, id="rules-help", classes="staff-help")
        yield DataTable(id="rules-table", cursor_type="row")
        yield Static("", markup=False, id="rules-message")

    @property
    def path(self) -> Path:
        return self.app.desk.rules_path

    async def on_mount(self) -> None:
        self.draft = self.app.desk.rules
        table = self.query_one("#rules-table", DataTable)
        table.add_columns("#", "name", "enabled", "track", "pattern", "today")
        self._counts = await self.app.desk.rule_counts()
        self.render_rules()
        table.focus()

    def render_rules(self, cursor: int | None = None) -> None:
        table = self.query_one("#rules-table", DataTable)
        table.clear()
        for number, rule in enumerate(self.draft.rules, start=1):
            table.add_row(
                str(number),
                rule.name,
                "yes" if rule.enabled else "no",
                ",".join(str(t) for t in rule.track) or "any",
                rule.pattern,
                str(self._counts.get(rule.name, 0)),
                key=rule.name,
            )
        if cursor is not None and self.draft.rules:
            table.move_cursor(row=max(0, min(cursor, len(self.draft.rules) - 1)))
        state = "unsaved changes — press s to save" if self.unsaved else "saved"
        self.query_one("#rules-help", Static).update(
            f"{self.path} ({state}). The first rule that matches a swipe gives the card_id."
            + ("" if self.draft.rules else " No rules: the kiosk matches by containment.")
        )

    def _selected(self) -> int | None:
        if not self.draft.rules:
            return None
        return self.query_one("#rules-table", DataTable).cursor_row

    def _replace_rules(self, rules: tuple[Rule, ...], cursor: int | None) -> None:
        self.draft = RuleSet(rules, self.draft.campus_prefixes)
        self.unsaved = True
        self.render_rules(cursor)

    def action_toggle_rule(self) -> None:
        index = self._selected()
        if index is None:
            return
        rules = list(self.draft.rules)
        rules[index] = replace(rules[index], enabled=not rules[index].enabled)
        self._replace_rules(tuple(rules), index)

    def action_move(self, step: int) -> None:
        index = self._selected()
        if index is None or not 0 <= index + step < len(self.draft.rules):
            return
        rules = list(self.draft.rules)
        rules[index], rules[index + step] = rules[index + step], rules[index]
        self._replace_rules(tuple(rules), index + step)

    def action_new_rule(self) -> None:
        self.app.push_screen(RuleWizardScreen(self.draft), self._rule_created)

    async def _rule_created(self, created: NewRule | None) -> None:
        if created is None:
            return
        self.draft = RuleSet(self.draft.rules, created.campus_prefixes)
        self._replace_rules((*self.draft.rules, created.rule), len(self.draft.rules))
        await self.action_save()

    async def action_save(self) -> None:
        message = self.query_one("#rules-message", Static)
        try:
            kept = await self.app.desk.save_rules(self.draft)
        except UserError as exc:
            message.update(str(exc))
            return
        self.unsaved = False
        self.render_rules(self._selected())
        message.update(
            "Saved; in use from the next swipe."
            + (f" The previous version is kept as {kept.name}." if kept else "")
        )

    def action_back(self) -> None:
        if self.unsaved:
            self.query_one("#rules-message", Static).update(
                "Unsaved changes: press s to save them, or Escape again to drop them."
            )
            self.unsaved = False
            return
        super().action_back()
