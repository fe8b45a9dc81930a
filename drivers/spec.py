"""Reader specs: the one string that says which reader to open and how.

``KIND[:TARGET][?OPTION=VALUE&...]`` where TARGET is a device path / URL / file, or
comma-separated selectors ``key=value``:

- ``hid:/dev/input/by-id/usb-Mag-Tek_USB_Swipe_Reader-event-kbd``, ``hid:/dev/input/by-path/…``,
  ``hid:vid=0801,pid=0001``, ``hid:name=magtek`` (options: ``layout=us|de|FILE``, ``gap=0.1``,
  ``grab=1``)
- ``serial:/dev/ttyUSB0?baud=9600``, ``serial:vid=0acd,pid=3810``, ``serial:loop://`` (options:
  ``baud``, ``bytesize``, ``parity``, ``stopbits``, ``gap``, ``partial``, ``lrc``, ``end``)
- ``terminal`` (options: ``key_gap=0.03``, ``gap=0.1``, ``min_keys=4``)
- ``replay:FILE?interval=0.5&loop=1``
- ``queue`` / ``queue:NAME``: an in-memory reader fed with ``push`` (the demo)

Every kind also takes ``name=…`` (the reader's name in the UI and in swipes). Keyword options
given to ``drivers.readers.open_reader`` override those in the spec. A bad spec raises
``UsageError`` with one sentence that names the problem. This module only reads specs: it
opens nothing and imports no driver.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl

from kiosk.errors import UsageError

KINDS = ("hid", "serial", "terminal", "replay", "queue")
# The kinds a person may type, as they are written (``queue`` is the demo's own).
ADVERTISED_KINDS = "hid:…, serial:…, terminal, replay:FILE"
_SPEC = re.compile(r"(?P<kind>[A-Za-z]+)(?::(?P<target>[^?]*))?(?:\?(?P<query>.*))?\Z", re.S)
_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


@dataclass(frozen=True)
class ReaderSpec:
    """A parsed reader spec."""

    text: str
    kind: str
    target: str = ""
    selectors: dict[str, str] = field(default_factory=dict)
    options: dict[str, str] = field(default_factory=dict)


def _is_location(target: str) -> bool:
    return target.startswith(("/", ".", "~")) or "://" in target or "=" not in target


def parse_spec(text: str) -> ReaderSpec:
    """Split a spec into kind, target, selectors and options (no device is touched)."""
    stripped = text.strip()
    match = _SPEC.match(stripped)
    kind = (match.group("kind") if match else stripped.partition(":")[0]).lower()
    if match is None or kind not in KINDS:
        raise UsageError(
            f"Unknown reader kind '{kind}' in '{text}'; use one of: {ADVERTISED_KINDS}."
        )
    target, query = match.group("target") or "", match.group("query") or ""
    options: dict[str, str] = {}
    for key, value in parse_qsl(query, keep_blank_values=True):
        options[key.strip().lower()] = value.strip()
    selectors: dict[str, str] = {}
    if target and not _is_location(target):
        for part in target.split(","):
            key, equals, value = part.partition("=")
            if not equals or not key.strip() or not value.strip():
                raise UsageError(
                    f"Reader spec '{text}': '{part}' is not key=value; write e.g. "
                    f"'{kind}:vid=0801,pid=0001'."
                )
            selectors[key.strip().lower()] = value.strip()
        target = ""
    return ReaderSpec(stripped, kind, target, selectors, options)


def usb_id(spec: ReaderSpec, key: str) -> int | None:
    """The USB vendor or product ID a ``vid=``/``pid=`` selector gives (None when absent)."""
    value = spec.selectors.get(key)
    if not value:
        return None
    try:
        number = int(value, 16)
    except ValueError:
        number = -1
    if not 0 <= number <= 0xFFFF:
        raise UsageError(
            f"Reader spec '{spec.text}': {key}={value} is not a 4-digit hex USB ID like 0801."
        )
    return number


_BY_ID_DECORATION = re.compile(r"^usb-|(?:-if\d+)?-event-[a-z]+$")


def short_reader_name(spec: ReaderSpec) -> str:
    """A short name saying which device ``spec`` means, for the status line and swipes.

    ``name=`` in the spec wins; else ``terminal`` is ``keyboard``; a device path is its file's
    name (a by-id name without ``usb-`` and ``-event-kbd``: ``Mag-Tek_USB_Swipe_Reader``); a
    serial URL is what follows ``://`` (``loop`` when nothing does); selectors read
    ``hid 0801:0001`` or ``hid magtek``; a capture file is its file name.
    """
    if spec.options.get("name"):
        return spec.options["name"]
    if spec.kind == "terminal":
        return "keyboard"
    if spec.kind == "queue":
        return spec.target or "queue"
    if spec.selectors:
        ids = ":".join(spec.selectors[key] for key in ("vid", "pid") if key in spec.selectors)
        words = [ids] if ids else []
        words += [value for key, value in spec.selectors.items() if key not in ("vid", "pid")]
        return " ".join([spec.kind, *words])
    scheme, separator, rest = spec.target.partition("://")
    if separator:
        return rest.strip("/") or scheme
    file_name = spec.target.rstrip("/").rpartition("/")[2]
    return _BY_ID_DECORATION.sub("", file_name) or file_name or spec.kind


class SpecOptions:
    """Typed access to a spec's options; ``finish()`` rejects options nobody asked for."""

    def __init__(self, spec: ReaderSpec, overrides: dict[str, Any]) -> None:
        self.spec = spec
        self._values: dict[str, Any] = {**spec.options, **overrides}
        self._used: set[str] = set()

    def _raw(self, key: str) -> Any:
        self._used.add(key)
        return self._values.get(key)

    def _bad(self, key: str, value: Any, wanted: str) -> UsageError:
        return UsageError(f"Reader spec '{self.spec.text}': {key}={value} is not {wanted}.")

    def text(self, key: str, default: str) -> str:
        value = self._raw(key)
        return default if value is None or value == "" else str(value)

    def number(self, key: str, default: float, minimum: float = 0.0) -> float:
        value = self._raw(key)
        if value is None or value == "":
            return default
        try:
            number = float(value)
        except (TypeError, ValueError):
            raise self._bad(key, value, "a number") from None
        if number < minimum:
            raise self._bad(key, value, f"at least {minimum}")
        return number

    def integer(self, key: str, default: int, minimum: int = 0) -> int:
        value = self._raw(key)
        if value is None or value == "":
            return default
        try:
            number = int(value)
        except (TypeError, ValueError):
            raise self._bad(key, value, "a whole number") from None
        if number < minimum:
            raise self._bad(key, value, f"at least {minimum}")
        return number

    def flag(self, key: str, default: bool) -> bool:
        value = self._raw(key)
        if value is None or value == "":
            return default
        if isinstance(value, bool):
            return value
        lowered = str(value).lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise self._bad(key, value, "1 or 0")

    def choice(self, key: str, default: str, choices: tuple[str, ...]) -> str:
        value = self.text(key, default)
        if value.lower() not in choices:
            raise self._bad(key, value, "one of " + ", ".join(choices))
        return value.lower()

    def finish(self) -> None:
        unknown = sorted(set(self._values) - self._used)
        if unknown:
            raise UsageError(
                f"Reader spec '{self.spec.text}' has an unknown option '{unknown[0]}'; "
                "see docs/readers.md for the options of each reader kind."
            )
