"""Staff tools that change how the kiosk works: rule tester, rules (disable, reorder, save,
create with the wizard), roster import with its preflight shown before anything is written."""

from __future__ import annotations

from pathlib import Path

from sqlmodel import Session, select
from textual.pilot import Pilot
from textual.widgets import Button, Checkbox, DataTable, Input

from kiosk.cards.luhn import luhn_check_digit
from kiosk.cards.rules import load_rules
from kiosk.db.models import CheckIn, Student
from kiosk.demo import SAMPLE_ROSTER, VALID_CARD
from kiosk.tui.app import make_app
from kiosk.tui.screens.import_roster import ImportScreen
from kiosk.tui.screens.rule_tester import RuleTesterScreen
from kiosk.tui.screens.rule_wizard import RuleWizardScreen
from kiosk.tui.screens.rules import RulesScreen
from kiosk.tui.setup import KioskSetup
from tests.tui.conftest import (
    ALEX_CARD,
    PAYMENT_CARD,
    open_staff_screen,
    push,
    screen_text,
    showing,
    type_text,
    wait_until,
)


def _check_ins(setup: KioskSetup) -> list[CheckIn]:
    with Session(setup.desk.engine) as session:
        return list(session.exec(select(CheckIn).order_by(CheckIn.id)).all())


async def test_rule_tester_explains_a_swipe_and_records_nothing(kiosk_setup: KioskSetup) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(120, 34)) as pilot:
        await open_staff_screen(pilot, "tester", RuleTesterScreen)
        result = app.screen.query_one("#tester-result")
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: "Student:" in str(result.render()))
        text = str(result.render())
        assert ";90123456701?" in text  # the swipe text, shown to staff
        assert "track 2: 90123456701" in text
        assert "campus-iso-number: no match" in text
        assert "id-plus-issue-code: matched → 901234567" in text
        assert "Alex Tester (stu10001) — matched by rule" in text
        # the card_id is highlighted where it sits in the swipe text
        spans = [s for s in result.render().spans if "green" in str(s.style)]  # type: ignore[attr-defined]
        assert spans and text[spans[0].start : spans[0].end] == "901234567"
        push(app, PAYMENT_CARD)
        await wait_until(pilot, lambda: "refused" in str(result.render()))
        assert "4111" not in screen_text(app)
    assert _check_ins(kiosk_setup) == []


async def test_disable_reorder_and_save_rules_keeps_the_previous_file(
    kiosk_setup: KioskSetup,
) -> None:
    assert kiosk_setup.desk.rules_path is not None
    before = kiosk_setup.desk.rules_path.read_text()
    app = make_app(kiosk_setup)
    answers: list[str] = []
    app.result_hooks.append(lambda outcome: answers.append(outcome.kind))
    async with app.run_test(size=(120, 34)) as pilot:
        push(app, ALEX_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        await open_staff_screen(pilot, "rules", RulesScreen)
        table = app.screen.query_one("#rules-table", DataTable)
        await wait_until(pilot, lambda: table.row_count == 2)
        # today's counts: Alex's swipe matched id-plus-issue-code
        assert [table.get_row_at(i)[1] for i in range(2)] == [
            "campus-iso-number",
            "id-plus-issue-code",
        ]
        assert [table.get_row_at(i)[5] for i in range(2)] == ["0", "1"]
        await pilot.press("d")  # disable campus-iso-number
        await pilot.press("ctrl+down")  # and move it below
        assert "unsaved changes" in screen_text(app)
        assert app.desk.rules.rules[0].enabled  # nothing in effect before saving
        await pilot.press("s")
        await wait_until(pilot, lambda: "Saved; in use from the next swipe" in screen_text(app))
        await pilot.press("escape", "escape")
        push(app, VALID_CARD)  # an ISO campus card: only the disabled rule reads it
        # no rule reads it now; containment finds Alex, who is already in
        await wait_until(pilot, lambda: answers == ["checked_in", "already"])
    saved = load_rules(kiosk_setup.desk.rules_path)
    assert [(r.name, r.enabled) for r in saved.rules] == [
        ("id-plus-issue-code", True),
        ("campus-iso-number", False),
    ]
    assert saved.campus_prefixes == ("600999",)
    after = kiosk_setup.desk.rules_path.read_text()
    comments = [line for line in before.splitlines() if line.startswith("#")]
    assert comments and all(line in after for line in comments)  # the file's notes stay
    kept = list(kiosk_setup.desk.rules_path.parent.glob("card-rules.toml.*.bak"))
    assert len(kept) == 1 and kept[0].read_text() == before
    assert all(row.rule != "campus-iso-number" for row in _check_ins(kiosk_setup))


async def test_create_a_rule_by_swiping_cards_and_typing_their_ids(
    kiosk_setup: KioskSetup,
) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(120, 40)) as pilot:
        wizard = await _open_rule_wizard(pilot)
        for swipe, card_id in (
            (";4821=0060123456=1=290630?", "60123456"),
            (";4821=0041234567=1=290630?", "41234567"),
        ):
            push(app, swipe)
            await wait_until(pilot, lambda: not wizard.query_one("#wizard-id", Input).disabled)
            await type_text(pilot, card_id)
            await pilot.press("enter")
        assert wizard.query_one("#wizard-samples", DataTable).row_count == 2
        wizard.query_one("#wizard-name", Input).value = "facility-id"
        wizard.query_one("#wizard-suggest", Button).press()
        await wait_until(pilot, lambda: "explains 2 of 2 cards" in screen_text(app))
        # "00" before each ID: padding, or part of a fixed 10-digit field? The wizard asks
        # for the card that tells, and saves nothing meanwhile.
        assert wizard.question is not None and wizard.query_one("#wizard-save", Button).disabled
        push(app, ";4821=0001234567=1=290630?")
        await wait_until(pilot, lambda: not wizard.query_one("#wizard-id", Input).disabled)
        await type_text(pilot, "01234567")  # as the export has it: a fixed 8-digit field
        await pilot.press("enter")
        await wait_until(pilot, lambda: "explains 3 of 3 cards" in screen_text(app))
        assert wizard.question is None and not wizard.query_one("#wizard-save", Button).disabled
        wizard.query_one("#wizard-try", Button).press()
        await pilot.pause()
        push(app, ";4821=0012345678=1=290630?")
        await wait_until(pilot, lambda: "reads card_id 12345678" in screen_text(app))
        assert _check_ins(kiosk_setup) == []  # trying records nothing
        wizard.query_one("#wizard-save", Button).press()
        await wait_until(pilot, lambda: isinstance(app.screen, RulesScreen))
        await wait_until(pilot, lambda: "Saved" in screen_text(app))
        assert [r.name for r in app.desk.rules.rules][-1] == "facility-id"
        await pilot.press("escape", "escape")
        push(app, ";4821=0060123456=1=290630?")
        await wait_until(pilot, lambda: showing(app, "checked_in"))
    assert kiosk_setup.desk.rules_path is not None
    assert "facility-id" in [r.name for r in load_rules(kiosk_setup.desk.rules_path).rules]
    (row,) = _check_ins(kiosk_setup)
    assert (row.rule, row.card_id) == ("facility-id", "60123456")


def _card_in_visas_range(student_id: str) -> str:
    partial = "411111" + student_id
    return f";{partial}{luhn_check_digit(partial)}=29081200000000000?"


async def test_the_wizard_warns_when_its_campus_prefix_is_in_a_card_brands_range(
    kiosk_setup: KioskSetup,
) -> None:
    app = make_app(kiosk_setup)
    async with app.run_test(size=(120, 40)) as pilot:
        wizard = await _open_rule_wizard(pilot)
        for card_id in ("901234567", "902345671"):
            push(app, _card_in_visas_range(card_id))
            await wait_until(pilot, lambda: not wizard.query_one("#wizard-id", Input).disabled)
            await type_text(pilot, card_id)
            await pilot.press("enter")
        wizard.query_one("#wizard-suggest", Button).press()
        await wait_until(pilot, lambda: "explains 2 of 2 cards" in screen_text(app))
        shown = " ".join(line.strip(" #") for line in screen_text(app).splitlines() if "#" in line)
        assert (
            "WARNING: 411111 is in Visa's card number range: make sure these are the school's "
            "own cards, since every card whose number starts with 411111 will be let through "
            "the payment guard."
        ) in shown
        assert "campus_prefixes = ['411111']" in screen_text(app)


def _roster_with_a_new_student(tmp_path: Path) -> Path:
    lines = SAMPLE_ROSTER.read_text(encoding="utf-8").splitlines()
    lines.append(
        "zed.quinn@example.edu,stu19999,Zed,zed.quinn@example.edu,Senior,3.1,Biology,"
        "Bachelors,Quinn,,,,,Biology,,College of Arts and Sciences,College of Arts and "
        "Sciences,2023-08-20,2027-05-10,TRUE,700000001,Main Campus,,,FALSE,FALSE,FALSE,"
        "FALSE,FALSE,FALSE,,,,"
    )
    path = tmp_path / "students.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _has_zed(setup: KioskSetup) -> bool:
    with Session(setup.desk.engine) as session:
        found = session.exec(select(Student).where(Student.username == "stu19999")).first()
    return found is not None


async def test_import_shows_the_preflight_before_writing(
    kiosk_setup: KioskSetup, tmp_path: Path
) -> None:
    roster = _roster_with_a_new_student(tmp_path)
    app = make_app(kiosk_setup)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_staff_screen(pilot, "import", ImportScreen)
        screen = app.screen
        go = screen.query_one("#import-go", Button)
        assert go.disabled  # no import without a preflight
        screen.query_one("#import-path", Input).value = str(tmp_path / "missing.csv")
        screen.query_one("#import-preflight", Button).press()
        await wait_until(pilot, lambda: "missing.csv" in screen_text(app))
        assert go.disabled
        screen.query_one("#import-path", Input).value = str(roster)
        screen.query_one("#import-preflight", Button).press()
        await wait_until(pilot, lambda: "unchanged        40" in screen_text(app))
        text = screen_text(app)
        assert "Preflight (nothing written yet)" in text and "created           1" in text
        assert not _has_zed(kiosk_setup) and not go.disabled
        # changing the choice asks for a new preflight
        screen.query_one("#import-archive", Checkbox).value = True
        await pilot.pause()
        assert go.disabled
        screen.query_one("#import-archive", Checkbox).value = False
        screen.query_one("#import-preflight", Button).press()
        await wait_until(pilot, lambda: not go.disabled)
        go.press()
        await wait_until(pilot, lambda: "Imported" in screen_text(app))
        assert _has_zed(kiosk_setup)
        await pilot.press("escape", "escape")
        push(app, ";70000000101?")  # the new student's card works at once
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        assert "Welcome, Zed Q." in screen_text(app)


async def _open_rule_wizard(pilot: Pilot[None]) -> RuleWizardScreen:
    """Staff mode -> card rules -> "n": the wizard that learns a rule from swiped cards."""
    await open_staff_screen(pilot, "rules", RulesScreen)
    await pilot.press("n")
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, RuleWizardScreen))
    screen = pilot.app.screen
    assert isinstance(screen, RuleWizardScreen)
    return screen
