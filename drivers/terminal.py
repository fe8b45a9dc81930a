"""The terminal as a card reader: tell a keyboard-wedge reader's burst of keys from typing.

A keyboard reader plugged into the kiosk's own keyboard input types into the terminal, so the
Textual app receives its swipe as ordinary key events. This module is Textual-free: the app
forwards every key to a ``TerminalReader`` and the reader decides, by timing and start
sentinels, which keys belong to a swipe. Readers send a key every few milliseconds; people type
50 ms or more apart.

How the app wires it in (the contract)
--------------------------------------
1. Create the reader: ``reader = TerminalReader()`` (or ``open_reader("terminal")``), set
   ``reader.on_release = give_back`` and consume ``reader.swipes()`` like any other reader
   (e.g. in a worker: ``async for swipe in reader.swipes(): ...``).
2. For every key event that reaches the app from the terminal (in Textual: override
   ``App.on_event`` and look at ``events.Key`` that are not ``is_forwarded``), call
   ``held = reader.feed(event.character, event.key, event.time)`` **before** the key is
   dispatched. ``at`` is the key's time in seconds on any monotonic clock (``event.time`` is
   fine); only differences between keys matter. If ``held`` is True the key now belongs to the
   reader: do not dispatch it (no text box or binding sees it). If False, dispatch it normally
   (``await super().on_event(event)``); False also means nothing is being held at that moment.
3. Keys held back while the reader decides are given back when it decides they were typing:
   ``on_release(keys)`` is called with a list of ``HeldKey(character, key, at)`` in the order
   they were typed. The app must deliver them, in that order, to where they would have gone,
   WITHOUT feeding them to the reader again. With Textual: for each key create
   ``events.Key(held.key, held.character)`` and post it to ``app.focused or app.screen``
   (``post_message``), which is what the app itself does with an ordinary key. Give-backs
   happen from ``feed`` (a slow key after a held one) or from a timer on the running asyncio
   loop (about ``key_gap`` after the last held key); ``on_release`` is always called on the
   loop's thread. (With ``auto_expire=False`` there is no timer: the caller settles due
   decisions with ``expire_if_due(now)``; tests that script key times use this.)

The decision
------------
- Idle: a key with a printable character is held and a decision starts; Enter, Tab (a
  reader's text starts with neither; Tab moves the focus, and what is typed behind it is for
  the next field), arrows, function keys and control keys pass through untouched (``feed``
  returns False). Within a burst, Tab is text (readers may send it between fields).
- Deciding: each further key within ``key_gap`` (default 30 ms) of the previous one is held
  too. Once ``min_keys`` (default 4) fast keys are held, or ``sentinel_min_keys`` (default 2)
  when the first one is a start sentinel ``%``, ``;`` or ``+``, it is a swipe. A gap longer
  than ``key_gap``, or a non-text key, ends the decision: the held keys are given back.
- Swipe: every key up to an idle gap of ``idle_gap`` (default 100 ms) belongs to the swipe,
  including Enter (kept as ``\\n`` between tracks, so ID TECH's Enter per track gives one
  swipe); trailing Enters are dropped. The swipe is emitted on ``swipes()`` when the idle gap
  passes.
- Editing keys are never a swipe: a reader sends no Backspace, Delete, arrow, Home/End or
  ctrl+… key, so one of them during a burst means a person was typing (fast, or with
  auto-repeat): every held key is given back, in order, and the editing key passes through.
  Editing keys on their own always pass straight through.
- Into a text field (``feed(..., into_field=True)`` when a text box has the focus as the burst
  starts): fast typing and pasted keys (a terminal without bracketed paste types them) belong
  to the field. The burst is still held while it lasts (a reader's card data must never appear
  in a form), and when it ends it is a swipe only if it ended with Enter and its text has a
  card's shape (``swipe_shaped``: a start sentinel ``%``/``;``/``+`` through an end sentinel
  ``?``, or 6 or more digits, the way prox readers type); anything else is given back to the
  field, Enter included. ``release_held()`` gives back whatever is held at once (the app calls
  it before a bracketed paste, so pasted text never overtakes keys typed before it).

``KeyTimingDetector`` is the pure state machine behind it (no clock, no loop): ``feed`` and
``expire`` return a ``Decision`` listing keys to give back and a finished swipe, if any.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import Protocol, runtime_checkable

from drivers.base import BackgroundReader, Reader
from drivers.spec import ReaderSpec, SpecOptions

START_SENTINELS = frozenset("%;+")
_ENTER_KEYS = frozenset({"enter", "ctrl+m", "ctrl+j"})
_PROX_DIGITS = re.compile(r"\d{6,}")


@dataclass(frozen=True, slots=True)
class HeldKey:
    """A key the reader held back while deciding; given back in ``on_release``."""

    character: str | None
    key: str
    at: float = field(repr=False)


@dataclass(frozen=True, slots=True)
class Decision:
    """What one ``feed`` or ``expire`` settled."""

    held: bool = False
    give_back: tuple[HeldKey, ...] = ()
    swipe: str | None = field(default=None, repr=False)


class _Mode(Enum):
    IDLE = "idle"
    DECIDING = "deciding"
    SWIPE = "swipe"


def key_symbol(character: str | None, key: str) -> str | None:
    """The text a key adds to a swipe: its printable character, ``\\n`` for Enter, ``\\t``
    for Tab; None for keys that cannot be part of a swipe."""
    if key in _ENTER_KEYS:
        return "\n"
    if key == "tab":
        return "\t"
    if character is not None and len(character) == 1 and character.isprintable():
        return character
    return None


def swipe_shaped(text: str) -> bool:
    """True for text a card reader types (trailing Enters removed): tracks from a start
    sentinel to an end sentinel (``;901234567?``, ``%B…?\\n;…?``), or only digits, 6 or more
    (prox and barcode-style readers). Names, emails and usernames typed fast are not."""
    stripped = text.strip("\n")
    if stripped[:1] in START_SENTINELS and stripped.endswith("?"):
        return True
    return _PROX_DIGITS.fullmatch(stripped) is not None


class KeyTimingDetector:
    """Separates reader bursts from typing by inter-key timing and start sentinels."""

    def __init__(
        self,
        key_gap: float = 0.03,
        idle_gap: float = 0.1,
        min_keys: int = 4,
        sentinel_min_keys: int = 2,
    ) -> None:
        if not 0 < key_gap <= idle_gap:
            raise ValueError("key_gap must be positive and no longer than idle_gap")
        self.key_gap = key_gap
        self.idle_gap = idle_gap
        self.min_keys = min_keys
        self.sentinel_min_keys = sentinel_min_keys
        self._mode = _Mode.IDLE
        self._held: list[HeldKey] = []  # every key of the decision or swipe, in order
        self._into_field = False  # the burst started with a text field focused
        self._last_at = 0.0

    @property
    def deadline(self) -> float | None:
        """When, on the ``at`` clock, the current decision or swipe expires (None when idle)."""
        if self._mode is _Mode.IDLE:
            return None
        gap = self.key_gap if self._mode is _Mode.DECIDING else self.idle_gap
        return self._last_at + gap

    @property
    def busy(self) -> bool:
        """True while keys are held or a swipe is being collected."""
        return self._mode is not _Mode.IDLE

    def expire(self) -> Decision:
        """The deadline passed without a key: give back held keys or finish the swipe."""
        if self._mode is _Mode.DECIDING:
            return Decision(give_back=self._release())
        if self._mode is _Mode.SWIPE:
            text = "".join(key_symbol(k.character, k.key) or "" for k in self._held)
            if self._into_field and not (text.endswith("\n") and swipe_shaped(text)):
                return Decision(give_back=self._release())  # typed or pasted into the field
            self._held = []
            self._mode = _Mode.IDLE
            return Decision(swipe=text.rstrip("\n"))
        return Decision()

    def release(self) -> Decision:
        """Give back every held key now (the burst, whatever it was, is not a swipe)."""
        return Decision(give_back=self._release())

    def _release(self) -> tuple[HeldKey, ...]:
        held, self._held = tuple(self._held), []
        self._mode = _Mode.IDLE
        return held

    def poll(self, now: float) -> Decision:
        """``expire()`` if ``now`` is at or past the deadline, else nothing."""
        deadline = self.deadline
        if deadline is not None and now >= deadline:
            return self.expire()
        return Decision()

    def feed(
        self, character: str | None, key: str, at: float, *, into_field: bool = False
    ) -> Decision:
        """One key as the app received it; ``Decision.held`` says whether to swallow it.
        ``into_field``: a text box has the focus (see "Into a text field" above)."""
        deadline = self.deadline
        earlier = self.expire() if deadline is not None and at > deadline else Decision()
        symbol = key_symbol(character, key)
        if self._mode is _Mode.SWIPE:
            if symbol is None:  # an editing key: people were typing, not a reader
                return Decision(held=False, give_back=earlier.give_back + self._release())
            self._held.append(HeldKey(character, key, at))
            self._last_at = at
            return Decision(held=True, give_back=earlier.give_back, swipe=earlier.swipe)
        if self._mode is _Mode.DECIDING:
            self._held.append(HeldKey(character, key, at))
            self._last_at = at
            if symbol is None or (symbol == "\n" and len(self._held) < self._needed()):
                return Decision(held=True, give_back=earlier.give_back + self._release())
            if len(self._held) >= self._needed():
                self._mode = _Mode.SWIPE
            return Decision(held=True, give_back=earlier.give_back, swipe=earlier.swipe)
        if symbol is None or symbol in "\n\t":  # a reader's text starts with neither
            return Decision(held=False, give_back=earlier.give_back, swipe=earlier.swipe)
        self._mode = _Mode.DECIDING
        self._into_field = into_field
        self._held = [HeldKey(character, key, at)]
        self._last_at = at
        return Decision(held=True, give_back=earlier.give_back, swipe=earlier.swipe)

    def _needed(self) -> int:
        first = self._held[0].character if self._held else None
        return self.sentinel_min_keys if first in START_SENTINELS else self.min_keys


ReleaseCallback = Callable[[list[HeldKey]], None]


@runtime_checkable
class KeyFedReader(Reader, Protocol):
    """A reader the UI feeds with the terminal's own key presses, every key first: it keeps
    the keys of a swipe and gives the others back through ``on_release``."""

    on_release: ReleaseCallback | None

    def feed(self, character: str | None, key: str, at: float, *, into_field: bool = False) -> bool:
        """Take one key; True when the reader keeps it (part of a swipe), False to pass it on.
        ``into_field``: a text box has the focus."""
        ...

    def release_held(self) -> None:
        """Give back (``on_release``) every key held now; none of them is a swipe."""
        ...


class TerminalReader(BackgroundReader):
    """The terminal's own keyboard input as a reader; see the module docstring for wiring."""

    def __init__(
        self,
        name: str = "terminal",
        spec: str = "terminal",
        *,
        key_gap: float = 0.03,
        idle_gap: float = 0.1,
        min_keys: int = 4,
        sentinel_min_keys: int = 2,
        auto_expire: bool = True,
    ) -> None:
        super().__init__(name, spec)
        self.auto_expire = auto_expire
        self.detector = KeyTimingDetector(key_gap, idle_gap, min_keys, sentinel_min_keys)
        self.on_release: ReleaseCallback | None = None
        self._timer: asyncio.TimerHandle | None = None
        self._set_status("connected", "Swipes typed into the terminal are read.")

    def feed(self, character: str | None, key: str, at: float, *, into_field: bool = False) -> bool:
        """Offer one key; True means it belongs to the reader and must not be dispatched.
        ``into_field``: a text box has the focus (fast typing and pasted keys go to it)."""
        decision = self.detector.feed(character, key, at, into_field=into_field)
        self._apply(decision)
        self._schedule(at)
        return decision.held

    def release_held(self) -> None:
        """Give back every held key now (before a bracketed paste is delivered)."""
        self._apply(self.detector.release())
        self._schedule(0.0)

    def _apply(self, decision: Decision) -> None:
        if decision.give_back and self.on_release is not None:
            self.on_release(list(decision.give_back))
        if decision.swipe is not None:
            self._emit(decision.swipe)

    def _schedule(self, at: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        deadline = self.detector.deadline
        if deadline is None or not self.auto_expire:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return  # no loop: the caller must call expire_if_due itself
        self._timer = loop.call_later(max(0.0, deadline - at), self._on_deadline)

    def _on_deadline(self) -> None:
        self._timer = None
        self._apply(self.detector.expire())

    def expire_if_due(self, now: float) -> None:
        """Settle what is due at ``now`` (on the ``at`` clock). Only needed without timers:
        when there is no running asyncio loop or ``auto_expire=False`` (tests that script time)."""
        self._apply(self.detector.poll(now))

    async def close(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        await super().close()


def open_terminal_reader(
    spec: ReaderSpec, options: SpecOptions, name: str | None
) -> TerminalReader:
    """A TerminalReader for a parsed ``terminal`` spec."""
    gap = options.number("gap", 0.1, minimum=0.001)
    return TerminalReader(
        name or spec.text,
        spec.text,
        key_gap=min(options.number("key_gap", 0.03, minimum=0.001), gap),
        idle_gap=gap,
        min_keys=options.integer("min_keys", 4, minimum=2),
    )
