"""Running the kiosk full screen: drawn on the terminal whatever standard error is, and no
log line painted over it.

Textual draws on standard error. Under systemd (docs/deploy.md) standard input and output
are tty1 while standard error is the journal, so the kiosk draws on standard output whenever
that is the terminal and standard error is not. Log records go to a file meanwhile
(:func:`kiosk.logs.logs_to_file`).
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from textual.app import App
from textual.drivers.linux_driver import LinuxDriver

from kiosk.logs import logs_to_file


class StdoutLinuxDriver(LinuxDriver):
    """Textual's Linux driver, drawing on standard output instead of standard error."""

    def __init__(
        self,
        app: App[Any],
        *,
        debug: bool = False,
        mouse: bool = True,
        size: tuple[int, int] | None = None,
    ) -> None:
        super().__init__(app, debug=debug, mouse=mouse, size=size)
        self._file = sys.__stdout__


def _is_terminal(stream: Any) -> bool:
    try:
        return stream is not None and bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def run_full_screen(app: App[Any], log_file: Path) -> None:
    """Run ``app`` on the terminal, logging to ``log_file`` until it exits."""
    if (
        app.driver_class is LinuxDriver
        and _is_terminal(sys.__stdout__)
        and not _is_terminal(sys.__stderr__)
    ):
        app.driver_class = StdoutLinuxDriver
    with logs_to_file(log_file):
        app.run()
