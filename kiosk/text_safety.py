"""Characters no text the kiosk stores, shows or exports may hold, and the sanitiser for old data.

A name is printed on a terminal: an ESC sequence in it (``\\x1b[H\\x1b[J``, ``\\x1bc``) would
clear or reset the kiosk screen, and a bidi override (U+202E) would reorder what follows it.
So every text field is checked at its way in (roster import, walk-in form, event names) and
everything read back from the database passes :func:`sanitise` before it reaches a screen
or an export (defence in depth for rows stored before the check existed).

Forbidden, by Unicode general category (:func:`unicodedata.category`), not by hand lists:

- ``Cc`` — every control character: C0 (U+0000–U+001F, NUL, ESC, tab and line breaks
  included; only a field declared multi-line may hold CR and LF), DEL (U+007F) and C1
  (U+0080–U+009F, CSI included);
- ``Zl``, ``Zp`` — U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR (line breaks);
- ``Cf`` — invisible format characters: the bidi embeddings, overrides and isolates
  (U+202A–U+202E, U+2066–U+2069), the marks LRM, RLM, ALM (U+200E, U+200F, U+061C), and the
  rest (soft hyphen, zero-width space, word joiner, BOM, tag characters...), which only hide
  text or change how it reads; **except** U+200C ZERO WIDTH NON-JOINER and U+200D ZERO WIDTH
  JOINER, which spell Persian and Indic names correctly and join emoji sequences.

This module is domain code: it imports nothing of the kiosk's screens.
"""

from __future__ import annotations

import re
import sys
import unicodedata
from functools import cache

from kiosk.errors import UserError

#: The format characters (``Cf``) that legitimately appear in names: ZWNJ and ZWJ.
ALLOWED_FORMAT_CHARACTERS: frozenset[str] = frozenset(("\u200c", "\u200d"))

_FORBIDDEN_CATEGORIES = frozenset(("Cc", "Cf", "Zl", "Zp"))

#: Friendlier names for the control characters a user is most likely to meet (``Cc``
#: characters have no name in the Unicode database).
_CONTROL_NAMES = {"\x00": "NUL", "\t": "tab", "\n": "line feed", "\r": "carriage return",
                  "\x1b": "ESC", "\x7f": "DEL"}


class UnsafeTextError(UserError):
    """Typed text holds a control or invisible format character; nothing was stored."""


def is_forbidden(char: str) -> bool:
    """True for a character no stored, shown or exported text may hold (see module doc)."""
    return (
        unicodedata.category(char) in _FORBIDDEN_CATEGORIES
        and char not in ALLOWED_FORMAT_CHARACTERS
    )


#: The only forbidden characters a multi-line field (a roster column such as a hometown
#: written on two lines) may hold.
LINE_BREAKS: frozenset[str] = frozenset(("\r", "\n"))


def first_forbidden(text: str, *, multiline: bool = False) -> str | None:
    """The first forbidden character of ``text``, or None when it has none. ``multiline``
    lets CR and LF through (every other forbidden character is still found)."""
    # str.isprintable is False for every Cc, Cf, Zl and Zp character (and for a few harmless
    # ones, such as a no-break space): the C-speed test that lets nearly all text skip the loop.
    if text.isprintable():
        return None
    for char in text:
        if is_forbidden(char) and not (multiline and char in LINE_BREAKS):
            return char
    return None


def describe(char: str) -> str:
    """The character for a sentence: ``a control character (U+001B ESC)``."""
    code = f"U+{ord(char):04X}"
    category = unicodedata.category(char)
    name = _CONTROL_NAMES.get(char) or unicodedata.name(char, "")
    label = f"{code} {name}" if name else code
    if category == "Cc":
        return f"a control character ({label})"
    if category in ("Zl", "Zp"):
        return f"a line break ({label})"
    return f"an invisible format character ({label})"


def problem(what: str, text: str, *, multiline: bool = False) -> str | None:
    """``"<what> contains a control character (U+001B ESC)"``, or None when ``text`` is safe."""
    char = first_forbidden(text, multiline=multiline)
    return None if char is None else f"{what} contains {describe(char)}"


def require_safe(text: str, what: str, advice: str) -> None:
    """Raise :class:`UnsafeTextError` (one sentence: ``what`` contains ..., ``advice``) when
    ``text`` holds a forbidden character."""
    found = problem(what, text)
    if found is not None:
        raise UnsafeTextError(f"{found}; {advice}")


def _replacement(char: str) -> str:
    return " " if char.isspace() else ""


#: Whole terminal escape sequences (ECMA-48): CSI (``ESC [`` or U+009B, parameters, a final
#: byte: ``\x1b[H``, ``\x1b[2J``), OSC (``ESC ]`` ... BEL or ``ESC \``: window titles) and the
#: two-character escapes (``ESC c``, reset). Removed as a unit so no "[H[J" is left behind.
_ESCAPE_SEQUENCE = re.compile(
    r"(?:\x1b\[|\x9b)[0-?]*[ -/]*[@-~]"
    r"|(?:\x1b\]|\x9d)[^\x07\x1b\x9c]*(?:\x07|\x1b\\|\x9c)?"
    r"|\x1b[ -/]*[0-~]"
)


def sanitise(text: str) -> str:
    """``text`` without forbidden characters: terminal escape sequences are removed whole, line
    breaks and tabs become a space, every other forbidden character is removed. Text without
    any forbidden character is returned unchanged."""
    if first_forbidden(text) is None:
        return text
    text = _ESCAPE_SEQUENCE.sub("", text)
    return "".join(_replacement(c) if is_forbidden(c) else c for c in text)


def sanitise_optional(text: str | None) -> str | None:
    """:func:`sanitise` that passes None through."""
    return None if text is None else sanitise(text)


@cache
def safe_input_pattern() -> str:
    """A regular expression matching text without forbidden characters, for a text box's
    ``restrict`` (a paste holding ESC is refused before it is shown)."""
    category, categories = unicodedata.category, _FORBIDDEN_CATEGORIES
    forbidden = [
        code for code in range(sys.maxunicode + 1) if category(chr(code)) in categories
        and chr(code) not in ALLOWED_FORMAT_CHARACTERS
    ]
    ranges: list[tuple[int, int]] = []
    for code in forbidden:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1] = (ranges[-1][0], code)
        else:
            ranges.append((code, code))
    parts = [f"\\U{a:08X}" if a == b else f"\\U{a:08X}-\\U{b:08X}" for a, b in ranges]
    return f"[^{''.join(parts)}]*"
