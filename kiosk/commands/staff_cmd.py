"""``kiosk staff set-pin|set-card``: the secrets that open staff mode (stored hashed)."""

from __future__ import annotations

import argparse
import getpass
import sys
import warnings
from pathlib import Path
from typing import Any

from kiosk.cards.rules import RuleSet, load_rules
from kiosk.checkin.staff import set_pin, set_staff_card, set_staff_card_from_swipe, validate_pin
from kiosk.db.session import open_database
from kiosk.errors import UserError


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("staff", help="set the staff PIN or staff card")
    actions = parser.add_subparsers(dest="staff_action", metavar="ACTION")
    actions.required = True

    pin = actions.add_parser(
        "set-pin",
        help="set the staff PIN (4 to 12 digits)",
        description="Set the PIN that opens staff mode. It is asked twice and never shown; "
        "it is stored only as a salted scrypt hash.",
    )
    pin.add_argument(
        "--pin-stdin",
        action="store_true",
        help="read the PIN from the first line of standard input (for scripts)",
    )
    pin.set_defaults(func=_set_pin)

    card = actions.add_parser(
        "set-card",
        help="set the staff card that opens staff mode",
        description="Swipe the staff card (input hidden) or give its id; it is stored only as "
        "a salted scrypt hash. With --rules the card_id the rules extract is stored.",
    )
    card.add_argument(
        "--rules",
        metavar="FILE",
        type=Path,
        help="the kiosk's card rules file (use the same one the kiosk runs with)",
    )
    source = card.add_mutually_exclusive_group()
    source.add_argument(
        "--card-stdin", action="store_true", help="read the swipe from standard input (for scripts)"
    )
    source.add_argument("--card-id", metavar="ID", help="the staff card's card_id, typed")
    card.set_defaults(func=_set_card)


def _ask_hidden(prompt: str, instead: str) -> str:
    """What the person types at ``prompt`` (not shown); one sentence when nobody can type."""
    with warnings.catch_warnings():
        # getpass warns, then reads stdin with echo, when there is no terminal: refuse instead
        warnings.simplefilter("error", getpass.GetPassWarning)
        try:
            return getpass.getpass(prompt)
        except getpass.GetPassWarning:
            raise UserError(f"There is no terminal to type in here; {instead}") from None
        except EOFError:
            raise UserError(f"Nothing was typed (the input ended); {instead}") from None


_PIN_INSTEAD = (
    "run `kiosk staff set-pin` in a terminal, or give the PIN on standard input with --pin-stdin."
)
_CARD_INSTEAD = (
    "run `kiosk staff set-card` in a terminal, or use --card-stdin or --card-id."
)


def _read_pin(args: argparse.Namespace) -> str:
    if args.pin_stdin:
        return validate_pin(sys.stdin.readline().strip())
    first = validate_pin(_ask_hidden("New staff PIN: ", _PIN_INSTEAD))
    if _ask_hidden("The same PIN again: ", _PIN_INSTEAD) != first:
        raise UserError("The two PINs differ; run `kiosk staff set-pin` again.")
    return first


def _set_pin(args: argparse.Namespace) -> int:
    pin = _read_pin(args)
    set_pin(open_database(args.db), pin)
    print("Staff PIN set.")
    return 0


def _set_card(args: argparse.Namespace) -> int:
    engine = open_database(args.db)
    if args.card_id is not None:
        set_staff_card(engine, args.card_id)
    else:
        rules = load_rules(args.rules) if args.rules else RuleSet.empty()
        if args.card_stdin:
            text = sys.stdin.read().rstrip("\r\n")
        else:
            text = _ask_hidden("Swipe the staff card now (nothing is shown): ", _CARD_INSTEAD)
        set_staff_card_from_swipe(engine, text, rules)
    print("Staff card set.")
    return 0
