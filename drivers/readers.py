"""Open a reader from its spec: one table from reader kind to the function that opens it.

The drivers import ``drivers.spec`` (parsing) and nothing here, so the arrows point one way:
``readers`` → each driver → ``spec``. The HID and serial drivers (evdev, pyserial) are
imported only when such a reader is opened: a kiosk reading the terminal or a replay file
starts without them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drivers.base import Reader
from drivers.replay import open_queue_reader, open_replay_reader
from drivers.spec import ReaderSpec, SpecOptions, parse_spec
from drivers.terminal import open_terminal_reader

#: ``opener(spec, options, name)``: ``name`` is the caller's or the spec's ``name=``, or None.
Opener = Callable[[ReaderSpec, SpecOptions, "str | None"], Reader]


def open_hid_reader(spec: ReaderSpec, options: SpecOptions, name: str | None) -> Reader:
    """:func:`drivers.hid.open_hid_reader`, imported when first used."""
    from drivers.hid import open_hid_reader as open_hid

    return open_hid(spec, options, name)


def open_serial_reader(spec: ReaderSpec, options: SpecOptions, name: str | None) -> Reader:
    """:func:`drivers.serialport.open_serial_reader`, imported when first used."""
    from drivers.serialport import open_serial_reader as open_serial

    return open_serial(spec, options, name)


OPENERS: dict[str, Opener] = {
    "hid": open_hid_reader,
    "serial": open_serial_reader,
    "terminal": open_terminal_reader,
    "replay": open_replay_reader,
    "queue": open_queue_reader,
}


def open_reader(spec: str, name: str | None = None, **options: Any) -> Reader:
    """A reader for ``spec`` (not yet reading: iterate ``swipes()`` to start it)."""
    parsed = parse_spec(spec)
    opts = SpecOptions(parsed, options)
    named_in_spec = opts.text("name", "")  # always read, so ``?name=`` is never "unknown"
    reader = OPENERS[parsed.kind](parsed, opts, name or named_in_spec or None)
    opts.finish()
    return reader
