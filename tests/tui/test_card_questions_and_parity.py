"""Staff screens for issue 15's harder cases: the rule wizard asks for the one card that tells
two readings apart (and saves no ambiguous rule), and the rule tester says why a prox swipe
with a wrong parity bit is a misread."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlmodel import Session, select
from textual.widgets import Button, Input, Static

from kiosk.cards.parse import parse_swipe
from kiosk.cards.rules import Rule, RuleSet, load_rules
from kiosk.cards.wiegand import FORMATS, encode_bits, encode_hex
from kiosk.db.models import CheckIn
from kiosk.desk import KioskDesk
from kiosk.tui.app import make_app
from kiosk.tui.screens.rule_tester import RuleTesterScreen
from kiosk.tui.screens.rules import RulesScreen
from kiosk.tui.setup import KioskSetup
from tests.tui.conftest import open_staff_screen, push, screen_text, type_text, wait_until
from tests.tui.test_rules_import import _open_rule_wizard

# Three cards whose IDs sit after five zeros in a 10-digit run: a zero-padded number, or a
# fixed 5-digit field? These cards cannot tell.
SAME_WIDTH = (("0000012345", "12345"), ("0000023456", "23456"), ("0000034567", "34567"))


def _check_ins(setup: KioskSetup) -> list[CheckIn]:
    with Session(setup.desk.engine) as session:
        return list(session.exec(select(CheckIn)).all())


@pytest.mark.parametrize(
    ("answer", "unseen", "reads"),
    [("2345", "0000000007", "7"), ("02345", "0000000007", "00007")],
    ids=["padded-number", "fixed-field"],
)
async def test_the_wizard_asks_for_the_telling_card_and_saves_no_ambiguous_rule(
    kiosk_setup: KioskSetup, answer: str, unseen: str, reads: str
) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(120, 50)) as pilot:
        wizard = await _open_rule_wizard(pilot)
        id_input = wizard.query_one("#wizard-id", Input)
        save = wizard.query_one("#wizard-save", Button)

        async def swipe_and_type(swipe: str, card_id: str) -> None:
            push(app, swipe)
            await wait_until(pilot, lambda: not id_input.disabled)
            await type_text(pilot, card_id)
            await pilot.press("enter")
            await wait_until(pilot, lambda: id_input.disabled)

        for swipe, card_id in SAME_WIDTH:
            await swipe_and_type(swipe, card_id)
        wizard.query_one("#wizard-name", Input).value = "zeros"
        wizard.query_one("#wizard-suggest", Button).press()
        question = wizard.query_one("#wizard-question", Static)
        await wait_until(pilot, lambda: question.display)
        # asked plainly on screen, not only as a comment in the rule's TOML
        asked = str(question.render())
        assert asked.startswith("One more card is needed before this rule can be saved.")
        assert "fewer than 5 digits" in asked and "like 0000002345" in asked
        assert "Swipe such a card now and type its ID" in asked
        assert "run this again" not in asked
        assert "One more card is needed" in screen_text(app)
        assert save.disabled
        save.press()  # a disabled button does nothing; nor does save() itself
        wizard.save()
        await pilot.pause()
        assert app.screen is wizard
        # the telling card: its ID, as the export has it, settles the reading
        await swipe_and_type("0000002345", answer)
        await wait_until(pilot, lambda: not question.display)
        assert "explains 4 of 4 cards" in screen_text(app)
        assert "QUESTION" not in screen_text(app) and not save.disabled
        wizard.query_one("#wizard-try", Button).press()
        await pilot.pause()
        push(app, unseen)
        await wait_until(pilot, lambda: f"reads card_id {reads} from" in screen_text(app))
        save.press()
        await wait_until(pilot, lambda: isinstance(app.screen, RulesScreen))
        await wait_until(pilot, lambda: "Saved" in screen_text(app))
    assert kiosk_setup.desk.rules_path is not None
    saved = {rule.name: rule for rule in load_rules(kiosk_setup.desk.rules_path).rules}
    trial = RuleSet((saved["zeros"],))
    assert parse_swipe(unseen, trial).card_id == reads
    assert _check_ins(kiosk_setup) == []


async def test_the_wizard_asks_which_prox_format_when_two_fit(kiosk_setup: KioskSetup) -> None:
    # H10302 cards with small numbers read the same as H10304 cards of facility 0
    h10302 = FORMATS["h10302"]
    app = make_app(kiosk_setup)
    async with app.run_test(size=(120, 50)) as pilot:
        wizard = await _open_rule_wizard(pilot)
        id_input = wizard.query_one("#wizard-id", Input)
        question = wizard.query_one("#wizard-question", Static)
        for card in (4711, 815, 1):
            push(app, encode_bits(h10302, card=card))
            await wait_until(pilot, lambda: not id_input.disabled)
            await type_text(pilot, str(card))
            await pilot.press("enter")
            await wait_until(pilot, lambda: id_input.disabled)
        wizard.query_one("#wizard-suggest", Button).press()
        await wait_until(pilot, lambda: question.display)
        asked = str(question.render())
        assert "HID H10302 37-bit (card number only), HID H10304 37-bit" in asked
        assert "whose number is above 524287" in asked
        assert wizard.query_one("#wizard-save", Button).disabled
        big = 2**34 + 12345  # only H10302 holds it
        push(app, encode_bits(h10302, card=big))
        await wait_until(pilot, lambda: not id_input.disabled)
        await type_text(pilot, str(big))
        await pilot.press("enter")
        await wait_until(pilot, lambda: not question.display)
        assert not wizard.query_one("#wizard-save", Button).disabled
        assert wizard.candidate is not None
        assert wizard.candidate.transforms == ("h10302_card",)


# Alex Tester's card_id in the sample roster, on a 37-bit H10302 prox card (card number only)
ALEX_ID = 901234567
PROX_RULES = RuleSet(
    (
        Rule("campus-iso-number", r"^600999(\d{9})\d=", track=(2,)),
        Rule("prox-h10302", r"^([0-9A-F]{10})$", transforms=("h10302_card",)),
    ),
    ("600999",),
)


def _with_rules(setup: KioskSetup, rules: RuleSet) -> KioskSetup:
    desk = setup.desk
    return replace(setup, desk=KioskDesk(desk.engine, desk.event, rules))


async def test_the_rule_tester_says_a_bad_parity_prox_swipe_is_a_misread_and_why(
    kiosk_setup: KioskSetup,
) -> None:
    fmt = FORMATS["h10302"]
    good = encode_hex(fmt, card=ALEX_ID)
    bad = f"{int(good, 16) ^ fmt.bit(30):010X}"  # one card-number bit read wrong
    app = make_app(_with_rules(kiosk_setup, PROX_RULES))
    async with app.run_test(size=(140, 40)) as pilot:
        await open_staff_screen(pilot, "tester", RuleTesterScreen)
        result = app.screen.query_one("#tester-result", Static)
        push(app, good)
        await wait_until(pilot, lambda: "Student:" in str(result.render()))
        text = str(result.render())
        assert f"prox-h10302: matched → {ALEX_ID}" in text
        assert "Alex Tester (stu10001) — matched by rule" in text
        push(app, bad)
        await wait_until(pilot, lambda: bad in str(result.render()))
        text = str(result.render())
        # every rule was tried (none is "not tried"); the prox rule found the parity wrong
        assert "not tried" not in text
        assert "campus-iso-number: no match" in text
        assert (
            "prox-h10302: parity failed: HID H10302 37-bit (card number only), "
            "the odd parity bit 37 (over bits 19-36) wrong"
        ) in text
        assert "Result: misread (parity failed)" in text
        assert "please present it again" in text
        assert (
            "Why: rule prox-h10302 reads the raw value as a HID H10302 37-bit (card number "
            "only) card, but the odd parity bit 37 (over bits 19-36) does not match the bits "
            "it covers, so at least one bit was read wrong and no card number is guessed"
        ) in " ".join(text.split())
        assert "Student: no roster student matches" in text
    assert _check_ins(kiosk_setup) == []
