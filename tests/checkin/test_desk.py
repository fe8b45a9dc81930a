"""The application facade (``kiosk.desk.KioskDesk``) on a real database: what the screens
ask of the domain, each answered the way the kiosk must behave."""

from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy.engine import Engine

from drivers.base import Swipe
from kiosk.cards.rules import Rule, RuleSet, load_rules
from kiosk.checkin.staff import set_staff_card_from_swipe
from kiosk.db.models import Event
from kiosk.desk import KioskDesk
from tests.checkin.roster import ALEX

SAMPLE_ROSTER = Path(__file__).resolve().parents[2] / "kiosk" / "samples" / "roster.csv"


async def _desk(
    engine: Engine, event: Event, rules: RuleSet | None = None, **kw: object
) -> KioskDesk:
    desk = KioskDesk(engine, event, rules or RuleSet.empty(), **kw)  # type: ignore[arg-type]
    await desk.start()
    return desk


async def test_a_swipe_is_checked_in_once_and_counted(
    engine: Engine, student_ids: dict[str, int], event: Event
) -> None:
    desk = await _desk(engine, event)
    first = await desk.handle_swipe(Swipe(f";{ALEX.card_id}?", "front"))
    again = await desk.handle_swipe(Swipe(f";{ALEX.card_id}?", "front"))
    assert (first.kind, again.kind) == ("checked_in", "already")
    assert await desk.live_count() == 1
    assert [row.username for row in await desk.recent(10)] == [ALEX.username]


async def test_the_staff_card_opens_staff_mode_and_is_never_a_check_in(
    engine: Engine, student_ids: dict[str, int], event: Event
) -> None:
    set_staff_card_from_swipe(engine, ";555000111?", RuleSet.empty())
    desk = await _desk(engine, event)
    outcome = await desk.handle_swipe(Swipe(";555000111?", "front"))
    assert outcome.kind == "staff"
    # In staff mode the same card is just an unknown card (staff mode is already open).
    assert (await desk.handle_swipe(Swipe(";555000111?", "front"), staff_mode=True)).kind == (
        "unknown"
    )
    assert await desk.live_count() == 0


async def test_events_are_listed_with_their_counts_and_switching_moves_check_ins(
    engine: Engine, student_ids: dict[str, int], event: Event
) -> None:
    desk = await _desk(engine, event)
    await desk.handle_swipe(Swipe(f";{ALEX.card_id}?", "front"))
    second = await desk.create_event("Spring Fair", "2027-03-01", "fair", None)
    await desk.switch_event(second)
    assert desk.event.id == second.id
    assert (await desk.handle_swipe(Swipe(f";{ALEX.card_id}?", "front"))).kind == "checked_in"
    lines = {line.event.name: line.live_check_ins for line in await desk.events()}
    assert lines == {"Fall Career Fair": 1, "Spring Fair": 1}


async def test_an_import_is_seen_by_the_next_swipe_without_a_restart(
    engine: Engine, event: Event, tmp_path: Path
) -> None:
    desk = await _desk(engine, event)
    with SAMPLE_ROSTER.open(encoding="utf-8") as handle:
        card_id = next(csv.DictReader(handle))["card_id"]
    assert (await desk.handle_swipe(Swipe(f";{card_id}?", "front"))).kind == "unknown"
    preview = await desk.preflight(SAMPLE_ROSTER, archive_missing=False)
    assert preview.refused is None
    assert (await desk.handle_swipe(Swipe(f";{card_id}?", "front"))).kind == "unknown"
    report = await desk.import_roster(SAMPLE_ROSTER, archive_missing=False)
    assert report.refused is None
    assert (await desk.handle_swipe(Swipe(f";{card_id}?", "front"))).kind == "checked_in"


async def test_saved_rules_are_used_from_the_next_swipe_and_the_old_file_is_kept(
    engine: Engine, student_ids: dict[str, int], event: Event, tmp_path: Path
) -> None:
    path = tmp_path / "card-rules.toml"
    path.write_text("# our rules\n", encoding="utf-8")
    desk = await _desk(engine, event, rules_path=path)
    swipe = Swipe("ID35B7BF87X", "front")  # Alex's card_id in hex
    assert (await desk.handle_swipe(swipe)).kind == "unknown"
    rules = RuleSet((Rule("hex-id", r"ID([0-9A-F]+)X", transforms=("hex_to_dec",)),))
    kept = await desk.save_rules(rules)
    assert kept is not None and kept.exists()
    assert load_rules(path).rules == rules.rules
    assert (await desk.handle_swipe(swipe)).kind == "checked_in"


async def test_export_goes_to_the_default_file_with_the_handshake_id_saved(
    engine: Engine, student_ids: dict[str, int], event: Event, tmp_path: Path
) -> None:
    desk = await _desk(engine, event)
    await desk.handle_swipe(Swipe(f";{ALEX.card_id}?", "front"))
    path = desk.default_export_path("handshake")
    assert f"event{event.id}-handshake-" in path.name
    updated = await desk.set_handshake_id("98765")
    assert updated.handshake_id == "98765" and (await desk.fresh_event()).handshake_id == "98765"
    summary = await desk.export("handshake", tmp_path / "out.csv", handshake_id="98765")
    assert summary.rows == 1
    assert ALEX.email in (tmp_path / "out.csv").read_text(encoding="utf-8")
