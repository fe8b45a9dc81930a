"""``kiosk run``: the full-screen check-in kiosk (Textual)."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from kiosk.commands.kiosk_args import add_kiosk_arguments, config_from_args
from kiosk.config import KioskConfig, database_url, default_rules_path
from kiosk.errors import UserError

if TYPE_CHECKING:
    from kiosk.nametags.printers import Printer
    from kiosk.tui.setup import KioskSetup


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("run", help="start the full-screen check-in kiosk")
    add_kiosk_arguments(
        parser,
        config_help="settings file (default: kiosk.toml in the configuration directory, "
        "when it exists)",
    )
    parser.set_defaults(func=_run)


def build_setup(config: KioskConfig, db: str | None) -> KioskSetup:
    """Open the database, event, rules and readers ``config`` names; UserError if one fails.

    The roster starts loading in a thread while the database and screen modules are
    imported: from a SQLite file at once, with Python's sqlite3 (kiosk.checkin.roster_preread);
    from another database as soon as it is open (RosterMatcher.preload)."""
    from kiosk.checkin import roster_preread

    url = database_url(db, config)
    preread = roster_preread.start(url)

    from kiosk.checkin.matching import RosterMatcher
    from kiosk.db.session import open_database
    from kiosk.fair.start import SharedStart, default_replica_path, open_shared, uses_fair_mode

    shared: SharedStart | None = None
    if uses_fair_mode(url):  # several kiosks share it: go on from a replica when it is away
        shared = open_shared(url, default_replica_path(config.kiosk_id))
        engine, local = shared.shared, shared.local
    else:
        engine = local = open_database(url)
    if not preread:
        RosterMatcher.preload(engine)

    from drivers.readers import open_reader
    from kiosk.cards.rules import RuleSet, load_rules
    from kiosk.checkin.events import find_event
    from kiosk.checkin.staff import has_pin
    from kiosk.desk import KioskDesk
    from kiosk.nametags.render import find_font
    from kiosk.tui.setup import KioskSetup

    if not has_pin(local):
        raise UserError(
            "No staff PIN is set, so staff could not leave the kiosk: "
            "run `kiosk staff set-pin` first."
        )
    if not config.event:
        raise UserError(
            "Which event? Give --event ID|NAME or event in kiosk.toml "
            "(`kiosk events list`; `kiosk events create NAME` makes one)."
        )
    event = find_event(local, config.event)
    rules_path = config.rules_file or default_rules_path()
    if config.rules_file is not None or rules_path.exists():
        rules = load_rules(rules_path)
    else:
        rules = RuleSet.empty()
    readers_config = config.reader_configs()
    if readers_config:
        readers = [open_reader(r.spec, r.name, **r.options) for r in readers_config]
    else:  # a keyboard-wedge reader typing into this terminal
        readers = [open_reader("terminal", "keyboard")]
    desk = KioskDesk(
        engine,
        event,
        rules,
        rules_path=rules_path,
        kiosk_id=config.kiosk_id,
        archived_policy=config.archived_policy,
        manual_checkin=config.manual_checkin,
        replica=shared.replica if shared else None,
        link=shared.link if shared else None,
        tag_printer=_tag_printer(config),
        tag_font=find_font(config.nametag_font) if config.nametag_printer else None,
    )
    return KioskSetup(desk=desk, readers=readers, idle_seconds=config.idle_seconds)


def _tag_printer(config: KioskConfig) -> Printer | None:
    """Where name tags go (kiosk.toml's nametag_printer), for events that print them."""
    from kiosk.nametags.printers import printer_from_setting

    if config.nametag_printer is None:
        return None
    return printer_from_setting(config.nametag_printer, config.nametag_timeout_seconds)


def _run(args: argparse.Namespace) -> int:
    from kiosk.logs import LOG_FILE_NAME
    from kiosk.paths import data_dir
    from kiosk.tui.app import make_app
    from kiosk.tui.terminal import run_full_screen

    setup = build_setup(config_from_args(args), args.db)
    try:
        run_full_screen(make_app(setup), data_dir() / LOG_FILE_NAME)
    finally:
        setup.desk.engine.dispose()
    return 0
