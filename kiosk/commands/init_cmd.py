"""``kiosk init``: write a commented kiosk.toml, the one set-up every later command reads."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from string import Template
from typing import Any

from drivers.spec import parse_spec
from kiosk.commands.kiosk_args import add_kiosk_arguments
from kiosk.config import default_config_path, parse_config, readers_from_specs
from kiosk.errors import UserError
from kiosk.paths import open_private, private_dir

TEMPLATE = Path(__file__).resolve().parents[1] / "samples" / "kiosk-init.toml"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "init",
        help="write a commented kiosk.toml (event, readers, rules) for run and doctor",
        description="Write a commented settings file, owner-only. --event, --reader, --rules "
        "and --db (the options of kiosk run) are written into it; edit the rest by hand. "
        "An existing file is kept unless --force.",
    )
    add_kiosk_arguments(
        parser,
        config_help="where to write it (default: kiosk.toml in the configuration directory, "
        "which kiosk run, doctor and readers capture read without --config)",
    )
    parser.add_argument("--force", action="store_true", help="replace an existing file")
    parser.set_defaults(func=_init)


def settings_text(
    *,
    event: str | None = None,
    reader_specs: list[str] | None = None,
    rules_file: Path | None = None,
    database: str | None = None,
) -> str:
    """The commented kiosk.toml with these values filled in (the others commented out).
    Files named relative to where init runs (the rules, a SQLite database, a reader's device
    or capture file) are written as absolute paths, so every later command, run from any
    folder, uses the same ones."""
    template = Template(TEMPLATE.read_text(encoding="utf-8"))
    readers = readers_from_specs([_absolute_spec(spec) for spec in reader_specs or []])
    database = _absolute_database(database) if database else None
    reader_tables = (
        "\n".join(
            f"[[readers]]\nname = {_toml(reader.name)}\nspec = {_toml(reader.spec)}\n"
            for reader in readers
        )
        or '# [[readers]]\n# name = "left"\n# spec = "hid:vid=0801"\n'
    )
    text = template.substitute(
        event=f"event = {_toml(event)}" if event else '# event = "Fall Career Fair"',
        database=f"database = {_toml(database)}"
        if database
        else '# database = "postgresql://kiosk:secret@db.example.edu/kiosk"',
        rules_file=f"rules_file = {_toml(str(rules_file.expanduser().resolve()))}"
        if rules_file
        else '# rules_file = "card-rules.toml"',
        readers=reader_tables,
    )
    parse_config(text)  # what it writes, the kiosk reads: a bad value fails here, not later
    return text


def _absolute_spec(spec: str) -> str:
    """``replay:swipes.txt`` -> ``replay:/where/init/ran/swipes.txt`` (selectors such as
    ``hid:vid=0801``, URLs and absolute paths are kept as given)."""
    target = parse_spec(spec).target
    if not target or "://" in target or Path(target).is_absolute():
        return spec
    kind, _, rest = spec.strip().partition(":")
    query = rest.partition("?")[2]
    absolute = str(Path(target).expanduser().resolve())
    return f"{kind}:{absolute}" + (f"?{query}" if query else "")


def _absolute_database(url: str) -> str:
    """A SQLite URL naming a relative file, made absolute; any other URL as given."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except ArgumentError:
        return url  # parse_config says what is wrong with it
    name = parsed.database
    if parsed.get_backend_name() != "sqlite" or not name or name == ":memory:":
        return url
    if name.startswith("file:") or Path(name).is_absolute():
        return url
    absolute = parsed.set(database=str(Path(name).expanduser().resolve()))
    return absolute.render_as_string(hide_password=False)


def _toml(value: str) -> str:
    """A TOML basic string: JSON's escapes are TOML's."""
    return json.dumps(value, ensure_ascii=False)


def _init(args: argparse.Namespace) -> int:
    path: Path = args.config or default_config_path()
    text = settings_text(
        event=args.event,
        reader_specs=args.readers,
        rules_file=args.rules,
        database=getattr(args, "db", None),
    )
    if path.exists() and not args.force:
        raise UserError(
            f"{path} already exists; edit it, or give --force to replace it "
            "(or --config FILE to write another)."
        )
    try:
        private_dir(path.parent)
        with open_private(path, "w" if args.force else "x") as out:
            out.write(text)
    except FileExistsError:
        raise UserError(f"{path} already exists; edit it, or give --force to replace it.") from None
    except OSError as error:
        raise UserError(
            f"Cannot write {path} ({error.strerror}); choose another place with --config."
        ) from None
    print(f"Wrote {path}.")
    todo = [
        name
        for name, given in (
            ("event", args.event),
            ("rules_file", args.rules),
            ("[[readers]]", args.readers),
        )
        if not given
    ]
    if todo:
        print(f"Edit it to set {', '.join(todo)} (each is explained in the file).")
    where = "" if args.config is None else f" --config {path}"
    print(f"Then `kiosk doctor{where}` checks what `kiosk run{where}` will use.")
    return 0
