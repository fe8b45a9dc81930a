"""``kiosk readers list|capture``: find card readers, and record real swipes to a capture file.

``list`` shows the input devices that look like card readers (keyboard-capable, with a USB
vendor ID) and the USB serial ports, each with the spec to put in kiosk.toml. ``capture``
writes each swipe as one capture line (``drivers.capture``) to standard output or appends it
to ``-o FILE`` (created private, mode 0600), for ``kiosk verify`` and ``kiosk rules suggest``.
Payment cards and encrypted reader output are never written: the command says so instead, and
at the end how many swipes were refused and why. The session itself is
``drivers.capture_session``; this module parses arguments and prints.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

from drivers import discover
from drivers.capture_session import capture_swipes
from drivers.readers import open_reader
from drivers.spec import parse_spec
from kiosk.cards.capture_policy import capture_refusal
from kiosk.errors import UsageError, UserError
from kiosk.paths import open_private


def register(subparsers: Any) -> None:
    parser = subparsers.add_parser("readers", help="list card readers; capture real swipes")
    actions = parser.add_subparsers(dest="readers_action", metavar="ACTION")
    actions.required = True
    listing = actions.add_parser("list", help="input devices and serial ports that may be readers")
    listing.set_defaults(func=_list)
    capture = actions.add_parser("capture", help="print or save swipes as capture lines")
    capture.add_argument(
        "--reader",
        metavar="SPEC",
        help="the reader (hid:…, serial:…, terminal, replay:FILE); default: the first reader "
        "in kiosk.toml, else the one card reader 'kiosk readers list' finds",
    )
    capture.add_argument(
        "--count", type=int, metavar="N", help="stop after N swipes (default: run until Ctrl-C)"
    )
    capture.add_argument(
        "--timeout", type=float, metavar="SECONDS", help="stop after this many seconds"
    )
    capture.add_argument(
        "-o", "--output", type=Path, metavar="FILE", help="append to FILE instead of printing"
    )
    capture.add_argument(
        "--allow-prefix",
        action="append",
        default=[],
        metavar="DIGITS",
        help="a campus card number prefix (IIN) that looks like a payment card but is not; "
        "adds to campus_prefixes of the rules file",
    )
    capture.set_defaults(func=_capture)


# --- list -------------------------------------------------------------------------------


def _vendor(vendor: int | None) -> str:
    if vendor is None:
        return ""
    return discover.KNOWN_READER_VENDORS.get(vendor, "")


def _list(args: argparse.Namespace) -> int:
    for line in list_lines():
        print(line)
    return 0


def list_lines() -> Iterator[str]:
    """The text of ``kiosk readers list``."""
    yield "Keyboard readers (evdev):"
    yield from _input_lines()
    yield ""
    yield "Serial ports:"
    yield from _serial_lines()
    yield ""
    yield "Any keyboard reader also works through the terminal itself: spec 'terminal'."


def _input_lines() -> Iterator[str]:
    sys_root, dev_root = discover.SYS_INPUT, discover.DEV_INPUT
    nodes = discover.list_input_nodes(sys_root, dev_root)
    if not dev_root.is_dir() or not nodes:
        yield (
            f"  none: {dev_root} holds no input devices here (no USB keyboard device is plugged "
            "in, or this container does not expose them); plug the reader in, then run this again."
        )
        return
    readers = [node for node in nodes if node.looks_like_reader]
    if not readers:
        yield "  none among the input devices (no keyboard-capable USB device is plugged in)."
        return
    denied = None
    for node in readers:
        brand = _vendor(node.vendor)
        access = "" if node.readable else "  [no permission]"
        yield f"  {node.name}  {node.vendor:04x}:{node.product:04x}{' ' + brand if brand else ''}"
        yield f"    {node.path}{access}"
        yield f"    spec: {node.spec}"
        if not node.readable:
            denied = denied or node.path
    if denied:
        yield ""
        yield "  " + discover.no_permission_message(denied, "(these)")


def _serial_lines() -> Iterator[str]:
    ports = discover.list_serial_ports()
    usb = [port for port in ports if port.vendor is not None]
    others = [port for port in ports if port.vendor is None]
    if not usb:
        yield "  no USB serial ports."
    for port in usb:
        brand = _vendor(port.vendor)
        ids = f"{port.vendor or 0:04x}:{port.product or 0:04x}"
        yield f"  {port.device}  {ids}{' ' + brand if brand else ''}  {port.description}"
        yield f"    spec: {port.spec}"
    if others:
        yield (
            f"  also {len(others)} built-in port(s) without a USB ID (e.g. {others[0].device}); "
            f"a reader on a real RS-232 port: serial:{others[0].device}"
        )


# --- capture ----------------------------------------------------------------------------


def _default_spec() -> str:
    from kiosk.config import load_config

    configured = load_config().reader_configs()
    if configured:
        return configured[0].spec
    known = [
        node
        for node in discover.list_input_nodes(discover.SYS_INPUT, discover.DEV_INPUT)
        if node.looks_like_reader and node.vendor in discover.KNOWN_READER_VENDORS
    ]
    if len(known) == 1:
        return known[0].spec
    raise UsageError(
        "Which reader? Give --reader SPEC; 'kiosk readers list' shows the readers this "
        "machine sees (or use --reader terminal to swipe into this terminal)."
    )


def _capture(args: argparse.Namespace) -> int:
    if args.count is not None and args.count < 1:
        raise UsageError("--count must be 1 or more.")
    if args.timeout is not None and args.timeout <= 0:
        raise UsageError("--timeout must be a positive number of seconds.")
    prefixes = _campus_prefixes(args.allow_prefix)
    spec = args.reader or _default_spec()
    terminal = parse_spec(spec).kind == "terminal"
    if terminal and not sys.stdin.isatty():
        raise UsageError("--reader terminal needs an interactive terminal to swipe into.")
    reader = open_reader(spec)
    refuse = functools.partial(capture_refusal, campus_prefixes=prefixes)
    with _output(args.output, spec) as out:
        tally = asyncio.run(
            capture_swipes(
                reader, out, sys.stderr, refuse,
                count=args.count, timeout=args.timeout, terminal=terminal,
            )
        )  # fmt: skip
    if tally.written == 0 and tally.refused:
        raise UserError(
            f"{tally.seen} swipe{'s' if tally.seen != 1 else ''} came from {reader.name} but "
            f"none was recorded. {tally.refused_reasons()}"
        )
    if tally.written == 0 and args.timeout is not None:
        raise UserError(
            f"No swipes within {args.timeout:g} seconds from {reader.name}; check that the reader "
            "shows as connected above and that 'kiosk readers list' finds it."
        )
    if tally.refused:
        print(
            f"Recorded {tally.written}; not recorded: {tally.refused_counts()}.",
            file=sys.stderr,
        )
    return 0


@contextlib.contextmanager
def _output(path: Path | None, spec: str) -> Iterator[TextIO]:
    if path is None:
        yield sys.stdout
        return
    try:
        opened = open_private(path, "a", newline="\n")  # owner-only, an older file too
    except OSError as error:
        raise UserError(
            f"Cannot write the capture file {path} ({error.strerror}); choose another -o path."
        ) from None
    with opened as handle:
        stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
        handle.write(f"# kiosk readers capture from {spec} at {stamp}\n")
        yield handle


def _campus_prefixes(extra: list[str]) -> tuple[str, ...]:
    """The rules file's campus prefixes (when there is one) plus ``--allow-prefix`` values."""
    from kiosk.cards.rules import load_rules
    from kiosk.config import default_rules_path

    for prefix in extra:
        if not prefix.isdigit():
            raise UsageError(
                f"--allow-prefix {prefix}: give the digits a campus number starts with."
            )
    path = default_rules_path()
    known = load_rules(path).campus_prefixes if path.exists() else ()
    return (*known, *extra)
