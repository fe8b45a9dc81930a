"""Name tags in fair mode (issue 16.4): a check-in made offline prints its tag, and every tag
is the student's own even when the link changes between the check-in and the printing (a
check-in's id differs between the shared database and the kiosk's replica). Real PostgreSQL
through a TCP proxy; the tags are read back with pypdf. Skipped without KIOSK_TEST_PG_URL."""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

from pypdf import PdfReader
from sqlalchemy.engine import Engine

from kiosk.cards.rules import RuleSet
from kiosk.checkin import CheckInService
from kiosk.checkin.event_options import set_event_options
from kiosk.db.models import Event
from kiosk.desk import KioskDesk
from kiosk.fair.start import open_shared
from kiosk.nametags.printers import DirPrinter
from tests.checkin.roster import ALEX, BO, CARMEN, DANA, EVE
from tests.fair.kiosks import close_kiosk, db_url, needs_pg, proxy, swipe, through, until_drained
from tests.netproxy import NetProxy

pytestmark = needs_pg
__all__ = ["db_url", "proxy"]


@dataclass
class GatedPrinter:
    """A folder printer that holds every tag until the test opens the gate."""

    folder: Path
    gate: threading.Event = field(default_factory=threading.Event)

    @property
    def label(self) -> str:
        return f"folder {self.folder}"

    def send(self, pdf: bytes, name: str) -> str:
        assert self.gate.wait(30), "the test never opened the gate"
        return DirPrinter(self.folder).send(pdf, name)


def _usernames_on_tags(folder: Path) -> list[str]:
    names = []
    for pdf in sorted(folder.glob("*.pdf")):
        text = " ".join(page.extract_text() for page in PdfReader(pdf).pages)
        names.append(next(p.username for p in (ALEX, BO, CARMEN, DANA, EVE) if p.last_name in text))
    return sorted(names)


async def _fair_desk(url: str, event: Event, replica: Path, printer: object) -> KioskDesk:
    start = open_shared(url, replica)
    desk = KioskDesk(
        start.shared, event, RuleSet.empty(), kiosk_id="door", replica=start.replica,
        link=start.link, tag_printer=printer,  # type: ignore[arg-type]
    )  # fmt: skip
    await desk.start()
    return desk


async def test_tags_are_the_students_own_offline_and_across_the_link_changing(
    engine: Engine, student_ids: dict[str, int], event: Event, proxy: NetProxy, tmp_path: Path
) -> None:
    assert event.id is not None
    event = set_event_options(engine, event.id, nametag_label="30252")
    printer = GatedPrinter(tmp_path / "tags")
    desk = await _fair_desk(through(proxy), event, tmp_path / "replica.sqlite3", printer)
    # Another kiosk's check-ins, not yet in this kiosk's replica: the shared database's ids
    # run ahead of the replica's.
    other = CheckInService(engine, event.id, RuleSet.empty(), kiosk_id="other")
    assert other.handle_swipe(swipe(DANA.card_id)).kind == "checked_in"
    assert other.check_in_by_lookup(EVE.username).kind == "checked_in"
    try:
        assert (await desk.handle_swipe(swipe(ALEX.card_id))).kind == "checked_in"  # online
        proxy.blackhole()
        assert (await desk.handle_swipe(swipe(BO.card_id))).kind == "checked_in"  # offline
        proxy.restore()
        await until_drained(desk)  # online again, Bo sent: the tags are still to be printed
        assert (await desk.handle_swipe(swipe(CARMEN.card_id))).kind == "checked_in"
        printer.gate.set()
        assert desk._tags is not None and desk._tags.wait_idle(30)
        assert [report.ok for report in desk._tags.reports()] == [True, True, True]
        assert _usernames_on_tags(printer.folder) == sorted(p.username for p in (ALEX, BO, CARMEN))
    finally:
        printer.gate.set()
        close_kiosk(desk)
