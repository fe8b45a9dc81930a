"""``kiosk staff set-pin`` without a terminal or on Ctrl-D: one sentence, no traceback.

Runs the real command in a subprocess: once in a new session with stdin closed (no terminal
at all, as under cron or a pipe), once on a real pty that is its controlling terminal, where
Ctrl-D ends the input at the PIN prompt.
"""

from __future__ import annotations

import fcntl
import os
import select
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from kiosk.checkin.staff import has_pin
from kiosk.db.session import open_database


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


def _read_until(leader: int, marker: bytes, seconds: float = 30.0) -> bytes:
    seen = b""
    deadline = time.monotonic() + seconds
    while marker not in seen and time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            seen += chunk
    return seen


def _take_terminal() -> None:  # in the child: a new session whose controlling terminal is fd 0
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


@pytest.mark.parametrize("typed_first", [b"", b"13579\r"])
def test_ctrl_d_at_a_prompt_is_one_sentence(tmp_path: Path, typed_first: bytes) -> None:
    leader, follower = os.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "staff", "set-pin"],
        stdin=follower,
        stdout=follower,
        stderr=follower,
        env=_env(tmp_path),
        preexec_fn=_take_terminal,
    )
    os.close(follower)
    try:
        assert b"New staff PIN:" in _read_until(leader, b"New staff PIN:")
        if typed_first:
            os.write(leader, typed_first)
            assert b"The same PIN again:" in _read_until(leader, b"The same PIN again:")
        os.write(leader, b"\x04")  # Ctrl-D
        rest = _read_until(leader, b"--pin-stdin.")
        assert process.wait(timeout=30) == 1
    finally:
        if process.poll() is None:
            process.kill()
        os.close(leader)
    text = rest.decode(errors="replace")
    assert "Traceback" not in text
    assert "kiosk: Nothing was typed (the input ended); run `kiosk staff set-pin`" in text
    assert _no_pin_stored(tmp_path)
