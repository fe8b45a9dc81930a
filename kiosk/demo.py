"""``kiosk demo``: the whole kiosk on a throwaway database, with a simulated reader.

A fresh SQLite file gets the bundled sample roster, a sample event, the staff PIN below and a
copy of the demo card rules; keys 1-5 on the student screen "swipe" sample cards through a
QueueReader, and the terminal reader still takes swipes typed by a real keyboard reader.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

from drivers.replay import QueueReader
from drivers.terminal import TerminalReader
from kiosk.cards.rules import load_rules
from kiosk.checkin.events import create_event
from kiosk.checkin.staff import set_pin
from kiosk.db.session import open_database
from kiosk.desk import KioskDesk
from kiosk.errors import UserError
from kiosk.nametags.printers import DirPrinter
from kiosk.paths import copy_private
from kiosk.roster import import_roster
from kiosk.tui.setup import DemoInfo, DemoKey, KioskSetup

SAMPLES = Path(__file__).resolve().parent / "samples"
SAMPLE_ROSTER = SAMPLES / "roster.csv"
DEMO_RULES = SAMPLES / "demo-rules.toml"
DEMO_PIN = "2468"
DEMO_EVENT = "Demo Career Fair"
# A sample Handshake fair-session id, so the demo's staff export (Handshake's attendees
# import, the default format) works as it will at a real event.
DEMO_HANDSHAKE_ID = "12345"

# Invented cards (see tests/fixtures/swipe-corpus.jsonl); the valid one is in the sample roster.
VALID_CARD = (
    "%B6009999012345675^TESTER/ALEX J^2908120000000000?;6009999012345675=29081200000000000?"
)
UNKNOWN_CARD = ";55512345601?"
MISREAD_CARD = "%E?;E?"
PAYMENT_CARD = (
    "%B4111111111111111^CARDHOLDER/TEST^28121011000000000000000?"
    ";4111111111111111=28121011000000000000?"
)

DEMO_KEYS: tuple[DemoKey, ...] = (
    DemoKey("1", "valid card", VALID_CARD),
    DemoKey("2", "same card again", VALID_CARD),
    DemoKey("3", "unknown card", UNKNOWN_CARD),
    DemoKey("4", "misread", MISREAD_CARD),
    DemoKey("5", "payment card", PAYMENT_CARD),
)


def prepare_demo(
    directory: Path, *, idle_seconds: float = 4.0, database_url: str | None = None
) -> KioskSetup:
    """A ready-to-run kiosk in ``directory``: database (a new SQLite file there unless
    ``database_url`` names an empty database), roster, event, PIN, rules, readers."""
    engine = open_database(database_url or f"sqlite:///{directory / 'demo.sqlite3'}")
    report = import_roster(engine, SAMPLE_ROSTER)
    if report.refused is not None:
        raise UserError(f"The bundled sample roster did not import: {report.refused}")
    event = create_event(
        engine,
        DEMO_EVENT,
        date=date.today().isoformat(),
        kind="fair",
        handshake_id=DEMO_HANDSHAKE_ID,
    )
    set_pin(engine, DEMO_PIN)
    rules_path = directory / "card-rules.toml"
    copy_private(DEMO_RULES, rules_path)
    simulated = QueueReader("demo reader")
    keyboard = TerminalReader("keyboard")
    desk = KioskDesk(
        engine,
        event,
        load_rules(rules_path),
        rules_path=rules_path,
        kiosk_id="demo",
        export_dir=directory,  # everything the demo writes stays in its folder
        tag_printer=DirPrinter(directory / "nametags"),  # turned on in staff mode: Name tags
    )
    return KioskSetup(
        desk=desk,
        readers=[simulated, keyboard],
        idle_seconds=idle_seconds,
        demo=DemoInfo(reader=simulated, keys=DEMO_KEYS, staff_pin=DEMO_PIN),
    )
