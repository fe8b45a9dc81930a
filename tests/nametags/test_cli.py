"""``kiosk students search`` and ``kiosk nametags render|print|labels`` through main(argv), on
real databases; ``kiosk events set --nametags``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from pypdf import PdfReader
from sqlalchemy.engine import Engine

from kiosk.checkin.events import get_event
from kiosk.cli import main
from kiosk.db.models import Event
from tests.nametags.conftest import fake_lp


def run(capsys: pytest.CaptureFixture[str], db_url: str, *argv: str) -> tuple[int, str, str]:
    status = main(["--db", db_url, *argv])
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def test_students_search_shows_full_names_and_marks_archived(
    capsys: pytest.CaptureFixture[str], db_url: str, engine: Engine, tag_students: dict[str, int]
) -> None:
    status, out, _ = run(capsys, db_url, "students", "search", "nunez zoe")
    assert status == 0
    assert out.splitlines()[0].split() == ["100", "Zoë", "Ñúñez", "znunez", "znunez@example.edu"]
    status, out, _ = run(capsys, db_url, "students", "search", "dana oldfeld")
    assert status == 0 and "Dana Oldfield" in out and out.rstrip().endswith("[archived]")
    status, out, _ = run(capsys, db_url, "students", "search", "xavier quigley")
    assert (status, out) == (1, "No student matches 'xavier quigley'.\n")


def test_students_search_json_with_the_event(
    capsys: pytest.CaptureFixture[str],
    db_url: str,
    engine: Engine,
    tag_students: dict[str, int],
    tag_event: Event,
) -> None:
    from kiosk.cards.rules import RuleSet
    from kiosk.checkin import CheckInService

    assert tag_event.id is not None
    CheckInService(engine, tag_event.id, RuleSet.empty()).check_in_student(
        tag_students["znunez"], "staff card at kiosk k1", "card"
    )
    status, out, _ = run(
        capsys, db_url, "students", "search", "ZNUNEZ@example.edu", "--json", "--event",
        "Spring Career Fair",
    )  # fmt: skip
    assert status == 0
    (hit,) = json.loads(out)
    assert (hit["username"], hit["matched_by"], hit["full_name"]) == (
        "znunez", "email", "Zoë Ñúñez",
    )  # fmt: skip
    assert hit["checked_in_at"] is not None


def test_nametags_render_writes_the_pdf_with_name_and_event(
    capsys: pytest.CaptureFixture[str],
    db_url: str,
    engine: Engine,
    tag_students: dict[str, int],
    tag_event: Event,
    tmp_path: Path,
) -> None:
    out_file = tmp_path / "tag.pdf"
    status, _, err = run(
        capsys, db_url, "nametags", "render", "--event", "Spring Career Fair",
        "--student", "akarenina", "-o", str(out_file),
    )  # fmt: skip
    assert status == 0 and "wrote the name tag" in err
    page = PdfReader(io.BytesIO(out_file.read_bytes())).pages[0]
    assert "Spring Career Fair" in page.extract_text()
    assert "Анна Каренина" in page.extract_text()
    assert float(page.mediabox.width) == pytest.approx(3.5 * 72)  # the event's 30252
    status, _, err = run(
        capsys, db_url, "nametags", "render", "--event", "Spring Career Fair",
        "--student", "nobody", "-o", str(out_file),
    )  # fmt: skip
    assert status == 1 and "No roster student has the username or email 'nobody'" in err


def test_nametags_print_to_a_folder_and_to_a_failing_lp(
    capsys: pytest.CaptureFixture[str],
    db_url: str,
    engine: Engine,
    tag_students: dict[str, int],
    tag_event: Event,
    tmp_path: Path,
    lp_path: Path,
) -> None:
    common = ["nametags", "print", "--event", "Spring Career Fair", "--student", "znunez"]
    status, out, _ = run(capsys, db_url, *common, "--printer", f"dir:{tmp_path / 'tags'}")
    assert status == 0 and "name tag sent to folder" in out
    assert len(list((tmp_path / "tags").glob("*-znunez.pdf"))) == 1
    fake_lp(lp_path, 'echo "lp: printer dymo is out of paper" >&2; exit 1')
    config = tmp_path / "kiosk.toml"
    config.write_text('nametag_printer = "dymo"\n', encoding="utf-8")
    status, _, err = run(capsys, db_url, *common, "--config", str(config))
    assert status == 1
    assert "printer dymo refused the tag (lp: printer dymo is out of paper)" in err


def test_events_set_nametags_and_labels(
    capsys: pytest.CaptureFixture[str], db_url: str, engine: Engine, tag_event: Event
) -> None:
    assert tag_event.id is not None
    status, out, _ = run(capsys, db_url, "events", "set", str(tag_event.id), "--nametags", "30256")
    assert status == 0 and out.rstrip().endswith("name tags on 30256")
    assert get_event(engine, tag_event.id).nametag_label == "30256"
    status, _, err = run(capsys, db_url, "events", "set", str(tag_event.id), "--nametags", "big")
    assert status == 1 and "There is no name tag label 'big'" in err
    run(capsys, db_url, "events", "set", str(tag_event.id), "--nametags", "off")
    assert get_event(engine, tag_event.id).nametag_label is None
    status, out, _ = run(capsys, db_url, "nametags", "labels")
    assert status == 0 and "Dymo 30252" in out


def test_nametag_settings_in_kiosk_toml(tmp_path: Path) -> None:
    from kiosk.config import ConfigError, parse_config

    where = tmp_path / "kiosk.toml"
    config = parse_config('nametag_printer = "dir:tags"\nnametag_font = "fonts/Noto.ttf"\n', where)
    assert config.nametag_printer == f"dir:{tmp_path / 'tags'}"
    assert config.nametag_font == tmp_path / "fonts" / "Noto.ttf"
    assert config.nametag_timeout_seconds == 20.0
    assert parse_config('nametag_printer = "DYMO_450"').nametag_printer == "DYMO_450"
    with pytest.raises(ConfigError, match="nametag_timeout_seconds must be a number of seconds"):
        parse_config("nametag_timeout_seconds = 0", where)
