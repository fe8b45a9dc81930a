"""Logging setup with the one redaction point: no raw swipe text or card number in any log.

Code must never pass swipe text to a logger in the first place (log the reader, the length
and the outcome). This filter is the safety net: card data (runs of 8 or more digits, card
numbers written in groups, magnetic-stripe track text with or without its sentinels, track 1's
``^``-separated name field) is masked before a record is written; ordinary words, exception
names and rule names are left alone.

While the full-screen kiosk runs, records go to a file (:func:`logs_to_file`), never to the
terminal it draws on.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import TracebackType
from typing import Any

from kiosk.errors import UserError

LOG_FILE_NAME = "kiosk.log"
LOG_FILE_BYTES = 1_000_000
LOG_FILE_BACKUPS = 3
_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"

TRACK_MASK = "[track redacted]"
_TRACKS = re.compile(
    "|".join(
        (
            # track 1: [%][format code]PAN^NAME^data[?], the sentinel often missing; the name
            # field holds a letter and may hold spaces (a traceback's ~~~^^^^ markers are no
            # name); a line cut after the name still counts
            r"(?:%?[A-Za-z]?\d[\d ]*)?\^(?=[^\^\r\n~]{0,79}[A-Za-z])[^\^\r\n~]{1,80}\^[^\s?]*\??",
            r"%?[A-Za-z]?\d{6,19}\^\S*",
            # track 2 / 3: [;|+]PAN=data[?], with or without sentinels
            r"[;+]?\d{4,19}=[\d=]*\??",
            # any start sentinel directly followed by digits (a short campus card's track)
            r"[%;+][A-Za-z]?\d{4,}[\d=]*\??",
        )
    )
)
# A card number written in groups (4111 1111 1111 1111, 3782-822463-10005).
_GROUPED_DIGITS = re.compile(
    r"\b\d{4}(?:[ -]\d{4}){2,3}(?:[ -]\d{1,3})?\b|\b\d{4}[ -]\d{6}[ -]\d{5}\b"
)
_LONG_DIGITS = re.compile(r"\d{8,}")


def _hashes(match: re.Match[str]) -> str:
    return "".join("#" if char.isdigit() else char for char in match.group(0))


def redact(text: str) -> str:
    """``text`` with card data masked: track text, grouped card numbers, long digit runs."""
    text = _TRACKS.sub(TRACK_MASK, text)
    text = _GROUPED_DIGITS.sub(_hashes, text)
    return _LONG_DIGITS.sub(_hashes, text)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg = redacted
            record.args = None
        if record.exc_info:
            # Exception text may quote swipe data; keep the type only.
            exc_type = record.exc_info[0]
            record.msg = f"{record.msg} ({exc_type.__name__ if exc_type else 'error'})"
            record.exc_info = None
            record.exc_text = None
        return True


def configure_logging(level: int = logging.WARNING) -> None:
    """Log to stderr through the redaction filter (idempotent)."""
    root = logging.getLogger()
    root.setLevel(level)
    for handler in root.handlers:
        if any(isinstance(f, RedactingFilter) for f in handler.filters):
            return
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)


def _writes_to_a_terminal(handler: logging.Handler) -> bool:
    if not isinstance(handler, logging.StreamHandler) or isinstance(handler, logging.FileHandler):
        return False
    stream: Any = handler.stream
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):  # no isatty, or closed
        return False


@contextmanager
def logs_to_file(path: Path) -> Iterator[Path]:
    """While the full-screen kiosk runs: log records go to ``path`` (owner-only, redacted,
    rotated at 1 MB, 3 old copies kept) and none to a terminal, where they would paint over
    the student screen. A log stream that is no terminal (the journal under systemd) keeps
    getting them. Everything is put back as it was on leaving."""
    from kiosk.log_file import PrivateLogFile  # here: no other command writes a log file

    root = logging.getLogger()
    muted = [handler for handler in root.handlers if _writes_to_a_terminal(handler)]
    try:
        log_file = PrivateLogFile(
            path, maxBytes=LOG_FILE_BYTES, backupCount=LOG_FILE_BACKUPS, encoding="utf-8"
        )
    except OSError as error:
        raise UserError(
            f"Cannot write the kiosk's log file {path} ({error.strerror or error}); check that "
            "the kiosk may write to that folder."
        ) from None
    log_file.setFormatter(logging.Formatter(_FORMAT))
    log_file.addFilter(RedactingFilter())
    for handler in muted:
        root.removeHandler(handler)
    root.addHandler(log_file)
    try:
        yield path
    finally:
        root.removeHandler(log_file)
        log_file.close()
        for handler in muted:
            root.addHandler(handler)


def redacted_traceback(error: BaseException) -> str:
    """A crash report for ``error``: the usual traceback, without local variables (they may
    hold swipe text) and with card data masked."""
    return redact("".join(traceback.format_exception(error)))


def _redacting_excepthook(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    sys.stderr.write(redacted_traceback(error.with_traceback(trace)))


def install_crash_redaction() -> None:
    """Make an uncaught exception's report go through :func:`redacted_traceback`."""
    sys.excepthook = _redacting_excepthook
