"""Staff: make a card rule without writing one. Swipe a few cards, type each card's ID
(the card_id in the Handshake export), get a suggested rule, try it on the next swipe, save.
Swipe text stays in this screen's memory only and is dropped when it closes."""

from __future__ import annotations

from dataclasses import dataclass, replace

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Button, DataTable, Input, Static

from drivers.base import Swipe
from kiosk.cards.parse import parse_swipe
from kiosk.cards.rules import Rule, RuleSet
from kiosk.cards.suggest import suggest_rule
from kiosk.errors import UserError
from kiosk.tui.screens.base import StaffScreen, SwipeTaker

HELP = (
    "1. Swipe a card.  2. Type the ID printed on it (as in your Handshake export), Enter.  "
    "Two or three cards are enough; then Suggest."
)


@dataclass(frozen=True)
class NewRule:
    """What the wizard hands back: the rule, and the campus prefixes it needs."""

    rule: Rule
    campus_prefixes: tuple[str, ...]


def merged_prefixes(current: tuple[str, ...], needed: tuple[str, ...]) -> tuple[str, ...]:
    return current + tuple(prefix for prefix in needed if prefix not in current)


class RuleWizardScreen(StaffScreen, SwipeTaker):
    TITLE_TEXT = "new card rule"

    def __init__(self, current: RuleSet) -> None:
        super().__init__()
        self.current = current
        self.samples: list[tuple[str, str]] = []
        self.candidate: Rule | None = None
        self.prefixes: tuple[str, ...] = current.campus_prefixes
        self._pending_text: str | None = None
        self._trying = False
        # What the suggestion asks when the cards fit two readings; no saving until answered.
        self.question: str | None = None

    def compose_body(self) -> ComposeResult:
        yield Static(HELP, classes="staff-help")
        yield Static("Waiting for a swipe…", markup=False, id="wizard-state")
        yield Input(placeholder="the ID printed on this card", id="wizard-id", disabled=True)
        yield DataTable(id="wizard-samples", cursor_type="none")
        with Horizontal(classes="form-row"):
            yield Button("Suggest a rule", id="wizard-suggest", disabled=True)
            yield Input(placeholder="rule name", id="wizard-name")
            yield Button("Try on next swipe", id="wizard-try", disabled=True)
            yield Button("Save rule", id="wizard-save", variant="success", disabled=True)
        yield Static("", markup=False, id="wizard-question", classes="wizard-question")
        yield Static("", markup=False, id="wizard-suggestion")
        yield Static("", markup=False, id="wizard-try-result")

    def on_mount(self) -> None:
        self.query_one("#wizard-samples", DataTable).add_columns("#", "reader", "ID typed")

    # --- swipes and typed IDs ------------------------------------------------------------

    def take_swipe(self, swipe: Swipe) -> None:
        if self._trying and self.candidate is not None:
            self._show_try(swipe)
            return
        self._pending_text = swipe.text
        self._pending_reader = swipe.reader
        self.query_one("#wizard-state", Static).update(
            f"Card swiped on {swipe.reader}: type the ID printed on it and press Enter."
        )
        id_input = self.query_one("#wizard-id", Input)
        id_input.disabled = False
        id_input.value = ""
        id_input.focus()

    def on_input_submitted(self, event: Input.Submitted) -> None:
        if event.input.id != "wizard-id" or self._pending_text is None:
            return
        card_id = event.value.strip()
        if not card_id:
            return
        self.samples.append((self._pending_text, card_id))
        self._pending_text = None
        event.input.value = ""
        event.input.disabled = True
        table = self.query_one("#wizard-samples", DataTable)
        table.add_row(str(len(self.samples)), self._pending_reader, card_id)
        self.query_one("#wizard-suggest", Button).disabled = False
        self.query_one("#wizard-state", Static).update(
            f"{len(self.samples)} card(s). Swipe another, or press Suggest."
        )
        if self.question is not None:  # the card asked for, perhaps: suggest again at once
            self.suggest()

    # --- suggest, try, save --------------------------------------------------------------

    def on_button_pressed(self, event: Button.Pressed) -> None:
        if event.button.id == "wizard-suggest":
            self.suggest()
        elif event.button.id == "wizard-try":
            self._trying = True
            self.query_one("#wizard-try-result", Static).update(
                "Swipe a card to try the rule (nothing is recorded)…"
            )
        elif event.button.id == "wizard-save":
            self.save()

    def suggest(self) -> None:
        name = self.query_one("#wizard-name", Input).value.strip() or "new-rule"
        suggestion = suggest_rule(self.samples, name=name)
        lines = [f"Card {d.pair} does not fit: {d.reason}" for d in suggestion.disagreements]
        shown = self.query_one("#wizard-suggestion", Static)
        self._ask(suggestion.question if suggestion.rule is not None else None)
        if suggestion.rule is None:
            self.candidate = None
            shown.update("\n".join(["No rule explains these cards.", *lines]))
            self.query_one("#wizard-try", Button).disabled = True
            self.query_one("#wizard-save", Button).disabled = True
            return
        self.candidate = suggestion.rule
        self.prefixes = merged_prefixes(self.current.campus_prefixes, suggestion.campus_prefixes)
        heading = f"Suggested rule (explains {suggestion.explained} of {suggestion.total} cards):"
        shown.update("\n".join([heading, suggestion.toml, *lines]))
        self.query_one("#wizard-name", Input).value = suggestion.rule.name
        self.query_one("#wizard-try", Button).disabled = False
        self.query_one("#wizard-save", Button).disabled = self.question is not None

    def _ask(self, question: str | None) -> None:
        """Show the suggestion's question on screen (or clear it): the cards so far fit two
        readings, and the rule is not saved until the card that tells them apart is added."""
        self.question = question
        asked = self.query_one("#wizard-question", Static)
        asked.display = question is not None
        if question is None:
            asked.update("")
            return
        ask = question.removesuffix(", and run this again.").removesuffix(".")
        asked.update(
            "One more card is needed before this rule can be saved.\n"
            f"{ask}.\n"
            "Swipe such a card now and type its ID: the rule is suggested again with it."
        )
        self.query_one("#wizard-state", Static).update(
            "Waiting for the card that settles the question below…"
        )

    def _rule_to_save(self) -> Rule | None:
        if self.candidate is None:
            return None
        name = self.query_one("#wizard-name", Input).value.strip() or self.candidate.name
        try:
            return replace(self.candidate, name=name)
        except UserError as exc:
            self.query_one("#wizard-try-result", Static).update(str(exc))
            return None

    def _show_try(self, swipe: Swipe) -> None:
        self._trying = False
        rule = self._rule_to_save()
        if rule is None:
            return
        trial = RuleSet((rule,), self.prefixes)
        result = parse_swipe(swipe.text, trial, swipe.reader)
        if result.status == "ok":
            text = f"The new rule reads card_id {result.card_id} from that swipe."
        else:
            text = f"The new rule does not read that swipe ({result.status}): {result.message}"
        self.query_one("#wizard-try-result", Static).update(text)

    def save(self) -> None:
        if self.question is not None:  # never an ambiguous rule (Save is disabled meanwhile)
            return
        rule = self._rule_to_save()
        if rule is None:
            return
        if any(existing.name == rule.name for existing in self.current.rules):
            self.query_one("#wizard-try-result", Static).update(
                f"A rule named {rule.name!r} exists already; choose another name."
            )
            return
        self.samples.clear()
        self.dismiss(NewRule(rule, self.prefixes))
