"""Logging setup with the one redaction point: no raw swipe text or card number in any log.

Code must never pass swipe text to a logger in the first place (log the reader, the length
and the outcome). This filter is the safety net: any run of 8 or more digits, and anything
that looks like a magnetic-stripe track, is masked before a record is written.
"""

from __future__ import annotations

import logging
import re
import sys
import traceback
from types import TracebackType

_TRACK = re.compile(r"[%;+][^\s?]{4,}\??")
_LONG_DIGITS = re.compile(r"\d{8,}")


def redact(text: str) -> str:
    """``text`` with track-like runs and long digit runs masked."""
    text = _TRACK.sub("[track redacted]", text)
    return _LONG_DIGITS.sub(lambda m: "#" * len(m.group(0)), text)


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
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)


def redacted_traceback(error: BaseException) -> str:
    """A crash report for ``error``: the usual traceback, without local variables (they may
    hold swipe text) and with track-like text and long digit runs masked."""
    return redact("".join(traceback.format_exception(error)))


def _redacting_excepthook(
    kind: type[BaseException], error: BaseException, trace: TracebackType | None
) -> None:
    sys.stderr.write(redacted_traceback(error.with_traceback(trace)))


def install_crash_redaction() -> None:
    """Make an uncaught exception's report go through :func:`redacted_traceback`."""
    sys.excepthook = _redacting_excepthook
