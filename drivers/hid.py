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
from typing import TYPE_CHECKING, Any, Protocol

from evdev import ecodes

from drivers.base import BackgroundReader
from drivers.discover import InputNode, list_input_nodes, no_permission_message
from drivers.framing import DEFAULT_IDLE_GAP, SourceClock, SwipeAssembler, next_or_idle
from drivers.keymap import ENTER, US, KeyDecoder, Layout, load_layout
from kiosk.errors import UsageError

if TYPE_CHECKING:
    from drivers.spec import ReaderSpec, SpecOptions

log = logging.getLogger(__name__)

RESCAN_INTERVAL = 0.5


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


class DeviceMissing(Exception):
    """No device matches the spec right now."""


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


def _usb_id(spec_text: str, key: str, value: str) -> int:
    try:
        number = int(value, 16)
    except ValueError:
        number = -1
    if not 0 <= number <= 0xFFFF:
        raise UsageError(
            f"Reader spec '{spec_text}': {key}={value} is not a 4-digit hex USB ID like 0801."
        )
    return number


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
    vid = spec.selectors.get("vid")
    pid = spec.selectors.get("pid")
    return DeviceSelector(
        vendor=_usb_id(spec.text, "vid", vid) if vid else None,
        product=_usb_id(spec.text, "pid", pid) if pid else None,
        name=spec.selectors.get("name"),
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


class HidReader(BackgroundReader):
    """A keyboard-emulating reader read through evdev; see the module docstring."""

    def __init__(
        self,
        name: str,
        spec: str,
        open_device: Callable[[], InputDeviceLike],
        *,
        layout: Layout = US,
        idle_gap: float = DEFAULT_IDLE_GAP,
        grab: bool = True,
        rescan_interval: float = RESCAN_INTERVAL,
    ) -> None:
        super().__init__(name, spec)
        self._open_device = open_device
        self.layout = layout
        self.idle_gap = idle_gap
        self.grab = grab
        self.rescan_interval = rescan_interval

    async def _run(self) -> None:
        while True:
            device = await self._connect()
            try:
                await self._read(device)
            finally:
                self._release(device)
            self._set_status(
                "missing", f"Reader {self.name} was unplugged; plug it in again to continue."
            )

    async def _connect(self) -> InputDeviceLike:
        """Open and grab the device, retrying every rescan interval until it works."""
        while True:
            try:
                device = self._open_device()
            except DeviceMissing as missing:
                if self.status.state != "missing":  # keep "was unplugged" while rescanning
                    self._set_status(
                        "missing",
                        f"Reader {self.name} ({missing}) is not plugged in; plug it in "
                        "or check the spec with 'kiosk readers list'.",
                    )
            except PermissionError as error:
                path = error.filename or self.spec
                self._set_status("no_permission", no_permission_message(str(path), self.name))
            except OSError as error:
                self._set_status(
                    "reconnecting", f"Reader {self.name} cannot be opened ({error.strerror})."
                )
            else:
                if self._try_grab(device):
                    self._set_status("connected", f"Reader {self.name} is ready ({device.name}).")
                    return device
            await asyncio.sleep(self.rescan_interval)

    def _try_grab(self, device: InputDeviceLike) -> bool:
        if not self.grab:
            return True
        try:
            device.grab()
        except OSError as error:
            self._close_quietly(device)
            if error.errno == errno.EBUSY:
                message = (
                    f"Reader {self.name} is grabbed by another program; stop it "
                    "(another kiosk or 'kiosk readers capture') and the kiosk takes over."
                )
            else:
                message = f"Reader {self.name} cannot be grabbed ({error.strerror})."
            self._set_status("reconnecting", message)
            return False
        return True

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

        decoder = KeyDecoder(self.layout)
        assembler = SwipeAssembler(self.idle_gap)
        clock = SourceClock()
        events = EventDecoder(decoder, assembler, self.name)
        pump_task = asyncio.get_running_loop().create_task(pump())
        try:
            while True:
                item = await next_or_idle(queue, assembler, clock)
                if item is None:
                    self._emit_or_skip(assembler.poll(clock.now()))
                elif isinstance(item, OSError):
                    if item.errno not in (errno.ENODEV, errno.ENOENT, errno.EIO):
                        log.warning("reader %s: read failed (%s)", self.name, item.strerror)
                    self._emit_or_skip(assembler.flush())
                    return
                else:
                    clock.mark(item.timestamp())
                    self._emit_or_skip(events.handle(item))
        finally:
            pump_task.cancel()
            await asyncio.gather(pump_task, return_exceptions=True)

    def _emit_or_skip(self, text: str | None) -> None:
        if text is not None:
            self._emit(text)


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


def open_hid_reader(spec: ReaderSpec, options: SpecOptions, name: str) -> HidReader:
    """A HidReader for a parsed ``hid:`` spec."""
    selector = selector_from_spec(spec)
    return HidReader(
        name,
        spec.text,
        lambda: open_system_device(selector),
        layout=load_layout(options.text("layout", "us")),
        idle_gap=options.number("gap", DEFAULT_IDLE_GAP, minimum=0.001),
        grab=options.flag("grab", True),
    )
