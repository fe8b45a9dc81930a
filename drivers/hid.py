"""USB keyboard-emulating (HID) readers through evdev.

Specs: ``hid:/dev/input/by-id/…-event-kbd``, ``hid:/dev/input/by-path/…``,
``hid:vid=0801,pid=0001``, ``hid:name=magtek`` (case-insensitive substring), with options
``layout=us|de|FILE``, ``gap=0.1`` (idle gap in seconds) and ``grab=1``.

The device is grabbed (EVIOCGRAB) so a swipe never types into the console or another program,
and released whatever happens. Key events are decoded with the reader's layout (key-down only,
auto-repeat ignored, Shift tracked; EV_MSC and EV_SYN dropped; after SYN_DROPPED everything up
to the next SYN_REPORT is discarded, the modifier state reset and the damaged swipe dropped).
Swipes are framed by ``drivers.framing``: a swipe ends when the keys stop for the idle gap, so
readers that press Enter after every track give one swipe. An unplugged reader (OSError
ENODEV) makes the status "missing"; the driver rescans every ``rescan_interval`` seconds and
is reading again as soon as the reader is back. Swipe text is never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import errno
import logging
import os
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass
from typing import Any, Protocol

from evdev import ecodes

from drivers.base import ReaderState
from drivers.discover import InputNode, list_input_nodes
from drivers.framing import DEFAULT_IDLE_GAP, SourceClock, SwipeAssembler, frame_until_lost
from drivers.keymap import ENTER, US, KeyDecoder, Layout, load_layout
from drivers.reconnecting import DeviceMissing, ReconnectingReader
from drivers.spec import ReaderSpec, SpecOptions, usb_id
from kiosk.errors import UsageError

log = logging.getLogger(__name__)


class InputEventLike(Protocol):
    type: int
    code: int
    value: int

    def timestamp(self) -> float: ...


class InputDeviceLike(Protocol):
    """The part of ``evdev.InputDevice`` the driver uses (tests pass a fake)."""

    @property
    def path(self) -> str | bytes: ...
    @property
    def name(self) -> str: ...

    def fileno(self) -> int: ...
    def grab(self) -> None: ...
    def ungrab(self) -> None: ...
    def close(self) -> None: ...
    def async_read_loop(self) -> AsyncIterator[Any]: ...


@dataclass(frozen=True)
class DeviceSelector:
    """Which input device a spec means: a path, vendor/product IDs and/or a name."""

    path: str | None = None
    vendor: int | None = None
    product: int | None = None
    name: str | None = None

    def matches(self, node: InputNode) -> bool:
        if self.path is not None:
            wanted = os.path.realpath(self.path)
            return wanted in (node.path, os.path.realpath(node.path))
        if self.vendor is not None and node.vendor != self.vendor:
            return False
        if self.product is not None and node.product != self.product:
            return False
        return self.name is None or self.name.lower() in node.name.lower()

    def describe(self) -> str:
        if self.path is not None:
            return self.path
        parts = []
        if self.vendor is not None:
            parts.append(f"vendor {self.vendor:04x}")
        if self.product is not None:
            parts.append(f"product {self.product:04x}")
        if self.name is not None:
            parts.append(f"name containing '{self.name}'")
        return "a device with " + " and ".join(parts)


def selector_from_spec(spec: ReaderSpec) -> DeviceSelector:
    """The device selector a ``hid:``/``serial:`` spec describes."""
    if spec.target:
        return DeviceSelector(path=spec.target)
    known = {"vid", "pid", "name"}
    unknown = sorted(set(spec.selectors) - known)
    if unknown or not spec.selectors:
        raise UsageError(
            f"Reader spec '{spec.text}' must name a device path, or vid=…,pid=… or name=…"
            + (f" ('{unknown[0]}' is not one of those)." if unknown else ".")
        )
    return DeviceSelector(
        vendor=usb_id(spec, "vid"), product=usb_id(spec, "pid"), name=spec.selectors.get("name")
    )


def open_system_device(selector: DeviceSelector) -> InputDeviceLike:
    """Open the first evdev node matching ``selector`` (keyboard-capable ones first).

    Raises DeviceMissing, or PermissionError when the node exists but cannot be opened.
    """
    from evdev import InputDevice

    if selector.path is not None:
        if not os.path.exists(selector.path):
            raise DeviceMissing(selector.describe())
        return InputDevice(selector.path)
    candidates = [node for node in list_input_nodes() if selector.matches(node)]
    candidates.sort(key=lambda node: not node.keyboard)
    if not candidates:
        raise DeviceMissing(selector.describe())
    return InputDevice(candidates[0].path)


class HidReader(ReconnectingReader[InputDeviceLike]):
    """A keyboard-emulating reader read through evdev; see the module docstring."""

    def __init__(
        self,
        name: str,
        spec: str,
        open_device: Callable[[], InputDeviceLike],
        *,
        layout: Layout = US,
        grab: bool = True,
        **timing: float,
    ) -> None:
        """``timing``: ``idle_gap`` and ``rescan_interval`` (see ``ReconnectingReader``)."""
        super().__init__(name, spec, open_device, **timing)
        self.layout = layout
        self.grab = grab

    def _ready_message(self, device: InputDeviceLike) -> str:
        return f"Reader {self.name} is ready ({device.name})."

    def _accept(self, device: InputDeviceLike) -> tuple[ReaderState, str] | None:
        """Grab the device (so a swipe types nowhere else); refuse it when that fails."""
        if not self.grab:
            return None
        try:
            device.grab()
        except OSError as error:
            self._close_quietly(device)
            if error.errno == errno.EBUSY:
                return "reconnecting", (
                    f"Reader {self.name} is grabbed by another program; stop it "
                    "(another kiosk or 'kiosk readers capture') and the kiosk takes over."
                )
            return "reconnecting", f"Reader {self.name} cannot be grabbed ({error.strerror})."
        return None

    def _release(self, device: InputDeviceLike) -> None:
        if self.grab:
            with contextlib.suppress(OSError):  # already gone (unplugged)
                device.ungrab()
        self._close_quietly(device)

    @staticmethod
    def _close_quietly(device: InputDeviceLike) -> None:
        with contextlib.suppress(OSError):
            device.close()

    async def _read(self, device: InputDeviceLike) -> None:
        """Read until the device goes away; returns on unplug."""
        queue: asyncio.Queue[Any] = asyncio.Queue()

        async def pump() -> None:
            try:
                async for event in device.async_read_loop():
                    queue.put_nowait(event)
            except OSError as error:
                queue.put_nowait(error)

        assembler = SwipeAssembler(self.idle_gap)
        events = EventDecoder(KeyDecoder(self.layout), assembler, self.name)

        def handle(event: InputEventLike, clock: SourceClock) -> tuple[str | None]:
            clock.mark(event.timestamp())
            return (events.handle(event),)

        pump_task = asyncio.get_running_loop().create_task(pump())
        try:
            lost = await frame_until_lost(queue, assembler, handle, self._emit)
        finally:
            pump_task.cancel()
            await asyncio.gather(pump_task, return_exceptions=True)
        if isinstance(lost, OSError) and lost.errno not in (errno.ENODEV, errno.ENOENT, errno.EIO):
            log.warning("reader %s: read failed (%s)", self.name, lost.strerror)


class EventDecoder:
    """One evdev event at a time -> keys into the assembler; SYN_DROPPED handling."""

    def __init__(self, decoder: KeyDecoder, assembler: SwipeAssembler, reader: str) -> None:
        self.decoder = decoder
        self.assembler = assembler
        self.reader = reader
        self._dropping = False

    def handle(self, event: InputEventLike) -> str | None:
        """Feed one event; returns a swipe the event's timing finished, if any."""
        if event.type == ecodes.EV_SYN:
            if event.code == ecodes.SYN_DROPPED:
                log.warning("reader %s: input events were lost; the swipe is dropped", self.reader)
                finished = self.assembler.poll(event.timestamp())
                self._dropping = True
                self.decoder.reset()
                self.assembler.discard_until_gap()
                return finished
            if event.code == ecodes.SYN_REPORT:
                self._dropping = False
            return None
        if self._dropping or event.type != ecodes.EV_KEY:
            return None
        char = self.decoder.feed(event.code, event.value)
        if char is None:
            return None
        at = event.timestamp()
        if char == ENTER:
            return self.assembler.add_terminator("\n", at)
        return self.assembler.add_text(char, at)


def open_hid_reader(spec: ReaderSpec, options: SpecOptions, name: str | None) -> HidReader:
    """A HidReader for a parsed ``hid:`` spec."""
    selector = selector_from_spec(spec)
    return HidReader(
        name or spec.text,
        spec.text,
        lambda: open_system_device(selector),
        layout=load_layout(options.text("layout", "us")),
        idle_gap=options.number("gap", DEFAULT_IDLE_GAP, minimum=0.001),
        grab=options.flag("grab", True),
    )
