"""``kiosk verify``: the roster's card_ids against captured swipes, before the event."""

from __future__ import annotations

import argparse
import gc
import sys
from typing import Any

from drivers.capture import read_capture


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "verify",
        help="check that every roster card_id is inside its card's swipe, unambiguously",
        description=(
            "Check a roster's card_ids (inside another student's? duplicated? damaged by a "
            "spreadsheet?) and, with --swipes, which student each captured swipe matches. "
            "Exit 0 when every swipe matches exactly one student and no card_id is inside "
            "another; 1 otherwise; 2 for unusable input."
        ),
    )
    parser.add_argument(
        "--roster",
        required=True,
        metavar="ROSTER",
        help="the Handshake Student CSV (username and card_id columns), or 'db' for the "
        "kiosk's database (see --db)",
    )
    parser.add_argument(
        "--swipes", metavar="CAPTURE", help="a capture file of test swipes ('-' for stdin)"
    )
    parser.add_argument("--rules", metavar="FILE", help="the card rules file (TOML)")
    parser.add_argument(
        "--reader", metavar="NAME", help="the configured reader the swipes came from"
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument(
        "--limit",
        type=int,
        default=50,
        metavar="N",
        help="show at most N failing swipes in the readable report (default 50)",
    )
    parser.set_defaults(func=run_verify)


def run_verify(args: argparse.Namespace) -> int:
    # A run builds a few objects per swipe and frees them all when it ends, with no reference
    # cycles to collect: the cyclic collector would only rescan them (a third of the time
    # for 100,000 swipes). Reference counting still frees everything as usual, and everything
    # the run built is freed (when _verify_and_print returns) before the collector is back on.
    gc.disable()
    try:
        return _verify_and_print(args)
    finally:
        gc.enable()


def _verify_and_print(args: argparse.Namespace) -> int:
    # Imported here so that `kiosk --help` stays fast.
    from kiosk.cards.rules import load_rules
    from kiosk.verify.analysis import verify
    from kiosk.verify.render_json import render_json_chunks
    from kiosk.verify.render_text import render_text
    from kiosk.verify.roster_source import load_roster

    rules = load_rules(args.rules) if args.rules else None
    roster = load_roster(args.roster, args.db)
    swipes = read_capture(args.swipes) if args.swipes else None
    report = verify(roster, swipes, rules, reader=args.reader)
    if args.json:
        sys.stdout.writelines(render_json_chunks(report))
    else:
        sys.stdout.write(render_text(report, tty=sys.stdout.isatty(), limit=max(args.limit, 0)))
    return report.exit_status
