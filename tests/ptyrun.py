"""A command run on a real terminal (a pty that is its controlling terminal), as a person runs
it: the test reads what it prints up to a marker and types at its prompts. Used by the tests
that drive ``kiosk staff set-pin`` (getpass reads /dev/tty, so a pipe will not do)."""

from __future__ import annotations

import fcntl
import os
import select
import subprocess
import termios
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType


def _take_terminal() -> None:  # in the child: a new session whose controlling terminal is fd 0
    os.setsid()
    fcntl.ioctl(0, termios.TIOCSCTTY, 0)


class PtyProcess:
    """``argv`` started on a new pty (stdin, stdout and stderr); ``with`` it so that the
    process is killed if still running and the terminal closed, whatever the test asserts."""

    def __init__(
        self,
        argv: Sequence[str],
        *,
        cwd: Path | None = None,
        env: Mapping[str, str] | None = None,
        read_seconds: float = 60.0,
    ) -> None:
        self.read_seconds = read_seconds
        self.leader, follower = os.openpty()
        try:
            self.process = subprocess.Popen(
                list(argv),
                cwd=cwd,
                env=None if env is None else dict(env),
                stdin=follower,
                stdout=follower,
                stderr=follower,
                preexec_fn=_take_terminal,
            )
        except BaseException:
            os.close(self.leader)
            raise
        finally:
            os.close(follower)

    def __enter__(self) -> PtyProcess:
        return self

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _value: BaseException | None,
        _traceback: TracebackType | None,
    ) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)
        os.close(self.leader)

    def read_until(self, marker: bytes, seconds: float | None = None) -> bytes:
        """What the command prints until ``marker`` appears, it closes the terminal, or
        ``seconds`` (default: ``read_seconds``) pass; the test asserts on what came."""
        seen = b""
        deadline = time.monotonic() + (self.read_seconds if seconds is None else seconds)
        while marker not in seen and time.monotonic() < deadline:
            ready, _, _ = select.select([self.leader], [], [], 0.2)
            if ready:
                try:
                    chunk = os.read(self.leader, 4096)
                except OSError:  # the command closed the terminal
                    break
                if not chunk:
                    break
                seen += chunk
        return seen

    def type(self, keys: bytes) -> None:
        """Keys typed on the terminal (``\\r`` is Enter, ``\\x04`` Ctrl-D)."""
        os.write(self.leader, keys)

    def wait(self, timeout: float) -> int:
        return self.process.wait(timeout=timeout)
