"""The udev rules file gives kiosk-readers access to each reader make's input and tty nodes."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from drivers.discover import KNOWN_READER_VENDORS, READER_GROUP, UDEV_RULES_FILE

RULES = Path(__file__).resolve().parents[2] / "systemd" / UDEV_RULES_FILE
_ASSIGN = re.compile(r'(\w+(?:\{\w+\})?)(==|!=|=|\+=|-=)"([^"]*)"')


def _rules() -> list[dict[str, str]]:
    parsed = []
    for line in RULES.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        pairs = [(key, op, value) for key, op, value in _ASSIGN.findall(line)]
        assert pairs, f"unparsable rule line: {line}"
        parsed.append({f"{key}{op}": value for key, op, value in pairs})
    return parsed


@pytest.mark.parametrize("vendor", sorted(KNOWN_READER_VENDORS))
@pytest.mark.parametrize("subsystem", ["input", "tty"])
def test_each_reader_make_gets_the_group_on_input_and_tty_nodes(
    vendor: int, subsystem: str
) -> None:
    matching = [
        rule
        for rule in _rules()
        if rule.get("SUBSYSTEM==") == subsystem and rule.get("ATTRS{idVendor}==") == f"{vendor:04x}"
    ]
    assert len(matching) == 1
    (rule,) = matching
    assert rule["GROUP="] == READER_GROUP
    assert rule["MODE="] == "0660"
    if subsystem == "input":
        assert rule["KERNEL=="] == "event*"


def test_no_rule_opens_every_keyboard() -> None:
    for rule in _rules():
        assert rule.get("GROUP=") in (None, READER_GROUP)
        if "GROUP=" in rule:
            assert "ATTRS{idVendor}==" in rule, rule
    text = RULES.read_text(encoding="utf-8")
    assert 'GROUP="input"' not in text
    assert "udevadm control --reload && sudo udevadm trigger" in text


@pytest.mark.skipif(shutil.which("udevadm") is None, reason="udevadm is not installed here")
def test_udevadm_accepts_the_file() -> None:  # pragma: no cover - needs systemd >= 254
    result = subprocess.run(
        ["udevadm", "verify", str(RULES)], capture_output=True, text=True, check=False
    )
    if "nknown command" in result.stderr or "nrecognized" in result.stderr:
        pytest.skip("this udevadm has no 'verify' command")
    assert result.returncode == 0, result.stderr
