"""Where is a reader, and may the kiosk open it? Answered without opening or grabbing it.

Used by ``kiosk doctor`` before an event, while another kiosk process may hold the device.
"""

from __future__ import annotations

import os
from pathlib import Path

from drivers.base import ReaderStatus
from drivers.discover import list_input_nodes, no_permission_message
from drivers.hid import selector_from_spec
from drivers.reconnecting import DeviceMissing
from drivers.serialport import find_port
from drivers.spec import ReaderSpec, parse_spec


def probe_reader(spec_text: str, name: str) -> ReaderStatus:
    """The state a reader would start in: connected, missing or no_permission.

    A malformed spec raises UsageError, as ``open_reader`` does.
    """
    spec = parse_spec(spec_text)
    if spec.kind == "hid":
        return _probe_hid(spec, name)
    if spec.kind == "serial":
        if spec.target and "://" in spec.target:
            return ReaderStatus(name, "connected", f"pyserial URL {spec.target}.")
        try:
            location = spec.target or find_port(spec)
        except DeviceMissing:
            return ReaderStatus(
                name, "missing", f"No serial port matches {spec.text}; plug the reader in."
            )
        return _probe_path(name, location, os.R_OK | os.W_OK)
    if spec.kind == "replay":
        path = Path(spec.target).expanduser()
        if path.is_file():
            return ReaderStatus(name, "connected", f"replays {path}.")
        return ReaderStatus(name, "missing", f"The capture file {path} does not exist.")
    return ReaderStatus(name, "connected", f"{spec.kind} reader.")


def _probe_hid(spec: ReaderSpec, name: str) -> ReaderStatus:
    selector = selector_from_spec(spec)
    if selector.path is not None:
        return _probe_path(name, selector.path, os.R_OK)
    for node in list_input_nodes():
        if selector.matches(node):
            return _probe_path(name, node.path, os.R_OK)
    return ReaderStatus(
        name,
        "missing",
        f"No input device is {selector.describe()}; plug the reader in "
        "(`kiosk readers list` shows what is there).",
    )


def _probe_path(name: str, path: str, access: int) -> ReaderStatus:
    if not os.path.exists(path):
        return ReaderStatus(name, "missing", f"{path} does not exist; plug the reader in.")
    if not os.access(path, access):
        return ReaderStatus(name, "no_permission", no_permission_message(path, name))
    return ReaderStatus(name, "connected", f"{path} is there and the kiosk may open it.")
