"""The demo's on-screen legend: which key swipes which sample card, and the staff PIN."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.widgets import Static

from kiosk.tui.setup import DemoKey


def legend_text(keys: Sequence[DemoKey], staff_pin: str, staff_key: str) -> Text:
    text = Text("DEMO  ", style="bold reverse")
    for demo_key in keys:
        text.append(f" {demo_key.key} ", style="bold reverse")
        text.append(f" {demo_key.label}  ")
    text.append(f"\nStaff mode: press {staff_key}, PIN ")
    text.append(staff_pin, style="bold")
    return text


class DemoLegend(Static):
    def __init__(self, keys: Sequence[DemoKey], staff_pin: str, staff_key: str) -> None:
        super().__init__(legend_text(keys, staff_pin, staff_key), id="demo-legend")
