"""Roster findings as the reports show them: by username, never with anyone's card data."""

from __future__ import annotations

from kiosk.verify.analysis import verify
from kiosk.verify.render_json import report_to_dict
from kiosk.verify.render_text import render_text
from kiosk.verify.roster_source import RosterCardIds

CARD_IDS = [f"90{n:07d}" for n in range(1, 31)]  # thirty 9-digit card_ids


def _report_roster() -> RosterCardIds:
    pairs: list[tuple[str | None, str]] = [
        (card_id, f"ok{number}") for number, card_id in enumerate(CARD_IDS)
    ]
    pairs += [
        ("87654321", "zeros_lost"),  # 8 characters where the rest have 9
        ("1234567890123", "too_long"),
        ("A12345678", "lettered"),
        ("6.00999E+15", "excel_sci"),
        ("901234567.0", "excel_point"),
        ("555777999", "dup_a"),
        ("555777999", "dup_b"),
        ("0000030", "inner"),  # inside ok29's 900000030
        (None, "nocard"),
        ("", "blank"),
    ]
    return RosterCardIds(source="students.csv", pairs=pairs)


SECRET_CARD_DATA = ["87654321", "1234567890123", "A12345678", "6.00999E+15", "555777999",
                    "0000030", "900000030"]


def test_text_report_names_every_finding_by_username_only() -> None:
    out = render_text(verify(_report_roster()))
    for card_data in SECRET_CARD_DATA:
        assert card_data not in out
    assert "inner (inside ok29)" in out
    assert "one card_id is shared by dup_a, dup_b" in out
    assert "spreadsheet damage" in out and "excel_sci, excel_point" in out
    assert "shorter than the 9 characters" in out and "zeros_lost" in out
    assert "longer than the 9 characters" in out and "too_long" in out
    assert "characters other than digits" in out and "lettered" in out
    assert "2 students without a card_id" in out and "nocard, blank" in out
    assert "NOT READY" in out


def test_json_roster_counts_and_findings() -> None:
    data = report_to_dict(verify(_report_roster()))
    roster = data["roster"]
    assert roster["students"] == 40
    assert roster["card_ids"] == 38
    assert roster["missing"] == 2
    assert roster["contained_in_other"] == 3  # inner, and the two sharing one card_id
    assert roster["duplicates"] == 2
    assert roster["excel_damage"] == 2
    assert roster["length_outliers"] == 3  # zeros_lost, too_long, inner (7 characters)
    assert roster["character_outliers"] == 1
    kinds = {finding["kind"]: finding["usernames"] for finding in roster["findings"]}
    assert kinds["contained_in_other"] == ["inner", "ok29"]
    assert kinds["duplicate"] == ["dup_a", "dup_b"]
    assert kinds["shorter"] == ["zeros_lost", "inner"]
    assert kinds["longer"] == ["too_long"]
    assert kinds["character_outlier"] == ["lettered"]
    assert kinds["missing"] == ["nocard", "blank"]
    assert data["swipes"] == 0 and data["results"] == []
    assert data["exit_status"] == 1


def test_clean_roster_reads_ok() -> None:
    roster = RosterCardIds("students.csv", [(c, f"u{i}") for i, c in enumerate(CARD_IDS)])
    report = verify(roster)
    assert report.exit_status == 0
    assert "ok: no card_id is inside another" in render_text(report)
