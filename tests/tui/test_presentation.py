"""Every kind of answer has its presentation, decided in one table (kiosk/tui/presentation.py)."""

from __future__ import annotations

from typing import get_args

from kiosk.checkin.outcome import NOT_FOUND, UNKNOWN_CARD_MESSAGE, CheckInOutcome, OutcomeKind
from kiosk.tui.presentation import PRESENTATION, presentation_of


def test_the_table_covers_every_outcome_kind_exactly() -> None:
    assert set(PRESENTATION) == set(get_args(OutcomeKind))


def test_every_shown_kind_has_a_headline_and_only_an_unknown_card_offers_f2_f3() -> None:
    shown = {kind: look for kind, look in PRESENTATION.items() if look.shown}
    assert all(look.headline for look in shown.values())
    assert {kind for kind, look in PRESENTATION.items() if look.offers_manual_checkin} == {
        "unknown"
    }
    assert {kind for kind, look in PRESENTATION.items() if not look.shown} == {"noise", "staff"}
    assert presentation_of("checked_in").colour == "green"
    assert presentation_of("already").colour == "yellow"


def test_a_failed_lookup_is_its_own_kind_not_told_apart_by_its_words() -> None:
    assert NOT_FOUND.kind == "not_found"
    # Even with the unknown-card sentence, a not_found answer reads NOT FOUND: the kind decides.
    odd = CheckInOutcome(kind="not_found", message=UNKNOWN_CARD_MESSAGE)
    assert presentation_of(odd.kind).headline == "✖  NOT FOUND"
    assert not presentation_of(odd.kind).offers_manual_checkin
