"""``kiosk demo``: try the kiosk with sample data and a simulated reader, no hardware."""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path
from typing import Any


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser(
        "demo", help="try the kiosk: sample roster and event, keys 1-5 swipe sample cards"
    )
    parser.add_argument(
        "--dir",
        type=Path,
        metavar="DIR",
        help="keep the demo's database and rules in DIR (default: a temporary folder, "
        "removed on exit)",
    )
    parser.set_defaults(func=_demo)


def _demo(args: argparse.Namespace) -> int:
    from kiosk.demo import prepare_demo
    from kiosk.tui.app import make_app

    if args.dir is not None:
        args.dir.mkdir(parents=True, exist_ok=True)
        return _run_in(args.dir, prepare_demo, make_app)
    with tempfile.TemporaryDirectory(prefix="kiosk-demo-") as directory:
        return _run_in(Path(directory), prepare_demo, make_app)


def _run_in(directory: Path, prepare: Any, make_app: Any) -> int:
    setup = prepare(directory)
    try:
        make_app(setup).run()
    finally:
        setup.engine.dispose()
    return 0
