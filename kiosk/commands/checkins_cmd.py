"""``kiosk checkins export|list|summary|add``: attendance out of the kiosk.

``export -o FILE --format handshake`` writes FILE for Handshake's attendees import and, when
there are walk-ins whose email is not a roster student's, ``FILE-walk-ins.csv`` beside it
(Handshake cannot import them; staff reconcile them). Files are written whole or not at all.
Both say how many check-ins were manual (username/email or walk-in: kiosk.checkin.manual).
``--include-no-shows`` adds the registrants who never came (registered TRUE, checked_in FALSE).
``summary`` prints attendance at a glance (kiosk.checkin.summary), or with ``--json`` the same
as one JSON object. ``add`` checks a roster student in by hand (method manual, who recorded).
"""

from __future__ import annotations

import argparse
import io
import json
import sys
from pathlib import Path
from typing import Any

from kiosk.checkin.events import find_event
from kiosk.checkin.export import EXPORT_FORMATS, export_checkins, export_to_file
from kiosk.checkin.manual import manual_summary
from kiosk.checkin.queries import live_count, manual_counts, recent_check_ins
from kiosk.checkin.summary import AttendanceSummary, attendance_summary
from kiosk.db.session import open_database


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("checkins", help="export or list an event's check-ins")
    actions = parser.add_subparsers(dest="checkins_action", metavar="ACTION")
    actions.required = True

    export = actions.add_parser(
        "export",
        help="write an event's attendance as CSV",
        description="Write an event's check-ins as CSV: 'handshake' for Handshake's attendees "
        "import (walk-ins not on the roster go to FILE-walk-ins.csv), 'full' for everything.",
    )
    export.add_argument("--event", required=True, metavar="ID|NAME", help="the event")
    export.add_argument(
        "--format", choices=EXPORT_FORMATS, default="handshake", help="default: handshake"
    )
    export.add_argument(
        "-o", "--output", metavar="FILE", type=Path, help="write to FILE instead of standard output"
    )
    export.add_argument(
        "--handshake-id",
        metavar="N",
        help="the Handshake event or fair-session id, if the event has none",
    )
    export.add_argument(
        "--include-no-shows",
        action="store_true",
        help="handshake format: also write registrants who never checked in "
        "(registered TRUE, checked_in FALSE)",
    )
    export.set_defaults(func=_export)

    summary = actions.add_parser(
        "summary",
        help="attendance at a glance: totals, registered/no-shows, per 15 minutes, by year...",
    )
    summary.add_argument("--event", required=True, metavar="ID|NAME", help="the event")
    summary.add_argument("--json", action="store_true", help="print one JSON object")
    summary.set_defaults(func=_summary)

    add = actions.add_parser(
        "add",
        help="check a roster student in by hand (method manual; who did it recorded)",
        description="Check a roster student in to an event by username or email, as staff do "
        "from a search result (`kiosk students search TEXT` finds the username): method "
        "'manual', and --by (default: your login name) recorded as who did it. A "
        "registered-only event lets them in: staff decided.",
    )
    add.add_argument("--event", required=True, metavar="ID|NAME", help="the event")
    add.add_argument("--student", required=True, metavar="LOGIN", help="username or email")
    add.add_argument("--by", metavar="NAME", help="who checks them in (default: $USER)")
    add.set_defaults(func=_add)

    listing = actions.add_parser("list", help="list an event's check-ins, newest first")
    listing.add_argument("--event", required=True, metavar="ID|NAME", help="the event")
    listing.add_argument("--limit", type=int, default=100, help="at most this many (default 100)")
    listing.add_argument("--include-undone", action="store_true", help="also list undone ones")
    listing.set_defaults(func=_list)


def _export(args: argparse.Namespace) -> int:
    engine = open_database(args.db)
    event = find_event(engine, args.event)
    assert event.id is not None
    if args.output is not None:
        summary = export_to_file(
            engine,
            event.id,
            args.format,
            args.output,
            handshake_id=args.handshake_id,
            include_no_shows=args.include_no_shows,
        )
        print(
            f"wrote {summary.rows} check-in(s) to {args.output} ({_manual_note(summary.manual)})",
            file=sys.stderr,
        )
        if summary.no_shows:
            print(
                f"with {summary.no_shows} no-show(s): registered, never checked in", file=sys.stderr
            )
        if summary.walk_ins_file is not None:
            print(
                f"wrote {summary.unmatched_walk_ins} walk-in(s) without a roster email to "
                f"{summary.walk_ins_file}",
                file=sys.stderr,
            )
        return 0
    out = io.StringIO(newline="")
    summary = export_checkins(
        engine,
        event.id,
        args.format,
        out,
        handshake_id=args.handshake_id,
        include_no_shows=args.include_no_shows,
    )
    sys.stdout.write(out.getvalue())
    if summary.manual:
        print(f"kiosk: {_manual_note(summary.manual)} in this export.", file=sys.stderr)
    if summary.unmatched_walk_ins:
        print(
            f"kiosk: {summary.unmatched_walk_ins} walk-in(s) without a roster email are not "
            "in this export; use -o FILE to also get FILE-walk-ins.csv.",
            file=sys.stderr,
        )
    return 0


def _manual_note(count: int) -> str:
    noun = "check-in" if count == 1 else "check-ins"
    return f"{count} manual {noun}: by username, email or walk-in"


def _add(args: argparse.Namespace) -> int:
    import getpass

    from kiosk.cards.rules import RuleSet
    from kiosk.checkin import CheckInService
    from kiosk.checkin.search import student_id_by_login
    from kiosk.errors import UserError

    engine = open_database(args.db)
    event = find_event(engine, args.event)
    assert event.id is not None
    student_id = student_id_by_login(engine, args.student)
    if student_id is None:
        raise UserError(
            f"No roster student has the username or email {args.student.strip()!r}; "
            "find them with `kiosk students search NAME`."
        )
    by = " ".join((args.by or getpass.getuser() or "staff").split())
    service = CheckInService(engine, event.id, RuleSet.empty(), kiosk_id="cli")
    outcome = service.check_in_student(student_id, f"{by} (kiosk checkins add)")
    print(f"{event.name}: {outcome.message}")
    if outcome.staff_note:
        print(outcome.staff_note)
    if outcome.accepted and event.nametag_label:
        print(f"Name tag: `kiosk nametags print --event {event.id} --student "
              f"{args.student.strip()}` prints it on kiosk.toml's printer.")
    return 0 if outcome.accepted else 1


def _list(args: argparse.Namespace) -> int:
    engine = open_database(args.db)
    event = find_event(engine, args.event)
    assert event.id is not None
    rows = recent_check_ins(engine, event.id, args.limit, include_undone=args.include_undone)
    if not rows:
        print(f"No check-ins yet for {event.name}.")
        return 0
    print(f"{'id':>6}  {'time':<16}  {'method':<7}  {'username':<16}  {'name':<28}  status")
    for row in rows:
        when = row.checked_in_at.astimezone().strftime("%Y-%m-%d %H:%M")
        status = f"undone by {row.undone_by}" if row.undone else (row.note or "")
        print(
            f"{row.id:>6}  {when:<16}  {row.method:<7}  {row.username or '(walk-in)':<16}  "
            f"{row.full_name:<28}  {status}"  # staff see the whole name
        )
    live = live_count(engine, event.id)
    print(f"{live} checked in; {manual_summary(manual_counts(engine, event.id))}.")
    return 0


def _summary(args: argparse.Namespace) -> int:
    engine = open_database(args.db)
    event = find_event(engine, args.event)
    assert event.id is not None
    summary = attendance_summary(engine, event.id)
    if args.json:
        print(json.dumps(summary.as_json(), indent=2, ensure_ascii=False))
    else:
        print(summary_text(summary))
    return 0


def summary_text(summary: AttendanceSummary) -> str:
    """The summary as the command prints it."""
    lines = [
        f"{summary.event_name}: {summary.total} checked in",
        f"  registered {summary.registered}: {summary.registered_in} came, "
        f"{summary.no_shows} no-show(s)",
        f"  walk-ins (not registered) {summary.walk_ins}; not on the roster "
        f"{summary.not_on_roster}; checked out {summary.checked_out}",
    ]
    if summary.per_quarter_hour:
        lines.append("Check-ins per 15 minutes")
        peak = max(count for _, count in summary.per_quarter_hour) or 1
        for start, count in summary.per_quarter_hour:
            bar = "#" * round(30 * count / peak)
            lines.append(f"  {start:%Y-%m-%d %H:%M}  {count:>5}  {bar}")
    for title, counts in (
        ("By school year", summary.by_school_year),
        ("By college", summary.by_college),
        ("By major", summary.by_major),
    ):
        if counts:
            lines.append(title)
            lines.extend(f"  {count:>5}  {name}" for name, count in counts)
    return "\n".join(lines)
