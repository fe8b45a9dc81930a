"""A fake evdev.InputDevice (same interface the driver uses) and a bus it can vanish from."""

from __future__ import annotations

import asyncio
import errno
from collections.abc import AsyncIterator
from dataclasses import dataclass

from evdev import InputEvent

from drivers.hid import DeviceMissing


@dataclass(frozen=True)
class DeviceInfo:
    bustype: int
    vendor: int
    product: int
    version: int


class FakeInputDevice:
    """Plays recorded events through ``async_read_loop``; ``unplug()`` ends it with ENODEV."""

    def __init__(
        self,
        events: list[InputEvent] | None = None,
        *,
        path: str = "/dev/input/event7",
        name: str = "Mag-Tek USB Swipe Reader",
        vendor: int = 0x0801,
        product: int = 0x0001,
        busy: bool = False,
    ) -> None:
        self.path = path
        self.name = name
        self.info = DeviceInfo(0x03, vendor, product, 0x0110)
        self.busy = busy
        self.grabbed = False
        self.was_grabbed = False
        self.closed = False
        self._events: list[InputEvent] = list(events or [])
        self._unplugged = False
        self._wake = asyncio.Event()

    def fileno(self) -> int:
        return 42

    def grab(self) -> None:
        if self.busy:
            raise OSError(errno.EBUSY, "Device or resource busy")
        self.grabbed = self.was_grabbed = True

    def ungrab(self) -> None:
        if self._unplugged:
            raise OSError(errno.ENODEV, "No such device")
        self.grabbed = False

    def close(self) -> None:
        self.closed = True

    def play(self, events: list[InputEvent]) -> None:
        self._events.extend(events)
        self._wake.set()

    def unplug(self) -> None:
        self._unplugged = True
        self._wake.set()

    def read_one(self) -> InputEvent | None:
        return self._events.pop(0) if self._events else None

    async def async_read_loop(self) -> AsyncIterator[InputEvent]:
        while True:
            # Everything queued so far comes out as one burst, as the kernel buffers it.
            while self._events:
                yield self._events.pop(0)
            if self._unplugged:
                raise OSError(errno.ENODEV, "No such device")
            self._wake.clear()
            await self._wake.wait()


class FakeBus:
    """What ``open_device`` sees: the plugged-in device, nothing, or no permission."""

    def __init__(self, device: FakeInputDevice | None = None) -> None:
        self.device = device
        self.denied = False
        self.opens = 0

    def open(self) -> FakeInputDevice:
        self.opens += 1
        if self.denied:
            raise PermissionError(errno.EACCES, "Permission denied", "/dev/input/event7")
        if self.device is None:
            raise DeviceMissing("vendor 0801")
        return self.device
