"""The ``kiosk`` command: a thin front over the same services the TUI uses."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys
from collections.abc import Sequence

from kiosk import __version__
from kiosk.errors import UserError
from kiosk.logs import configure_logging, install_crash_redaction

# One module per subcommand group, each exposing register(subparsers).
COMMAND_MODULES: tuple[str, ...] = (
    "kiosk.commands.db_cmd",
    "kiosk.commands.run_cmd",
    "kiosk.commands.demo_cmd",
    "kiosk.commands.import_cmd",
    "kiosk.commands.verify_cmd",
    "kiosk.commands.events_cmd",
    "kiosk.commands.checkins_cmd",
    "kiosk.commands.staff_cmd",
    "kiosk.commands.readers_cmd",
    "kiosk.commands.parse_cmd",
    "kiosk.commands.rules_cmd",
    "kiosk.commands.doctor_cmd",
    "kiosk.commands.init_cmd",
    "kiosk.commands.fair_cmd",
)


class _Parser(argparse.ArgumentParser):
    """argparse that exits with status 2 and one sentence on a usage error."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(2, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="kiosk", description="Card-swipe check-in kiosk for career services.")
    parser.add_argument("--version", action="version", version=f"kiosk {__version__}")
    parser.add_argument(
        "--db",
        metavar="URL",
        help="SQLAlchemy database URL (default: $KIOSK_DB, else a SQLite file in the data dir)",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log more detail")
    subparsers = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    subparsers.required = True
    for module_name in COMMAND_MODULES:
        importlib.import_module(module_name).register(subparsers)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    configure_logging(logging.DEBUG if args.verbose else logging.WARNING)
    install_crash_redaction()  # bugs still raise, but their report shows no swipe text
    try:
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
