"""kiosk.toml: defaults, every key, command-line overrides, and one clear sentence per mistake."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kiosk.config import (
    REFERENCE_END,
    REFERENCE_START,
    ConfigError,
    KioskConfig,
    ReaderConfig,
    database_url,
    load_config,
    parse_config,
    readers_from_specs,
    settings_reference,
)
from kiosk.db.url import resolve_database_url
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
        ("archived_policy = 'maybe'", "archived_policy must be one of 'allow', 'refuse'"),
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


TOP_LEVEL_KEYS = set(KioskConfig.model_fields)
READER_KEYS = set(ReaderConfig.model_fields)


def test_an_unknown_key_is_refused_naming_it_and_the_known_ones() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config("evnt = 'Fair'", Path("/etc/kiosk.toml"))
    assert str(raised.value) == (
        "The settings file /etc/kiosk.toml has an unknown key 'evnt' (did you mean 'event'?); "
        "the known keys are archived_policy, database, event, idle_seconds, kiosk_id, "
        "manual_checkin, nametag_font, nametag_printer, nametag_timeout_seconds, readers, "
        "rules_file, terminal_reader."
    )
    with pytest.raises(ConfigError) as raised:
        parse_config("[[readers]]\nspec = 'terminal'\ncolour = 'red'", Path("/etc/kiosk.toml"))
    assert str(raised.value) == (
        "The settings file /etc/kiosk.toml: reader 1 has an unknown key 'colour'; "
        "the known keys are name, options, spec."
    )


IDLE = "idle_seconds must be a number of seconds between 0.5 and 120"


@pytest.mark.parametrize(
    ("text", "sentence"),
    [
        ("idle_seconds = '4'", f"{IDLE} (got '4')."),
        ("idle_seconds = true", f"{IDLE} (got true)."),
        ("database = 5432", "database must be a database URL in quotes (got 5432)."),
        ("event = [1, 2]", "event must be an event id or a non-empty name in quotes (got a list)."),
        ("readers = [1]", "reader 1 must be a [[readers]] table with name and spec (got 1)."),
        (
            "[[readers]]\nspec = 'terminal'\noptions = 9600",
            "reader 1: options must be a table of driver settings (got 9600).",
        ),
        (
            "[readers]\nspec = 'terminal'",
            "readers must be a list of [[readers]] tables (got a table).",
        ),
    ],
)
def test_a_value_of_the_wrong_type_is_one_sentence(text: str, sentence: str) -> None:
    with pytest.raises(ConfigError) as raised:
        parse_config(text, Path("/etc/kiosk.toml"))
    assert str(raised.value) == f"The settings file /etc/kiosk.toml: {sentence}"


@pytest.mark.parametrize("value", ["0.4", "-1", "120.5", "1000000000.0"])
def test_idle_seconds_out_of_range_is_refused(value: str) -> None:
    with pytest.raises(ConfigError, match=rf"between 0.5 and 120 \(got {value}"):
        parse_config(f"idle_seconds = {value}")
    assert parse_config("idle_seconds = 0.5").idle_seconds == 0.5
    assert parse_config("idle_seconds = 120").idle_seconds == 120.0


def test_the_database_url_precedence_flag_env_file_default(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("KIOSK_DB", raising=False)
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    default = f"sqlite:///{tmp_path / 'state' / 'kiosk.sqlite3'}"
    assert database_url(None, KioskConfig()) == default
    assert resolve_database_url() == default
    from_file = parse_config('database = "sqlite:///file.db"')
    assert database_url(None, from_file) == "sqlite:///file.db"
    monkeypatch.setenv("KIOSK_DB", "sqlite:///env.db")
    assert database_url(None, from_file) == "sqlite:///env.db"
    assert database_url("sqlite:///flag.db", from_file) == "sqlite:///flag.db"
    # the engine's and the config's resolver are one function
    from kiosk.db import engine

    assert engine.resolve_database_url is resolve_database_url


def test_a_settings_path_that_cannot_be_read_is_one_sentence(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"is a directory; give the settings file itself"):
        load_config(tmp_path)
    latin1 = tmp_path / "kiosk.toml"
    latin1.write_bytes(b"event = 'Caf\xe9'\n")
    with pytest.raises(ConfigError, match=r"is not UTF-8 text at line 1 \(byte 0xE9"):
        load_config(latin1)


_KEY = st.text(
    alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E, blacklist_characters='"\\'),
    min_size=1,
    max_size=12,
)
_VALUE = st.one_of(st.integers(-9, 9), st.booleans(), st.text("abc", max_size=3))


@given(key=_KEY, value=_VALUE, in_reader=st.booleans())
def test_any_table_with_an_extra_key_is_refused_naming_it(
    key: str, value: object, in_reader: bool
) -> None:
    known = READER_KEYS if in_reader else TOP_LEVEL_KEYS
    if key in known:
        return
    line = f"{json.dumps(key)} = {json.dumps(value)}"
    text = f"[[readers]]\nspec = 'terminal'\n{line}\n" if in_reader else f"{line}\n"
    with pytest.raises(ConfigError) as raised:
        parse_config(text, Path("/etc/kiosk.toml"))
    message = str(raised.value)
    assert "\n" not in message
    assert f"unknown key {key!r}" in message
    assert ("reader 1 has" in message) is in_reader


def test_every_setting_is_described_for_the_reference_and_the_error_sentences() -> None:
    for model in (KioskConfig, ReaderConfig):
        for key, field in model.model_fields.items():
            assert field.description, f"{model.__name__}.{key} has no description"
            extra = field.json_schema_extra
            assert isinstance(extra, dict) and extra.get("must"), f"{key} has no 'must' phrase"


def test_docs_hold_the_current_settings_reference() -> None:
    text = (REPO_ROOT / "docs" / "settings.md").read_text(encoding="utf-8")
    start, end = text.index(REFERENCE_START), text.index(REFERENCE_END) + len(REFERENCE_END)
    assert text[start:end] + "\n" == settings_reference(), (
        "docs/settings.md is out of date: paste kiosk.config.settings_reference() there"
    )
