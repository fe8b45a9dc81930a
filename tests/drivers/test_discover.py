"""Device discovery from a sysfs tree laid out as the kernel does it (real files in tmp)."""

from __future__ import annotations

import os
import struct
from pathlib import Path

import pytest

from drivers.discover import has_typing_keys, list_input_nodes
from drivers.hid import DeviceSelector, selector_from_spec
from drivers.spec import parse_spec
from kiosk.errors import UsageError

pytestmark = pytest.mark.skipif(
    struct.calcsize("L") != 8, reason="the sample bitmaps are 64-bit sysfs output"
)

# A full keyboard's key bitmap as /sys/class/input/eventN/device/capabilities/key shows it on a
# 64-bit machine, and a power button's.
KEYBOARD_BITMAP = "1000000000007 ff800000000007ff febeffdff3cfffff fffffffffffffffe"
POWER_BUTTON_BITMAP = "10000000000000 0"


def _node(
    sys_root: Path,
    dev_root: Path,
    number: int,
    name: str,
    vendor: str,
    product: str,
    keys: str,
    phys: str = "usb-0000:00:14.0-1/input0",
    by_id: str | None = None,
) -> None:
    device = sys_root / f"event{number}" / "device"
    (device / "id").mkdir(parents=True)
    (device / "capabilities").mkdir()
    (device / "name").write_text(name + "\n")
    (device / "phys").write_text(phys + "\n")
    (device / "id" / "vendor").write_text(vendor + "\n")
    (device / "id" / "product").write_text(product + "\n")
    (device / "capabilities" / "key").write_text(keys + "\n")
    (dev_root / f"event{number}").write_text("")
    if by_id:
        (dev_root / "by-id").mkdir(exist_ok=True)
        os.symlink(f"../event{number}", dev_root / "by-id" / by_id)


@pytest.fixture
def roots(tmp_path: Path) -> tuple[Path, Path]:
    sys_root, dev_root = tmp_path / "sys", tmp_path / "dev"
    sys_root.mkdir()
    dev_root.mkdir()
    _node(sys_root, dev_root, 0, "Power Button", "0000", "0001", POWER_BUTTON_BITMAP, "LNXPWRBN")
    _node(sys_root, dev_root, 3, "AT Translated Set 2 keyboard", "0001", "0001", KEYBOARD_BITMAP,
          "isa0060/serio0/input0")  # fmt: skip
    _node(sys_root, dev_root, 11, "Mag-Tek USB Swipe Reader", "0801", "0001", KEYBOARD_BITMAP,
          by_id="usb-Mag-Tek_USB_Swipe_Reader-event-kbd")  # fmt: skip
    _node(sys_root, dev_root, 12, "RFIDeas USB Keyboard", "0c27", "3bfa", KEYBOARD_BITMAP)
    return sys_root, dev_root


def test_keyboard_bitmap_detection() -> None:
    assert has_typing_keys(KEYBOARD_BITMAP)
    assert not has_typing_keys(POWER_BUTTON_BITMAP)
    assert not has_typing_keys("")


def test_nodes_are_listed_with_ids_links_and_specs(roots: tuple[Path, Path]) -> None:
    nodes = list_input_nodes(*roots)
    assert [n.name for n in nodes] == [
        "Power Button",
        "AT Translated Set 2 keyboard",
        "Mag-Tek USB Swipe Reader",
        "RFIDeas USB Keyboard",
    ]
    readers = [n for n in nodes if n.looks_like_reader]
    assert [(n.vendor, n.product) for n in readers] == [(0x0801, 0x0001), (0x0C27, 0x3BFA)]
    magtek, rfideas = readers
    assert magtek.spec == f"hid:{roots[1]}/by-id/usb-Mag-Tek_USB_Swipe_Reader-event-kbd"
    assert rfideas.spec == "hid:vid=0c27,pid=3bfa"


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("hid:vid=0801,pid=0001", ["Mag-Tek USB Swipe Reader"]),
        ("hid:vid=0c27", ["RFIDeas USB Keyboard"]),
        ("hid:name=mag-tek", ["Mag-Tek USB Swipe Reader"]),
        ("hid:vid=0acd", []),
    ],
)
def test_selectors_match_nodes(roots: tuple[Path, Path], spec: str, expected: list[str]) -> None:
    selector = selector_from_spec(parse_spec(spec))
    assert [n.name for n in list_input_nodes(*roots) if selector.matches(n)] == expected


def test_by_id_path_selector_matches_through_the_symlink(roots: tuple[Path, Path]) -> None:
    link = roots[1] / "by-id" / "usb-Mag-Tek_USB_Swipe_Reader-event-kbd"
    selector = DeviceSelector(path=str(link))
    assert [n.name for n in list_input_nodes(*roots) if selector.matches(n)] == [
        "Mag-Tek USB Swipe Reader"
    ]


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ("hid:vid=08x1", "vid=08x1 is not a 4-digit hex USB ID"),
        ("hid:colour=red", "'colour' is not one of those"),
    ],
)
def test_bad_selectors(spec: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        selector_from_spec(parse_spec(spec))
