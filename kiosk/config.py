"""Kiosk settings from ``kiosk.toml``: validated, with one clear sentence per mistake.

The file is optional: without it the kiosk runs with the defaults below. The default path is
``kiosk.toml`` in the configuration directory (platformdirs, or ``$CONFIGURATION_DIRECTORY``
under systemd). See ``config/kiosk.example.toml`` for every key.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, cast

from drivers.spec import parse_spec, short_reader_name
from kiosk.checkin.manual import DEFAULT_MANUAL_CHECKIN, ManualCheckin, validate_mode
from kiosk.checkin.recording import ARCHIVED_POLICIES, ArchivedPolicy
from kiosk.db.engine import DB_ENV_VAR
from kiosk.errors import UserError
from kiosk.paths import config_dir

CONFIG_FILE_NAME = "kiosk.toml"
RULES_FILE_NAME = "card-rules.toml"
DEFAULT_IDLE_SECONDS = 4.0

_TOP_LEVEL_KEYS = {
    "event",
    "database",
    "rules_file",
    "idle_seconds",
    "archived_policy",
    "manual_checkin",
    "kiosk_id",
    "terminal_reader",
    "readers",
}
_READER_KEYS = {"name", "spec", "options"}


class ConfigError(UserError):
    """The settings file is missing, unreadable or holds a value the kiosk cannot use."""


@dataclass(frozen=True)
class ReaderConfig:
    """One card reader: its name on screen, its driver spec, and driver options."""

    name: str
    spec: str
    options: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class KioskConfig:
    """Everything ``kiosk run`` needs besides the database and the roster."""

    event: str | None = None
    database: str | None = None
    readers: tuple[ReaderConfig, ...] = ()
    rules_file: Path | None = None
    idle_seconds: float = DEFAULT_IDLE_SECONDS
    archived_policy: ArchivedPolicy = "allow"
    # Check-in by username, email or walk-in: "anyone", "staff-confirm" or "off". The
    # default asks a staff member: a typed name could otherwise check in anyone.
    manual_checkin: ManualCheckin = DEFAULT_MANUAL_CHECKIN
    kiosk_id: str = "kiosk"
    terminal_reader: bool = False
    source: Path | None = None  # the file these settings came from, if any

    def with_overrides(
        self,
        *,
        event: str | None = None,
        reader_specs: list[str] | None = None,
        rules_file: Path | None = None,
    ) -> KioskConfig:
        """These settings with command-line values put in place of the file's."""
        updated = self
        if event is not None:
            updated = replace(updated, event=event)
        if rules_file is not None:
            updated = replace(updated, rules_file=rules_file)
        if reader_specs:
            readers = tuple(readers_from_specs(reader_specs))
            terminal = any(reader.spec == "terminal" for reader in readers)
            updated = replace(updated, readers=readers, terminal_reader=terminal)
        return updated

    def reader_configs(self) -> tuple[ReaderConfig, ...]:
        """The readers to open, the terminal reader included when it is switched on."""
        if self.terminal_reader and not any(r.spec == "terminal" for r in self.readers):
            return (*self.readers, ReaderConfig(name="keyboard", spec="terminal"))
        return self.readers


def database_url(explicit: str | None, config: KioskConfig) -> str | None:
    """``--db``, then ``$KIOSK_DB``, then the settings file (None: the default file)."""
    return explicit or os.environ.get(DB_ENV_VAR) or config.database


def default_config_path() -> Path:
    return config_dir() / CONFIG_FILE_NAME


def default_rules_path() -> Path:
    return config_dir() / RULES_FILE_NAME


def readers_from_specs(specs: list[str]) -> list[ReaderConfig]:
    """Reader settings for ``--reader SPEC`` values, each named after its device.

    Names come from ``drivers.spec.short_reader_name`` (``terminal`` is ``keyboard``,
    ``serial:/dev/ttyUSB0`` is ``ttyUSB0``, ``hid:vid=0801,pid=0001`` is ``hid 0801:0001``…);
    a name given twice gets ``-2``, ``-3``… so the status line tells the readers apart.
    A spec that cannot be parsed raises UsageError naming it.
    """
    readers: list[ReaderConfig] = []
    taken: set[str] = set()
    for spec in specs:
        spec = spec.strip()
        if not spec:
            raise ConfigError("A --reader value is empty; give a spec such as terminal or hid:…")
        name = _unique(short_reader_name(parse_spec(spec)), taken)
        taken.add(name)
        readers.append(ReaderConfig(name=name, spec=spec))
    return readers


def _unique(base: str, taken: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``… when that name is already taken."""
    name, number = base, 1
    while name in taken:
        number += 1
        name = f"{base}-{number}"
    return name


def load_config(path: Path | None = None) -> KioskConfig:
    """Settings from ``path``; without a path, from the default file when it exists.

    Raises ConfigError naming the file and the key when something is wrong.
    """
    if path is None:
        path = default_config_path()
        if not path.exists():
            return KioskConfig()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(
            f"The settings file {path} does not exist; check the --config path "
            "or copy config/kiosk.example.toml there."
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(
            f"Cannot read the settings file {path} ({exc.__class__.__name__}); "
            "check that it is a UTF-8 text file the kiosk may read."
        ) from None
    return parse_config(text, path)


def parse_config(text: str, path: Path | None = None) -> KioskConfig:
    """Settings from TOML ``text``; ``path`` names the file in errors, anchors relative paths."""
    where = f"The settings file {path}" if path else "The settings"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where} is not valid TOML ({exc}); fix that line.") from None
    unknown = sorted(set(data) - _TOP_LEVEL_KEYS)
    if unknown:
        raise ConfigError(
            f"{where} has an unknown key {unknown[0]!r}; "
            f"the known keys are {', '.join(sorted(_TOP_LEVEL_KEYS))}."
        )
    base = path.parent if path else Path.cwd()
    return KioskConfig(
        event=_optional_text(data, "event", where),
        database=_optional_text(data, "database", where),
        readers=_readers(data.get("readers", []), where),
        rules_file=_optional_path(data, "rules_file", where, base),
        idle_seconds=_idle_seconds(data, where),
        archived_policy=_archived_policy(data, where),
        manual_checkin=_manual_checkin(data, where),
        kiosk_id=_optional_text(data, "kiosk_id", where) or "kiosk",
        terminal_reader=_boolean(data, "terminal_reader", where),
        source=path,
    )


def _optional_text(data: dict[str, Any], key: str, where: str) -> str | None:
    value = data.get(key)
    if value is None:
        return None
    if isinstance(value, int) and not isinstance(value, bool) and key == "event":
        return str(value)
    if not isinstance(value, str) or not value.strip():
        raise ConfigError(f"{where}: {key} must be a non-empty text in quotes.")
    return value.strip()


def _optional_path(data: dict[str, Any], key: str, where: str, base: Path) -> Path | None:
    value = _optional_text(data, key, where)
    if value is None:
        return None
    candidate = Path(value).expanduser()
    return candidate if candidate.is_absolute() else base / candidate


def _idle_seconds(data: dict[str, Any], where: str) -> float:
    value = data.get("idle_seconds", DEFAULT_IDLE_SECONDS)
    if isinstance(value, bool) or not isinstance(value, int | float) or not 0.5 <= value <= 120:
        raise ConfigError(
            f"{where}: idle_seconds must be a number of seconds between 0.5 and 120 "
            f"(got {value!r})."
        )
    return float(value)


def _archived_policy(data: dict[str, Any], where: str) -> ArchivedPolicy:
    value = data.get("archived_policy", "allow")
    if value not in ARCHIVED_POLICIES:
        raise ConfigError(
            f"{where}: archived_policy must be one of {', '.join(ARCHIVED_POLICIES)} "
            f"(got {value!r})."
        )
    return cast(ArchivedPolicy, value)


def _manual_checkin(data: dict[str, Any], where: str) -> ManualCheckin:
    try:
        return validate_mode(data.get("manual_checkin", DEFAULT_MANUAL_CHECKIN))
    except UserError as exc:
        raise ConfigError(f"{where}: {exc}") from None


def _boolean(data: dict[str, Any], key: str, where: str) -> bool:
    value = data.get(key, False)
    if not isinstance(value, bool):
        raise ConfigError(f"{where}: {key} must be true or false (got {value!r}).")
    return value


def _readers(value: Any, where: str) -> tuple[ReaderConfig, ...]:
    if not isinstance(value, list):
        raise ConfigError(f"{where}: readers must be a list of [[readers]] tables.")
    readers: list[ReaderConfig] = []
    for number, entry in enumerate(value, start=1):
        label = f"{where}: reader {number}"
        if not isinstance(entry, dict):
            raise ConfigError(f"{label} must be a [[readers]] table with name and spec.")
        unknown = sorted(set(entry) - _READER_KEYS)
        if unknown:
            raise ConfigError(
                f"{label} has an unknown key {unknown[0]!r}; use name, spec and options."
            )
        spec = entry.get("spec")
        if not isinstance(spec, str) or not spec.strip():
            raise ConfigError(f"{label} needs a spec such as \"hid:/dev/input/by-id/…\".")
        if "name" in entry:
            name = entry["name"]
        else:  # named after its device, as --reader readers are
            name = _unique(short_reader_name(parse_spec(spec)), {r.name for r in readers})
        if not isinstance(name, str) or not name.strip():
            raise ConfigError(f"{label}: name must be a non-empty text.")
        options = entry.get("options", {})
        if not isinstance(options, dict):
            raise ConfigError(f"{label}: options must be a table of driver settings.")
        if any(r.name == name.strip() for r in readers):
            raise ConfigError(f"{label}: the name {name!r} is used twice; give each its own.")
        readers.append(ReaderConfig(name=name.strip(), spec=spec.strip(), options=dict(options)))
    return tuple(readers)
