"""Key codes to characters: the keyboard layout a HID reader is set to (US by default).

evdev reports key codes, not characters, so the driver decodes them with the layout the
reader types in. A German-layout reader decoded as US turns ``;`` into ``<`` and ``?`` into
``_``: pick ``layout=de`` in the reader spec, or a TOML table of your own::

    base = "us"                 # start from a built-in layout (optional)
    [keys]
    KEY_Y = ["z", "Z"]          # plain, shifted[, AltGr]
    KEY_102ND = ["<", ">", "|"]

``KeyDecoder`` acts on key-down (value 1) only, ignores auto-repeat (value 2), tracks Shift,
AltGr (right Alt) and Caps Lock, and returns ``"\\n"`` for Enter (the terminator).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

from evdev import ecodes

from kiosk.errors import UsageError, reading_file

ENTER = "\n"
_SHIFT_KEYS = frozenset({ecodes.KEY_LEFTSHIFT, ecodes.KEY_RIGHTSHIFT})
_ENTER_KEYS = frozenset({ecodes.KEY_ENTER, ecodes.KEY_KPENTER})

KeyChars = tuple[str, str, str]  # plain, shifted, AltGr ("" when the level types nothing)


@dataclass(frozen=True)
class Layout:
    """A keyboard layout: key code -> characters per level."""

    name: str
    keys: Mapping[int, KeyChars]


def _code(name: str) -> int:
    code = ecodes.ecodes.get(name)
    if not isinstance(code, int) or not name.startswith("KEY_"):
        raise UsageError(f"'{name}' is not an evdev key name (like KEY_A or KEY_SEMICOLON).")
    return code


def _table(rows: Mapping[str, str | tuple[str, ...]]) -> dict[int, KeyChars]:
    """Key name -> "ab" (plain a, shifted b) or a (plain, shifted, altgr) tuple."""
    table: dict[int, KeyChars] = {}
    for name, chars in rows.items():
        levels = tuple(chars) + ("", "", "")
        table[_code(name)] = (levels[0], levels[1], levels[2])
    return table


def _common_rows() -> dict[str, str | tuple[str, ...]]:
    rows: dict[str, str | tuple[str, ...]] = {
        f"KEY_{letter.upper()}": letter + letter.upper() for letter in "abcdefghijklmnopqrstuvwxyz"
    }
    rows |= {f"KEY_KP{digit}": (digit, digit) for digit in "0123456789"}
    rows |= {
        "KEY_SPACE": ("  "),
        "KEY_TAB": ("\t", "\t"),
        "KEY_KPDOT": (".", "."),
        "KEY_KPSLASH": ("/", "/"),
        "KEY_KPASTERISK": ("*", "*"),
        "KEY_KPMINUS": ("-", "-"),
        "KEY_KPPLUS": ("+", "+"),
        "KEY_KPCOMMA": (",", ","),
        "KEY_KPEQUAL": ("=", "="),
    }
    return rows


def _us_rows() -> dict[str, str | tuple[str, ...]]:
    rows = _common_rows()
    rows |= {f"KEY_{d}": d + s for d, s in zip("1234567890", "!@#$%^&*()", strict=True)}
    rows |= {
        "KEY_MINUS": "-_",
        "KEY_EQUAL": "=+",
        "KEY_LEFTBRACE": "[{",
        "KEY_RIGHTBRACE": "]}",
        "KEY_SEMICOLON": ";:",
        "KEY_APOSTROPHE": "'\"",
        "KEY_GRAVE": "`~",
        "KEY_BACKSLASH": "\\|",
        "KEY_102ND": "\\|",
        "KEY_COMMA": ",<",
        "KEY_DOT": ".>",
        "KEY_SLASH": "/?",
    }
    return rows


def _de_rows() -> dict[str, str | tuple[str, ...]]:
    rows = _common_rows()
    rows |= {"KEY_Y": "zZ", "KEY_Z": "yY", "KEY_Q": ("q", "Q", "@"), "KEY_E": ("e", "E", "€")}
    rows |= {"KEY_M": ("m", "M", "µ")}
    rows |= {f"KEY_{d}": d + s for d, s in zip("1234567890", '!"§$%&/()=', strict=True)}
    rows |= {"KEY_2": ("2", '"', "²"), "KEY_3": ("3", "§", "³")}
    rows |= {"KEY_7": ("7", "/", "{"), "KEY_8": ("8", "(", "[")}
    rows |= {"KEY_9": ("9", ")", "]"), "KEY_0": ("0", "=", "}")}
    rows |= {
        "KEY_MINUS": ("ß", "?", "\\"),
        "KEY_EQUAL": "´`",
        "KEY_LEFTBRACE": "üÜ",
        "KEY_RIGHTBRACE": ("+", "*", "~"),
        "KEY_SEMICOLON": "öÖ",
        "KEY_APOSTROPHE": "äÄ",
        "KEY_GRAVE": "^°",
        "KEY_BACKSLASH": "#'",
        "KEY_102ND": ("<", ">", "|"),
        "KEY_COMMA": ",;",
        "KEY_DOT": ".:",
        "KEY_SLASH": "-_",
    }
    return rows


US = Layout("us", MappingProxyType(_table(_us_rows())))
DE = Layout("de", MappingProxyType(_table(_de_rows())))
BUILTIN_LAYOUTS: dict[str, Layout] = {"us": US, "de": DE}


def load_layout(name_or_path: str) -> Layout:
    """A built-in layout by name (``us``, ``de``) or a TOML layout file (see module doc)."""
    builtin = BUILTIN_LAYOUTS.get(name_or_path.lower())
    if builtin is not None:
        return builtin
    path = Path(name_or_path).expanduser()
    if not path.is_file():
        raise UsageError(
            f"Keyboard layout '{name_or_path}' is neither a built-in layout "
            f"({', '.join(BUILTIN_LAYOUTS)}) nor a layout file; check the reader's layout= option."
        )
    with reading_file(path, "layout file", UsageError):
        text = path.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise UsageError(
            f"The layout file {path} is not valid TOML ({error}); fix that line."
        ) from None
    base_name = str(data.get("base", "us"))
    if base_name.lower() not in BUILTIN_LAYOUTS:
        raise UsageError(f"The layout file {path} has base = '{base_name}'; use 'us' or 'de'.")
    keys = dict(BUILTIN_LAYOUTS[base_name.lower()].keys)
    overrides = data.get("keys", {})
    if not isinstance(overrides, dict):
        raise UsageError(f"The layout file {path} needs a [keys] table.")
    for name, chars in overrides.items():
        if not (isinstance(chars, list) and 1 <= len(chars) <= 3):
            raise UsageError(
                f"In {path}, {name} must be a list of 1 to 3 strings: plain, shifted, AltGr."
            )
        if not all(isinstance(char, str) and len(char) <= 1 for char in chars):
            raise UsageError(f'In {path}, {name} must list single characters (or "").')
        keys |= _table({name: tuple(chars)})
    return Layout(path.stem, MappingProxyType(keys))


class KeyDecoder:
    """Turns EV_KEY events into characters with one layout and the modifier state."""

    def __init__(self, layout: Layout = US) -> None:
        self.layout = layout
        self._shift: set[int] = set()
        self._altgr = False
        self._caps = False

    def reset(self) -> None:
        """Forget modifier state (after SYN_DROPPED or a reconnect)."""
        self._shift.clear()
        self._altgr = False
        self._caps = False

    def feed(self, code: int, value: int) -> str | None:
        """The character a key event types (``"\\n"`` for Enter), or None."""
        if code in _SHIFT_KEYS:
            if value == 1:
                self._shift.add(code)
            elif value == 0:
                self._shift.discard(code)
            return None
        if code == ecodes.KEY_RIGHTALT:
            if value in (0, 1):
                self._altgr = value == 1
            return None
        if value != 1:
            return None  # key-up, or auto-repeat (2)
        if code == ecodes.KEY_CAPSLOCK:
            self._caps = not self._caps
            return None
        if code in _ENTER_KEYS:
            return ENTER
        chars = self.layout.keys.get(code)
        if chars is None:
            return None
        plain, shifted, altgr = chars
        if self._altgr:
            return altgr or None
        shift = bool(self._shift)
        if self._caps and plain.isalpha():
            shift = not shift
        return (shifted if shift else plain) or None
