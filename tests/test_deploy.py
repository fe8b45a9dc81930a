"""The shipped systemd units parse and reference a kiosk command that exists."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO_ROOT

SYSTEMD = REPO_ROOT / "systemd"
UNITS = ["swipe-kiosk.service", "swipe-kiosk-import.path", "swipe-kiosk-import.service"]


@pytest.mark.skipif(shutil.which("systemd-analyze") is None, reason="systemd-analyze not here")
def test_units_verify_cleanly(tmp_path: Path) -> None:
    kiosk_bin = Path(sys.executable).with_name("kiosk")
    for name in UNITS:
        text = (SYSTEMD / name).read_text()
        text = text.replace("/opt/swipe-kiosk/.venv/bin/kiosk", str(kiosk_bin))
        (tmp_path / name).write_text(text)
    result = subprocess.run(
        ["systemd-analyze", "verify", *[str(tmp_path / n) for n in UNITS]],
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


def test_service_never_puts_the_kiosk_in_the_input_group() -> None:
    text = (SYSTEMD / "swipe-kiosk.service").read_text()
    assert "SupplementaryGroups=kiosk-readers" in text
    assert "input" not in [word for line in text.splitlines() if line.startswith("Supplementary")
                           for word in line.split("=", 1)[1].split()]
