"""A name tag as PDF (issue 16.4): the student's name, year, major and the event, read back with
pypdf; the page is the label's size; long names shrink and never leave the label; names in
other scripts keep their letters (DejaVu embedded); the Latin-1 fallback without a font."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader
from sqlalchemy.engine import Engine

from kiosk.db.models import Event
from kiosk.errors import UserError
from kiosk.nametags.labels import LABELS, label_size, parse_label_choice
from kiosk.nametags.render import (
    MARGIN_IN,
    MIN_FONT_PT,
    POINTS_PER_INCH,
    NameTag,
    TagFont,
    find_font,
    render_tag,
)
from kiosk.nametags.tags import find_student, tag_for_check_in, tag_for_student

ZOE_TAG = NameTag("Zoë Ñúñez", "Senior", "Biology", "Spring Career Fair")
LONG = NameTag(
    "Maximiliana Josephina Wolfeschlegelsteinhausenbergerdorff-Konstantinopoulou",
    "Graduate",
    "Mechanical and Aerospace Engineering with a second major in Philosophy",
    "Spring Career Fair — Engineering, Technology and Computing Employers",
)


def pdf_text(data: bytes) -> str:
    return PdfReader(io.BytesIO(data)).pages[0].extract_text()


def text_boxes(data: bytes) -> list[tuple[float, float, float, str]]:
    """(x, font size, text width estimate unused, text) of each text run, via pypdf's visitor."""
    runs: list[tuple[float, float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], font: object, size: float) -> None:
        if text.strip():
            runs.append((tm[4], size, tm[5], text))

    PdfReader(io.BytesIO(data)).pages[0].extract_text(visitor_text=visit)
    return runs


@pytest.mark.parametrize("label", list(LABELS.values()), ids=list(LABELS))
def test_the_tag_says_name_year_major_and_event_on_a_page_of_the_label_size(label) -> None:
    data = render_tag(ZOE_TAG, label)
    text = pdf_text(data)
    assert "Zoë Ñúñez" in text
    assert "Senior · Biology" in text
    assert "Spring Career Fair" in text
    box = PdfReader(io.BytesIO(data)).pages[0].mediabox
    assert (float(box.width), float(box.height)) == pytest.approx(
        (label.width_in * POINTS_PER_INCH, label.height_in * POINTS_PER_INCH)
    )


@pytest.mark.parametrize("label", list(LABELS.values()), ids=list(LABELS))
def test_long_text_shrinks_and_stays_inside_the_label(label) -> None:
    from fpdf import FPDF

    data = render_tag(LONG, label)
    font = find_font()
    measure = FPDF(unit="pt")
    if font.regular is not None:
        measure.add_font("tag", "", str(font.regular))
        measure.add_font("tag", "B", str(font.bold))
    inner = (label.width_in - 2 * MARGIN_IN) * POINTS_PER_INCH
    lines = pdf_text(data).splitlines()
    assert len(lines) == 3
    short = render_tag(ZOE_TAG, label)
    sizes = {run[3]: run[1] for run in text_boxes(data)}
    short_sizes = {run[3]: run[1] for run in text_boxes(short)}
    assert sizes and short_sizes
    assert max(sizes.values()) < max(short_sizes.values())  # the long name is set smaller
    for text, size in sizes.items():
        assert size >= MIN_FONT_PT - 0.01
        measure.set_font("tag" if font.regular else "helvetica", "B", size)
        bold = measure.get_string_width(text)
        measure.set_font("tag" if font.regular else "helvetica", "", size)
        assert min(bold, measure.get_string_width(text)) <= inner + 0.5
        if text.endswith("…"):  # cut short at the smallest size: only ever at MIN_FONT_PT
            assert size == pytest.approx(MIN_FONT_PT)


def test_other_scripts_keep_their_letters() -> None:
    if not find_font().unicode:
        pytest.skip("no DejaVu Sans on this machine (fonts-dejavu-core)")
    data = render_tag(NameTag("Анна Каренина", "Junior", "Ελληνικά", "Fair"), LABELS["30256"])
    text = pdf_text(data)
    assert "Анна Каренина" in text and "Ελληνικά" in text
    assert re.search(rb"/FontFile2", data)  # the font is embedded


def test_without_a_truetype_font_latin1_is_kept_and_the_rest_degrades() -> None:
    data = render_tag(
        NameTag("Zoë Dvořák Анна", None, None, "Fair"), LABELS["30252"], TagFont(None)
    )
    assert pdf_text(data).splitlines() == ["Zoë Dvorák ????", "Fair"]


def test_a_configured_font_that_is_missing_is_one_sentence(tmp_path) -> None:
    with pytest.raises(UserError, match="does not exist; set nametag_font"):
        find_font(tmp_path / "nope.ttf")


def test_label_names_are_forgiving_and_off_turns_tags_off() -> None:
    assert label_size(" 4 x 2.3 ").name == "4x2.3"
    assert label_size('2.25"x1.25"').name == "2.25x1.25"
    assert parse_label_choice("OFF") is None
    with pytest.raises(UserError, match="use one of 30252, 30256"):
        label_size("avery")


def test_the_tag_of_a_student_and_of_a_check_in(
    engine: Engine, tag_students: dict[str, int], tag_event: Event
) -> None:
    from kiosk.cards.rules import RuleSet
    from kiosk.checkin import CheckInService

    student = find_student(engine, "ATESTER")  # preferred name Alex, first name Alexandra
    tag = tag_for_student(student, tag_event)
    assert (tag.name, tag.event) == ("Alex Tester", "Spring Career Fair")
    assert tag_event.id is not None
    service = CheckInService(engine, tag_event.id, RuleSet.empty())
    outcome = service.check_in_student(tag_students["znunez"], "staff", "pin")
    assert outcome.check_in_id is not None
    assert tag_for_check_in(engine, outcome.check_in_id) == NameTag(
        "Zoë Ñúñez", None, None, "Spring Career Fair"
    )
    assert tag_for_check_in(engine, 999_999) is None
    with pytest.raises(UserError, match="No roster student"):
        find_student(engine, "nobody")
