"""The ``kiosk`` command starts lazily: every command in kiosk.cli.COMMANDS registers as its
row says, ``kiosk --help`` lists them all without importing any command module, and running a
command imports only that command's module."""

from __future__ import annotations

import argparse
import importlib
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from kiosk.cli import COMMANDS, Command, build_parser, parse_arguments

HEAVY = ("sqlalchemy", "sqlmodel", "textual", "pydantic", "alembic", "rapidfuzz", "re2", "evdev")


def _loaded_after(code: str) -> set[str]:
    """The top-level package names in sys.modules after running ``code`` in a fresh Python."""
    probe = f"{code}\nimport sys\nprint(' '.join(sorted({{m.split('.')[0] for m in sys.modules}})))"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return set(done.stdout.split())


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c.name)
def test_each_command_registers_its_name_and_help(command: Command) -> None:
    parser = argparse.ArgumentParser()
    subparsers = parser.add_subparsers(dest="command")
    importlib.import_module(command.module).register(subparsers)
    registered = [(a.dest, a.help) for a in subparsers._choices_actions]
    assert registered == [(command.name, command.help)]


def test_command_names_are_unique() -> None:
    names = [command.name for command in COMMANDS]
    assert len(names) == len(set(names))


def test_top_level_help_lists_every_command_as_the_full_parser_does() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "kiosk", "--help"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0
    listed = {line.split()[0] for line in done.stdout.splitlines() if line.startswith("    ")}
    assert {command.name for command in COMMANDS} <= listed
    # exactly what the parser with every module registered prints
    assert done.stdout == build_parser().format_help()


def test_top_level_help_imports_no_command_module_nor_heavy_library() -> None:
    loaded = _loaded_after(
        "import contextlib, io\nfrom kiosk.cli import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['--help'])"
    )
    assert loaded.isdisjoint(HEAVY), loaded & set(HEAVY)
    modules = _loaded_modules("main(['--help'])")
    assert not [m for m in modules if m.startswith("kiosk.commands")]


def _loaded_modules(call: str) -> list[str]:
    probe = (
        "import contextlib, io, sys\nfrom kiosk.cli import main\n"
        "with contextlib.suppress(SystemExit), contextlib.redirect_stdout(io.StringIO()), "
        "contextlib.redirect_stderr(io.StringIO()):\n"
        f"    {call}\n"
        "print(' '.join(sorted(sys.modules)))"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    return done.stdout.split()


def test_a_command_imports_only_its_own_command_module() -> None:
    modules = _loaded_modules("main(['parse', '--help'])")
    assert [m for m in modules if m.startswith("kiosk.commands.")] == ["kiosk.commands.parse_cmd"]


def test_parsing_lazily_gives_what_the_full_parser_gives() -> None:
    argv = ["--db", "sqlite:///x.db", "events", "create", "Fair", "--date", "2026-10-01"]
    lazy = parse_arguments(argv)
    full = build_parser().parse_args(argv)
    assert vars(lazy) == vars(full)


@pytest.mark.parametrize("argv", [[], ["bogus"], ["events", "list", "--bogus"], ["--db"]], ids=repr)
def test_usage_errors_are_argparse_s_own(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as lazy_exit:
        parse_arguments(argv)
    lazy = capsys.readouterr()
    with pytest.raises(SystemExit) as full_exit:
        build_parser().parse_args(argv)
    full = capsys.readouterr()
    assert lazy_exit.value.code == full_exit.value.code == 2
    assert lazy.err == full.err and lazy.err.strip()


def test_parse_of_a_swipe_imports_no_database_screen_or_settings_library(tmp_path: Path) -> None:
    capture = tmp_path / "one.txt"
    capture.write_text(";1234567890123?\n", encoding="utf-8")
    probe = (
        "import sys\nfrom kiosk.cli import main\n"
        f"status = main(['parse', {str(capture)!r}])\n"
        "print(status, ' '.join(sorted({m.split('.')[0] for m in sys.modules})), file=sys.stderr)"
    )
    env = {**os.environ, "XDG_CONFIG_HOME": str(tmp_path / "config")}  # no rules file there
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60
    )
    assert json.loads(done.stdout)["line"] == 1  # it parsed the swipe
    status, *packages = done.stderr.split()
    assert status == "0"
    assert set(packages).isdisjoint({"sqlalchemy", "sqlmodel", "textual", "pydantic"})
