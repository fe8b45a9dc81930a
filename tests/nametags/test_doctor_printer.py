"""``kiosk doctor`` checks the name tag printer (issue 16.4): a dir: folder, a CUPS printer
asked with a fake ``lpstat`` (known, disabled, unknown), lp missing, and an event that prints
tags without any printer. Through the real command on a real SQLite file."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kiosk.checkin.event_options import set_event_options
from kiosk.checkin.events import create_event
from kiosk.checkin.staff import set_pin
from kiosk.cli import main
from kiosk.db.session import open_database
from kiosk.demo import DEMO_RULES
from tests.nametags.conftest import fake_lp


@pytest.fixture
def kiosk(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[str, Path]:
    """A database with an event printing tags on 30252, and a folder for kiosk.toml."""
    monkeypatch.delenv("KIOSK_DB", raising=False)
    monkeypatch.setenv("CONFIGURATION_DIRECTORY", str(tmp_path / "etc"))
    url = f"sqlite:///{tmp_path / 'kiosk.sqlite3'}"
    engine = open_database(url)
    event = create_event(engine, "Spring Expo", handshake_id="777")
    assert event.id is not None
    set_event_options(engine, event.id, nametag_label="30252")
    set_pin(engine, "13579")
    engine.dispose()
    return url, tmp_path


def _doctor(capsys: pytest.CaptureFixture[str], url: str, folder: Path, printer: str | None) -> str:
    config = folder / "kiosk.toml"
    line = f'nametag_printer = "{printer}"\n' if printer else ""
    config.write_text(f'event = "Spring Expo"\nrules_file = "{DEMO_RULES}"\n{line}')
    main(["--db", url, "doctor", "--config", str(config)])
    out = capsys.readouterr().out
    return next(line for line in out.splitlines() if "name tags" in line)


def test_a_folder_printer_and_a_missing_printer(
    kiosk: tuple[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    url, folder = kiosk
    line = _doctor(capsys, url, folder, "dir:tags")
    assert "[ok" in line and f"{folder / 'tags'} (made at the first tag)" in line
    assert "This event's tags print on 30252." in line
    line = _doctor(capsys, url, folder, None)
    assert "[FAIL]" in line and "prints name tags on 30252 but no printer is set" in line


def test_a_cups_printer_ready_disabled_unknown_or_without_lp(
    kiosk: tuple[str, Path], capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, folder = kiosk
    bin_dir = folder / "bin"
    fake_lp(bin_dir, "echo request id is dymo-1")
    lpstat = bin_dir / "lpstat"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '')}")

    def answers(body: str) -> None:
        lpstat.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
        lpstat.chmod(0o755)

    answers('echo "printer dymo is idle.  enabled since Sat 05 Dec 2026"')
    line = _doctor(capsys, url, folder, "dymo")
    assert "[ok" in line and "Printer dymo is ready (printer dymo is idle." in line
    answers('echo "printer dymo disabled since Sat 05 Dec 2026 - Out of paper"')
    line = _doctor(capsys, url, folder, "dymo")
    assert "[FAIL]" in line and "Out of paper" in line and "cupsenable dymo" in line
    answers('echo "lpstat: Invalid destination name in list \\"dymo\\"." >&2; exit 1')
    line = _doctor(capsys, url, folder, "dymo")
    assert "[FAIL]" in line and "CUPS does not know printer dymo (lpstat: Invalid" in line
    (bin_dir / "lp").unlink()
    monkeypatch.setenv("PATH", str(bin_dir))  # no lp anywhere
    line = _doctor(capsys, url, folder, "dymo")
    assert "[FAIL]" in line and "lp is not installed" in line
