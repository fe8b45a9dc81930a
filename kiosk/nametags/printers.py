"""Where a name tag's PDF goes: a CUPS printer through ``lp -d PRINTER FILE``, or with
``dir:PATH`` a folder (one owner-only PDF per tag: for tests, and for printing later).

A printer that is missing, off or out of paper is a :class:`PrintFailed` with one sentence
for the staff screen; ``lp`` gets ``timeout`` seconds (a CUPS server that does not answer
would otherwise hold the print worker for ever). Nothing here runs on the kiosk's event loop:
kiosk.nametags.spool calls it from its own thread.
"""

from __future__ import annotations

import re
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Protocol

from kiosk.errors import UserError
from kiosk.paths import private_dir, write_private_bytes

DEFAULT_LP_TIMEOUT_S = 20.0
DIR_PREFIX = "dir:"


class PrintFailed(UserError):
    """The tag was not printed; the message says why and what to do."""


class Printer(Protocol):
    """Prints one tag's PDF (``name`` helps a folder name its file); raises PrintFailed."""

    @property
    def label(self) -> str: ...

    def send(self, pdf: bytes, name: str) -> str: ...


@dataclass(frozen=True)
class LpPrinter:
    """A CUPS printer, through ``lp -d PRINTER FILE``."""

    printer: str
    timeout: float = DEFAULT_LP_TIMEOUT_S

    @property
    def label(self) -> str:
        return f"printer {self.printer}"

    def send(self, pdf: bytes, name: str) -> str:
        """Queue the PDF on the printer; what ``lp`` answered (its request id)."""
        with tempfile.TemporaryDirectory(prefix="kiosk-tag-") as folder:
            path = Path(folder) / f"{_safe(name)}.pdf"
            write_private_bytes(path, pdf)
            try:
                done = subprocess.run(
                    ["lp", "-d", self.printer, str(path)],
                    capture_output=True,
                    text=True,
                    timeout=self.timeout,
                    stdin=subprocess.DEVNULL,
                    check=False,
                )
            except FileNotFoundError:
                raise PrintFailed(
                    "lp is not installed, so name tags cannot be printed: install CUPS "
                    "(apt install cups-client) or set nametag_printer to dir:PATH."
                ) from None
            except subprocess.TimeoutExpired:
                raise PrintFailed(
                    f"{self.label} did not answer within {self.timeout:g} s: check that it "
                    "is on and connected (lpstat -p)."
                ) from None
        if done.returncode != 0:
            said = _last_line(done.stderr) or _last_line(done.stdout) or f"exit {done.returncode}"
            raise PrintFailed(f"{self.label} refused the tag ({said}): check it (lpstat -p).")
        return _last_line(done.stdout) or "sent"


@dataclass(frozen=True)
class DirPrinter:
    """Writes each tag as a PDF into ``folder`` (created owner-only when missing)."""

    folder: Path

    @property
    def label(self) -> str:
        return f"folder {self.folder}"

    def send(self, pdf: bytes, name: str) -> str:
        try:
            private_dir(self.folder)
            stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
            for number in range(1, 1000):
                suffix = "" if number == 1 else f"-{number}"
                path = self.folder / f"{stamp}-{_safe(name)}{suffix}.pdf"
                try:
                    write_private_bytes(path, pdf, mode="x")
                    return str(path)
                except FileExistsError:
                    continue
        except OSError as error:
            raise PrintFailed(
                f"The name tag could not be written to {self.folder} "
                f"({error.strerror or type(error).__name__}): check the folder."
            ) from None
        raise PrintFailed(f"{self.folder} already holds 999 tags named {name!r} this second.")


def printer_from_setting(setting: str, timeout: float = DEFAULT_LP_TIMEOUT_S) -> Printer:
    """``dir:PATH`` is a folder; anything else is a CUPS printer's name."""
    text = setting.strip()
    if text.startswith(DIR_PREFIX):
        folder = text[len(DIR_PREFIX) :].strip()
        if not folder:
            raise UserError("nametag_printer dir: needs a folder, e.g. dir:/var/lib/kiosk/tags.")
        return DirPrinter(Path(folder).expanduser())
    if not text or any(char.isspace() for char in text):
        raise UserError(
            f"nametag_printer {setting!r} is not a printer name: give the CUPS queue's name "
            "(lpstat -p lists them) or dir:PATH."
        )
    return LpPrinter(text, timeout)


def _safe(name: str) -> str:
    """A file name part: letters, digits, dots, dashes (no path, no spaces)."""
    return re.sub(r"[^\w.-]+", "-", name, flags=re.ASCII).strip("-.") or "tag"


def _last_line(text: str | None) -> str:
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    return lines[-1][:200] if lines else ""
