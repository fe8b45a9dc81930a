"""``kiosk parse``: what the card rules make of each swipe in a capture file, as JSON lines."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "parse",
        help="apply the card rules to captured swipes and print one JSON object per swipe",
        description=(
            "Print {line, status, card_id, rule, message} for every swipe of a capture file. "
            "A refused swipe's text never appears. Exit 0 once everything is printed; "
            "2 for an unreadable input or a broken rules file."
        ),
    )
    parser.add_argument(
        "--rules",
        metavar="FILE",
        type=Path,
        help="the card rules file (default: the one kiosk run uses: kiosk.toml's rules_file, "
        "else card-rules.toml in the config directory, if any)",
    )
    parser.add_argument(
        "--reader", metavar="NAME", help="the configured reader the swipes came from"
    )
    parser.add_argument(
        "capture", nargs="?", default="-", metavar="CAPTURE", help="capture file, or - for stdin"
    )
    parser.set_defaults(func=run_parse)


def resolve_rules(path: Path | None) -> Any:
    """The RuleSet from ``path``, else from the rules file kiosk run uses (kiosk.toml's
    ``rules_file``, else card-rules.toml in the config directory), else no rules."""
    from kiosk.cards.rules import RuleSet, load_rules
    from kiosk.commands.settings_file import rules_path

    found = rules_path(path)
    return load_rules(found) if found is not None else RuleSet.empty()


def run_parse(args: argparse.Namespace) -> int:
    from drivers.capture import read_capture
    from kiosk.cards.parse import parse_swipe

    rules = resolve_rules(args.rules)
    swipes = read_capture(args.capture)
    out = sys.stdout
    for swipe in swipes:
        result = parse_swipe(swipe.text, rules, args.reader)
        record = {
            "line": swipe.line,
            "status": result.status,
            "card_id": result.card_id,
            "rule": result.rule,
            "message": result.message,
        }
        out.write(json.dumps(record) + "\n")
    out.flush()
    return 0
