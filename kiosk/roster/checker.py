"""Checking a roster file in a second process while the import stages its rows.

Reading the file and staging its rows costs about as much as checking them, and a kiosk box
has two cores: so ``kiosk import`` forks a checker process that reads the same file and
checks every row (the findings, the rejected rows, the gut check's counts), while the
import process reads it too and stages every row unchecked (:meth:`RowValidator.stage`).
When both are done, the checker's findings come back through a pipe and the rows it rejected
are marked invalid in the staging table: the report and the staging table end exactly as
when one process does both (:func:`check_chunks` is that one-process path, used where a fork
is not safe: a process running other threads, such as the kiosk's screens).

The checker opens the file the import process has open (``/proc/self/fd``), not its path:
a file replaced meanwhile cannot give the two processes different rows. It touches nothing
else of the parent (no database connection: it leaves by ``os._exit``, so no finalizer of
the parent's objects runs in it). If it dies, the import says so and writes nothing.

``kiosk import`` starts its checker first of all (:meth:`CheckerProcess.start_early`),
before it loads the database modules and connects (about 0.2 s on one core while the other
is idle): the checker is that far ahead when the rows are staged. It then opens the file by
path; the import checks that the file it reads is the one the checker opened (the same
file, size and modification time), else it stops that checker and starts one as above.
None of the modules the checker needs loads SQLAlchemy.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import stat
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.errors import UserError
from kiosk.roster.csvfile import RawRow, RosterReader
from kiosk.roster.findings import Finding
from kiosk.roster.headers import HeaderMap, map_header
from kiosk.roster.repeats import WATCHED, RepeatWatch
from kiosk.roster.tally import CategoryCounts
from kiosk.roster.validate import CheckedChunk, RowValidator

#: Set to "1" to check in the import process itself (tests compare the two paths).
ONE_PROCESS_ENV = "KIOSK_IMPORT_ONE_PROCESS"

#: Rows checked and staged at a time (progress is reported after each chunk).
CHUNK_ROWS = 2000


@dataclass
class FileCheck:
    """What checking every row of a file found."""

    rejected: int = 0
    errors: list[Finding] = field(default_factory=list)
    warnings: list[Finding] = field(default_factory=list)
    #: the lines of the rows of the header's width that have errors (staged as valid by a
    #: process that did not check them)
    invalid_lines: list[int] = field(default_factory=list)
    counts: CategoryCounts = field(default_factory=CategoryCounts)
    #: the rows repeating another row's unique value, with their errors (found by SQL over
    #: the staged rows: :meth:`StagingTable.duplicates_in_file`)
    duplicates: dict[int, list[Finding]] = field(default_factory=dict)
    #: the unique columns where two rows may hold the same value (set by :meth:`finish`)
    may_repeat: list[str] = field(default_factory=lambda: list(WATCHED))
    _repeats: RepeatWatch | None = field(default_factory=RepeatWatch, repr=False)

    def add(self, checked: CheckedChunk) -> None:
        self.rejected += checked.rejected
        self.errors.extend(checked.errors)
        self.warnings.extend(checked.warnings)
        self.invalid_lines.extend(checked.invalid_lines)
        self.counts.add(checked.valid_lines, checked.category_keys)
        if self._repeats is not None:
            self._repeats.see(checked.unique)

    def finish(self) -> FileCheck:
        """Every chunk added: settle :attr:`may_repeat` and let go of the hashes."""
        if self._repeats is not None:
            self.may_repeat = self._repeats.may_repeat()
            self._repeats = None
        return self


def check_chunks(validator: RowValidator, chunks: Iterable[list[RawRow]]) -> FileCheck:
    """Check every chunk (nothing staged)."""
    found = FileCheck()
    for chunk in chunks:
        found.add(validator.check(chunk, staged=False))
    return found.finish()


def can_fork() -> bool:
    """Whether this process may fork a checker: on a system with fork and /proc (Linux), in
    a process running one thread (a fork copies only the calling thread, and locks other
    threads hold)."""
    return (hasattr(os, "fork") and threading.active_count() == 1
            and os.environ.get(ONE_PROCESS_ENV) != "1" and _PROC_FDS.is_dir())


#: Where a process finds its open files by descriptor (the checker reopens the import's).
_PROC_FDS = Path("/proc/self/fd")


#: What tells one file from another, or from itself changed: device, inode, size, mtime.
FileIdentity = tuple[int, int, int, int]


def _identity(descriptor: int) -> FileIdentity:
    status = os.fstat(descriptor)
    return status.st_dev, status.st_ino, status.st_size, status.st_mtime_ns


class CheckerProcess:
    """A forked process checking the rows of the file open as ``descriptor`` (the import's
    reader's, or one opened by :meth:`start_early`)."""

    def __init__(self, descriptor: int, *, early: bool = False) -> None:
        self._source = _PROC_FDS / str(descriptor)
        self._pid = 0
        self._pipe = -1
        #: the file an early checker reads, for :meth:`reads` (None: the reader's own)
        self._file = _identity(descriptor) if early else None

    @classmethod
    def start_early(cls, path: Path) -> CheckerProcess | None:
        """A checker of the file at ``path``, started before the import opens the file;
        None where a checker cannot be forked or the file not opened (the import then
        checks as usual, and says what is wrong with the file)."""
        if not can_fork():
            return None
        try:
            if not stat.S_ISREG(os.stat(path).st_mode):
                return None  # (a pipe would wait for a writer: the import refuses it)
            descriptor = os.open(path, os.O_RDONLY)
        except (OSError, ValueError):
            return None
        try:
            checker = cls(descriptor, early=True)
            checker.start()  # the checker keeps its own copy of the descriptor
        finally:
            os.close(descriptor)
        return checker

    def reads(self, reader: RosterReader) -> bool:
        """Whether this checker checks the file ``reader`` has open."""
        return self._file is None or self._file == _identity(reader.fileno())

    def start(self) -> None:
        read_end, write_end = os.pipe()
        pid = os.fork()
        if pid == 0:  # the checker
            os.close(read_end)
            _run_checker(self._source, write_end)  # never returns
        os.close(write_end)
        self._pid, self._pipe = pid, read_end

    def result(self) -> FileCheck:
        """Wait for the checker's findings."""
        try:
            with os.fdopen(self._pipe, "rb") as pipe:
                self._pipe = -1
                data = pipe.read()
        finally:
            status = self._reap()
        if status != 0 or not data:
            raise UserError(
                "The process checking the file's rows stopped before it was done (exit "
                f"status {status}); nothing was written. Import again; if it happens again, "
                f"set {ONE_PROCESS_ENV}=1 to check the rows in one process."
            )
        found = pickle.loads(data)
        if not isinstance(found, FileCheck):
            raise UserError(f"The file changed while it was being imported ({found}); nothing "
                            "was written. Import it again.")
        return found

    def stop(self) -> None:
        """End the checker if it is still running (the import failed or was interrupted)."""
        if self._pipe >= 0:
            os.close(self._pipe)
            self._pipe = -1
        if self._pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            self._reap()

    def _reap(self) -> int:
        if not self._pid:
            return 0
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        return os.waitstatus_to_exitcode(status)


def _run_checker(source: Path, pipe: int) -> None:
    """The checker process: check the file, write the findings (or the error that stopped
    the check, as text) to ``pipe``, and leave without running the parent's finalizers."""
    code = 1
    try:
        signal.signal(signal.SIGINT, signal.SIG_IGN)  # the import process decides
        try:
            with RosterReader(source) as reader:
                header: HeaderMap = map_header(reader.header, source.name)
                found: FileCheck | str = check_chunks(RowValidator(header),
                                                      reader.chunks(CHUNK_ROWS))
        except Exception as error:  # the import process meets the same error and says it
            found = type(error).__name__
        with os.fdopen(pipe, "wb") as out:
            out.write(pickle.dumps(found, protocol=pickle.HIGHEST_PROTOCOL))
        code = 0
    finally:
        os._exit(code)

