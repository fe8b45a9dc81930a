"""Reading a roster file: UTF-8 (with or without BOM), RFC 4180 CSV, rows with line numbers.

The file is streamed, never held whole in memory. Anything that stops it being read as a
CSV (not UTF-8, a spreadsheet workbook, a NUL byte) is a :class:`RosterFileError` naming the
first bad line, so the import can refuse the file before writing anything.
"""

from __future__ import annotations

import csv
import io
import os
import stat
from collections.abc import Iterator
from itertools import count, islice
from pathlib import Path
from types import TracebackType
from typing import BinaryIO, NamedTuple

from kiosk.errors import UsageError, UserError

UTF8_BOM = b"\xef\xbb\xbf"
_SAVE_AS = "save it from the spreadsheet as 'CSV UTF-8 (Comma delimited)' and import again"


class RosterFileError(UserError):
    """The file cannot be read as a UTF-8 CSV roster; the import refuses it."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message, exit_code=1)
        self.line = line


class RawRow(NamedTuple):
    """One data row: the line it starts on (1-based, header = line 1) and its cells."""

    line: int
    cells: list[str]


class RosterReader:
    """A roster file opened for reading; use as a context manager.

    ``header`` is the first line's cells; iterating :meth:`rows` yields the data rows
    (lines that are entirely blank are skipped). ``bytes_read`` / ``size`` give progress.
    """

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._handle = _open_binary(self.path)
        self.size = _size(self._handle)
        try:
            first_line = self._handle.readline()
            _refuse_non_csv_start(self.path, first_line)
            self._handle.seek(0)
        except BaseException:
            self._handle.close()
            raise
        # Decoded and split into lines in C: only "\n" ends a line, as in the binary file
        # (a lone "\r" stays inside its line, for the CSV reader to judge).
        self._text = io.TextIOWrapper(self._handle, encoding="utf-8-sig", errors="strict",
                                      newline="\n")
        self._reader = csv.reader(self._lines(), strict=False)
        self.header: list[str] = self._read_header()

    def _lines(self) -> Iterator[str]:
        """The file's decoded lines (the text stream itself: iterated in C)."""
        return self._text

    def fileno(self) -> int:
        """The descriptor of the open file (a checker process reopens it: :mod:`checker`)."""
        return self._handle.fileno()

    @property
    def bytes_read(self) -> int:
        """How far into the file reading has got (for progress)."""
        try:
            return self._handle.tell()
        except (OSError, ValueError):
            return 0

    def __enter__(self) -> RosterReader:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        self._text.close()

    def _next_cells(self) -> list[str] | None:
        try:
            return next(self._reader)
        except StopIteration:
            return None
        except UnicodeDecodeError:
            raise self._not_utf8() from None
        except csv.Error as error:
            raise self._not_csv(error) from None

    def _not_utf8(self) -> RosterFileError:
        """The error naming the first line that is not UTF-8 (the file is read again, line
        by line, to find it: the decoder reads ahead in blocks)."""
        with self.path.open("rb") as handle:
            for number, raw in enumerate(handle, start=1):
                if number == 1 and raw.startswith(UTF8_BOM):
                    raw = raw[len(UTF8_BOM):]
                try:
                    raw.decode("utf-8")
                except UnicodeDecodeError as error:
                    bad = raw[error.start]
                    return RosterFileError(
                        f"{self.path.name}: line {number} is not UTF-8 text (byte 0x{bad:02X} "
                        f"at position {error.start + 1}); {_SAVE_AS}.",
                        line=number,
                    )
        return RosterFileError(f"{self.path.name} is not UTF-8 text; {_SAVE_AS}.", line=None)

    def _read_header(self) -> list[str]:
        cells = self._next_cells()
        if cells is None or not any(cell.strip() for cell in cells):
            raise RosterFileError(
                f"{self.path.name} is empty or its first line is blank: the first line must "
                "be the header (email_address,username,first_name,...).",
                line=1,
            )
        return cells

    def rows(self) -> Iterator[RawRow]:
        """The data rows, in file order, each with the line it starts on."""
        for chunk in self.chunks(_ROWS_AT_A_TIME):
            yield from chunk

    def chunks(self, size: int) -> Iterator[list[RawRow]]:
        """The data rows in lists of up to ``size`` (fewer where lines are blank), in file
        order, each with the line it starts on. A row spans one line unless a quoted cell
        holds line breaks: then each "\\n" in its cells is one more line."""
        reader = self._reader
        while True:
            before = reader.line_num
            try:
                block = list(islice(reader, size))
            except UnicodeDecodeError:
                raise self._not_utf8() from None
            except csv.Error as error:
                raise self._not_csv(error) from None
            if not block:
                return
            if reader.line_num - before == len(block) and all(map(any, block)):
                yield list(map(RawRow, count(before + 1), block))
                continue
            rows, line = [], before + 1
            for cells in block:
                if any(cells):
                    rows.append(RawRow(line, cells))
                line += 1 + sum(cell.count("\n") for cell in cells)
            if rows:
                yield rows

    def _not_csv(self, error: csv.Error) -> RosterFileError:
        return RosterFileError(
            f"{self.path.name}: line {self._reader.line_num} cannot be read as CSV "
            f"({error}); {_SAVE_AS}.",
            line=self._reader.line_num,
        )


#: Rows read at a time by :meth:`RosterReader.rows`.
_ROWS_AT_A_TIME = 2000


def _open_binary(path: Path) -> BinaryIO:
    try:
        # Only a regular file: opening a pipe waits for a writer (for ever, if none comes),
        # and a pipe's or device's rows cannot be read twice (the checker process reads them).
        mode = path.stat().st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError(path)
        if not stat.S_ISREG(mode):
            raise UsageError(f"{path} is not a file but a pipe, a device or a socket: save the "
                             "roster CSV to a file and give the path of that file.")
        return path.open("rb")
    except FileNotFoundError:
        raise UsageError(f"There is no file {path}: check the path of the roster CSV.") from None
    except IsADirectoryError:
        raise UsageError(f"{path} is a directory: give the path of the roster CSV file.") from None
    except PermissionError:
        raise UserError(
            f"The kiosk may not read {path}: check the file's permissions."
        ) from None


def _size(handle: BinaryIO) -> int:
    try:
        return os.fstat(handle.fileno()).st_size
    except OSError:
        return 0


#: Wide text without a byte-order mark: an ASCII header line puts its letters in one byte
#: lane out of 2 (UTF-16) or 4 (UTF-32) and NUL in the others. A lane is "text" at most this
#: share NUL, "padding" at least that share.
_TEXT_LANE_NUL_SHARE = 0.1
_PADDING_LANE_NUL_SHARE = 0.6
_WIDE_BOMS: tuple[tuple[bytes, str], ...] = (
    (b"\xff\xfe\x00\x00", "UTF-32"), (b"\x00\x00\xfe\xff", "UTF-32"),
    (b"\xff\xfe", "UTF-16"), (b"\xfe\xff", "UTF-16"),
)


def _wide_encoding(first_line: bytes) -> str | None:
    """The name of the wide encoding (UTF-16 or UTF-32) a first line is in, with or without a
    byte-order mark, else None."""
    for bom, name in _WIDE_BOMS:
        if first_line.startswith(bom):
            return name
    sample = first_line[:4096]
    if len(sample) < 8 or b"\x00" not in sample:
        return None
    for width, name in ((4, "UTF-32"), (2, "UTF-16")):
        shares = [lane.count(0) / len(lane) for lane in (sample[i::width] for i in range(width))]
        text_lanes = [share for share in shares if share <= _TEXT_LANE_NUL_SHARE]
        padding = [share for share in shares if share >= _PADDING_LANE_NUL_SHARE]
        if len(text_lanes) == 1 and len(padding) == width - 1:
            return name
    return None


def _refuse_non_csv_start(path: Path, first_line: bytes) -> None:
    # UTF-16 (and UTF-32) is refused rather than decoded: Handshake's importer takes UTF-8
    # only, and this import is also the preflight of the file that will be uploaded there.
    wide = _wide_encoding(first_line)
    if wide is not None:
        raise RosterFileError(f"{path.name} is {wide} text, not UTF-8; {_SAVE_AS}.", line=1)
    if first_line.startswith(b"PK\x03\x04"):
        raise RosterFileError(
            f"{path.name} is a spreadsheet workbook (.xlsx), not a CSV file; {_SAVE_AS}.",
            line=1,
        )
    if first_line.startswith(b"\xd0\xcf\x11\xe0"):
        raise RosterFileError(
            f"{path.name} is an old Excel workbook (.xls), not a CSV file; {_SAVE_AS}.", line=1
        )
    if b"\x00" in first_line:
        raise RosterFileError(
            f"{path.name}: the header line holds NUL bytes, so this is not a text CSV file; "
            f"{_SAVE_AS}.",
            line=1,
        )
