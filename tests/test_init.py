"""``kiosk init``: a commented, owner-only kiosk.toml that run, doctor and capture read."""

from __future__ import annotations

import stat
import tomllib
from pathlib import Path

import pytest

from kiosk.cli import main
from kiosk.commands.init_cmd import TEMPLATE, settings_text
from kiosk.config import load_config

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture
def etc(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.delenv("KIOSK_DB", raising=False)
    monkeypatch.setenv("CONFIGURATION_DIRECTORY", str(tmp_path / "etc"))
    monkeypatch.chdir(tmp_path)
    return tmp_path / "etc"


def test_init_writes_the_default_file_owner_only_and_says_what_to_edit(
    etc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init"]) == 0
    path = etc / "kiosk.toml"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"Wrote {path}."
    assert "Edit it to set event, rules_file, [[readers]]" in out
    config = load_config()  # the default file: what run and doctor read without --config
    assert config.source == path and config.event is None and config.readers == ()
    assert "# event = " in path.read_text(encoding="utf-8")


def test_init_writes_run_options_into_the_file(
    etc: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "here" / 'kiosk "a".toml'
    argv = ["init", "--config", str(target), "--event", 'Fall "Fair"', "--rules",
            "card-rules.toml", "--reader", "hid:vid=0801", "--reader", "serial:/dev/ttyUSB0",
            "--db", "sqlite:////tmp/x.sqlite3"]
    assert main(argv) == 0
    config = load_config(target)
    assert config.event == 'Fall "Fair"'
    assert config.rules_file == tmp_path / "card-rules.toml"  # from where init ran
    assert [r.spec for r in config.readers] == ["hid:vid=0801", "serial:/dev/ttyUSB0"]
    assert config.database == "sqlite:////tmp/x.sqlite3"
    assert f"`kiosk doctor --config {target}`" in capsys.readouterr().out


def test_relative_files_are_written_as_absolute_paths(
    etc: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # run from one folder, the later commands may run from another: a relative SQLite file
    # or capture file in kiosk.toml would be another (new, empty) database there
    argv = ["init", "--db", "sqlite:///kiosk.sqlite3", "--reader", "replay:swipes.txt?interval=0",
            "--reader", "hid:vid=0801", "--reader", "serial:/dev/ttyUSB0?baud=9600"]
    assert main(argv) == 0
    monkeypatch.chdir("/")
    config = load_config()
    assert config.database == f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    assert [r.spec for r in config.readers] == [
        f"replay:{tmp_path / 'swipes.txt'}?interval=0",
        "hid:vid=0801",
        "serial:/dev/ttyUSB0?baud=9600",
    ]
    postgres = "postgresql://kiosk:secret@db.example.edu/kiosk"
    assert main(["init", "--force", "--db", postgres, "--reader", "terminal"]) == 0
    config = load_config()
    assert config.database == postgres and [r.spec for r in config.readers] == ["terminal"]


def test_init_refuses_to_overwrite_unless_forced(
    etc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    etc.mkdir()
    path = etc / "kiosk.toml"
    path.write_text('event = "Mine"\n', encoding="utf-8")
    assert main(["init", "--event", "Other"]) == 1
    assert capsys.readouterr().err == (
        f"kiosk: {path} already exists; edit it, or give --force to replace it "
        "(or --config FILE to write another).\n"
    )
    assert path.read_text(encoding="utf-8") == 'event = "Mine"\n'
    path.chmod(0o644)
    assert main(["init", "--event", "Other", "--force"]) == 0
    assert load_config(path).event == "Other"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_a_bad_reader_spec_is_one_sentence_and_writes_nothing(
    etc: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["init", "--reader", "bogus:x"]) == 2
    assert "Unknown reader kind 'bogus'" in capsys.readouterr().err
    assert not (etc / "kiosk.toml").exists()


def test_the_template_explains_every_key_of_the_example() -> None:
    example = tomllib.loads((REPO / "config" / "kiosk.example.toml").read_text("utf-8"))
    text = settings_text()
    for key in example:
        assert f"\n{key} = " in text or f"\n# {key} = " in text or f"# [[{key}]]" in text, key
    assert TEMPLATE.is_file()
