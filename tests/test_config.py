"""kiosk.toml: defaults, every key, command-line overrides, and one clear sentence per mistake."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.config import (
    ConfigError,
    KioskConfig,
    load_config,
    parse_config,
    readers_from_specs,
)
from kiosk.errors import UsageError
from tests.conftest import REPO_ROOT


def test_the_example_file_loads_with_every_key() -> None:
    path = REPO_ROOT / "config" / "kiosk.example.toml"
    config = load_config(path)
    assert config.event == "Fall Career Fair"
    assert config.idle_seconds == 4.0
    assert config.archived_policy == "allow"
    assert config.kiosk_id == "front-desk"
    assert config.terminal_reader is False
    assert [r.name for r in config.readers] == ["left", "right"]
    assert config.readers[1].options == {"baud": 9600}
    # a relative rules path is taken from the settings file's folder
    assert config.rules_file == path.parent / "card-rules.toml"
    assert config.source == path


def test_no_file_at_the_default_path_means_defaults(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CONFIGURATION_DIRECTORY", str(tmp_path))
    assert load_config() == KioskConfig()
    (tmp_path / "kiosk.toml").write_text('event = "Spring Expo"\nidle_seconds = 2.5\n')
    loaded = load_config()
    assert (loaded.event, loaded.idle_seconds) == ("Spring Expo", 2.5)


def test_a_missing_explicit_file_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="does not exist; check the --config path"):
        load_config(tmp_path / "nope.toml")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("event = ", "is not valid TOML"),
        ("evnt = 'x'", "unknown key 'evnt'"),
        ("idle_seconds = 0", "idle_seconds must be a number of seconds between 0.5 and 120"),
        ("idle_seconds = 'four'", "idle_seconds must be a number"),
        ("archived_policy = 'maybe'", "archived_policy must be one of allow, refuse"),
        ("terminal_reader = 'yes'", "terminal_reader must be true or false"),
        ("kiosk_id = ''", "kiosk_id must be a non-empty text"),
        ("readers = 'hid'", "readers must be a list"),
        ("[[readers]]\nname = 'a'", "reader 1 needs a spec"),
        ("[[readers]]\nspec = 'terminal'\nbaud = 1", "reader 1 has an unknown key 'baud'"),
        (
            "[[readers]]\nname='a'\nspec='terminal'\n[[readers]]\nname='a'\nspec='queue'",
            "the name 'a' is used twice",
        ),
    ],
)
def test_bad_values_name_the_key(text: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_config(text, Path("/etc/kiosk.toml"))


def test_an_event_id_may_be_a_number() -> None:
    assert parse_config("event = 7").event == "7"


def test_command_line_overrides_replace_the_files_values(tmp_path: Path) -> None:
    config = parse_config(
        "event = 'A'\nterminal_reader = false\n[[readers]]\nname = 'left'\nspec = 'hid:/dev/x'\n"
    )
    changed = config.with_overrides(
        event="B", reader_specs=["terminal", "replay:cap.txt"], rules_file=tmp_path / "r.toml"
    )
    assert changed.event == "B"
    assert changed.rules_file == tmp_path / "r.toml"
    assert [(r.name, r.spec) for r in changed.readers] == [
        ("keyboard", "terminal"),
        ("cap.txt", "replay:cap.txt"),
    ]
    assert changed.terminal_reader is True
    assert config.with_overrides() == config


def test_command_line_readers_are_named_after_their_devices_and_told_apart() -> None:
    specs = [
        "terminal",
        "hid:/dev/input/by-id/usb-Mag-Tek_USB_Swipe_Reader-event-kbd",
        "hid:/dev/input/by-path/pci-0000:00:14.0-usb-0:2:1.0-event-kbd",
        "serial:/dev/ttyUSB0?baud=9600",
        "serial:/dev/ttyUSB0?baud=19200",
        "serial:/dev/ttyUSB0",
        "hid:vid=0801,pid=0001",
        "replay:captures/fair.txt?interval=0.5",
        "replay:/tmp/left.txt?name=left",
    ]
    assert [reader.name for reader in readers_from_specs(specs)] == [
        "keyboard",
        "Mag-Tek_USB_Swipe_Reader",
        "pci-0000:00:14.0-usb-0:2:1.0",
        "ttyUSB0",
        "ttyUSB0-2",
        "ttyUSB0-3",
        "hid 0801:0001",
        "fair.txt",
        "left",
    ]
    # a spec's own name= wins, and a derived name that clashes with it is told apart
    named = readers_from_specs(["serial:/dev/ttyS0?name=ttyUSB0", "serial:/dev/ttyUSB0"])
    assert [reader.name for reader in named] == ["ttyUSB0", "ttyUSB0-2"]


def test_command_line_reader_names_reach_the_opened_readers(tmp_path: Path) -> None:
    from drivers.readers import open_reader

    capture = tmp_path / "fair.txt"
    capture.write_text(";90123456701?\n", encoding="utf-8")
    configs = readers_from_specs([f"replay:{capture}", f"replay:{capture}?name=left&loop=1"])
    readers = [open_reader(r.spec, r.name, **r.options) for r in configs]
    assert [reader.name for reader in readers] == ["fair.txt", "left"]


def test_an_unknown_reader_kind_on_the_command_line_is_one_sentence() -> None:
    with pytest.raises(UsageError, match="Unknown reader kind 'usb'"):
        readers_from_specs(["usb:/dev/x"])


def test_terminal_reader_switch_adds_the_keyboard_reader() -> None:
    config = parse_config("terminal_reader = true\n[[readers]]\nspec = 'serial:/dev/ttyUSB0'")
    assert [r.spec for r in config.reader_configs()] == ["serial:/dev/ttyUSB0", "terminal"]
    assert [r.spec for r in parse_config("").reader_configs()] == []


def test_every_reader_in_the_example_file_opens_with_its_options() -> None:
    from drivers.readers import open_reader

    config = load_config(REPO_ROOT / "config" / "kiosk.example.toml")
    readers = [open_reader(r.spec, r.name, **r.options) for r in config.reader_configs()]
    assert [reader.name for reader in readers] == ["left", "right"]


def test_readers_in_the_settings_file_without_a_name_are_named_after_their_device() -> None:
    config = parse_config(
        '[[readers]]\nspec = "serial:/dev/ttyUSB0"\n'
        '[[readers]]\nspec = "serial:/dev/ttyUSB0?baud=4800"\n'
        '[[readers]]\nname = "front"\nspec = "terminal"\n'
    )
    assert [reader.name for reader in config.readers] == ["ttyUSB0", "ttyUSB0-2", "front"]
