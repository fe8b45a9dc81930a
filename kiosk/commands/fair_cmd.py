"""``kiosk fair status``: whether a fair-mode kiosk's queue has drained (after the fair)."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from kiosk.config import load_config
from kiosk.errors import UserError
from kiosk.fair.replica import Replica
from kiosk.fair.start import default_replica_path


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("fair", help="fair mode: a kiosk's replica and queue")
    actions = parser.add_subparsers(dest="fair_action", metavar="ACTION")
    actions.required = True
    status = actions.add_parser(
        "status",
        help="check-ins still queued in this kiosk's replica, and its last refresh",
        description="Print how many check-ins this kiosk made offline that the shared "
        "database has not acknowledged yet (and undos made offline), and when the replica "
        "last copied the roster. "
        "Exit status 0 when nothing is queued, 1 when something is.",
    )
    status.add_argument(
        "--replica",
        type=Path,
        metavar="FILE",
        help="the replica file (default: the one of this kiosk's kiosk_id, in the data dir)",
    )
    status.add_argument(
        "--config", type=Path, metavar="FILE", help="settings file naming the kiosk_id"
    )
    status.set_defaults(func=_status)


def _status(args: argparse.Namespace) -> int:
    path = args.replica or default_replica_path(load_config(args.config).kiosk_id)
    if not path.is_file():
        raise UserError(
            f"There is no replica at {path}: this kiosk has not run in fair mode here; "
            "give its file with --replica."
        )
    replica = Replica(path)
    try:
        queued = replica.pending_count()
        undos = len(replica.pending_undos())
        refreshed = replica.refreshed_at()
    finally:
        replica.close()
    when = f"{refreshed:%Y-%m-%d %H:%M:%S} UTC" if refreshed is not None else "never"
    print(f"replica:        {path}")
    print(f"last refreshed: {when}")
    print(f"queued:         {queued}" + ("" if queued else " (every check-in was sent)"))
    if undos:
        print(f"queued undos:   {undos}")
    return 1 if queued or undos else 0
