"""A name tag as a one-page PDF the size of its label (fpdf2), text fitted to the label.

Three lines: the name the student goes by (large, bold), school year and major, the event.
Each line is set at the largest size that fits both its share of the label's height and the
label's width: a long name shrinks, and at the smallest readable size what still does not
fit ends in "…". Nothing is ever drawn past the label's edge.

The font is DejaVu Sans, embedded (Latin, Greek, Cyrillic, Hebrew, Armenian, Georgian…),
from the system's fonts (Debian: fonts-dejavu-core) or ``nametag_font`` in kiosk.toml (a
TrueType font covering other scripts, e.g. a Noto Sans CJK .ttf). Without any TrueType font
the tag falls back to the PDF core font Helvetica, which holds Latin-1 only: accents outside
it are dropped ("Dvořák" prints "Dvorák") and other letters print as "?", and a warning is
logged once.
"""

from __future__ import annotations

import logging
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING

from kiosk.errors import UserError
from kiosk.nametags.labels import LabelSize
from kiosk.text_safety import sanitise

if TYPE_CHECKING:  # fpdf is imported when a tag is drawn: a kiosk starts without it
    from fpdf import FPDF

log = logging.getLogger(__name__)

POINTS_PER_INCH = 72.0
MARGIN_IN = 0.08
MIN_FONT_PT = 5.0
ELLIPSIS = "…"
# Each line's share of the label's height (name, school year and major, event) and its
# largest size; a line left empty gives its share to the others.
LINE_SHARES = (0.5, 0.25, 0.25)
MAX_FONT_PT = (40.0, 14.0, 12.0)
LINE_HEIGHT = 1.2  # a line takes its font size times this

FONT_FOLDERS = (
    Path("/usr/share/fonts/truetype/dejavu"),  # Debian, Ubuntu
    Path("/usr/share/fonts/dejavu-sans-fonts"),  # Fedora
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),  # Arch
)
REGULAR, BOLD = "DejaVuSans.ttf", "DejaVuSans-Bold.ttf"


@dataclass(frozen=True)
class NameTag:
    """What a tag says."""

    name: str  # the name the student goes by: preferred (else first) name + last name
    school_year: str | None
    major: str | None
    event: str

    @property
    def details(self) -> str:
        return " · ".join(part for part in (self.school_year, self.major) if part)


@dataclass(frozen=True)
class TagFont:
    """The TrueType files a tag is set in (None: the core Helvetica fallback)."""

    regular: Path | None
    bold: Path | None = None

    @property
    def unicode(self) -> bool:
        return self.regular is not None


def find_font(configured: Path | None = None) -> TagFont:
    """``configured`` (kiosk.toml's ``nametag_font``; its bold is itself) when given, else
    DejaVu Sans from the system's fonts, else the Latin-1 fallback (see module doc)."""
    if configured is not None:
        if not configured.is_file():
            raise UserError(
                f"The name tag font {configured} does not exist; set nametag_font in "
                "kiosk.toml to a .ttf file, or remove it to use DejaVu Sans."
            )
        return TagFont(configured, configured)
    for folder in FONT_FOLDERS:
        if (folder / REGULAR).is_file():
            bold = folder / BOLD
            return TagFont(folder / REGULAR, bold if bold.is_file() else folder / REGULAR)
    _warn_no_font()
    return TagFont(None)


@cache
def _warn_no_font() -> None:
    log.warning(
        "no Unicode font for name tags (install fonts-dejavu-core or set nametag_font): "
        "names outside Latin-1 print without accents or as '?'"
    )


def render_tag(tag: NameTag, label: LabelSize, font: TagFont | None = None) -> bytes:
    """The tag as a one-page PDF of the label's size."""
    from fpdf import FPDF

    font = font or find_font()
    width, height = label.width_in * POINTS_PER_INCH, label.height_in * POINTS_PER_INCH
    pdf = FPDF(unit="pt", format=(width, height))
    pdf.set_auto_page_break(False)
    pdf.set_margin(0)
    pdf.set_title(f"Name tag: {sanitise(tag.name)}")
    pdf.set_creator("swipe-kiosk")
    pdf.add_page()
    family = _set_up_font(pdf, font)
    margin = MARGIN_IN * POINTS_PER_INCH
    inner_width, inner_height = width - 2 * margin, height - 2 * margin
    lines = [
        (_clean(tag.name, font), "B", 0),
        (_clean(tag.details, font), "", 1),
        (_clean(tag.event, font), "", 2),
    ]
    lines = [line for line in lines if line[0]]
    share_total = sum(LINE_SHARES[index] for _, _, index in lines)
    fitted = []
    for text, style, index in lines:
        pdf.set_font(family, style, 1)
        room = inner_height * LINE_SHARES[index] / share_total / LINE_HEIGHT
        size = min(MAX_FONT_PT[index], room)
        text, size = _fit(pdf, text, inner_width, size)
        fitted.append((text, style, size))
    used = sum(size * LINE_HEIGHT for _, _, size in fitted)
    y = margin + (inner_height - used) / 2  # the block centred vertically
    for text, style, size in fitted:
        pdf.set_font(family, style, size)
        pdf.set_xy(margin, y)
        pdf.cell(inner_width, size * LINE_HEIGHT, text, align="C")
        y += size * LINE_HEIGHT
    return bytes(pdf.output())


def _set_up_font(pdf: FPDF, font: TagFont) -> str:
    if font.regular is None:
        return "helvetica"
    pdf.add_font("tag", "", str(font.regular))
    pdf.add_font("tag", "B", str(font.bold or font.regular))
    return "tag"


def _fit(pdf: FPDF, text: str, width: float, largest: float) -> tuple[str, float]:
    """(``text``, size) at the largest size up to ``largest`` whose width fits; at
    MIN_FONT_PT, ``text`` cut short with "…" until it fits. The font is set at 1 pt."""
    at_one = pdf.get_string_width(text)
    size = largest if at_one * largest <= width else width / at_one
    if size >= MIN_FONT_PT:
        return text, size
    size = min(MIN_FONT_PT, largest)
    while text and pdf.get_string_width(text + ELLIPSIS) * size > width:
        text = text[:-1].rstrip()
    return text + ELLIPSIS, size


def _clean(text: str, font: TagFont) -> str:
    """One line of printable text; for the core font, Latin-1 (accents off where needed,
    '?' for what has no Latin-1 form)."""
    line = " ".join(sanitise(text).split())
    if font.unicode:
        return line
    out = []
    for char in line:
        try:
            char.encode("latin-1")
            out.append(char)
        except UnicodeEncodeError:
            bare = "".join(
                c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c)
            )
            out.append(bare if bare and bare.isascii() else "?")
    return "".join(out)
