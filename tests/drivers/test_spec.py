from __future__ import annotations

from pathlib import Path

import pytest

from drivers.readers import open_reader
from drivers.spec import SpecOptions, parse_spec, short_reader_name
from drivers.terminal import TerminalReader
from kiosk.errors import UsageError


@pytest.mark.parametrize(
    ("text", "kind", "target", "selectors", "options"),
    [
        (
            "hid:/dev/input/by-id/usb-Mag-Tek_USB_Swipe_Reader-event-kbd",
            "hid",
            "/dev/input/by-id/usb-Mag-Tek_USB_Swipe_Reader-event-kbd",
            {},
            {},
        ),
        ("hid:vid=0801,pid=0001", "hid", "", {"vid": "0801", "pid": "0001"}, {}),
        ("hid:name=Magtek?layout=de", "hid", "", {"name": "Magtek"}, {"layout": "de"}),
        ("serial:/dev/ttyUSB0?baud=9600", "serial", "/dev/ttyUSB0", {}, {"baud": "9600"}),
        ("serial:loop://", "serial", "loop://", {}, {}),
        ("serial:vid=0acd,pid=3810", "serial", "", {"vid": "0acd", "pid": "3810"}, {}),
        ("terminal", "terminal", "", {}, {}),
        (
            "replay:caps/fair.txt?interval=0.5&loop=1",
            "replay",
            "caps/fair.txt",
            {},
            {"interval": "0.5", "loop": "1"},
        ),
    ],
)
def test_parse_spec_table(
    text: str, kind: str, target: str, selectors: dict[str, str], options: dict[str, str]
) -> None:
    spec = parse_spec(text)
    assert (spec.kind, spec.target, spec.selectors, spec.options) == (
        kind,
        target,
        selectors,
        options,
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("usb:/dev/x", "Unknown reader kind 'usb'"),
        ("hid:vid=0801,pid", "'pid' is not key=value"),
        ("terminal?min_keys=1", "min_keys=1 is not at least 2"),
        ("terminal?gap=fast", "gap=fast is not a number"),
        ("terminal?colour=blue", "unknown option 'colour'"),
        ("replay:", "needs a capture file"),
    ],
)
def test_bad_specs_are_one_clear_sentence(text: str, message: str) -> None:
    with pytest.raises(UsageError, match=message):
        open_reader(text)


def test_options_override_the_spec_and_flags_parse() -> None:
    spec = parse_spec("terminal?min_keys=5&grab=no")
    options = SpecOptions(spec, {"min_keys": 6})
    assert options.integer("min_keys", 4) == 6
    assert options.flag("grab", True) is False
    with pytest.raises(UsageError, match="parity=Q is not one of"):
        SpecOptions(parse_spec("serial:loop://?parity=Q"), {}).choice("parity", "n", ("n", "e"))


def test_terminal_spec_opens_a_named_terminal_reader() -> None:
    reader = open_reader("terminal?key_gap=0.02&gap=0.2", name="desk keyboard")
    assert isinstance(reader, TerminalReader)
    assert reader.name == "desk keyboard"
    assert (reader.detector.key_gap, reader.detector.idle_gap) == (0.02, 0.2)
    assert reader.status.state == "connected"


def test_hid_specs_open_hid_readers_with_their_options() -> None:
    from drivers.hid import HidReader
    from drivers.keymap import DE

    reader = open_reader("hid:vid=0801,pid=0001?layout=de&gap=0.15&grab=0", name="left")
    assert isinstance(reader, HidReader)
    assert (reader.name, reader.layout, reader.idle_gap, reader.grab) == ("left", DE, 0.15, False)
    with pytest.raises(UsageError, match="Keyboard layout 'fr' is neither a built-in layout"):
        open_reader("hid:name=magtek?layout=fr")


async def test_a_hid_path_that_does_not_exist_is_missing_not_a_crash() -> None:
    import asyncio

    reader = open_reader("hid:/dev/input/by-id/usb-No_Such_Reader-event-kbd", name="left")

    async def consume() -> None:
        async for _ in reader.swipes():
            pass

    task = asyncio.ensure_future(consume())
    for _ in range(100):
        if reader.status.state == "missing":
            break
        await asyncio.sleep(0.01)
    assert reader.status.state == "missing"
    assert "usb-No_Such_Reader-event-kbd) is not plugged in" in reader.status.message
    await reader.close()
    await asyncio.wait_for(task, 2)
    assert reader.status.state == "stopped"


def test_an_unknown_kind_lists_the_kinds_as_a_person_writes_them() -> None:
    with pytest.raises(UsageError) as caught:
        parse_spec("bogus:x")
    assert str(caught.value) == (
        "Unknown reader kind 'bogus' in 'bogus:x'; use one of: "
        "hid:…, serial:…, terminal, replay:FILE."
    )
    # the demo's in-memory kind still opens, it is just not advertised
    assert open_reader("queue:demo").name == "demo"


def test_a_name_in_the_spec_names_the_reader_even_when_a_name_is_also_given(
    tmp_path: Path,
) -> None:
    capture = tmp_path / "cap.txt"
    capture.write_text(";90123456701?\n", encoding="utf-8")
    assert open_reader(f"replay:{capture}?name=left").name == "left"
    # a configured name wins, and the spec's name= is no "unknown option"
    assert open_reader(f"replay:{capture}?name=left", name="right").name == "right"
    assert open_reader("terminal?name=desk").name == "desk"


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("terminal", "keyboard"),
        ("terminal?gap=0.2", "keyboard"),
        ("hid:/dev/input/by-id/usb-Mag-Tek_USB_Swipe_Reader-event-kbd", "Mag-Tek_USB_Swipe_Reader"),
        (
            "hid:/dev/input/by-id/usb-ID_TECH_TM3_Magstripe_USB-HID_Keyboard_Reader-if01-event-kbd",
            "ID_TECH_TM3_Magstripe_USB-HID_Keyboard_Reader",
        ),
        (
            "hid:/dev/input/by-path/pci-0000:00:14.0-usb-0:2:1.0-event-kbd",
            "pci-0000:00:14.0-usb-0:2:1.0",
        ),
        ("hid:/dev/input/event5", "event5"),
        ("hid:vid=0801,pid=0001", "hid 0801:0001"),
        ("hid:vid=0801", "hid 0801"),
        ("hid:name=Magtek?layout=de", "hid Magtek"),
        ("serial:/dev/ttyUSB0?baud=9600", "ttyUSB0"),
        ("serial:vid=0acd,pid=3810", "serial 0acd:3810"),
        ("serial:loop://", "loop"),
        ("serial:rfc2217://10.0.0.5:4000", "10.0.0.5:4000"),
        ("replay:caps/fair.txt?interval=0.5", "fair.txt"),
        ("replay:caps/fair.txt?name=left", "left"),
        ("queue:demo", "demo"),
    ],
)
def test_short_reader_names_say_which_device(text: str, name: str) -> None:
    assert short_reader_name(parse_spec(text)) == name
