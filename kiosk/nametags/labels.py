"""The label sizes a name tag can be printed on (what an event's ``nametag_label`` names)."""

from __future__ import annotations

from dataclasses import dataclass

from kiosk.errors import UserError


@dataclass(frozen=True)
class LabelSize:
    """A label: its name as staff type it, its size in inches (landscape) and a description."""

    name: str
    width_in: float
    height_in: float
    description: str

    @property
    def size_text(self) -> str:
        return f'{self.width_in:g}" × {self.height_in:g}"'


LABELS: dict[str, LabelSize] = {
    label.name: label
    for label in (
        LabelSize("30252", 3.5, 1.125, "Dymo 30252 address label"),
        LabelSize("30256", 4.0, 2.3125, "Dymo 30256 shipping label"),
        LabelSize("2.25x1.25", 2.25, 1.25, "2.25 × 1.25 in label (Dymo 30334, Zebra, Brother)"),
        LabelSize("4x2.3", 4.0, 2.3, "4 × 2.3 in name badge label"),
    )
}
#: What turns name tags off for an event.
OFF_WORDS = ("off", "none", "no")


def label_size(name: str) -> LabelSize:
    """The label called ``name`` (case and spaces ignored), else one sentence naming them."""
    key = name.strip().lower().replace(" ", "").replace("×", "x").replace('"', "")
    if key in LABELS:
        return LABELS[key]
    raise UserError(
        f"There is no name tag label {name!r}; use one of {', '.join(LABELS)} (or off)."
    )


def parse_label_choice(text: str) -> str | None:
    """A label's name for an event, or None for ``off``: what ``--nametags`` takes."""
    if text.strip().lower() in OFF_WORDS:
        return None
    return label_size(text).name


def label_choices() -> str:
    """``30252 (Dymo 30252 address label, 3.5" × 1.125"), …`` for help texts."""
    return ", ".join(f"{label.name} ({label.size_text})" for label in LABELS.values())
