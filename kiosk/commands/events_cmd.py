"""``kiosk events create|list|set-handshake-id``: the events students check in to."""

from __future__ import annotations

import argparse
from typing import Any

from kiosk.db.session import open_database
from kiosk.events import EVENT_KINDS, create_event, find_event, list_events, live_check_in_counts
from kiosk.events import set_handshake_id as store_handshake_id


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("events", help="create and list events")
    actions = parser.add_subparsers(dest="events_action", metavar="ACTION")
    actions.required = True

    create = actions.add_parser(
        "create",
        help="create an event and print its id",
        description="Create an event "
        "(or career fair session, or appointment block) and print its id.",
    )
    create.add_argument("name", metavar="NAME", help='the event\'s name, e.g. "Fall Career Fair"')
    create.add_argument("--date", metavar="YYYY-MM-DD", help="the day it takes place")
    create.add_argument("--kind", choices=EVENT_KINDS, default="event", help="default: event")
    create.add_argument(
        "--handshake-id",
        metavar="N",
        help="the Handshake event or fair-session id (from its URL), for the attendees export",
    )
    create.set_defaults(func=_create)

    listing = actions.add_parser("list", help="list events with their ids and check-in counts")
    listing.set_defaults(func=_list)

    handshake = actions.add_parser(
        "set-handshake-id", help="set the Handshake id of an event (for the attendees export)"
    )
    handshake.add_argument("event", metavar="EVENT", help="the event's id or name")
    handshake.add_argument("handshake_id", metavar="N", help="the number from its Handshake URL")
    handshake.set_defaults(func=_set_handshake_id)


def _create(args: argparse.Namespace) -> int:
    engine = open_database(args.db)
    event = create_event(engine, args.name, args.date, args.kind, args.handshake_id)
    print(event.id)
    return 0


def _list(args: argparse.Namespace) -> int:
    engine = open_database(args.db)
    events = list_events(engine)
    if not events:
        print("No events yet; create one with `kiosk events create NAME`.")
        return 0
    counts = live_check_in_counts(engine)
    print(f"{'id':>5}  {'date':<10}  {'kind':<11}  {'handshake':<9}  {'checked in':>10}  name")
    for event in events:
        assert event.id is not None
        print(
            f"{event.id:>5}  {event.date or '-':<10}  {event.kind:<11}  "
            f"{event.handshake_id or '-':<9}  {counts.get(event.id, 0):>10}  {event.name}"
        )
    return 0


def _set_handshake_id(args: argparse.Namespace) -> int:
    engine = open_database(args.db)
    event = find_event(engine, args.event)
    assert event.id is not None
    updated = store_handshake_id(engine, event.id, args.handshake_id)
    print(f"event {updated.id} ({updated.name}): Handshake id {updated.handshake_id}")
    return 0
