"""``kiosk nametags labels|render|print``: name tags by hand. ``render`` writes one student's
tag for an event as a PDF; ``print`` sends it to the printer of kiosk.toml (``nametag_printer``)
and waits for the answer, to try a printer before the event. At the kiosk, tags print by
themselves at each check-in for events with ``--nametags`` (kiosk events set)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from kiosk.checkin.events import find_event
from kiosk.config import load_config
from kiosk.db.models import Event
from kiosk.db.session import open_database
from kiosk.errors import UserError
from kiosk.nametags.labels import LABELS, LabelSize, label_size
from kiosk.nametags.printers import printer_from_setting
from kiosk.nametags.render import find_font, render_tag
from kiosk.nametags.tags import find_student, tag_for_student
from kiosk.paths import write_private_bytes

DEFAULT_LABEL = "30252"


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("nametags", help="render or print a student's name tag")
    actions = parser.add_subparsers(dest="nametags_action", metavar="ACTION")
    actions.required = True

    labels = actions.add_parser("labels", help="list the label sizes")
    labels.set_defaults(func=_labels)

    render = actions.add_parser("render", help="write a student's name tag for an event as a PDF")
    _tag_arguments(render)
    render.add_argument("-o", "--output", type=Path, required=True, metavar="FILE")
    render.set_defaults(func=_render)

    send = actions.add_parser(
        "print", help="print a student's name tag on the printer of kiosk.toml (a test print)"
    )
    _tag_arguments(send)
    send.add_argument(
        "--printer", metavar="NAME|dir:PATH", help="this printer instead of kiosk.toml's"
    )
    send.add_argument("--config", type=Path, metavar="FILE", help="settings file")
    send.set_defaults(func=_print)


def _tag_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--event", required=True, metavar="ID|NAME", help="the event")
    parser.add_argument(
        "--student", required=True, metavar="USERNAME", help="the student's username or email"
    )
    parser.add_argument(
        "--label",
        metavar="LABEL",
        help=f"the label size (default: the event's, else {DEFAULT_LABEL}); "
        "`kiosk nametags labels` lists them",
    )


def _labels(args: argparse.Namespace) -> int:
    for label in LABELS.values():
        print(f"{label.name:<10} {label.size_text:<18} {label.description}")
    return 0


def _tag_pdf(args: argparse.Namespace, font_path: Path | None = None) -> tuple[bytes, str]:
    engine = open_database(args.db)
    try:
        event = find_event(engine, args.event)
        student = find_student(engine, args.student)
    finally:
        engine.dispose()
    label = _label(args.label, event)
    tag = tag_for_student(student, event)
    return render_tag(tag, label, find_font(font_path)), student.username


def _label(chosen: str | None, event: Event) -> LabelSize:
    return label_size(chosen or event.nametag_label or DEFAULT_LABEL)


def _render(args: argparse.Namespace) -> int:
    pdf, _ = _tag_pdf(args)
    try:
        write_private_bytes(args.output, pdf)
    except OSError as error:
        raise UserError(
            f"Cannot write {args.output} ({error.strerror or type(error).__name__}); "
            "choose another file."
        ) from None
    print(f"wrote the name tag to {args.output}", file=sys.stderr)
    return 0


def _print(args: argparse.Namespace) -> int:
    config = load_config(args.config)
    setting = args.printer or config.nametag_printer
    if not setting:
        raise UserError(
            "No name tag printer: set nametag_printer in kiosk.toml (a CUPS printer's name "
            "or dir:PATH), or give --printer."
        )
    printer = printer_from_setting(setting, config.nametag_timeout_seconds)
    pdf, username = _tag_pdf(args, config.nametag_font)
    answer = printer.send(pdf, username)
    print(f"name tag sent to {printer.label}: {answer}")
    return 0
