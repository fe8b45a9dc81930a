"""The capture-file format: the one way swipes are saved and replayed.

UTF-8 text, one swipe per line with its terminating CR/LF removed. Characters outside
printable ASCII, and the backslash, are written as Python-style escapes (``\\x02``, ``\\r``,
``\\\\``, ``\\u00e9``). Blank lines and lines starting with ``#`` are ignored (a swipe that
itself starts with ``#`` is written with that character escaped as ``\\x23``).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from kiosk.errors import UserError, reading_file

_NAMED_ESCAPES = {"\\": "\\", "r": "\r", "n": "\n", "t": "\t", "0": "\x00"}
_NAMED_BY_CHAR = {"\\": "\\\\", "\r": "\\r", "\n": "\\n", "\t": "\\t"}
_ESCAPE = re.compile(r"\\(?:x([0-9a-fA-F]{2})|u([0-9a-fA-F]{4})|U([0-9a-fA-F]{8})|(.))", re.S)


class CaptureFormatError(UserError):
    """A capture line that cannot be decoded."""

    exit_code = 2


@dataclass(frozen=True, slots=True)
class CapturedSwipe:
    """A swipe read from a capture file: its text and the line it stood on."""

    line: int
    text: str = field(repr=False)


def escape_swipe(text: str) -> str:
    """One capture line (without newline) for ``text``."""
    out: list[str] = []
    for char in text:
        if char in _NAMED_BY_CHAR:
            out.append(_NAMED_BY_CHAR[char])
        elif " " <= char <= "~":
            out.append(char)
        elif ord(char) <= 0xFF:
            out.append(f"\\x{ord(char):02x}")
        elif ord(char) <= 0xFFFF:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    line = "".join(out)
    if line.startswith("#"):
        line = "\\x23" + line[1:]
    elif line.strip() == "" and line:
        # A swipe of only spaces would read back as a blank (ignored) line.
        line = "".join(f"\\x{ord(c):02x}" for c in line)
    return line


def unescape_swipe(line: str, line_number: int = 0) -> str:
    """The swipe text a capture line stands for."""
    if "\\" not in line:
        return line

    def replace(match: re.Match[str]) -> str:
        hex2, hex4, hex8, other = match.groups()
        code = hex2 or hex4 or hex8
        if code:
            return chr(int(code, 16))
        if other in _NAMED_ESCAPES:
            return _NAMED_ESCAPES[other]
        raise CaptureFormatError(
            f"Line {line_number} of the capture file has an unknown escape '\\{other}'; "
            "write a backslash as '\\\\' and other characters as \\xNN."
        )

    if line.endswith("\\") and not line.endswith("\\\\"):
        count = len(line) - len(line.rstrip("\\"))
        if count % 2:
            raise CaptureFormatError(
                f"Line {line_number} of the capture file ends in a lone backslash; "
                "write a backslash as '\\\\'."
            )
    return _ESCAPE.sub(replace, line)


def parse_capture_lines(lines: Iterable[str]) -> Iterator[CapturedSwipe]:
    """Swipes from capture lines, numbered from 1 as the lines of the file."""
    return _swipes(enumerate(map(_without_line_end, lines), start=1))


def _without_line_end(line: str) -> str:
    return line.rstrip("\r\n")


def _swipes(numbered_lines: Iterable[tuple[int, str]]) -> Iterator[CapturedSwipe]:
    """The swipes of ``(line number, line without its ending)`` pairs, in order."""
    for number, line in numbered_lines:
        if not line or line[0] == "#" or line.isspace():  # blank (as `not line.strip()`)
            continue
        # Most lines have no backslash: their text is the line itself (unescape_swipe's own
        # shortcut, taken here without the call).
        yield CapturedSwipe(number, unescape_swipe(line, number) if "\\" in line else line)


# Where a file opened with newline="" ends its lines: \r\n, \r or \n.
_LINE_END = re.compile(r"\r\n?|\n")


def parse_capture_text(text: str) -> list[CapturedSwipe]:
    """Every swipe in the whole text of a capture file: the same as
    :func:`parse_capture_lines` over the file's lines (read with ``newline=""``)."""
    lines = _LINE_END.split(text) if "\r" in text else text.split("\n")
    return list(_swipes(enumerate(lines, start=1)))


def read_capture(source: str | Path | TextIO) -> list[CapturedSwipe]:
    """Every swipe in a capture file (a path, ``-`` for standard input, or an open file)."""
    if not isinstance(source, str | Path):
        return list(parse_capture_lines(source))
    if str(source) == "-":
        return list(parse_capture_lines(sys.stdin))
    path = Path(source)
    with (
        reading_file(
            path,
            "capture file",
            CaptureFormatError,
            "capture files are written by 'kiosk readers capture' with non-ASCII characters "
            "escaped.",
        ),
        path.open(encoding="utf-8", newline="") as handle,
    ):
        text = handle.read()  # at once: far cheaper than line by line
    return parse_capture_text(text)


def write_capture(swipes: Iterable[str], target: TextIO) -> int:
    """Write swipes as capture lines; returns how many were written."""
    count = 0
    for text in swipes:
        target.write(escape_swipe(text) + "\n")
        count += 1
    return count
