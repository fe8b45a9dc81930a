"""``kiosk readers list`` and ``kiosk readers capture`` through the real CLI entry point."""

from __future__ import annotations

import contextlib
import fcntl
import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from drivers import discover
from drivers.capture import read_capture, write_capture
from kiosk.cli import main
from tests.drivers.test_discover import KEYBOARD_BITMAP, _node

STUDENT = "%B6009999012345675^TESTER/ALEX J^2908120000000000?;6009999012345675=29081200000000000?"
VISA = ";4111111111111111=28121011000000000000?"


@pytest.fixture(autouse=True)
def _own_config_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No kiosk.toml, card-rules.toml or plugged-in reader of the machine running the tests."""
    monkeypatch.setenv("CONFIGURATION_DIRECTORY", str(tmp_path / "config"))
    monkeypatch.setattr(discover, "SYS_INPUT", tmp_path / "no-sys")
    monkeypatch.setattr(discover, "DEV_INPUT", tmp_path / "no-dev")


def _capture_file(tmp_path: Path, texts: list[str]) -> Path:
    path = tmp_path / "in.txt"
    with path.open("w", encoding="utf-8") as handle:
        write_capture(texts, handle)
    return path


def test_capture_from_a_replay_to_a_private_file_skips_payment_cards(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _capture_file(tmp_path, [STUDENT, VISA, ";90123456701?\n;1?"])
    out = tmp_path / "captured.txt"
    replay = f"replay:{source}?interval=0"
    status = main(
        ["readers", "capture", "--reader", replay, "--count", "2", "-o", str(out),
         "--allow-prefix", "600999"]
    )  # fmt: skip
    assert status == 0
    assert [s.text for s in read_capture(out)] == [STUDENT, ";90123456701?\n;1?"]
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text().startswith("# kiosk readers capture from replay:")
    err = capsys.readouterr().err
    assert err.count("a payment card was swiped; it was not recorded") == 1
    assert "4111111111111111" not in err and "6009999012345675" not in err
    # A second session appends; without the campus prefix the ISO student card is refused too.
    assert main(["readers", "capture", "--reader", replay, "--count", "1", "-o", str(out)]) == 0
    assert [s.text for s in read_capture(out)] == [STUDENT] + [";90123456701?\n;1?"] * 2
    assert capsys.readouterr().err.count("a payment card was swiped") == 2


def test_capture_prints_capture_lines_to_stdout(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _capture_file(tmp_path, ["\x02;90123456701?<\x10"])
    assert main(["readers", "capture", "--reader", f"replay:{source}?interval=0"]) == 0
    assert capsys.readouterr().out == "\\x02;90123456701?<\\x10\n"


def test_capture_from_a_serial_pty(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    master, slave = os.openpty()
    link = tmp_path / "ttyREADER"
    os.symlink(os.ttyname(slave), link)

    done = threading.Event()

    def swipe_until_done() -> None:
        # pyserial empties the input buffer when it opens the port: swipe until it is read.
        while not done.wait(0.3):
            os.write(master, b"\x02\x1b;90123456701?\r\x03")

    writer = threading.Thread(target=swipe_until_done)
    writer.start()
    try:
        status = main(
            ["readers", "capture", "--reader", f"serial:{link}", "--count", "1", "--timeout", "10"]
        )
    finally:
        done.set()
        writer.join()
        os.close(master)
        os.close(slave)
    captured = capsys.readouterr()
    assert status == 0
    assert captured.out == ";90123456701?\n"
    assert "is ready" in captured.err


def test_capture_timeout_without_swipes_is_one_sentence(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    missing = tmp_path / "no-such-tty"
    status = main(["readers", "capture", "--reader", f"serial:{missing}", "--timeout", "0.3"])
    err = capsys.readouterr().err
    assert status == 1
    assert "is not plugged in" in err
    assert "No swipes within 0.3 seconds" in err
    assert "Traceback" not in err


def test_capture_of_only_refused_swipes_says_how_many_came_and_why(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    masked = "%B4111********1111^DOE/J^2812?"
    source = _capture_file(tmp_path, [VISA, VISA, VISA, masked])
    status = main(
        ["readers", "capture", "--reader", f"replay:{source}?interval=0", "--timeout", "2"]
    )
    err = capsys.readouterr().err.strip().splitlines()[-1]
    assert status == 1
    assert err.startswith("kiosk: 4 swipes came from ") and "but none was recorded." in err
    assert "3 payment cards: a payment card was swiped; it was not recorded." in err
    assert "1 encrypted reader output: the reader sent encrypted output" in err
    assert "No swipes within" not in err and "4111" not in err


def test_capture_that_refused_some_swipes_counts_them_at_the_end(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _capture_file(tmp_path, [VISA, ";90123456701?", VISA])
    status = main(["readers", "capture", "--reader", f"replay:{source}?interval=0"])
    captured = capsys.readouterr()
    assert status == 0
    assert captured.out == ";90123456701?\n"
    assert captured.err.strip().splitlines()[-1] == "Recorded 1; not recorded: 2 payment cards."


def test_capture_uses_the_campus_prefixes_of_the_rules_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "card-rules.toml").write_text('[guard]\ncampus_prefixes = ["600999"]\n')
    source = _capture_file(tmp_path, [STUDENT])
    assert main(["readers", "capture", "--reader", f"replay:{source}?interval=0"]) == 0
    assert capsys.readouterr().out.strip() == STUDENT


def test_capture_without_a_reader_uses_kiosk_toml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    source = _capture_file(tmp_path, [";90123456701?"])
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "kiosk.toml").write_text(
        f'[[readers]]\nname = "desk"\nspec = "replay:{source}?interval=0"\n'
    )
    assert main(["readers", "capture"]) == 0
    assert capsys.readouterr().out == ";90123456701?\n"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        ([], "Which reader? Give --reader SPEC"),
        (["--allow-prefix", "60x"], "give the digits"),
        (["--count", "0"], "--count must be 1 or more"),
        (["--reader", "usb:x"], "Unknown reader kind 'usb'"),
        (["--reader", "terminal"], "needs an interactive terminal"),
    ],
)
def test_capture_usage_errors(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["readers", "capture", *argv]) == 2
    assert message in capsys.readouterr().err


def test_list_shows_readers_specs_and_the_permission_fix(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    sys_root, dev_root = tmp_path / "sys", tmp_path / "dev"
    sys_root.mkdir()
    dev_root.mkdir()
    _node(sys_root, dev_root, 11, "Mag-Tek USB Swipe Reader", "0801", "0001", KEYBOARD_BITMAP,
          by_id="usb-Mag-Tek_USB_Swipe_Reader-event-kbd")  # fmt: skip
    _node(sys_root, dev_root, 12, "ID TECH MiniMag", "0acd", "0520", KEYBOARD_BITMAP)
    (dev_root / "event12").chmod(0)
    monkeypatch.setattr(discover, "SYS_INPUT", sys_root)
    monkeypatch.setattr(discover, "DEV_INPUT", dev_root)
    monkeypatch.setattr(
        discover,
        "list_serial_ports",
        lambda: [
            discover.SerialPortInfo("/dev/ttyUSB0", 0x0ACD, 0x3810, "A1", "ID TECH MiniMag RS232"),
            discover.SerialPortInfo("/dev/ttyS0", None, None, None, "n/a"),
        ],
    )
    monkeypatch.setattr(os, "access", lambda path, mode: not str(path).endswith("event12"))
    assert main(["readers", "list"]) == 0
    out = capsys.readouterr().out
    assert "Mag-Tek USB Swipe Reader  0801:0001 MagTek" in out
    assert f"spec: hid:{dev_root}/by-id/usb-Mag-Tek_USB_Swipe_Reader-event-kbd" in out
    assert "ID TECH MiniMag  0acd:0520 ID TECH" in out
    assert f"{dev_root}/event12  [no permission]" in out
    assert "99-swipe-kiosk-readers.rules" in out and "udevadm trigger" in out
    assert "/dev/ttyUSB0  0acd:3810 ID TECH  ID TECH MiniMag RS232" in out
    assert "spec: serial:/dev/ttyUSB0" in out
    assert "serial:/dev/ttyS0" in out


def test_list_without_input_devices_says_why(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(discover, "SYS_INPUT", tmp_path / "sys")
    monkeypatch.setattr(discover, "DEV_INPUT", tmp_path / "dev")
    monkeypatch.setattr(discover, "list_serial_ports", lambda: [])
    assert main(["readers", "list"]) == 0
    out = capsys.readouterr().out
    assert f"{tmp_path / 'dev'} holds no input devices here" in out
    assert "no USB serial ports" in out
    assert "spec 'terminal'" in out


def test_capture_from_the_terminal_reads_a_keyboard_burst(tmp_path: Path) -> None:
    """A real process whose standard input is a pty: a reader's burst is one swipe."""
    master, slave = os.openpty()
    env = {**os.environ, "CONFIGURATION_DIRECTORY": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "kiosk", "readers", "capture", "--reader", "terminal",
         "--count", "1", "--timeout", "20"],
        stdin=slave, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env,
    )  # fmt: skip
    os.close(slave)
    try:
        # From "Swipe cards now" on, the terminal is in cbreak mode and read key by key.
        _wait_for_stderr(process, b"Swipe cards now", timeout=15)
        os.write(master, b"ann")  # typing: given back, never captured
        time.sleep(0.3)
        os.write(master, b";90123456701?\r")  # a reader: all keys at once
        out, rest = process.communicate(timeout=15)
    finally:
        if process.poll() is None:
            process.kill()
        os.close(master)
    assert process.returncode == 0, rest
    assert out == b";90123456701?\n"


def _wait_for_stderr(process: subprocess.Popen[bytes], text: bytes, timeout: float) -> None:
    """Wait until the process has written ``text`` to stderr (the rest stays for communicate)."""
    assert process.stderr is not None
    fd = process.stderr.fileno()
    flags = fcntl.fcntl(fd, fcntl.F_GETFL)
    fcntl.fcntl(fd, fcntl.F_SETFL, flags | os.O_NONBLOCK)
    seen, deadline = b"", time.monotonic() + timeout
    try:
        while text not in seen:
            assert time.monotonic() < deadline and process.poll() is None, seen
            time.sleep(0.05)
            with contextlib.suppress(BlockingIOError):
                seen += os.read(fd, 65536)
    finally:
        fcntl.fcntl(fd, fcntl.F_SETFL, flags)
