"""``kiosk events create|list|rename|delete|set-handshake-id|set``: the events students check in
to. ``set`` (and ``create``) choose an event's options: registered students only, check-out
after N minutes (kiosk.checkin.event_options)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kiosk.checkin.event_options import (
    describe_options,
    parse_checkout_minutes,
    set_event_options,
)
from kiosk.checkin.events import (
    EVENT_KINDS,
    create_event,
    delete_event,
    find_event,
    list_events,
    live_check_in_counts,
    rename_event,
)
from kiosk.checkin.events import set_handshake_id as store_handshake_id
from kiosk.db.session import open_database
from kiosk.nametags.labels import label_choices, parse_label_choice


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("events", help="create, list, rename and delete events")
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
    _option_arguments(create, on_create=True)
    create.set_defaults(func=_create)

    listing = actions.add_parser("list", help="list events with their ids and check-in counts")
    listing.set_defaults(func=_list)

    rename = actions.add_parser("rename", help="give an event another name")
    rename.add_argument("event", metavar="OLD", help="the event's id or name")
    rename.add_argument("new_name", metavar="NEW", help="its new name")
    rename.set_defaults(func=_rename)

    remove = actions.add_parser(
        "delete",
        help="delete an event (one with check-ins only with --force)",
        description="Delete an event. An event with check-ins is refused unless --force; then "
        "its check-ins are first written to an owner-only CSV (full format) and the path is "
        "printed, and only then deleted, all in one transaction.",
    )
    remove.add_argument("event", metavar="EVENT", help="the event's id or name")
    remove.add_argument(
        "--force", action="store_true", help="delete its check-ins too (exported to a file first)"
    )
    remove.add_argument(
        "--export-dir",
        type=Path,
        metavar="DIR",
        help="where --force writes the check-ins (default: the kiosk's data directory)",
    )
    remove.set_defaults(func=_delete)

    handshake = actions.add_parser(
        "set-handshake-id", help="set the Handshake id of an event (for the attendees export)"
    )
    handshake.add_argument("event", metavar="EVENT", help="the event's id or name")
    handshake.add_argument("handshake_id", metavar="N", help="the number from its Handshake URL")
    handshake.set_defaults(func=_set_handshake_id)

    options = actions.add_parser(
        "set",
        help="set an event's options: registered students only, check-out",
        description="Set an event's options. Options not given stay as they are.",
    )
    options.add_argument("event", metavar="EVENT", help="the event's id or name")
    _option_arguments(options, on_create=False)
    options.set_defaults(func=_set_options)


def _option_arguments(parser: argparse.ArgumentParser, *, on_create: bool) -> None:
    if on_create:
        parser.add_argument(
            "--registered-only",
            action="store_true",
            help="check in registered students only (walk-ins are sent to a staff member)",
        )
    else:
        parser.add_argument(
            "--registered-only",
            choices=("yes", "no"),
            help="yes: check in registered students only (walk-ins are sent to a staff member)",
        )
    parser.add_argument(
        "--checkout-after",
        metavar="MINUTES|off",
        help="a second swipe this many minutes after check-in checks the student out "
        "(appointment blocks, drop-in hours); off: no check-out",
    )
    parser.add_argument(
        "--nametags",
        metavar="LABEL|off",
        help="print a name tag at each check-in on this label: "
        f"{label_choices()}; off: no name tags (printer: nametag_printer in kiosk.toml)",
    )


def _create(args: argparse.Namespace) -> int:
    engine = open_database(args.db)
    checkout = parse_checkout_minutes(args.checkout_after) if args.checkout_after else None
    label = parse_label_choice(args.nametags) if args.nametags else None
    event = create_event(engine, args.name, args.date, args.kind, args.handshake_id)
    if args.registered_only or checkout is not None or label is not None:
        assert event.id is not None
        set_event_options(
            engine,
            event.id,
            registered_only=args.registered_only,
            checkout_after_minutes=checkout,
            nametag_label=label,
        )
    print(event.id)
    return 0


def _set_options(args: argparse.Namespace) -> int:
    engine = open_database(args.db)
    event = find_event(engine, args.event)
    assert event.id is not None
    changes: dict[str, Any] = {}
    if args.registered_only is not None:
        changes["registered_only"] = args.registered_only == "yes"
    if args.checkout_after is not None:
        changes["checkout_after_minutes"] = parse_checkout_minutes(args.checkout_after)
    if args.nametags is not None:
        changes["nametag_label"] = parse_label_choice(args.nametags)
    updated = set_event_options(engine, event.id, **changes)
    print(f"event {updated.id} ({updated.name}): {describe_options(updated)}")
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


def _rename(args: argparse.Namespace) -> int:
    event = rename_event(open_database(args.db), args.event, args.new_name)
    print(f"event {event.id} is now called {event.name!r}")
    return 0


def _delete(args: argparse.Namespace) -> int:
    deleted = delete_event(
        open_database(args.db), args.event, force=args.force, export_dir=args.export_dir
    )
    print(f"deleted event {deleted.id} ({deleted.name})")
    if deleted.export is not None:
        print(f"its {deleted.check_ins} check-in(s) were first saved to {deleted.export}")
    return 0
