"""``kiosk verify`` end to end: files, the database, JSON, exit status, and no card leaks."""

from __future__ import annotations

import json
import os
import pty
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session

from kiosk.cli import main
from kiosk.db.models import Student
from kiosk.verify.render_text import REVERSE
from tests.conftest import FIXTURES

HERE = FIXTURES / "verify"
ROSTER = HERE / "roster.csv"
SWIPES = HERE / "swipes.txt"
RULES = HERE / "rules.toml"
VISA_NUMBER = "4111111111111111"


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    status = main(list(argv))
    captured = capsys.readouterr()
    return status, captured.out, captured.err


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, dict]:
    status, out, _ = _run(capsys, *argv, "--json")
    return status, json.loads(out)


def test_json_report_has_every_count_and_one_result_per_swipe(
    capsys: pytest.CaptureFixture[str],
) -> None:
    status, report = _json(
        capsys, "verify", "--roster", str(ROSTER), "--swipes", str(SWIPES), "--rules", str(RULES)
    )
    assert status == 1
    keys = ("swipes", "matched", "ambiguous", "unmatched", "rule_mismatch", "refused", "misread")
    counts = {key: report[key] for key in keys}
    assert counts == {
        "swipes": 9, "matched": 5, "ambiguous": 0, "unmatched": 1, "rule_mismatch": 1,
        "refused": 1, "misread": 1,
    }
    assert report["noise"] == 1
    roster = report["roster"]
    assert (roster["card_ids"], roster["contained_in_other"], roster["missing"]) == (7, 1, 1)
    assert {"kind": "contained_in_other", "usernames": ["sshort", "llong"]} in roster["findings"]
    assert {"kind": "excel_damage", "usernames": ["eexcel"]} in roster["findings"]
    by_line = {result["line"]: result for result in report["results"]}
    assert sorted(by_line) == [2, 3, 4, 5, 6, 7, 8, 10, 11]  # line 9 is noise, 1 a comment
    assert by_line[2] == {
        "line": 2, "verdict": "matched", "contained": ["atester"], "extracted": "901234567",
        "rule": "id-plus-issue",
    }
    # sshort's card_id sits inside llong's: with rules the kiosk takes the rule's card_id
    # (llong's) exactly and never asks containment, so verify says matched (issue 13)
    assert by_line[4] == {
        "line": 4, "verdict": "matched", "contained": ["llong"], "extracted": "007654321",
        "rule": "id-plus-issue",
    }
    assert by_line[5]["verdict"] == "unmatched"  # ;1234123400? never matches 0012341234
    assert by_line[6] == {
        "line": 6, "verdict": "refused", "contained": [], "extracted": None, "rule": None,
    }
    assert by_line[7]["verdict"] == "matched"  # campus ISO number, prefix allowed by the rules
    assert by_line[8]["verdict"] == "misread"
    assert by_line[10]["contained"] == ["zzero"]
    assert (by_line[11]["verdict"], by_line[11]["extracted"]) == ("rule_mismatch", None)


def test_readable_report_marks_card_ids_and_never_shows_the_payment_card(
    capsys: pytest.CaptureFixture[str],
) -> None:
    # without rules the kiosk matches by containment, where line 4 is ambiguous
    status, out, err = _run(capsys, "verify", "--roster", str(ROSTER), "--swipes", str(SWIPES))
    assert status == 1
    assert err == ""
    assert VISA_NUMBER not in out and "4111" not in out
    assert "\x1b[" not in out  # not a terminal: carets, no escape codes
    lines = out.splitlines()
    at = lines.index("    ;00765432100?")
    assert lines[at + 1] == "     ^^^^^^^^^ card_id of llong"
    assert lines[at + 2] == "       ^^^^^^^ card_id of sshort"
    assert "sshort (inside llong)" in out
    assert "eexcel" in out and "6.00999E+15" not in out  # findings name usernames only
    assert "line 6: refused" in out
    assert "NOT READY" in out


def test_refused_campus_card_gets_the_campus_prefixes_hint(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    swipes = tmp_path / "s.txt"
    iso = "%B6009999012345675^TESTER/ALEX J^2908120000000000?;6009999012345675=29081200000000000?"
    swipes.write_text(iso + "\n", encoding="utf-8")
    status, report = _json(capsys, "verify", "--roster", str(ROSTER), "--swipes", str(swipes))
    assert status == 1
    assert report["results"][0]["verdict"] == "refused"
    assert "campus_prefixes" in report["results"][0]["hint"]
    status, out, _ = _run(capsys, "verify", "--roster", str(ROSTER), "--swipes", str(swipes))
    assert "campus_prefixes" in out
    assert "6009999012345675" not in out and "901234567" not in out


def test_exit_0_when_every_swipe_matches_and_no_card_id_is_inside_another(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    roster = tmp_path / "r.csv"
    roster.write_text("username,card_id\natester,901234567\nrsample,41234567\n", encoding="utf-8")
    swipes = tmp_path / "s.txt"
    swipes.write_text(";90123456701?\n;941234567020000?\n\\x02\n", encoding="utf-8")
    status, out, _ = _run(capsys, "verify", "--roster", str(roster), "--swipes", str(swipes))
    assert status == 0
    assert out.rstrip().endswith("no card_id is inside another.")
    status, report = _json(capsys, "verify", "--roster", str(roster))
    assert (status, report["swipes"], report["results"]) == (0, 0, [])


def test_roster_only_run_fails_on_nested_card_ids(capsys: pytest.CaptureFixture[str]) -> None:
    status, report = _json(capsys, "verify", "--roster", str(ROSTER))
    assert status == 1
    assert report["roster"]["contained_in_other"] == 1


def test_limit_caps_the_failing_swipes_shown(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _ = _run(
        capsys, "verify", "--roster", str(ROSTER), "--swipes", str(SWIPES), "--limit", "1"
    )
    assert status == 1
    assert out.count("\nline ") == 1
    assert "more failing swipes" in out


@pytest.mark.parametrize(
    ("files", "expected"),
    [
        ({"r.csv": "email_address,card_id\na@x.edu,1\n"}, "no 'username' column"),
        ({"r.csv": "username\nalex\n"}, "no 'card_id' column"),
        ({"r.csv": "username,card_id\na,1\n", "rules.toml": "[[rules]]\nname='x'\n"}, "rule"),
        ({"r.csv": "username,card_id\na,1\n", "s.txt": "bad \\q escape\n"}, "unknown escape"),
    ],
)
def test_unusable_input_is_one_sentence_and_exit_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], files: dict[str, str], expected: str
) -> None:
    for name, text in files.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    argv = ["verify", "--roster", str(tmp_path / "r.csv")]
    if "rules.toml" in files:
        argv += ["--rules", str(tmp_path / "rules.toml")]
    if "s.txt" in files:
        argv += ["--swipes", str(tmp_path / "s.txt")]
    status, out, err = _run(capsys, *argv)
    assert status == 2
    assert out == ""
    assert expected in err
    assert "Traceback" not in err


def test_missing_files_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    status, _, err = _run(capsys, "verify", "--roster", str(tmp_path / "none.csv"))
    assert status == 2 and "does not exist" in err
    status, _, err = _run(
        capsys, "verify", "--roster", str(ROSTER), "--swipes", str(tmp_path / "none.txt")
    )
    assert status == 2 and "does not exist" in err


def test_roster_is_required(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["verify"])
    assert exited.value.code == 2
    assert "--roster" in capsys.readouterr().err


def _store_roster(engine: Engine) -> None:
    rows = [
        ("atester", "901234567", False),
        ("zzero", "0012341234", False),
        ("gone", "41234567", True),
        ("nnocard", None, False),
    ]
    with Session(engine) as session:
        for username, card_id, archived in rows:
            session.add(
                Student(
                    username=username,
                    email_address=f"{username}@example.edu",
                    email_key=f"{username}@example.edu",
                    first_name="Test",
                    card_id=card_id,
                    archived=archived,
                )
            )
        session.commit()


def test_roster_from_the_kiosk_database(
    engine: Engine, db_url: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _store_roster(engine)
    swipes = tmp_path / "s.txt"
    swipes.write_text(";90123456701?\n;1234123400?\n;941234567020000?\n", encoding="utf-8")
    status, report = _json(
        capsys, "--db", db_url, "verify", "--roster", "db", "--swipes", str(swipes)
    )
    assert status == 1
    assert report["roster"]["card_ids"] == 2  # the archived student is left out
    assert report["roster"]["missing"] == 1
    assert report["roster"]["source"].startswith("database ")
    assert [(r["verdict"], r["contained"]) for r in report["results"]] == [
        ("matched", ["atester"]),
        ("unmatched", []),  # Handshake's leading-zero case
        ("unmatched", []),  # card of an archived student
    ]


@pytest.mark.skipif(sys.platform != "linux", reason="needs a Linux pty")
def test_on_a_terminal_the_card_id_is_shown_in_reverse_video(tmp_path: Path) -> None:
    kiosk = shutil.which("kiosk", path=str(Path(sys.executable).parent))
    if kiosk is None:
        pytest.skip("the kiosk console script is not installed in this environment")
    swipes = tmp_path / "s.txt"
    swipes.write_text(";1234123400?\n;4821=0060123456=1=290630?\n", encoding="utf-8")
    controller, terminal = pty.openpty()
    try:
        done = subprocess.run(
            [kiosk, "verify", "--roster", str(ROSTER), "--swipes", str(swipes),
             "--rules", str(RULES)],
            stdout=terminal,
            stderr=subprocess.PIPE,
            timeout=60,
            check=False,
        )
        os.close(terminal)
        terminal = -1
        chunks = []
        while True:
            try:
                chunk = os.read(controller, 65536)
            except OSError:  # EIO: the terminal side is closed and drained
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(controller)
        if terminal >= 0:
            os.close(terminal)
    out = b"".join(chunks).decode("utf-8")
    assert done.returncode == 1, done.stderr
    assert f";4821=00{REVERSE}60123456\x1b[0m=1=290630?   card_id of ffield" in out
    assert "^^^" not in out


def test_reader_option_selects_the_rules_for_that_reader(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text(
        "[[rules]]\nname = 'desk-reader'\nreader = 'desk'\npattern = ';(\\d{9})\\d{2}\\?'\n",
        encoding="utf-8",
    )
    swipes = tmp_path / "s.txt"
    swipes.write_text(";90123456701?\n", encoding="utf-8")
    base = ["verify", "--roster", str(ROSTER), "--swipes", str(swipes), "--rules", str(rules)]
    _, report = _json(capsys, *base, "--reader", "desk")
    assert report["results"][0]["verdict"] == "matched"
    assert report["results"][0]["rule"] == "desk-reader"
    _, report = _json(capsys, *base, "--reader", "door")
    assert report["results"][0]["verdict"] == "rule_mismatch"


def test_rules_judge_what_they_extract_as_the_kiosk_does(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # Issue 13: card_id 012345678 on a card whose number also holds 901234567, another
    # student's card_id. `kiosk run` with these rules checks the right student in.
    roster = tmp_path / "roster.csv"
    roster.write_text(
        "email_address,username,first_name,last_name,card_id\n"
        "bea@example.edu,bea,Beatrice,Rossi,012345678\n"
        "sam@example.edu,sam,Sam,Ito,901234567\n",
        encoding="utf-8",
    )
    swipes = tmp_path / "swipes.txt"
    swipes.write_text(";01234567890123456701?\n", encoding="utf-8")
    rules = tmp_path / "rules.toml"
    rules.write_text("[[rules]]\nname = 'id9'\npattern = ';(\\d{9})\\d+\\?'\n", encoding="utf-8")
    argv = ["verify", "--roster", str(roster), "--swipes", str(swipes)]
    status, report = _json(capsys, *argv, "--rules", str(rules))
    assert status == 0 and report["results"] == [
        {"line": 1, "verdict": "matched", "contained": ["bea"], "extracted": "012345678",
         "rule": "id9"}
    ]
    status, out, _ = _run(capsys, *argv, "--rules", str(rules))
    assert status == 0 and "1 matched" in out and "0 ambiguous" in out
    assert "NOT READY" not in out and "OK: every swipe matched exactly one student" in out
    # without rules the kiosk would match by containment: both card_ids are inside
    status, out, _ = _run(capsys, *argv)
    assert status == 1 and "ambiguous" in out and "NOT READY" in out
