"""What the kiosk app is started with: everything already opened and validated.

``kiosk run`` and ``kiosk demo`` build a KioskSetup; ``make_app(setup)`` turns it into the app.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy.engine import Engine

from drivers.base import Reader
from drivers.replay import QueueReader
from kiosk.cards.rules import RuleSet
from kiosk.checkin.manual import ManualCheckin
from kiosk.db.models import Event


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
    engine: Engine
    event: Event
    rules: RuleSet
    rules_path: Path | None = None
    readers: Sequence[Reader] = ()
    idle_seconds: float = 4.0
    archived_policy: str = "allow"
    # kiosk.toml's manual_checkin for `kiosk run` (default "staff-confirm"); built in code
    # (the demo, tests) the kiosk keeps the old behaviour unless told otherwise.
    manual_checkin: ManualCheckin = "anyone"
    kiosk_id: str = "kiosk"
    # A result shows at least this long before a queued one replaces it.
    min_result_seconds: float = 1.0
    demo: DemoInfo | None = None

    @property
    def database_label(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)
