"""Where tags go (issue 16.4): ``lp -d PRINTER FILE`` (a fake lp on PATH records what it was
given; missing, failing and hanging lp each give one sentence), and ``dir:PATH``. The spool
prints in the background: submitting never waits for the printer."""

from __future__ import annotations

import io
import shutil
import threading
import time
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy.engine import Engine

from kiosk.cards.rules import RuleSet
from kiosk.checkin import CheckInService
from kiosk.db.models import Event
from kiosk.errors import UserError
from kiosk.nametags.labels import LABELS
from kiosk.nametags.printers import DirPrinter, LpPrinter, PrintFailed, printer_from_setting
from kiosk.nametags.render import NameTag, render_tag
from kiosk.nametags.spool import PrintJob, TagSpool
from kiosk.nametags.tags import tag_for_check_in
from tests.nametags.conftest import fake_lp

SLEEP = shutil.which("sleep")
PDF = render_tag(NameTag("Zoë Ñúñez", "Senior", "Biology", "Fair"), LABELS["30252"])


def test_lp_is_called_with_the_printer_and_the_pdf(lp_path: Path, tmp_path: Path) -> None:
    record = tmp_path / "lp-args"
    copy = tmp_path / "printed.pdf"
    said = "request id is dymo-7 (1 file(s))"
    fake_lp(lp_path, f'echo "$@" > {record}; cp "$3" {copy}; echo "{said}"')
    answer = LpPrinter("dymo").send(PDF, "checkin-7")
    assert answer == said
    args = record.read_text().split()
    assert args[:2] == ["-d", "dymo"] and args[2].endswith("checkin-7.pdf")
    assert "Zoë Ñúñez" in PdfReader(io.BytesIO(copy.read_bytes())).pages[0].extract_text()
    assert not Path(args[2]).exists()  # the temporary file is gone


def test_lp_missing_failing_or_hanging_is_one_sentence(
    lp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(lp_path))  # no lp yet
    with pytest.raises(PrintFailed, match="lp is not installed"):
        LpPrinter("dymo").send(PDF, "t")
    fake_lp(lp_path, 'echo "lp: Error - printer dymo is out of paper" >&2; exit 1')
    with pytest.raises(
        PrintFailed, match=r"refused the tag \(lp: Error - printer dymo is out of paper\)"
    ):
        LpPrinter("dymo").send(PDF, "t")
    fake_lp(lp_path, f"exec {SLEEP} 30")
    with pytest.raises(PrintFailed, match="did not answer within 0.5 s"):
        LpPrinter("dymo", timeout=0.5).send(PDF, "t")


def test_a_dir_printer_writes_one_owner_only_pdf_per_tag(tmp_path: Path) -> None:
    printer = printer_from_setting(f"dir:{tmp_path / 'tags'}")
    assert isinstance(printer, DirPrinter)
    first = Path(printer.send(PDF, "checkin-1"))
    second = Path(printer.send(PDF, "checkin-1"))  # the same second, the same name
    assert first != second and first.read_bytes() == PDF == second.read_bytes()
    assert first.stat().st_mode & 0o777 == 0o600
    assert (tmp_path / "tags").stat().st_mode & 0o777 == 0o700


def test_printer_settings_are_checked() -> None:
    assert printer_from_setting(" dymo ") == LpPrinter("dymo")
    with pytest.raises(UserError, match="not a printer name"):
        printer_from_setting("my printer")
    with pytest.raises(UserError, match="needs a folder"):
        printer_from_setting("dir:")


def _checked_in(engine: Engine, event: Event, student_id: int) -> int:
    assert event.id is not None
    service = CheckInService(engine, event.id, RuleSet.empty())
    outcome = service.check_in_student(student_id, "staff", "pin")
    assert outcome.check_in_id is not None
    return outcome.check_in_id


def test_the_spool_returns_at_once_while_lp_hangs_and_reports_the_failure(
    engine: Engine, tag_students: dict[str, int], tag_event: Event, lp_path: Path, tmp_path: Path
) -> None:
    started = tmp_path / "lp-started"
    fake_lp(lp_path, f"echo > {started}; exec {SLEEP} 30")
    spool = TagSpool(
        LpPrinter("dymo", timeout=5.0), lambda job: tag_for_check_in(engine, job.check_in_id)
    )
    check_in_id = _checked_in(engine, tag_event, tag_students["znunez"])
    assert spool.submit(PrintJob(check_in_id, LABELS["30252"]))  # returns: lp not run yet
    deadline = time.monotonic() + 30
    while not started.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    assert started.exists()  # lp runs, and hangs: the tag is still pending, nothing reported
    assert spool.status().pending == 1 and spool.reports() == []
    assert spool.wait_idle(30)
    (failure,) = spool.take_failures()
    assert failure.name == "Zoë Ñúñez" and "did not answer within 5 s" in failure.message
    assert spool.take_failures() == []  # taken once
    assert spool.status().failed == 1 and spool.status().last_failure == failure
    spool.close()


def test_a_full_queue_refuses_at_once_and_says_so(
    engine: Engine, tag_students: dict[str, int], tag_event: Event, tmp_path: Path
) -> None:
    gate, loading = threading.Event(), threading.Event()

    def slow_load(job: PrintJob) -> NameTag | None:
        loading.set()
        gate.wait(30)
        return tag_for_check_in(engine, job.check_in_id)

    spool = TagSpool(DirPrinter(tmp_path / "tags"), slow_load, capacity=1)
    check_in_id = _checked_in(engine, tag_event, tag_students["znunez"])
    job = PrintJob(check_in_id, LABELS["30252"])
    assert spool.submit(job)
    assert loading.wait(30)  # the worker holds the first tag
    results = [spool.submit(job), spool.submit(job)]
    assert results == [True, False]  # the second waits in the queue, the third finds it full
    assert any("already waiting" in report.message for report in spool.take_failures())
    gate.set()
    assert spool.wait_idle(30)
    assert len(list((tmp_path / "tags").glob("*.pdf"))) == 2
    spool.close()
