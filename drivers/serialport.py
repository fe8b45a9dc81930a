"""Serial (RS-232 / USB-serial) readers through pyserial.

Specs: ``serial:/dev/ttyUSB0``, ``serial:/dev/serial/by-id/…``, ``serial:vid=0acd,pid=3810``
(optionally ``,serial=…``), or any pyserial URL (``serial:loop://``). Options: ``baud=9600``
(or ``baudrate``), ``bytesize=8``, ``parity=N|E|O|M|S``, ``stopbits=1|1.5|2`` (default 9600 8N1),
``gap=0.1`` (idle gap), ``partial=1.0`` (give up waiting for a terminator), ``lrc=auto|yes|no``
and ``terminated=1`` (0: any idle gap ends a swipe, for readers set to send no terminator).

The port is opened with ``serial.serial_for_url`` and DTR asserted (port-powered readers need
it; MagTek answers with a sign-on message). Bytes are read as they come (never fixed-size
reads) and framed by ``drivers.framing``:

- STX and ESC are removed; an STX also ends a finished swipe at once, so several framed
  messages in one read stay apart.
- CR, LF, ETX and DLE are terminators: a swipe ends when a terminator is followed by the idle
  gap; the final terminator(s) are dropped and CR/LF between tracks are kept (ETX/DLE vanish).
- A byte after a track's end sentinel ``?`` and before its terminator is a trailing LRC or a
  MagTek sensor digit and is removed (``lrc=auto``; ``yes`` always drops the byte after ``?``,
  ``no`` keeps it).
- MagTek sign-on messages (``210888xxAnn``) and card-present notices (a lone sensor digit,
  ``STX ESC 1 CR ETX``) are not swipes and are dropped.

A port that vanishes (USB unplugged: a read error) makes the status "missing"; the path is
reopened every ``rescan_interval`` seconds until it is back (``drivers.reconnecting``). A port
with a file descriptor is read when the event loop sees it readable (``loop.add_reader``); only
pyserial URL handlers without one (``loop://``) are read in a thread. Swipe text is never logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import io
import logging
import os
import re
import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import serial
from serial.tools import list_ports

from drivers.framing import (
    DEFAULT_IDLE_GAP,
    DEFAULT_PARTIAL_TIMEOUT,
    SourceClock,
    SwipeAssembler,
    frame_until_lost,
)
from drivers.reconnecting import DeviceMissing, ReconnectingReader
from drivers.spec import ReaderSpec, SpecOptions, usb_id
from kiosk.errors import UsageError

log = logging.getLogger(__name__)
READ_TIMEOUT = 0.05
STX, ETX, ESC, DLE, CR, LF = "\x02", "\x03", "\x1b", "\x10", "\r", "\n"
TERMINATORS = {CR: "\r", LF: "\n", ETX: "", DLE: ""}
START_SENTINELS = "%;+"
_SIGN_ON = re.compile(r"210888[0-9A-Z]{2}[A-Z][0-9]{2}")
_CARD_PRESENT = re.compile(r"[01]")
_PARITIES = {"n": serial.PARITY_NONE, "e": serial.PARITY_EVEN, "o": serial.PARITY_ODD}
_PARITIES |= {"m": serial.PARITY_MARK, "s": serial.PARITY_SPACE}
_STOPBITS = {"1": serial.STOPBITS_ONE, "1.5": serial.STOPBITS_ONE_POINT_FIVE}
_STOPBITS |= {"2": serial.STOPBITS_TWO}


def trailing_byte_dropper(mode: str) -> Callable[[str], str] | None:
    """The segment filter that removes an LRC / sensor digit after a track's end sentinel."""
    if mode == "no":
        return None

    def drop(segment: str) -> str:
        after_sentinel = len(segment) >= 2 and segment[-2] == "?"
        if after_sentinel and (mode == "yes" or segment[-1] not in START_SENTINELS):
            return segment[:-1]
        return segment

    return drop


def is_notice(text: str) -> bool:
    """MagTek sign-on messages and card-present notices: not swipes."""
    return bool(_SIGN_ON.fullmatch(text) or _CARD_PRESENT.fullmatch(text))


class SerialFramer:
    """Bytes in, finished swipe texts out (framing rules in the module docstring)."""

    def __init__(self, assembler: SwipeAssembler) -> None:
        self.assembler = assembler

    def feed(self, data: bytes, at: float) -> list[str]:
        finished: list[str | None] = []
        run: list[str] = []

        def flush_run() -> None:
            if run:
                finished.append(self.assembler.add_text("".join(run), at))
                run.clear()

        for char in data.decode("latin-1"):
            if char in TERMINATORS:
                flush_run()
                finished.append(self.assembler.add_terminator(TERMINATORS[char], at))
            elif char == STX:
                flush_run()
                finished.append(self.assembler.start_frame())
            elif char != ESC:
                run.append(char)
        flush_run()
        return [text for text in finished if text is not None]

    def poll(self, at: float) -> str | None:
        return self.assembler.poll(at)

    def flush(self) -> str | None:
        return self.assembler.flush()


def find_port(spec: ReaderSpec) -> str:
    """The device path of the first port matching the spec's ``vid``/``pid``/``serial``."""
    vid, pid, serial_number = usb_id(spec, "vid"), usb_id(spec, "pid"), spec.selectors.get("serial")
    for port in sorted(list_ports.comports(), key=lambda p: p.device):
        if vid is not None and port.vid != vid:
            continue
        if pid is not None and port.pid != pid:
            continue
        if serial_number is not None and port.serial_number != serial_number:
            continue
        return str(port.device)
    raise DeviceMissing(", ".join(f"{k}={v}" for k, v in spec.selectors.items()))


def _descriptor(port: Any) -> int | None:
    """The port's file descriptor, or None for pyserial URL handlers that have none."""
    try:
        fd = port.fileno()
    except (AttributeError, OSError, ValueError, io.UnsupportedOperation):
        return None
    return fd if isinstance(fd, int) and fd >= 0 else None


#: What a byte source hands the reading loop: bytes with their arrival time, or the error
#: that ended the port.
PortItem = tuple[bytes, float] | Exception


@contextlib.contextmanager
def watch_descriptor(fd: int, deliver: Callable[[PortItem], None]) -> Iterator[None]:
    """Bytes from ``fd`` as the event loop sees it readable (``loop.add_reader``)."""
    loop = asyncio.get_running_loop()

    def readable() -> None:
        try:
            data = os.read(fd, 4096)
        except BlockingIOError:
            return
        except OSError as error:  # EIO/ENODEV: the device went away
            loop.remove_reader(fd)
            deliver(error)
            return
        if not data:  # end of file: hung up
            loop.remove_reader(fd)
            deliver(EOFError("the port was closed"))
            return
        deliver((data, time.monotonic()))

    loop.add_reader(fd, readable)
    try:
        yield
    finally:
        loop.remove_reader(fd)


@contextlib.contextmanager
def read_in_thread(port: Any, deliver: Callable[[PortItem], None]) -> Iterator[None]:
    """Bytes from a port without a descriptor (a pyserial URL handler), read in a thread."""
    loop = asyncio.get_running_loop()
    stop = threading.Event()

    def hand_over(item: PortItem) -> None:
        with contextlib.suppress(RuntimeError):  # the loop is closing
            loop.call_soon_threadsafe(deliver, item)

    def read_forever() -> None:
        while not stop.is_set():
            try:
                data = port.read(max(1, port.in_waiting))
            except (serial.SerialException, OSError, TypeError, AttributeError) as error:
                # TypeError/AttributeError: pyserial after the fd vanished under it.
                if not stop.is_set():
                    hand_over(error)
                return
            if data:
                hand_over((data, time.monotonic()))

    thread = threading.Thread(target=read_forever, name="serial reader", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(1.0)


class SerialReader(ReconnectingReader[Any]):
    """A serial reader; see the module docstring."""

    lost_message = "Reader {name} disappeared; plug it in again to continue."

    def __init__(
        self,
        name: str,
        spec: str,
        open_port: Callable[[], Any],
        *,
        partial_timeout: float = DEFAULT_PARTIAL_TIMEOUT,
        lrc: str = "auto",
        terminated: bool = True,
        **timing: float,
    ) -> None:
        """``timing``: ``idle_gap`` and ``rescan_interval`` (see ``ReconnectingReader``)."""
        super().__init__(name, spec, open_port, **timing)
        self.partial_timeout = max(partial_timeout, self.idle_gap)
        self.lrc = lrc
        self.terminated = terminated

    def _new_framer(self) -> SerialFramer:
        return SerialFramer(
            SwipeAssembler(
                self.idle_gap,
                require_terminator=self.terminated,
                partial_timeout=self.partial_timeout,
                close_segment=trailing_byte_dropper(self.lrc),
            )
        )

    def _release(self, port: Any) -> None:
        with contextlib.suppress(Exception):
            port.close()

    async def _read(self, port: Any) -> None:
        """Frame the port's bytes into swipes until the port goes away."""
        queue: asyncio.Queue[PortItem] = asyncio.Queue()
        fd = _descriptor(port)
        source = (
            read_in_thread(port, queue.put_nowait)
            if fd is None
            else watch_descriptor(fd, queue.put_nowait)
        )
        framer = self._new_framer()

        def handle(item: tuple[bytes, float], clock: SourceClock) -> list[str]:
            data, at = item
            clock.mark(at)
            return framer.feed(data, at)

        with source:
            lost = await frame_until_lost(queue, framer.assembler, handle, self._deliver)
        log.info("reader %s: port lost (%s)", self.name, type(lost).__name__)

    def _deliver(self, text: str) -> None:
        if is_notice(text):
            log.debug("reader %s: a reader notice (not a swipe) was ignored", self.name)
            return
        self._emit(text)


def port_opener(
    location: str, *, baudrate: int, bytesize: int, parity: str, stopbits: float
) -> Callable[[], Any]:
    """A function that opens ``location`` (path or pyserial URL) with DTR asserted."""

    def open_port() -> Any:
        port = serial.serial_for_url(
            location,
            baudrate=baudrate,
            bytesize=bytesize,
            parity=parity,
            stopbits=stopbits,
            timeout=READ_TIMEOUT,
            do_not_open=True,
        )
        port.dtr = True  # applied when the port opens
        port.open()
        return port

    return open_port


def open_serial_reader(spec: ReaderSpec, options: SpecOptions, name: str | None) -> SerialReader:
    """A SerialReader for a parsed ``serial:`` spec."""
    unknown = sorted(set(spec.selectors) - {"vid", "pid", "serial"})
    if unknown or not (spec.target or spec.selectors):
        raise UsageError(
            f"Reader spec '{spec.text}' must name a port (serial:/dev/ttyUSB0), a URL, "
            "or vid=…,pid=…" + (f" ('{unknown[0]}' is not one of those)." if unknown else ".")
        )
    bytesize = options.integer("bytesize", 8, minimum=5)
    if bytesize > 8:
        raise UsageError(f"Reader spec '{spec.text}': bytesize must be 5 to 8.")
    parity = _PARITIES[options.choice("parity", "n", tuple(_PARITIES))]
    stopbits = _STOPBITS[options.choice("stopbits", "1", tuple(_STOPBITS))]
    settings: dict[str, Any] = {
        "baudrate": options.integer(
            "baud", options.integer("baudrate", 9600, minimum=50), minimum=50
        ),
        "bytesize": bytesize,
        "parity": parity,
        "stopbits": stopbits,
    }
    if spec.target:
        opener = port_opener(spec.target, **settings)
    else:
        with contextlib.suppress(DeviceMissing):  # checks the IDs now; the port is found at open
            find_port(spec)

        def opener() -> Any:
            return port_opener(find_port(spec), **settings)()

    return SerialReader(
        name or spec.text,
        spec.text,
        opener,
        idle_gap=options.number("gap", DEFAULT_IDLE_GAP, minimum=0.001),
        partial_timeout=options.number("partial", DEFAULT_PARTIAL_TIMEOUT, minimum=0.001),
        lrc=options.choice("lrc", "auto", ("auto", "yes", "no")),
        terminated=options.flag("terminated", True),
    )
