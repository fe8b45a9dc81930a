"""``kiosk run``: settings, overrides, and one clear sentence for each thing that is missing."""

from __future__ import annotations

from pathlib import Path

import pytest

from kiosk.checkin.events import create_event
from kiosk.checkin.staff import set_pin
from kiosk.cli import main
from kiosk.commands.run_cmd import build_setup
from kiosk.config import database_url, load_config, parse_config
from kiosk.db.session import open_database
from kiosk.demo import DEMO_RULES
from kiosk.errors import UserError


@pytest.fixture
def database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.delenv("KIOSK_DB", raising=False)
    monkeypatch.setenv("CONFIGURATION_DIRECTORY", str(tmp_path / "etc"))
    url = f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    engine = open_database(url)
    create_event(engine, "Spring Expo")
    engine.dispose()
    return url


def _pin(url: str) -> None:
    engine = open_database(url)
    set_pin(engine, "13579")
    engine.dispose()


def test_without_a_staff_pin_the_kiosk_does_not_start(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--db", database, "run", "--event", "Spring Expo"]) == 1
    assert "No staff PIN is set" in capsys.readouterr().err


def test_without_an_event_it_says_how_to_choose_one(
    database: str, capsys: pytest.CaptureFixture[str]
) -> None:
    _pin(database)
    assert main(["--db", database, "run"]) == 1
    assert "Which event? Give --event ID|NAME" in capsys.readouterr().err
    assert main(["--db", database, "run", "--event", "Winter Gala"]) == 1
    assert "There is no event 'Winter Gala'" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("extra", "words"),
    [
        (["--config", "/nonexistent/kiosk.toml"], "does not exist; check the --config path"),
        (["--rules", "/nonexistent/rules.toml"], "The rules file /nonexistent/rules.toml"),
        (["--reader", "bogus:thing"], "bogus"),
    ],
)
def test_bad_settings_are_one_sentence_without_traceback(
    database: str, capsys: pytest.CaptureFixture[str], extra: list[str], words: str
) -> None:
    _pin(database)
    status = main(["--db", database, "run", "--event", "Spring Expo", *extra])
    err = capsys.readouterr().err
    assert status in (1, 2)
    assert words in err and "Traceback" not in err


def test_a_settings_file_gives_event_readers_rules_and_timing(
    database: str, tmp_path: Path
) -> None:
    _pin(database)
    settings = tmp_path / "kiosk.toml"
    settings.write_text(
        f'event = "Spring Expo"\nrules_file = "{DEMO_RULES}"\nidle_seconds = 2\n'
        'archived_policy = "refuse"\nkiosk_id = "east-door"\n'
        '[[readers]]\nname = "left"\nspec = "queue"\n',
        encoding="utf-8",
    )
    setup = build_setup(load_config(settings), database)
    try:
        assert setup.desk.event.name == "Spring Expo"
        assert [(r.name, r.spec) for r in setup.readers] == [("left", "queue")]
        assert [rule.name for rule in setup.desk.rules.rules] == [
            "campus-iso-number",
            "id-plus-issue-code",
        ]
        assert setup.desk.rules_path == DEMO_RULES
        assert (setup.idle_seconds, setup.desk.archived_policy, setup.desk.kiosk_id) == (
            2.0,
            "refuse",
            "east-door",
        )
    finally:
        setup.desk.engine.dispose()


def test_without_readers_or_rules_it_uses_the_terminal_and_containment(
    database: str, tmp_path: Path
) -> None:
    _pin(database)
    setup = build_setup(parse_config('event = "Spring Expo"'), database)
    try:
        assert [r.spec for r in setup.readers] == ["terminal"]
        assert setup.desk.rules.rules == ()
        # staff mode saves new rules to the default file in the configuration directory
        assert setup.desk.rules_path == tmp_path / "etc" / "card-rules.toml"
    finally:
        setup.desk.engine.dispose()


def test_database_precedence(monkeypatch: pytest.MonkeyPatch) -> None:
    config = parse_config('database = "sqlite:///from-file.db"')
    monkeypatch.delenv("KIOSK_DB", raising=False)
    assert database_url(None, config) == "sqlite:///from-file.db"
    monkeypatch.setenv("KIOSK_DB", "sqlite:///from-env.db")
    assert database_url(None, config) == "sqlite:///from-env.db"
    assert database_url("sqlite:///from-flag.db", config) == "sqlite:///from-flag.db"


def test_a_bad_event_in_settings_is_a_user_error(database: str) -> None:
    _pin(database)
    with pytest.raises(UserError, match="no event"):
        build_setup(parse_config('event = "Nope"'), database)
