"""Is the name tag printer ready? ``kiosk doctor``'s check (nothing is printed).

A CUPS printer is asked about with ``lpstat -p NAME`` (known to CUPS, not disabled) and ``lp``
must be installed; a ``dir:PATH`` folder must be writable (or creatable). A printer that fails
here would never block a check-in (kiosk.nametags.spool), but staff would learn of it only at
the first tag: the doctor says it before the event.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Literal

from kiosk.errors import UserError
from kiosk.nametags.printers import DirPrinter, LpPrinter, printer_from_setting

Verdict = Literal["ok", "warn", "fail"]
NO_PRINTER = (
    "set nametag_printer in kiosk.toml (a CUPS printer, `lpstat -p` lists them, or dir:PATH), "
    "or turn the event's tags off with `kiosk events set EVENT --nametags off`."
)


def printer_check(setting: str | None, label: str | None, timeout: float) -> tuple[Verdict, str]:
    """(verdict, one sentence) for the printer ``setting`` (kiosk.toml's nametag_printer)
    and the event's label (None: the event prints no tags)."""
    if setting is None:
        if label is None:
            return "ok", "Name tags are off for this event (no printer set)."
        return "fail", f"The event prints name tags on {label} but no printer is set: {NO_PRINTER}"
    try:
        printer = printer_from_setting(setting, timeout)
    except UserError as error:
        return "fail", str(error)
    verdict, detail = (
        _folder_check(printer.folder)
        if isinstance(printer, DirPrinter)
        else _cups_check(printer)
        if isinstance(printer, LpPrinter)
        else ("ok", f"Name tags go to {printer.label}.")
    )
    if verdict == "ok" and label is None:
        detail += " This event prints no tags (`kiosk events set EVENT --nametags LABEL`)."
    elif verdict == "ok":
        detail += f" This event's tags print on {label}."
    return verdict, detail


def _folder_check(folder: Path) -> tuple[Verdict, str]:
    if folder.is_dir():
        if os.access(folder, os.W_OK | os.X_OK):
            return "ok", f"Name tags are written to the folder {folder}."
        return "fail", f"The name tag folder {folder} is not writable: fix its permissions."
    if folder.exists():
        return "fail", f"The name tag folder {folder} is not a folder: give another dir:PATH."
    parent = next((p for p in folder.parents if p.exists()), None)
    if parent is not None and parent.is_dir() and os.access(parent, os.W_OK | os.X_OK):
        return "ok", f"Name tags are written to the folder {folder} (made at the first tag)."
    return "fail", f"The name tag folder {folder} cannot be made: create it or choose another."


def _cups_check(printer: LpPrinter) -> tuple[Verdict, str]:
    if shutil.which("lp") is None:
        return "fail", (
            "lp is not installed, so name tags cannot be printed: install CUPS "
            "(apt install cups-client) or set nametag_printer to dir:PATH."
        )
    try:
        done = subprocess.run(
            ["lpstat", "-p", printer.printer],
            capture_output=True,
            text=True,
            timeout=printer.timeout,
            stdin=subprocess.DEVNULL,
            check=False,
        )
    except FileNotFoundError:
        return "warn", (
            f"lpstat is not installed, so {printer.label} could not be asked about: "
            "install cups-client to check it."
        )
    except subprocess.TimeoutExpired:
        return "fail", f"CUPS did not answer about {printer.label} within {printer.timeout:g} s."
    said = " ".join((done.stdout or done.stderr or "").split())[:200]
    if done.returncode != 0:
        return "fail", (
            f"CUPS does not know {printer.label} ({said or f'exit {done.returncode}'}): "
            "`lpstat -p` lists the printers; set nametag_printer to one of them."
        )
    if "disabled" in said.lower():
        return "fail", (
            f"{printer.label} is disabled ({said}): check its paper and power, then "
            f"`cupsenable {printer.printer}`."
        )
    return "ok", f"{printer.label.capitalize()} is ready ({said or 'lpstat: ok'})."
