"""The options that say which kiosk set-up a command means, shared by ``kiosk run``,
``kiosk doctor`` and ``kiosk init``: the settings file, and the event, readers and rules
that replace its values. One definition, so the doctor checks exactly what run uses.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from kiosk.config import KioskConfig, load_config


def add_kiosk_arguments(parser: argparse.ArgumentParser, *, config_help: str) -> None:
    """Add ``--config``, ``--event``, ``--reader`` (repeatable) and ``--rules``. (``--db``
    is added to every command that opens the database: kiosk.cli.add_db_option.)"""
    parser.add_argument("--config", type=Path, metavar="FILE", help=config_help)
    parser.add_argument("--event", metavar="ID|NAME", help="the event to check students in to")
    parser.add_argument(
        "--reader",
        action="append",
        dest="readers",
        metavar="SPEC",
        help="a reader spec (hid:…, serial:…, terminal, replay:FILE); repeat for several; "
        "replaces the readers of the settings file",
    )
    parser.add_argument("--rules", type=Path, metavar="FILE", help="the card rules file")


def config_from_args(args: argparse.Namespace) -> KioskConfig:
    """The settings file (``--config``, else the default one when it exists) with the
    command line's event, readers and rules put in place of its own."""
    return load_config(args.config).with_overrides(
        event=args.event, reader_specs=args.readers, rules_file=args.rules
    )
