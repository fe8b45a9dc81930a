"""``kiosk init``: write a commented kiosk.toml, the one set-up every later command reads."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from string import Template
from typing import Any

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
    """The commented kiosk.toml with these values filled in (the others commented out)."""
    template = Template(TEMPLATE.read_text(encoding="utf-8"))
    readers = readers_from_specs(reader_specs or [])
    reader_tables = "\n".join(
        f"[[readers]]\nname = {_toml(reader.name)}\nspec = {_toml(reader.spec)}\n"
        for reader in readers
    ) or '# [[readers]]\n# name = "left"\n# spec = "hid:vid=0801"\n'
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
