"""``kiosk registrations import|list``: who registered for an event (Handshake's export).

``import --event EVENT FILE`` reads the CSV Handshake exports for an event's attendees or
registrations (its email column found by name) and prints what it did: registrants matched
to the roster, not in the roster, duplicate rows. All or nothing.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kiosk.checkin.events import find_event
from kiosk.checkin.registration_import import import_registrations
from kiosk.checkin.registrations import registrations_of
from kiosk.db.session import open_database


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "registrations", help="import or list an event's registrants (Handshake's CSV)"
    )
    actions = parser.add_subparsers(dest="registrations_action", metavar="ACTION")
    actions.required = True

    importing = actions.add_parser(
        "import",
        help="import the CSV Handshake exports for an event's attendees or registrations",
        description="Import an event's registrants from the CSV Handshake exports for its "
        "attendees or registrations. The email column is found by its name (Email, Email "
        "Address, Attendee Email...); each email is matched to the roster. Importing again "
        "adds new registrants and keeps the others.",
    )
    importing.add_argument("--event", required=True, metavar="ID|NAME", help="the event")
    importing.add_argument("file", metavar="FILE", type=Path, help="the CSV file")
    importing.set_defaults(func=_import)

    listing = actions.add_parser("list", help="list an event's registrants")
    listing.add_argument("--event", required=True, metavar="ID|NAME", help="the event")
    listing.set_defaults(func=_list)


def _import(args: argparse.Namespace) -> int:
    engine = open_database(args.db)
    event = find_event(engine, args.event)
    assert event.id is not None
    report = import_registrations(engine, event.id, args.file)
    print(f"{event.name}: {report.summary()}")
    return 0


def _list(args: argparse.Namespace) -> int:
    engine = open_database(args.db)
    event = find_event(engine, args.event)
    assert event.id is not None
    registrations = registrations_of(engine, event.id)
    if not registrations:
        print(
            f"No registrants for {event.name}; import them with "
            f"`kiosk registrations import --event {event.id} FILE`."
        )
        return 0
    for registration in registrations:
        roster = "" if registration.student_id is not None else "  (not in the roster)"
        print(f"{registration.email_address}{roster}")
    matched = sum(1 for r in registrations if r.student_id is not None)
    print(f"{len(registrations)} registrant(s), {matched} in the roster.")
    return 0
