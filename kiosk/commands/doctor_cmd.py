"""``kiosk doctor``: check the settings, rules, readers, database, roster, PIN and event."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kiosk.doctor import diagnose

MARKS = {"ok": "ok  ", "warn": "warn", "fail": "FAIL"}


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "doctor", help="check that this kiosk is ready for an event (readers, rules, roster…)"
    )
    parser.add_argument("--config", type=Path, metavar="FILE", help="settings file to check")
    parser.set_defaults(func=_doctor)


def _doctor(args: argparse.Namespace) -> int:
    checks = diagnose(args.config, args.db)
    width = max(len(check.name) for check in checks)
    for check in checks:
        print(f"[{MARKS[check.verdict]}] {check.name.ljust(width)}  {check.detail}")
    failed = sum(check.verdict == "fail" for check in checks)
    print("Ready for the event." if not failed else f"{failed} problem(s) to fix first.")
    return 1 if failed else 0
