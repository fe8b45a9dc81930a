"""Kiosk settings from ``kiosk.toml``: a declarative schema, one clear sentence per mistake.

The file is optional: without it the kiosk runs with the defaults below. The default path is
``kiosk.toml`` in the configuration directory (platformdirs, or ``$CONFIGURATION_DIRECTORY``
under systemd). See ``config/kiosk.example.toml`` for every key, and ``docs/settings.md`` for
the reference table :func:`settings_reference` renders from the field descriptions.

The schema is pydantic (strict types, ``extra="forbid"``); :func:`explain` is the one
translator from a ``ValidationError`` to the project's one-sentence style.
"""

from __future__ import annotations

import tomllib
from difflib import get_close_matches
from pathlib import Path
from typing import Annotated, Any, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    StringConstraints,
    ValidationError,
    ValidationInfo,
    field_validator,
)
from pydantic.fields import FieldInfo
from pydantic_core import ErrorDetails

from drivers.spec import parse_spec, short_reader_name
from kiosk.checkin.manual import DEFAULT_MANUAL_CHECKIN, MANUAL_CHECKIN_MODES, ManualCheckin
from kiosk.checkin.policies import ARCHIVED_POLICIES, ArchivedPolicy
from kiosk.db.url import resolve_database_url
from kiosk.errors import UserError, reading_file
from kiosk.nametags.printers import DEFAULT_LP_TIMEOUT_S
from kiosk.paths import CONFIG_FILE_NAME as CONFIG_FILE_NAME
from kiosk.paths import default_config_path as default_config_path  # their home before paths
from kiosk.paths import default_rules_path as default_rules_path

DEFAULT_IDLE_SECONDS = 4.0
MIN_IDLE_SECONDS = 0.5
MAX_IDLE_SECONDS = 120.0
MIN_PRINT_TIMEOUT_S = 1.0
MAX_PRINT_TIMEOUT_S = 300.0

Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


class ConfigError(UserError):
    """The settings file is missing, unreadable or holds a value the kiosk cannot use."""


def _field(default: Any = ..., *, must: str, description: str, **kwargs: Any) -> Any:
    """A documented field; ``must`` completes "KEY must be …" in error sentences and docs."""
    extra = {"must": must, **kwargs.pop("extra", {})}
    return Field(default, description=description, json_schema_extra=extra, **kwargs)


def _one_of(values: tuple[str, ...]) -> str:
    return "one of " + ", ".join(repr(value) for value in values)


class ReaderConfig(BaseModel):
    """One card reader: its name on screen, its driver spec, and driver options."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    spec: Text = _field(
        must="a driver spec in quotes",
        description="The driver spec, as for `--reader` (docs/readers.md).",
        extra={"needs": 'a spec such as "hid:/dev/input/by-id/…"'},
    )
    name: Text = _field(
        must="a non-empty text",
        description="Its name on the status line; without one, named after its device.",
        extra={"default_text": "its device's name"},
    )
    options: dict[str, Any] = _field(
        default_factory=dict,
        must="a table of driver settings",
        description="Driver settings: the same keys as the spec's `?key=value` part.",
    )


class KioskConfig(BaseModel):
    """Everything ``kiosk run`` needs besides the roster: the schema of ``kiosk.toml``."""

    model_config = ConfigDict(frozen=True, extra="forbid", strict=True)

    event: Text | None = _field(
        None,
        must="an event id or a non-empty name in quotes",
        description="The event students check in to: its id or exact name "
        "(`kiosk events list`). `--event` overrides it.",
    )
    database: Text | None = _field(
        None,
        must="a database URL in quotes",
        description="The database, any SQLAlchemy URL. `--db` and `$KIOSK_DB` take "
        "precedence; without any, the SQLite file in the state directory.",
    )
    rules_file: Path | None = _field(
        None,
        must="a non-empty text in quotes",
        description="The card rules file; a relative path is taken from kiosk.toml's folder. "
        "Without rules the kiosk matches by card_id containment.",
    )
    idle_seconds: Annotated[float, Field(ge=MIN_IDLE_SECONDS, le=MAX_IDLE_SECONDS)] = _field(
        DEFAULT_IDLE_SECONDS,
        must=f"a number of seconds between {MIN_IDLE_SECONDS:g} and {MAX_IDLE_SECONDS:g}",
        description="Seconds a result stays on screen before the idle screen returns.",
    )
    archived_policy: ArchivedPolicy = _field(
        "allow",
        must=_one_of(ARCHIVED_POLICIES),
        description="A student the roster marks archived: 'allow' (checked in, with a note "
        "to staff) or 'refuse'.",
    )
    manual_checkin: ManualCheckin = _field(
        DEFAULT_MANUAL_CHECKIN,
        must=_one_of(MANUAL_CHECKIN_MODES),
        description="Check-in without a card (username, email, walk-in): 'anyone', "
        "'staff-confirm' (a staff member confirms each) or 'off' (cards only).",
    )
    kiosk_id: Text = _field(
        "kiosk",
        must="a non-empty text",
        description="This kiosk's name in check-in records and exports.",
    )
    nametag_printer: Text | None = _field(
        None,
        must="a CUPS printer's name or dir:PATH in quotes",
        description="Where name tags go for events that print them (`kiosk events set EVENT "
        "--nametags LABEL`): a CUPS printer (`lpstat -p` lists them; sent with `lp -d`), or "
        "`dir:PATH` to write each tag as a PDF into that folder (relative: from kiosk.toml's "
        "folder). Without it, no tags print.",
    )
    nametag_font: Path | None = _field(
        None,
        must="a non-empty text in quotes",
        description="A TrueType font (.ttf) for name tags, for scripts DejaVu Sans lacks (e.g. "
        "a Noto Sans CJK .ttf); a relative path is taken from kiosk.toml's folder. Default: "
        "DejaVu Sans from the system's fonts.",
    )
    nametag_timeout_seconds: Annotated[
        float, Field(ge=MIN_PRINT_TIMEOUT_S, le=MAX_PRINT_TIMEOUT_S)
    ] = _field(
        DEFAULT_LP_TIMEOUT_S,
        must=f"a number of seconds between {MIN_PRINT_TIMEOUT_S:g} and {MAX_PRINT_TIMEOUT_S:g}",
        description="How long `lp` may take to accept a name tag before it counts as failed "
        "(printing happens in the background: check-ins never wait for it).",
    )
    terminal_reader: bool = _field(
        False,
        must="true or false",
        description="Also take swipes typed into the terminal (keyboard-wedge readers "
        "without evdev access).",
    )
    readers: tuple[ReaderConfig, ...] = _field(
        (),
        strict=False,  # TOML gives a list
        must="a list of [[readers]] tables",
        description="One `[[readers]]` table per reader (keys below). `--reader` replaces "
        "the list.",
        extra={"item": "reader", "item_must": "a [[readers]] table with name and spec"},
    )
    _source: Path | None = PrivateAttr(default=None)

    @property
    def source(self) -> Path | None:
        """The file these settings came from, if any."""
        return self._source

    @field_validator("event", mode="before")
    @classmethod
    def _event_id_as_text(cls, value: Any) -> Any:
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
        return value

    @field_validator("rules_file", "nametag_font", mode="before")
    @classmethod
    def _path_from_the_files_folder(cls, value: Any, info: ValidationInfo) -> Any:
        if not isinstance(value, str) or not value.strip():
            return value  # the strict Path check refuses it with the field's sentence
        candidate = Path(value.strip()).expanduser()
        base = (info.context or {}).get("base") or Path.cwd()
        return candidate if candidate.is_absolute() else base / candidate

    @field_validator("nametag_printer", mode="before")
    @classmethod
    def _tag_folder_from_the_files_folder(cls, value: Any, info: ValidationInfo) -> Any:
        """``dir:tags`` is the folder ``tags`` beside kiosk.toml, as rules_file is."""
        if not isinstance(value, str) or not value.strip().startswith("dir:"):
            return value
        folder = value.strip()[len("dir:") :].strip()
        if not folder:
            return value  # printer_from_setting says what is missing
        candidate = Path(folder).expanduser()
        base = (info.context or {}).get("base") or Path.cwd()
        return f"dir:{candidate if candidate.is_absolute() else base / candidate}"

    @field_validator("readers", mode="before")
    @classmethod
    def _name_readers_after_their_device(cls, value: Any) -> Any:
        if not isinstance(value, list):
            return value
        named: list[Any] = []
        taken: set[str] = set()
        for entry in value:
            if isinstance(entry, dict) and "name" not in entry:
                spec = entry.get("spec")
                if isinstance(spec, str) and spec.strip():
                    name = _unique(short_reader_name(parse_spec(spec.strip())), taken)
                    entry = {**entry, "name": name}
            if isinstance(entry, dict) and isinstance(entry.get("name"), str):
                taken.add(entry["name"].strip())
            named.append(entry)
        return named

    @field_validator("readers")
    @classmethod
    def _names_told_apart(cls, readers: tuple[ReaderConfig, ...]) -> tuple[ReaderConfig, ...]:
        seen: set[str] = set()
        for number, reader in enumerate(readers, start=1):
            if reader.name in seen:
                raise ValueError(
                    f"reader {number}: the name {reader.name!r} is used twice; give each its own"
                )
            seen.add(reader.name)
        return readers

    def with_overrides(
        self,
        *,
        event: str | None = None,
        reader_specs: list[str] | None = None,
        rules_file: Path | None = None,
    ) -> KioskConfig:
        """These settings with command-line values put in place of the file's."""
        update: dict[str, Any] = {}
        if event is not None:
            update["event"] = event
        if rules_file is not None:
            update["rules_file"] = rules_file
        if reader_specs:
            readers = tuple(readers_from_specs(reader_specs))
            update["readers"] = readers
            update["terminal_reader"] = any(reader.spec == "terminal" for reader in readers)
        return self.model_copy(update=update) if update else self

    def reader_configs(self) -> tuple[ReaderConfig, ...]:
        """The readers to open, the terminal reader included when it is switched on."""
        if self.terminal_reader and not any(r.spec == "terminal" for r in self.readers):
            return (*self.readers, ReaderConfig(name="keyboard", spec="terminal"))
        return self.readers


def database_url(explicit: str | None, config: KioskConfig) -> str:
    """``--db``, then ``$KIOSK_DB``, then the settings file, then the default file."""
    return resolve_database_url(explicit, config.database)


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
    with reading_file(
        path,
        "settings file",
        ConfigError,
        missing_hint="check the --config path or copy config/kiosk.example.toml there.",
    ):
        text = path.read_text(encoding="utf-8")
    return parse_config(text, path)


def parse_config(text: str, path: Path | None = None) -> KioskConfig:
    """Settings from TOML ``text``; ``path`` names the file in errors, anchors relative paths."""
    where = f"The settings file {path}" if path else "The settings"
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{where} is not valid TOML ({exc}); fix that line.") from None
    base = path.parent if path else Path.cwd()
    try:
        config = KioskConfig.model_validate(data, context={"base": base})
    except ValidationError as error:
        raise ConfigError(explain(error, where)) from None
    config._source = path
    return config


# --- the one translator: ValidationError -> one sentence -------------------------------------


def explain(error: ValidationError, where: str) -> str:
    """One sentence for the first problem in ``error``: ``where`` (the file), the key, what is
    wrong and what to write instead."""
    details = error.errors(include_url=False)[0]
    loc, kind = details["loc"], details["type"]
    if kind == "value_error":  # a validator's own words, which name the place
        return f"{where}: {details['ctx']['error']}."
    owner, owner_label, _, _ = _place(loc[:-1])
    if kind == "extra_forbidden":
        key = str(loc[-1])
        known = sorted(owner.model_fields)
        close = get_close_matches(key, known, n=1)
        hint = f" (did you mean {close[0]!r}?)" if close else ""
        place = f"{where}: {owner_label}" if owner_label else where
        return f"{place} has an unknown key {key!r}{hint}; the known keys are {', '.join(known)}."
    _, label, must, field = _place(loc)
    if kind == "missing" and field is not None:
        return f"{where}: {owner_label} needs {_extra(field).get('needs', repr(loc[-1]))}."
    return f"{where}: {label} must be {must} (got {_shown(details)})."


def _place(loc: tuple[int | str, ...]) -> tuple[type[BaseModel], str, str, FieldInfo | None]:
    """For a place in the settings: the model holding its last key, the words naming it
    ("idle_seconds", "reader 2", "reader 2: name"), what it must be, and its field."""
    model: type[BaseModel] = KioskConfig
    label, must = "", ""
    field: FieldInfo | None = None
    for part in loc:
        if isinstance(part, int) and field is not None:  # an item of a list of tables
            extra = _extra(field)
            label = f"{extra.get('item', 'item')} {part + 1}"
            must = str(extra.get("item_must", "a table"))
            model = _item_model(field)
        else:
            field = model.model_fields.get(str(part))
            label = f"{label}: {part}" if label else str(part)
            must = str(_extra(field).get("must", "")) if field else ""
    return model, label, must, field


def _item_model(field: FieldInfo) -> type[BaseModel]:
    for arg in get_args(field.annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    raise LookupError(f"no model inside {field.annotation!r}")  # a schema bug, not the user's


def _extra(field: FieldInfo) -> dict[str, Any]:
    extra = field.json_schema_extra
    return extra if isinstance(extra, dict) else {}


def _shown(details: ErrorDetails) -> str:
    value = details["input"]
    if isinstance(value, bool):  # as TOML writes it
        return "true" if value else "false"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return "a list"
    return repr(value)


# --- the reference table in docs/settings.md --------------------------------------------------

REFERENCE_START = "<!-- kiosk.toml reference: generated by kiosk.config.settings_reference -->"
REFERENCE_END = "<!-- end of kiosk.toml reference -->"


def settings_reference() -> str:
    """The kiosk.toml reference (Markdown), rendered from the schema's field descriptions."""
    lines = [REFERENCE_START, "", *_reference_table(KioskConfig), ""]
    lines += ["Each `[[readers]]` table:", "", *_reference_table(ReaderConfig), "", REFERENCE_END]
    return "\n".join(lines) + "\n"


def _reference_table(model: type[BaseModel]) -> list[str]:
    rows = ["| Key | Value | Default | What it does |", "| --- | --- | --- | --- |"]
    for key, field in model.model_fields.items():
        extra = _extra(field)
        rows.append(f"| `{key}` | {extra['must']} | {_default_text(field)} | {field.description} |")
    return rows


def _default_text(field: FieldInfo) -> str:
    extra = _extra(field)
    if "default_text" in extra:
        return str(extra["default_text"])
    if field.is_required():
        return "required"
    value = field.get_default(call_default_factory=True)
    if value is None or value == () or value == {}:
        return "none"
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, float):
        return f"`{value:g}`"
    return f'`"{value}"`'
