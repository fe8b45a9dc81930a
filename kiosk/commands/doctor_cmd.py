"""``kiosk doctor``: check the settings, rules, readers, database, roster, PIN and event."""

from __future__ import annotations

import argparse
from typing import Any

from kiosk.commands.kiosk_args import add_kiosk_arguments
from kiosk.doctor import diagnose

MARKS = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "doctor", help="check that this kiosk is ready for an event (readers, rules, roster…)"
    )
    # the very options of `kiosk run`: the doctor checks what run would use with them
    add_kiosk_arguments(
        parser,
        config_help="settings file to check (default: kiosk.toml in the configuration "
        "directory, when it exists, as for kiosk run)",
    )
    parser.set_defaults(func=_doctor)


def _doctor(args: argparse.Namespace) -> int:
    checks = diagnose(
        args.config,
        args.db,
        event=args.event,
        reader_specs=args.readers,
        rules_file=args.rules,
    )
    width = max(len(check.name) for check in checks)
    for check in checks:
        print(f"[{MARKS[check.verdict]}] {check.name.ljust(width)}  {check.detail}")
    failed = sum(check.verdict == "fail" for check in checks)
    print("Ready for the event." if not failed else f"{failed} problem(s) to fix first.")
    return 1 if failed else 0
