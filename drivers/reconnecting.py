"""The one lifecycle of a device reader: connect, read until the device goes, release, rescan.

``HidReader`` and ``SerialReader`` differ only in how they open a device, read its bytes or
key events, and release it; everything else — retrying every ``rescan_interval`` seconds,
telling staff the device is missing or lacks permission, saying it was unplugged, and never
losing the "was unplugged" message while rescanning — is written here once. A subclass
supplies the function that opens its device and three hooks:

- ``open_device()`` (given to the constructor): the device, or raise ``DeviceMissing``
  (nothing matches the spec now), ``PermissionError``, or any other ``OSError``;
- ``_accept(device)``: a last check once it is open (e.g. grabbing it); return a
  ``ReaderStatus``-style ``(state, message)`` to refuse it (it must release it itself);
- ``_read(device)``: read and ``_emit`` swipes until the device goes away, then return;
- ``_release(device)``: let go of the device (must not raise).
"""

from __future__ import annotations

import asyncio
import errno
from collections.abc import Callable
from typing import Generic, TypeVar

from drivers.base import BackgroundReader, ReaderState
from drivers.discover import no_permission_message
from drivers.framing import DEFAULT_IDLE_GAP

RESCAN_INTERVAL = 0.5
# errno values that mean "the device is not there" rather than "it is there but broken".
_GONE = (errno.ENOENT, errno.ENODEV, errno.ENXIO)

DeviceT = TypeVar("DeviceT")


class DeviceMissing(Exception):
    """No device matches the spec right now; the message says which device was looked for."""


class ReconnectingReader(BackgroundReader, Generic[DeviceT]):
    """A reader of one physical device that comes back by itself after an unplug."""

    #: What the status says once the device went away while being read.
    lost_message = "Reader {name} was unplugged; plug it in again to continue."

    def __init__(
        self,
        name: str,
        spec: str,
        open_device: Callable[[], DeviceT],
        *,
        idle_gap: float = DEFAULT_IDLE_GAP,
        rescan_interval: float = RESCAN_INTERVAL,
    ) -> None:
        """``open_device`` opens the device (see ``_open``); ``idle_gap`` is the silence that
        ends a swipe; ``rescan_interval`` how often a missing device is looked for."""
        super().__init__(name, spec)
        self._open_device = open_device
        self.idle_gap = idle_gap
        self.rescan_interval = rescan_interval

    # ------------------------------------------------------------------ hooks

    def _open(self) -> DeviceT:
        return self._open_device()

    def _accept(self, device: DeviceT) -> tuple[ReaderState, str] | None:
        return None

    async def _read(self, device: DeviceT) -> None:
        raise NotImplementedError

    def _release(self, device: DeviceT) -> None:
        raise NotImplementedError

    def _ready_message(self, device: DeviceT) -> str:
        return f"Reader {self.name} is ready."

    # -------------------------------------------------------------- lifecycle

    async def _run(self) -> None:
        while True:
            device = await self._connect()
            try:
                await self._read(device)
            finally:
                self._release(device)
            self._set_status("missing", self.lost_message.format(name=self.name))

    async def _connect(self) -> DeviceT:
        """Open the device, retrying every rescan interval until it is there and usable."""
        while True:
            refusal = self._try_open()
            if isinstance(refusal, tuple):
                self._set_status(*refusal)
            elif refusal is not None:
                return refusal
            await asyncio.sleep(self.rescan_interval)

    def _try_open(self) -> DeviceT | tuple[ReaderState, str] | None:
        """The open device, or the status that says why not (None: keep the status)."""
        try:
            device = self._open()
        except DeviceMissing as missing:
            return self._missing(str(missing))
        except PermissionError as error:
            return "no_permission", no_permission_message(
                str(error.filename or self.spec), self.name
            )
        except OSError as error:
            if error.errno in _GONE:
                return self._missing(self.spec)
            if error.errno == errno.EACCES:
                return "no_permission", no_permission_message(self.spec, self.name)
            detail = error.strerror or str(error)
            return "reconnecting", f"Reader {self.name} cannot be opened ({detail})."
        refusal = self._accept(device)
        if refusal is not None:
            return refusal
        self._set_status("connected", self._ready_message(device))
        return device

    def _missing(self, what: str) -> tuple[ReaderState, str] | None:
        if self.status.state == "missing":  # keep "was unplugged" while rescanning
            return None
        return (
            "missing",
            f"Reader {self.name} ({what}) is not plugged in; plug it in or check the spec "
            "with 'kiosk readers list'.",
        )
