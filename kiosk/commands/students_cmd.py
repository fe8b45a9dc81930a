"""``kiosk students search TEXT``: find a student by name, username or email (staff only: it
shows full names and emails). Forgiving of accents, case, word order and small typos
(kiosk.checkin.search); archived students are listed last, marked."""

from __future__ import annotations

import argparse
import json
from typing import Any

from kiosk.checkin.events import find_event
from kiosk.checkin.search import DEFAULT_LIMIT, SearchHit, live_check_in_times, load_index
from kiosk.db.session import open_database


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("students", help="find a student by name, username or email")
    actions = parser.add_subparsers(dest="students_action", metavar="ACTION")
    actions.required = True
    search = actions.add_parser(
        "search",
        help="find students by name, username or email",
        description="Find students by name (accents, case, word order and small typos do not "
        "matter; preferred names count), username or email. Shows full names: staff only. "
        "Archived students are listed last, marked.",
    )
    search.add_argument("text", metavar="TEXT", help='e.g. "zoe nunez", a username or an email')
    search.add_argument(
        "--limit",
        type=int,
        default=DEFAULT_LIMIT,
        help=f"at most this many (default {DEFAULT_LIMIT})",
    )
    search.add_argument(
        "--event", metavar="ID|NAME", help="also say whether each checked in to this event"
    )
    search.add_argument("--json", action="store_true", help="one JSON array, for scripts")
    search.set_defaults(func=_search)


def _search(args: argparse.Namespace) -> int:
    engine = open_database(args.db)
    hits = load_index(engine).search(args.text, max(1, args.limit))
    times: dict[int, Any] = {}
    if args.event is not None:
        event = find_event(engine, args.event)
        assert event.id is not None
        times = live_check_in_times(engine, event.id, [hit.student.id for hit in hits])
    if args.json:
        print(json.dumps([_as_json(hit, times.get(hit.student.id)) for hit in hits], indent=2))
        return 0 if hits else 1
    if not hits:
        print(f"No student matches {args.text!r}.")
        return 1
    for hit in hits:
        student = hit.student
        about = " · ".join(part for part in (student.school_year, student.major) if part)
        line = f"{hit.score:5.0f}  {student.full_name}  {student.username}  {student.email}"
        if about:
            line += f"  ({about})"
        if student.archived:
            line += "  [archived]"
        if args.event is not None:
            at = times.get(student.id)
            line += f"  checked in {at.astimezone():%H:%M}" if at else "  not checked in"
        print(line)
    return 0


def _as_json(hit: SearchHit, checked_in_at: Any) -> dict[str, Any]:
    student = hit.student
    return {
        "score": round(hit.score, 1),
        "matched_by": hit.matched_by,
        "id": student.id,
        "full_name": student.full_name,
        "username": student.username,
        "email": student.email,
        "school_year": student.school_year,
        "major": student.major,
        "archived": student.archived,
        "checked_in_at": checked_in_at.isoformat() if checked_in_at else None,
    }
