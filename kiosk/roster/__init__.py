"""The Handshake Student CSV: validate, plan (create/update/archive), apply, report."""

from kiosk.roster.report import ImportReport, render_text
from kiosk.roster.service import Progress, import_roster, preflight

__all__ = ["ImportReport", "Progress", "import_roster", "preflight", "render_text"]
