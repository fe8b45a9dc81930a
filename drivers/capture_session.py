"""A capture session: swipes from one reader written as capture lines, refused ones counted.

``kiosk readers capture`` parses its arguments and prints; this module does the work: it
reads the reader until ``count`` swipes were written or ``timeout`` passed, writes each
accepted swipe to ``out`` (``drivers.capture`` format), reports status and progress (never
swipe text) to ``err``, and asks ``refuse`` about every swipe first. ``refuse`` is the caller's
policy (the payment guard, in the kiosk): it returns ``(kind, sentence)`` for a swipe that must
not be written, and the session counts refusals by kind so it can say at the end how many
swipes came and why each kind was refused. ``terminal_keys`` feeds this terminal's own keys
to a key-fed reader in cbreak mode while capturing.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import TextIO

from drivers.base import Reader, ReaderStatus
from drivers.capture import write_capture
from drivers.terminal import KeyFedReader

#: ``(kind, sentence)``: why a swipe is not written; the kind (a noun such as "payment card")
#: groups refusals in the summary.
Refusal = tuple[str, str]
RefusalPolicy = Callable[[str], "Refusal | None"]


@dataclass
class CaptureTally:
    """What a capture session saw: swipes written, and swipes refused by kind."""

    written: int = 0
    refused: Counter[str] = field(default_factory=Counter)
    reasons: dict[str, str] = field(default_factory=dict)

    @property
    def seen(self) -> int:
        return self.written + sum(self.refused.values())

    def refused_counts(self) -> str:
        """``2 payment cards, 1 encrypted reader output``: most frequent kind first."""
        return ", ".join(
            f"{number} {kind}{'s' if number != 1 else ''}"
            for kind, number in self.refused.most_common()
        )

    def refused_reasons(self) -> str:
        """Each kind with the reason it is refused, most frequent first."""
        return " ".join(
            f"{number} {kind}{'s' if number != 1 else ''}: {self.reasons[kind]}"
            for kind, number in self.refused.most_common()
        )


async def capture_swipes(
    reader: Reader,
    out: TextIO,
    err: TextIO,
    refuse: RefusalPolicy,
    *,
    count: int | None = None,
    timeout: float | None = None,
    terminal: bool = False,
) -> CaptureTally:
    """Write swipes from ``reader`` as capture lines until ``count`` or ``timeout``; closes
    the reader. Status changes and progress go to ``err``; swipe text only to ``out``."""

    def show(status: ReaderStatus) -> None:
        print(f"{status.reader}: {status.message}", file=err, flush=True)

    reader.on_status = show
    show(reader.status)
    tally = CaptureTally()

    async def consume() -> None:
        async for swipe in reader.swipes():
            refusal = refuse(swipe.text)
            if refusal is not None:
                kind, sentence = refusal
                tally.refused[kind] += 1
                tally.reasons[kind] = sentence
                print(f"{reader.name}: {sentence}", file=err, flush=True)
                continue
            write_capture([swipe.text], out)
            out.flush()
            tally.written += 1
            print(f"swipe {tally.written}: {len(swipe.text)} characters", file=err, flush=True)
            if count is not None and tally.written >= count:
                return

    keys = terminal_keys(reader) if terminal else contextlib.nullcontext()
    with keys:
        print("Swipe cards now (Ctrl-C to stop).", file=err, flush=True)
        try:
            await asyncio.wait_for(consume(), timeout)
        except TimeoutError:
            pass
        finally:
            await reader.close()
    return tally


@contextlib.contextmanager
def terminal_keys(reader: Reader) -> Iterator[None]:
    """Feed this terminal's keys to a key-fed reader (cbreak mode, no echo) while capturing;
    the terminal's settings are restored whatever happens."""
    import termios
    import tty

    if not isinstance(reader, KeyFedReader):
        raise TypeError(f"reader {reader.name} does not read from the terminal")
    fd = sys.stdin.fileno()
    saved = termios.tcgetattr(fd)
    loop = asyncio.get_running_loop()

    def on_input() -> None:
        for char in os.read(fd, 1024).decode("utf-8", errors="replace"):
            if char in "\r\n":
                reader.feed("\r", "enter", time.monotonic())
            elif char == "\t":
                reader.feed("\t", "tab", time.monotonic())
            elif char.isprintable():
                reader.feed(char, char, time.monotonic())

    tty.setcbreak(fd)
    quiet = termios.tcgetattr(fd)
    quiet[3] &= ~termios.ECHO
    termios.tcsetattr(fd, termios.TCSADRAIN, quiet)
    loop.add_reader(fd, on_input)
    try:
        yield
    finally:
        loop.remove_reader(fd)
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
