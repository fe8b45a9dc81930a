"""The shipped systemd units: they verify, they are hardened, and the kiosk unit's own command
line, run with the unit's own stdio arrangement, shows the kiosk on its terminal."""

from __future__ import annotations

import json
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from kiosk.checkin.events import create_event
from kiosk.checkin.staff import set_pin
from kiosk.db.session import open_database
from kiosk.demo import DEMO_RULES, SAMPLE_ROSTER
from kiosk.roster import import_roster
from tests.conftest import REPO_ROOT
from tests.tui.test_e2e_tmux import Terminal

SYSTEMD = REPO_ROOT / "systemd"
UNITS = ["swipe-kiosk.service", "swipe-kiosk-import.path", "swipe-kiosk-import.service"]
SERVICES = ["swipe-kiosk.service", "swipe-kiosk-import.service"]
INSTALLED_KIOSK = "/opt/swipe-kiosk/.venv/bin/kiosk"
MAX_EXPOSURE = 4.0
ALEX_CARD = ";90123456701?"  # sample roster: Alex Tester, card_id 901234567

needs_analyze = pytest.mark.skipif(
    shutil.which("systemd-analyze") is None, reason="systemd-analyze is not installed"
)


def unit_settings(name: str) -> dict[str, dict[str, list[str]]]:
    """``{section: {key: [values in order]}}`` of a unit file (keys may repeat)."""
    sections: dict[str, dict[str, list[str]]] = {}
    current: dict[str, list[str]] = {}
    pending = ""
    for raw in (SYSTEMD / name).read_text().splitlines():
        line = pending + raw.strip()
        pending = ""
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if not line or line[0] in "#;":
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], {})
            continue
        key, _, value = line.partition("=")
        current.setdefault(key.strip(), []).append(value.strip())
    return sections


def _installed_copies(tmp_path: Path) -> list[Path]:
    """The units with the kiosk command pointing at this checkout's ``kiosk``."""
    kiosk_bin = Path(sys.executable).with_name("kiosk")
    copies = []
    for name in UNITS:
        text = (SYSTEMD / name).read_text().replace(INSTALLED_KIOSK, str(kiosk_bin))
        (tmp_path / name).write_text(text)
        copies.append(tmp_path / name)
    return copies


@needs_analyze
def test_units_verify_cleanly(tmp_path: Path) -> None:
    copies = _installed_copies(tmp_path)
    result = subprocess.run(
        ["systemd-analyze", "verify", *map(str, copies)],
        capture_output=True,
        text=True,
        timeout=60,
    )
    problems = [
        line
        for line in (result.stdout + result.stderr).splitlines()
        if "swipe-kiosk" in line and "Failed to" not in line  # no systemd running in CI
    ]
    assert problems == []


@needs_analyze
@pytest.mark.parametrize("name", SERVICES)
def test_services_are_rated_ok_by_systemd_analyze_security(tmp_path: Path, name: str) -> None:
    """Both services at exposure 4.0 or better, the import (it parses files dropped from
    outside) as much as the kiosk."""
    copies = {path.name: path for path in _installed_copies(tmp_path)}
    result = subprocess.run(
        ["systemd-analyze", "security", "--offline=true", "--no-pager", str(copies[name])],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=tmp_path,
    )
    found = re.search(r"Overall exposure level for \S+: (\d+(?:\.\d+)?)", result.stdout)
    assert found is not None, result.stdout + result.stderr
    assert float(found.group(1)) <= MAX_EXPOSURE, result.stdout


def test_service_never_puts_the_kiosk_in_the_input_group() -> None:
    service = unit_settings("swipe-kiosk.service")["Service"]
    assert service["SupplementaryGroups"] == ["kiosk-readers"]
    assert "input" not in " ".join(service["SupplementaryGroups"]).split()


def test_unit_parser_reads_repeated_keys_and_environment() -> None:
    kiosk = unit_settings("swipe-kiosk.service")
    assert len(kiosk["Unit"]["After"]) == 2  # the file has two After= lines
    assert "TERM=linux" in shlex.split(" ".join(kiosk["Service"]["Environment"]))


# --- the kiosk unit's command line with its stdio arrangement, in a real terminal ---------

def _stream(setting: str, terminal: str, journal: Path) -> str | None:
    """Where a Standard{Input,Output,Error}= setting sends a stream: None for the unit's
    terminal (the pane), else a shell redirection target. A socket to journald in reality;
    here a file, which like the journal is no terminal."""
    if setting.startswith("tty"):
        return terminal
    if setting == "null":
        return "/dev/null"
    return shlex.quote(str(journal))


@pytest.fixture
def unit_command(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """The kiosk unit's ExecStart and Environment, its state and configuration directories
    in ``tmp_path``, stdio arranged as the unit says: a shell line for the pane."""
    service = unit_settings("swipe-kiosk.service")["Service"]
    state = tmp_path / "var-lib-swipe-kiosk"
    config = tmp_path / "etc-swipe-kiosk"
    config.mkdir()
    state.mkdir(mode=0o750)
    swipes = tmp_path / "swipes.txt"
    swipes.write_text(ALEX_CARD + "\n")
    (config / "kiosk.toml").write_text(
        'event = "Unit Fair"\n'
        f'rules_file = "{DEMO_RULES}"\n'
        "[[readers]]\n"
        'name = "left"\n'
        f'spec = "replay:{swipes}?interval=3"\n'
    )
    engine = open_database(f"sqlite:///{state / 'kiosk.sqlite3'}")  # the unit's default
    import_roster(engine, SAMPLE_ROSTER)
    create_event(engine, "Unit Fair")
    set_pin(engine, "13579")
    engine.dispose()

    [exec_start] = service["ExecStart"]
    argv = shlex.split(exec_start)
    assert argv[0] == INSTALLED_KIOSK
    argv[0] = str(Path(sys.executable).with_name("kiosk"))
    argv = [part.replace(f"/etc/{service['ConfigurationDirectory'][0]}", str(config))
            for part in argv]
    environment = {
        "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin",
        "HOME": str(state),
        "STATE_DIRECTORY": str(state),
        "CONFIGURATION_DIRECTORY": str(config),
        "INVOCATION_ID": "0123456789abcdef0123456789abcdef",
    }
    for assignments in service.get("Environment", []):
        for item in shlex.split(assignments):
            key, _, value = item.partition("=")
            environment[key] = value

    journal = tmp_path / "journal.log"
    terminal = "$TTY_OF_PANE"
    stdin = _stream(service.get("StandardInput", ["null"])[0], terminal, journal)
    stdout_setting = service.get("StandardOutput", ["inherit"])[0]
    stdout = stdin if stdout_setting == "inherit" else _stream(stdout_setting, terminal, journal)
    stderr_setting = service.get("StandardError", ["inherit"])[0]
    stderr = stdout if stderr_setting == "inherit" else _stream(stderr_setting, terminal, journal)
    redirections = " ".join(
        f"{fd}{'<' if fd == 0 else '>>'}{target}"
        for fd, target in ((0, stdin), (1, stdout), (2, stderr))
        if target is not None
    )
    script = (
        f"TTY_OF_PANE=$(tty); exec env -i {shlex.join(f'{k}={v}' for k, v in environment.items())} "
        f"{shlex.join(argv)} {redirections}"
    )
    yield script, journal


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
def test_the_kiosk_unit_shows_the_kiosk_on_its_terminal(
    unit_command: tuple[str, Path],
) -> None:
    """As systemd runs it on tty1 (here a tmux pane): the idle screen appears, a replayed
    swipe is answered on it, and nothing of the screen goes to standard error (the journal)."""
    script, journal = unit_command
    service = unit_settings("swipe-kiosk.service")["Service"]
    assert service["TTYPath"] == ["/dev/tty1"]
    assert service["StandardInput"][0].startswith("tty")
    pane = Terminal(["sh", "-c", script], journal.parent)
    try:
        screen = pane.wait_for("Swipe your student ID")
        assert "Unit Fair" in screen
        pane.wait_for("Welcome, Alex T. — you're checked in")
    finally:
        pane.close()
    if service["StandardError"][0].startswith("tty"):
        return
    # stderr is elsewhere (the journal): the screen was drawn on the terminal all the same,
    # and no screen drawing went to the journal
    written = journal.read_text(errors="replace") if journal.exists() else ""
    assert "\x1b[" not in written and "Swipe your student ID" not in written


def test_the_import_units_command_imports_a_dropped_roster(tmp_path: Path) -> None:
    """The import unit's ExecStart as systemd runs it (its environment, its UMask=): the
    dropped roster is imported, the JSON report and the failed rows land in the inbox, both
    owner-only."""
    service = unit_settings("swipe-kiosk-import.service")["Service"]
    state = tmp_path / "var-lib-swipe-kiosk"
    inbox = state / "inbox"
    inbox.mkdir(parents=True)
    shutil.copy(REPO_ROOT / "tests" / "fixtures" / "roster" / "duplicates.csv",
                inbox / "roster.csv")
    [exec_start] = service["ExecStart"]
    argv = shlex.split(exec_start)
    argv = [part.replace(INSTALLED_KIOSK, str(Path(sys.executable).with_name("kiosk")))
            for part in argv]
    umask = int(service["UMask"][0], 8)
    done = subprocess.run(
        argv,
        env={"PATH": "/usr/bin:/bin", "HOME": str(state), "STATE_DIRECTORY": str(state)},
        capture_output=True, text=True, timeout=120, check=False,
        preexec_fn=lambda: os.umask(umask),
    )
    assert done.returncode == 0, done.stderr
    report = json.loads((inbox / "last-import.json").read_text())
    assert report["status"] != "refused" and report["rejected"] > 0
    assert (inbox / "failed-rows.csv").read_text(encoding="utf-8-sig").startswith("failed_reason,")
    for name in ("last-import.json", "failed-rows.csv", "kiosk.sqlite3"):
        path = inbox / name if name != "kiosk.sqlite3" else state / name
        assert oct(path.stat().st_mode & 0o777) == "0o600", name
