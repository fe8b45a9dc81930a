"""The ``kiosk`` command: a thin front over the same services the TUI uses.

Start-up is lazy: the top-level parser knows every command from :data:`COMMANDS` (name,
module, one-line help) without importing any command module, and only the module of the
command being run is imported and registered in full. ``kiosk --help`` therefore imports no
database, screen or rules library.

Adding a command: write ``kiosk/commands/NAME_cmd.py`` with ``register(subparsers)`` (which
calls ``subparsers.add_parser("NAME", help=...)``) and add one row to :data:`COMMANDS` with the
same name and help (tests/test_cli_startup.py checks that they agree).
"""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Iterable, Sequence
from typing import NamedTuple

from kiosk import __version__


class Command(NamedTuple):
    """One ``kiosk`` subcommand: its name, the module whose ``register(subparsers)`` builds
    its parser, the one line ``kiosk --help`` shows for it, and whether it opens the kiosk's
    database (then ``--db`` is taken after it and after each of its actions too, as before
    it: :func:`add_db_option`)."""

    name: str
    module: str
    help: str
    opens_db: bool = False


COMMANDS: tuple[Command, ...] = (
    Command("db", "kiosk.commands.db_cmd", "show or upgrade the database schema", opens_db=True),
    Command("run", "kiosk.commands.run_cmd", "start the full-screen check-in kiosk", opens_db=True),
    Command(
        "demo",
        "kiosk.commands.demo_cmd",
        "try the kiosk: sample roster and event, keys 1-5 swipe sample cards",
    ),
    Command(
        "import",
        "kiosk.commands.import_cmd",
        "import the Handshake Student CSV (the roster)",
        opens_db=True,
    ),
    Command(
        "verify",
        "kiosk.commands.verify_cmd",
        "check that every roster card_id is inside its card's swipe, unambiguously",
        opens_db=True,
    ),
    Command(
        "events",
        "kiosk.commands.events_cmd",
        "create, list, rename and delete events",
        opens_db=True,
    ),
    Command(
        "checkins",
        "kiosk.commands.checkins_cmd",
        "export or list an event's check-ins",
        opens_db=True,
    ),
    Command(
        "registrations",
        "kiosk.commands.registrations_cmd",
        "import or list an event's registrants (Handshake's CSV)",
        opens_db=True,
    ),
    Command(
        "students",
        "kiosk.commands.students_cmd",
        "find a student by name, username or email",
        opens_db=True,
    ),
    Command(
        "nametags",
        "kiosk.commands.nametags_cmd",
        "render or print a student's name tag",
        opens_db=True,
    ),
    Command("staff", "kiosk.commands.staff_cmd", "set the staff PIN or staff card", opens_db=True),
    Command("readers", "kiosk.commands.readers_cmd", "list card readers; capture real swipes"),
    Command(
        "parse",
        "kiosk.commands.parse_cmd",
        "apply the card rules to captured swipes and print one JSON object per swipe",
    ),
    Command("rules", "kiosk.commands.rules_cmd", "suggest or check card rules"),
    Command(
        "doctor",
        "kiosk.commands.doctor_cmd",
        "check that this kiosk is ready for an event (readers, rules, roster…)",
        opens_db=True,
    ),
    Command(
        "init",
        "kiosk.commands.init_cmd",
        "write a commented kiosk.toml (event, readers, rules) for run and doctor",
        opens_db=True,
    ),
    Command("fair", "kiosk.commands.fair_cmd", "fair mode: a kiosk's replica and queue"),
)

# Modules registered the old way: imported for EVERY command, which slows every start-up.
# Prefer a row in COMMANDS; this stays so that a module listed here still works.
COMMAND_MODULES: tuple[str, ...] = ()


DB_HELP = (
    "SQLAlchemy database URL (default: $KIOSK_DB, then kiosk.toml's database, else a SQLite "
    "file in the data dir)"
)


def add_db_option(parser: argparse.ArgumentParser) -> None:
    """``--db URL`` on a command's parser and on every action parser under it, so that
    ``kiosk --db URL events list`` and ``kiosk events list --db URL`` mean the same. Given
    after the command it replaces one given before; not given there, it leaves
    ``args.db`` as the top-level option set it (argparse.SUPPRESS)."""
    parser.add_argument("--db", metavar="URL", default=argparse.SUPPRESS, help=DB_HELP)
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            for sub in {id(sub): sub for sub in action.choices.values()}.values():
                add_db_option(sub)


class _Parser(argparse.ArgumentParser):
    """argparse that exits with status 2 and one sentence on a usage error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser(full: Iterable[str] | None = None) -> argparse.ArgumentParser:
    """The ``kiosk`` parser. The commands named in ``full`` (default: all) are registered by
    their modules with every option; the others only by name and help, which is all the
    top-level help and the choice of a command need."""
    wanted = None if full is None else set(full)
    parser = _Parser(prog="kiosk", description="Card-swipe check-in kiosk for career services.")
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    parser.add_argument("--db", metavar="URL", help=DB_HELP)
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    for command in COMMANDS:
        if wanted is None or command.name in wanted:
            importlib.import_module(command.module).register(subparsers)
            if command.opens_db:
                add_db_option(subparsers.choices[command.name])
        else:
            # a stand-in: takes any arguments, so that the first pass can find the command
            subparsers.add_parser(command.name, help=command.help, add_help=False)
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def parse_arguments(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """``argv`` parsed as the full parser would, importing only the chosen command's module.

    A first pass with stand-ins finds the command (and answers ``kiosk --help``, ``--version``
    and a missing or unknown command with argparse's own output); the second pass parses
    everything with that one command registered in full."""
    arguments = sys.argv[1:] if argv is None else list(argv)
    known, _ = build_parser(full=()).parse_known_args(arguments)
    return build_parser(full=(known.command,)).parse_args(arguments)


def _opens_db(name: str) -> bool:
    return any(command.opens_db for command in COMMANDS if command.name == name)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_arguments(argv)

    import logging

    from kiosk.errors import UserError
    from kiosk.logs import configure_logging, install_crash_redaction

    configure_logging(logging.DEBUG if args.verbose else logging.WARNING)
    install_crash_redaction()  # bugs still raise, but their report shows no swipe text
    try:
        if args.db is None and not hasattr(args, "config") and _opens_db(args.command):
            # run and doctor read their own settings file (--config); the rest, kiosk.toml's
            from kiosk.commands.settings_file import configured_database

            args.db = configured_database()
        result = args.func(args)
    except UserError as error:
        print(f"kiosk: {error}", file=sys.stderr)
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
