"""``kiosk rules suggest|check``: learn a rule from example swipes; validate a rules file."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kiosk.errors import UsageError

if TYPE_CHECKING:
    from kiosk.cards.rules import Rule


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("rules", help="suggest or check card rules")
    actions = parser.add_subparsers(dest="rules_action", metavar="ACTION")
    actions.required = True

    suggest = actions.add_parser(
        "suggest",
        help="infer a rule from example swipes and their card_ids",
        description=(
            "Read a CSV with columns swipe (capture-line form) and card_id, and print one "
            "ready TOML rule that extracts every card_id from its swipe and from other cards "
            "of the same layout. Exit 0 when it explains every pair; 1 (naming the pairs that "
            "disagree, and why) otherwise, or when the pairs fit two readings that differ on "
            "other cards (the rule is printed, with the question and the one swipe that would "
            "settle it); 2 for an unreadable file."
        ),
    )
    suggest.add_argument("pairs", metavar="PAIRS.csv", type=Path)
    suggest.add_argument("--name", default="suggested", help="the rule's name (default: suggested)")
    suggest.set_defaults(func=run_suggest)

    check = actions.add_parser(
        "check",
        help="validate a rules file and show the rules as the kiosk understands them",
        description=(
            "Load a rules file as the kiosk would and list its rules in the order they are "
            "tried. Exit 0 when it loads; 2 (saying which rule and key, and what to write "
            "instead) when it cannot be used."
        ),
    )
    check.add_argument(
        "file",
        metavar="FILE",
        type=Path,
        nargs="?",
        help="the rules file (default: the one kiosk run uses: kiosk.toml's rules_file, else "
        "card-rules.toml in the config directory)",
    )
    check.add_argument(
        "--rules",
        metavar="FILE",
        type=Path,
        help="the rules file, as for the other commands (the same as giving FILE)",
    )
    check.set_defaults(func=run_check)


def run_suggest(args: argparse.Namespace) -> int:
    from kiosk.cards.pairs import read_pairs
    from kiosk.cards.suggest import suggest_rule

    pairs = read_pairs(args.pairs)
    suggestion = suggest_rule([(pair.swipe, pair.card_id) for pair in pairs], name=args.name)
    if suggestion.toml:
        sys.stdout.write(suggestion.toml)
        sys.stdout.flush()
    for disagreement in suggestion.disagreements:
        pair = pairs[disagreement.pair - 1]
        print(
            f"kiosk: pair {disagreement.pair} (line {pair.line} of {args.pairs}, "
            f"card_id {pair.card_id!r}) disagrees: {disagreement.reason}.",
            file=sys.stderr,
        )
    if not suggestion.ok and suggestion.rule is None:
        print("kiosk: no single rule explains these pairs.", file=sys.stderr)
    if suggestion.question:
        print(f"kiosk: {suggestion.question}", file=sys.stderr)
    return 0 if suggestion.ok and not suggestion.question else 1


def run_check(args: argparse.Namespace) -> int:
    from kiosk.cards.rules import load_rules
    from kiosk.commands.settings_file import rules_path
    from kiosk.paths import default_rules_path

    if args.file is not None and args.rules is not None and args.file != args.rules:
        raise UsageError("Give the rules file once: either FILE or --rules FILE.")
    # none given: the file kiosk run would use (kiosk.toml's rules_file, as kiosk init wrote it)
    path = rules_path(args.file or args.rules)
    if path is None:
        raise UsageError(
            f"There is no rules file at {default_rules_path()}; give one: "
            "kiosk rules check card-rules.toml"
        )
    ruleset = load_rules(path)
    print(f"{path}: {len(ruleset.rules)} rule(s), tried in this order")
    if ruleset.campus_prefixes:
        prefixes = ", ".join(ruleset.campus_prefixes)
        print(f"campus prefixes (not refused as payment cards): {prefixes}")
    else:
        print("campus prefixes: none (every Luhn-valid card number in a track layout is refused)")
    for number, rule in enumerate(ruleset.rules, start=1):
        state = "" if rule.enabled else "  (disabled)"
        print(f"{number}. {rule.name}{state}")
        if rule.description:
            print(f"   {rule.description}")
        print(f"   pattern:    {rule.pattern}")
        where = (
            "the whole swipe"
            if not rule.track
            else "track " + ", then track ".join(str(track) for track in rule.track)
        )
        print(f"   searches:   {where}")
        print(f"   card_id:    {_group_description(rule)}")
        if rule.transforms:
            print(f"   transforms: {' -> '.join(rule.transforms)}")
        print(f"   readers:    {rule.reader if rule.reader else 'any'}")
    return 0


def _group_description(rule: Rule) -> str:
    if "card_id" in rule.regex.groupindex:
        return "the group named card_id"
    return "capture group 1" if rule.card_id_group == 1 else "the whole match"
