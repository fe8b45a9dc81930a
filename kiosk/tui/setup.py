"""What the kiosk app is started with: everything already opened and validated.

``kiosk run`` and ``kiosk demo`` build a KioskSetup; ``make_app(setup)`` turns it into the app.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from drivers.base import Reader
from drivers.replay import QueueReader
from kiosk.desk import KioskDesk


@dataclass(frozen=True)
class DemoKey:
    """One key of the demo legend: pressing ``key`` swipes ``text`` on the simulated reader."""

    key: str
    label: str
    text: str = field(repr=False)


@dataclass(frozen=True)
class DemoInfo:
    """The demo's simulated reader, its keys and the staff PIN shown on screen."""

    reader: QueueReader
    keys: Sequence[DemoKey]
    staff_pin: str


@dataclass
class KioskSetup:
    """The desk (the domain, see kiosk.desk), the readers, and how the screen behaves."""

    desk: KioskDesk
    readers: Sequence[Reader] = ()
    idle_seconds: float = 4.0
    # A result shows at least this long before a queued one replaces it.
    min_result_seconds: float = 1.0
    demo: DemoInfo | None = None
