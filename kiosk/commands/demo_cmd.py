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
    from kiosk.paths import private_dir
    from kiosk.tui.app import make_app

    if args.dir is not None:
        return _run_in(private_dir(args.dir), prepare_demo, make_app)
    with tempfile.TemporaryDirectory(prefix="kiosk-demo-") as directory:
        return _run_in(Path(directory), prepare_demo, make_app)


def _run_in(directory: Path, prepare: Any, make_app: Any) -> int:
    from kiosk.logs import LOG_FILE_NAME
    from kiosk.tui.terminal import run_full_screen

    setup = prepare(directory)
    try:
        run_full_screen(make_app(setup), directory / LOG_FILE_NAME)
    finally:
        setup.desk.engine.dispose()
    return 0
