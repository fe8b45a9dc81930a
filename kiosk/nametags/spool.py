"""Name tags printed in the background: a check-in never waits for a printer.

:meth:`TagSpool.submit` only puts the check-in's id on a bounded queue and returns at once;
one worker thread reads the tag from the database, renders it and sends it to the printer
(``lp`` with a timeout). A full queue (a printer that stopped while students keep coming) or
any failure becomes a :class:`PrintReport` the staff screens show; the tag can be printed
again later (:meth:`submit` with ``reprint``). The queue is small on purpose: tags for
students long gone are worth less than staff noticing the printer.
"""

from __future__ import annotations

import contextlib
import logging
import queue
import threading
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from kiosk.errors import UserError
from kiosk.nametags.labels import LabelSize
from kiosk.nametags.printers import Printer
from kiosk.nametags.render import NameTag, TagFont, find_font, render_tag

log = logging.getLogger(__name__)

QUEUE_SIZE = 20
KEPT_REPORTS = 50

#: Reads a job's tag from the database (None: no such check-in).
TagLoader = Callable[["PrintJob"], NameTag | None]


@dataclass(frozen=True)
class PrintJob:
    check_in_id: int
    label: LabelSize
    reprint: bool = False
    # Fair mode: the check-in's idempotency key, the same in the shared database and the
    # kiosk's replica (its id is not), so the tag is read wherever the check-in is by then.
    key: str | None = None


@dataclass(frozen=True)
class PrintReport:
    """How one tag went: ``ok``, or the sentence saying why not (staff screens only: it
    names the student)."""

    check_in_id: int
    name: str
    ok: bool
    message: str
    at: datetime = field(default_factory=lambda: datetime.now(UTC))

    def text(self) -> str:
        clock = self.at.astimezone().strftime("%H:%M:%S")
        if self.ok:
            return f"{clock} name tag printed for {self.name} ({self.message})"
        return f"{clock} name tag NOT printed for {self.name}: {self.message}"


@dataclass(frozen=True)
class SpoolStatus:
    printer: str
    pending: int
    printed: int
    failed: int
    last_failure: PrintReport | None

    def text(self) -> str:
        line = (
            f"Name tags on {self.printer}: {self.printed} printed, {self.failed} failed, "
            f"{self.pending} waiting."
        )
        if self.last_failure is not None:
            line += f" Last failure: {self.last_failure.text()}"
        return line


_STOP = object()


class TagSpool:
    """The background printer of name tags (see module doc)."""

    def __init__(
        self,
        printer: Printer,
        load: TagLoader,
        *,
        font: TagFont | None = None,
        capacity: int = QUEUE_SIZE,
    ) -> None:
        self.printer = printer
        self._load = load
        self._font = font
        self._jobs: queue.Queue[object] = queue.Queue(maxsize=capacity)
        self._lock = threading.Lock()
        self._reports: deque[PrintReport] = deque(maxlen=KEPT_REPORTS)
        self._news: list[PrintReport] = []
        self._printed = 0
        self._failed = 0
        self._busy = 0
        self._idle = threading.Condition(self._lock)
        self._thread: threading.Thread | None = None
        self._closing = False

    # ------------------------------------------------------------- the caller's side

    def submit(self, job: PrintJob) -> bool:
        """Queue a tag; never blocks. False (and a failure report) when the queue is full."""
        self._start()
        with self._lock:
            self._busy += 1
        try:
            self._jobs.put_nowait(job)
        except queue.Full:
            with self._lock:
                self._busy -= 1
            self._report(
                PrintReport(
                    job.check_in_id,
                    f"check-in {job.check_in_id}",
                    False,
                    f"{self._jobs.maxsize} tags are already waiting for {self.printer.label}; "
                    "check the printer, then reprint from Recent check-ins.",
                )
            )
            return False
        return True

    def status(self) -> SpoolStatus:
        with self._lock:
            failures = [report for report in self._reports if not report.ok]
            return SpoolStatus(
                printer=self.printer.label,
                pending=self._busy,
                printed=self._printed,
                failed=self._failed,
                last_failure=failures[-1] if failures else None,
            )

    def reports(self) -> list[PrintReport]:
        """The latest reports, newest last."""
        with self._lock:
            return list(self._reports)

    def report_for(self, check_in_id: int) -> PrintReport | None:
        """The latest report about this check-in's tag."""
        with self._lock:
            for report in reversed(self._reports):
                if report.check_in_id == check_in_id:
                    return report
        return None

    def take_failures(self) -> list[PrintReport]:
        """Failures not taken before (for a notification each), oldest first."""
        with self._lock:
            news, self._news = self._news, []
        return news

    def wait_idle(self, timeout: float) -> bool:
        """Wait until every queued tag is done (tests, shutting down); False on timeout."""
        with self._idle:
            return self._idle.wait_for(lambda: self._busy == 0, timeout)

    def close(self) -> None:
        """Stop the worker once the queued tags are done (it is a daemon thread: a printer
        that hangs past ``lp``'s timeout never keeps the kiosk from exiting)."""
        self._closing = True  # a full queue: the worker stops after the job in hand
        if self._thread is not None:
            with contextlib.suppress(queue.Full):
                self._jobs.put_nowait(_STOP)  # wakes an idle worker

    # ------------------------------------------------------------- the worker's side

    def _start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._work, name="name-tag printer", daemon=True
                )
                self._thread.start()

    def _work(self) -> None:
        while not self._closing:
            job = self._jobs.get()
            if job is _STOP:
                return
            assert isinstance(job, PrintJob)
            try:
                report = self._print(job)
            except Exception as error:  # the worker must outlive any one tag
                log.error("name tag for check-in %s failed (%s)", job.check_in_id,
                          type(error).__name__)  # fmt: skip
                report = PrintReport(
                    job.check_in_id, f"check-in {job.check_in_id}", False,
                    f"the tag could not be made ({type(error).__name__})",
                )  # fmt: skip
            self._report(report)
            with self._idle:
                self._busy -= 1
                self._idle.notify_all()

    def _print(self, job: PrintJob) -> PrintReport:
        tag = self._load(job)
        if tag is None:
            return PrintReport(job.check_in_id, f"check-in {job.check_in_id}", False,
                               "there is no such check-in")  # fmt: skip
        if self._font is None:
            self._font = find_font()
        pdf = render_tag(tag, job.label, self._font)
        try:
            sent = self.printer.send(pdf, f"checkin-{job.check_in_id}")
        except UserError as failure:  # PrintFailed, or a printer setting it cannot use
            return PrintReport(job.check_in_id, tag.name, False, str(failure))
        return PrintReport(job.check_in_id, tag.name, True, sent)

    def _report(self, report: PrintReport) -> None:
        if report.ok:
            log.info("name tag printed for check-in %s", report.check_in_id)
        else:
            log.warning("name tag not printed for check-in %s", report.check_in_id)
        with self._lock:
            self._reports.append(report)
            if report.ok:
                self._printed += 1
            else:
                self._failed += 1
                self._news.append(report)
