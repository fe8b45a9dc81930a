"""The Handshake Student CSV: validate, plan (create/update/archive), apply, report.

The import service (and with it the plan, the staging table and SQLAlchemy's writes) is
imported when one of these names is first used, not with the package: a module that needs
only ``kiosk.roster.version`` or ``kiosk.roster.schema`` (the kiosk's check-in, the
registrations import) does not pay for the import's modules at start-up.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kiosk.roster.report import ImportReport, render_text
    from kiosk.roster.service import Progress, import_roster, preflight

__all__ = ["ImportReport", "Progress", "import_roster", "preflight", "render_text"]

_HOMES = {
    "ImportReport": "kiosk.roster.report",
    "render_text": "kiosk.roster.report",
    "Progress": "kiosk.roster.service",
    "import_roster": "kiosk.roster.service",
    "preflight": "kiosk.roster.service",
}


def __getattr__(name: str) -> Any:
    home = _HOMES.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib import import_module

    value = getattr(import_module(home), name)
    globals()[name] = value
    return value
