"""Find card-reader candidates: evdev input nodes (from sysfs) and serial ports.

Reading sysfs needs no special permission, so the kiosk can name a reader (and say that it
lacks permission to open it) even before the udev rule is installed. Used by the HID driver to
match a spec to a device and by ``kiosk readers list``.
"""

from __future__ import annotations

import os
import struct
from dataclasses import dataclass
from pathlib import Path

SYS_INPUT = Path("/sys/class/input")
DEV_INPUT = Path("/dev/input")
UDEV_RULES_FILE = "99-swipe-kiosk-readers.rules"
READER_GROUP = "kiosk-readers"
KNOWN_READER_VENDORS = {0x0801: "MagTek", 0x0ACD: "ID TECH", 0x0C27: "RFIDeas"}

_WORD_BITS = struct.calcsize("L") * 8
_TYPING_KEYS = tuple(range(2, 12)) + tuple(range(16, 26)) + tuple(range(30, 39))  # 1-0, q-p, a-l


def no_permission_message(path: str, reader: str) -> str:
    """The one sentence that says how to give the kiosk access to a reader's device node."""
    return (
        f"No permission to open {path} for reader {reader}: install "
        f"systemd/{UDEV_RULES_FILE} into /etc/udev/rules.d/, add the kiosk user to the "
        f"'{READER_GROUP}' group, run 'sudo udevadm control --reload && sudo udevadm trigger' "
        "and replug the reader."
    )


@dataclass(frozen=True)
class InputNode:
    """One /dev/input/eventN node as sysfs describes it."""

    path: str
    name: str
    vendor: int
    product: int
    phys: str
    keyboard: bool
    by_id: tuple[str, ...] = ()
    by_path: tuple[str, ...] = ()

    @property
    def readable(self) -> bool:
        return os.access(self.path, os.R_OK)

    @property
    def looks_like_reader(self) -> bool:
        """Keyboard-capable and from a real USB vendor (not the built-in keyboard)."""
        return self.keyboard and self.vendor != 0 and not self.phys.startswith("isa")

    @property
    def spec(self) -> str:
        """The reader spec to put in the config: the stable by-id link when there is one."""
        if self.by_id:
            return f"hid:{self.by_id[0]}"
        if self.by_path:
            return f"hid:{self.by_path[0]}"
        return f"hid:vid={self.vendor:04x},pid={self.product:04x}"


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace").strip()
    except OSError:
        return ""


def _hex(text: str) -> int:
    try:
        return int(text, 16)
    except ValueError:
        return 0


def has_typing_keys(capabilities_key: str) -> bool:
    """Whether a sysfs ``capabilities/key`` bitmap includes letter and digit keys."""
    words = [_hex(word) for word in capabilities_key.split()]
    words.reverse()  # the most significant word comes first

    def has(code: int) -> bool:
        index, bit = divmod(code, _WORD_BITS)
        return index < len(words) and bool(words[index] >> bit & 1)

    return all(has(code) for code in _TYPING_KEYS)


def _links(directory: Path) -> dict[str, list[str]]:
    links: dict[str, list[str]] = {}
    if not directory.is_dir():
        return links
    for link in sorted(directory.iterdir()):
        if link.is_symlink():
            links.setdefault(os.path.realpath(link), []).append(str(link))
    return links


def list_input_nodes(sys_root: Path = SYS_INPUT, dev_root: Path = DEV_INPUT) -> list[InputNode]:
    """Every evdev node sysfs knows, with name, vendor:product and stable links."""
    if not sys_root.is_dir():
        return []
    by_id = _links(dev_root / "by-id")
    by_path = _links(dev_root / "by-path")
    nodes: list[InputNode] = []
    entries = [e for e in sys_root.iterdir() if e.name.startswith("event")]
    for entry in sorted(entries, key=lambda e: int(e.name[5:] or 0)):
        device = entry / "device"
        path = str(dev_root / entry.name)
        real = os.path.realpath(path)
        nodes.append(
            InputNode(
                path=path,
                name=_read(device / "name"),
                vendor=_hex(_read(device / "id" / "vendor")),
                product=_hex(_read(device / "id" / "product")),
                phys=_read(device / "phys"),
                keyboard=has_typing_keys(_read(device / "capabilities" / "key")),
                by_id=tuple(by_id.get(real, ())),
                by_path=tuple(by_path.get(real, ())),
            )
        )
    return nodes


@dataclass(frozen=True)
class SerialPortInfo:
    """A serial port with its USB identity when it has one."""

    device: str
    vendor: int | None
    product: int | None
    serial_number: str | None
    description: str

    @property
    def spec(self) -> str:
        by_id = _serial_by_id().get(os.path.realpath(self.device))
        if by_id:
            return f"serial:{by_id[0]}"
        return f"serial:{self.device}"


def _serial_by_id() -> dict[str, list[str]]:
    return _links(Path("/dev/serial/by-id"))


def list_serial_ports() -> list[SerialPortInfo]:
    """Serial ports pyserial can see (USB adapters carry vendor and product IDs)."""
    from serial.tools import list_ports

    return [
        SerialPortInfo(
            device=port.device,
            vendor=port.vid,
            product=port.pid,
            serial_number=port.serial_number,
            description=port.description or "",
        )
        for port in sorted(list_ports.comports(), key=lambda p: p.device)
    ]
