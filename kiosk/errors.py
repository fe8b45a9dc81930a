"""Errors a user can cause: each carries one sentence that says what to do."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


class UserError(Exception):
    """A problem with the user's input or environment, shown as one clear sentence.

    The CLI prints ``str(error)`` without a traceback and exits with ``exit_code``.
    Bugs must not be wrapped in this class: they still raise normally.
    """

    exit_code: int = 1

    def __init__(self, message: str, exit_code: int | None = None) -> None:
        super().__init__(message)
        if exit_code is not None:
            self.exit_code = exit_code


class DatabaseUnavailable(UserError):
    """The database could not answer now (locked, full, read-only, unreachable); the message
    says so in one sentence. Nothing was recorded by the call that raised it."""


class UsageError(UserError):
    """The command line itself is wrong (exit status 2)."""

    exit_code = 2


@contextmanager
def reading_file(
    path: Path,
    what: str,
    error: type[UserError],
    utf8_hint: str = "save it as UTF-8.",
    missing_hint: str = "check the path.",
) -> Iterator[None]:
    """Turn the ways reading a user's file can fail into ``error`` with one sentence.

    ``what`` names the file for the user ("roster file", "rules file"); ``utf8_hint`` says
    how to fix a file that is not UTF-8 text, ``missing_hint`` what to do when it is absent.
    Any other OSError (an I/O error, a file that vanished mid-read) is one sentence too.
    """
    try:
        yield
    except FileNotFoundError:
        raise error(f"The {what} {path} does not exist; {missing_hint}") from None
    except IsADirectoryError:
        raise error(f"{path} is a directory; give the {what} itself.") from None
    except PermissionError:
        raise error(
            f"The {what} {path} cannot be read (no permission); check its owner and mode."
        ) from None
    except UnicodeDecodeError as exc:
        raise error(f"The {what} {path} is not UTF-8 text {_where(exc)}; {utf8_hint}") from None
    except OSError as exc:
        raise error(
            f"Cannot read the {what} {path} ({exc.strerror or exc.__class__.__name__}); "
            "check the disk and that the kiosk may read it."
        ) from None


def _where(exc: UnicodeDecodeError) -> str:
    """'at line L (byte 0xBB at position P)', P counted from 1 within the line, as the roster
    import says it."""
    before = bytes(exc.object[: exc.start])
    line = before.count(b"\n") + 1
    position = exc.start - (before.rfind(b"\n") + 1) + 1
    return f"at line {line} (byte 0x{exc.object[exc.start]:02X} at position {position})"
