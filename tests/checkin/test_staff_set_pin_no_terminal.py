"""``kiosk staff set-pin`` without a terminal or on Ctrl-D: one sentence, no traceback.

Runs the real command in a subprocess: once in a new session with stdin closed (no terminal
at all, as under cron or a pipe), once on a real pty that is its controlling terminal, where
Ctrl-D ends the input at the PIN prompt.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.checkin.staff import has_pin
from kiosk.db.session import open_database
from tests.ptyrun import PtyProcess


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["KIOSK_DB"] = f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    env["CONFIGURATION_DIRECTORY"] = str(tmp_path / "etc")
    env["STATE_DIRECTORY"] = str(tmp_path / "state")
    return env


def _no_pin_stored(tmp_path: Path) -> bool:
    engine = open_database(f"sqlite:///{tmp_path / 'kiosk.sqlite3'}")
    try:
        return not has_pin(engine)
    finally:
        engine.dispose()


@pytest.mark.parametrize("action", ["set-pin", "set-card"])
def test_no_terminal_is_one_sentence(tmp_path: Path, action: str) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kiosk", "staff", action],
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        start_new_session=True,  # no controlling terminal: /dev/tty cannot be opened
        timeout=60,
    )
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    assert result.stderr.startswith("kiosk: There is no terminal to type in here;")
    assert result.stderr.count("\n") == 1
    instead = "--pin-stdin" if action == "set-pin" else "--card-stdin"
    assert instead in result.stderr


@pytest.mark.parametrize("typed_first", [b"", b"13579\r"])
def test_ctrl_d_at_a_prompt_is_one_sentence(tmp_path: Path, typed_first: bytes) -> None:
    command = [sys.executable, "-m", "kiosk", "staff", "set-pin"]
    with PtyProcess(command, env=_env(tmp_path), read_seconds=30.0) as terminal:
        assert b"New staff PIN:" in terminal.read_until(b"New staff PIN:")
        if typed_first:
            terminal.type(typed_first)
            assert b"The same PIN again:" in terminal.read_until(b"The same PIN again:")
        terminal.type(b"\x04")  # Ctrl-D
        rest = terminal.read_until(b"--pin-stdin.")
        assert terminal.wait(timeout=30) == 1
    text = rest.decode(errors="replace")
    assert "Traceback" not in text
    assert "kiosk: Nothing was typed (the input ended); run `kiosk staff set-pin`" in text
    assert _no_pin_stored(tmp_path)
