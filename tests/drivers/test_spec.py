from __future__ import annotations

import pytest

from drivers.spec import SpecOptions, open_reader, parse_spec
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
