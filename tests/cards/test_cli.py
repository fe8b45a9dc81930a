"""``kiosk parse``, ``kiosk rules suggest`` and ``kiosk rules check`` end to end (in-process)."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from drivers.capture import escape_swipe, write_capture
from kiosk.cli import main
from tests.cards.test_corpus import RULES_FILE
from tests.conftest import load_corpus

VISA_T1T2 = "%B4111111111111111^CARDHOLDER/TEST^2812101?;4111111111111111=2812101?"


def _capture(tmp_path: Path, swipes: list[str]) -> Path:
    path = tmp_path / "swipes.capture"
    with path.open("w", encoding="utf-8") as handle:
        handle.write("# captured at the front desk\n\n")
        write_capture(swipes, handle)
    return path


def test_parse_prints_one_json_object_per_swipe_with_file_line_numbers(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capture = _capture(tmp_path, [";90123456701?\n", VISA_T1T2, "\x02\x1b1\r\x03", "garbage"])
    status = main(["parse", "--rules", str(RULES_FILE), str(capture)])
    out = capsys.readouterr().out
    assert status == 0
    records = [json.loads(line) for line in out.splitlines()]
    assert [(r["line"], r["status"], r["card_id"], r["rule"]) for r in records] == [
        (3, "ok", "901234567", "id-plus-issue-code"),
        (4, "refused", None, None),
        (5, "noise", None, None),
        (6, "no_match", None, None),
    ]
    assert set(records[0]) == {"line", "status", "card_id", "rule", "message"}
    assert "4111" not in out and "CARDHOLDER" not in out


def test_parse_the_whole_corpus_never_echoes_a_refused_swipe(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus = load_corpus()
    capture = tmp_path / "corpus.capture"
    capture.write_text("".join(row["raw_escaped"] + "\n" for row in corpus), encoding="utf-8")
    assert main(["parse", "--rules", str(RULES_FILE), "--reader", "scanner", str(capture)]) == 0
    records = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert len(records) == len(corpus)
    by_id = dict(zip((row["id"] for row in corpus), records, strict=True))
    assert by_id["qr-mobile-credential-url"]["card_id"] == "901234567"  # --reader scanner
    for row, record in zip(corpus, records, strict=True):
        if record["status"] == "refused":
            assert record["card_id"] is None
            assert row["raw"].strip() not in json.dumps(record)


def test_parse_reads_standard_input(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(sys, "stdin", io.StringIO("0000012345\\n\n"))
    rules = ["--rules", str(RULES_FILE), "--reader", "pcprox", "-"]
    assert main(["parse", *rules]) == 0
    record = json.loads(capsys.readouterr().out)
    assert (record["line"], record["card_id"]) == (1, "12345")


def test_parse_exit_2_for_bad_input_or_rules(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad_capture = tmp_path / "bad.capture"
    bad_capture.write_text("ok\n\\q\n", encoding="utf-8")
    assert main(["parse", "--rules", str(RULES_FILE), str(bad_capture)]) == 2
    assert "Line 2 of the capture file has an unknown escape" in capsys.readouterr().err
    assert main(["parse", "--rules", str(RULES_FILE), str(tmp_path / "missing")]) == 2
    assert "does not exist" in capsys.readouterr().err
    broken = tmp_path / "rules.toml"
    broken.write_text("[[rules]]\nname = 'x'\npattern = '(\\d'\n", encoding="utf-8")
    good = _capture(tmp_path, ["1"])
    assert main(["parse", "--rules", str(broken), str(good)]) == 2
    err = capsys.readouterr().err
    assert "rule 'x', key 'pattern'" in err and "position 0" in err
    assert "Traceback" not in err


def _pairs(tmp_path: Path, rows: list[tuple[str, str]]) -> Path:
    path = tmp_path / "pairs.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["swipe", "card_id"])
        for swipe, card_id in rows:
            writer.writerow([escape_swipe(swipe), card_id])
    return path


def test_rules_suggest_prints_a_ready_rule(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pairs = _pairs(
        tmp_path,
        [
            (";90123456701?\n", "901234567"),
            (";91234567802?\n", "912345678"),
            (";90000012301?\r", "900000123"),
        ],
    )
    assert main(["rules", "suggest", "--name", "campus-card", str(pairs)]) == 0
    out = capsys.readouterr().out
    rules_path = tmp_path / "card-rules.toml"
    rules_path.write_text(out, encoding="utf-8")
    assert out.rstrip().endswith("# explains 3 of 3 pairs")
    capture = _capture(tmp_path, [";98765432100?"])
    assert main(["parse", "--rules", str(rules_path), str(capture)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert (record["card_id"], record["rule"]) == ("987654321", "campus-card")


def test_rules_suggest_exit_1_names_disagreeing_pairs(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pairs = _pairs(
        tmp_path,
        [(";90123456701?", "901234567"), (";91234567802?", "912345678"), ("C13BA204", "04A23BC1")],
    )
    assert main(["rules", "suggest", str(pairs)]) == 1
    captured = capsys.readouterr()
    assert "# explains 2 of 3 pairs" in captured.out
    assert f"pair 3 (line 4 of {pairs}, card_id '04A23BC1') disagrees" in captured.err


def test_rules_suggest_exit_2_for_a_bad_csv(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "pairs.csv"
    path.write_text("swipe,id\n;1?,1\n", encoding="utf-8")
    assert main(["rules", "suggest", str(path)]) == 2
    assert "needs the columns swipe and card_id (missing: card_id)" in capsys.readouterr().err
    path.write_text("swipe,card_id\n", encoding="utf-8")
    assert main(["rules", "suggest", str(path)]) == 2
    assert "has no pairs" in capsys.readouterr().err


def test_rules_check(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["rules", "check", "--rules", str(RULES_FILE)]) == 0
    out = capsys.readouterr().out
    assert "16 rule(s), tried in this order" in out
    assert "campus prefixes (not refused as payment cards): 600999" in out
    assert "5. facility-separated" in out and "transforms: strip_leading_zeros" in out
    assert "searches:   track 2, then track 1" in out
    broken = tmp_path / "rules.toml"
    broken.write_text("[[rules]]\nname = 'x'\npattern = '1'\ntrack = 9\n", encoding="utf-8")
    assert main(["rules", "check", "--rules", str(broken)]) == 2
    assert "rule 'x', key 'track'" in capsys.readouterr().err


def test_console_script_runs(tmp_path: Path) -> None:
    """The installed ``kiosk`` entry point, as staff run it."""
    capture = _capture(tmp_path, ["042:12345"])
    command = [sys.executable, "-m", "kiosk", "parse", "--rules", str(RULES_FILE)]
    done = subprocess.run(
        [*command, "--reader", "pcprox", str(capture)], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["card_id"] == "12345"


def test_parse_and_check_use_the_rules_file_in_the_config_directory(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config"
    config.mkdir()
    monkeypatch.setenv("CONFIGURATION_DIRECTORY", str(config))
    capture = _capture(tmp_path, [";90123456701?"])
    assert main(["parse", str(capture)]) == 0  # no rules file yet: no rules
    assert json.loads(capsys.readouterr().out)["status"] == "no_match"
    assert main(["rules", "check"]) == 2
    assert "There is no rules file at" in capsys.readouterr().err
    (config / "card-rules.toml").write_text(
        "[[rules]]\nname = 'issue'\npattern = ';(\\d{9})\\d{2}\\?'\n", encoding="utf-8"
    )
    assert main(["parse", str(capture)]) == 0
    assert json.loads(capsys.readouterr().out)["card_id"] == "901234567"
    assert main(["rules", "check"]) == 0
    assert "1. issue" in capsys.readouterr().out


def test_parse_uses_the_rules_file_kiosk_toml_names_as_rules_check_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    config = tmp_path / "config"
    (config / "rules").mkdir(parents=True)
    monkeypatch.setenv("CONFIGURATION_DIRECTORY", str(config))
    # kiosk.toml names its rules file (relative to itself); no card-rules.toml beside it
    (config / "kiosk.toml").write_text('rules_file = "rules/desk.toml"\n', encoding="utf-8")
    (config / "rules" / "desk.toml").write_text(
        "[[rules]]\nname = 'desk-issue'\npattern = ';(\\d{9})\\d{2}\\?'\n", encoding="utf-8"
    )
    capture = _capture(tmp_path, [";90123456701?"])
    assert main(["parse", str(capture)]) == 0
    record = json.loads(capsys.readouterr().out)
    assert (record["status"], record["card_id"], record["rule"]) == (
        "ok", "901234567", "desk-issue",
    )  # fmt: skip
    assert main(["rules", "check"]) == 0
    assert "1. desk-issue" in capsys.readouterr().out
    # --rules still wins over kiosk.toml
    other = tmp_path / "other.toml"
    other.write_text("[[rules]]\nname = 'other'\npattern = ';(\\d{5})'\n", encoding="utf-8")
    assert main(["parse", "--rules", str(other), str(capture)]) == 0
    assert json.loads(capsys.readouterr().out)["rule"] == "other"
    # a rules file kiosk.toml names but that is missing is said, not taken as "no rules"
    (config / "rules" / "desk.toml").unlink()
    assert main(["parse", str(capture)]) == 2
    err = capsys.readouterr().err
    assert "desk.toml" in err and err.count("\n") == 1 and "Traceback" not in err
    assert main(["rules", "check"]) == 2
    assert "desk.toml" in capsys.readouterr().err
