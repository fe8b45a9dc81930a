"""Where the kiosk keeps its files (platformdirs, or $STATE_DIRECTORY under systemd), and the
one way it creates them: owner-only (folders 0700, files 0600) whatever the umask, since they
hold students' personal data."""

from __future__ import annotations

import contextlib
import os
from io import TextIOWrapper
from pathlib import Path
from typing import Literal

from platformdirs import user_config_path, user_data_path

APP_NAME = "swipe-kiosk"
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600

_OPEN_FLAGS = {
    "w": os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
    "a": os.O_WRONLY | os.O_CREAT | os.O_APPEND,
    "x": os.O_WRONLY | os.O_CREAT | os.O_EXCL,
}


def private_dir(path: Path) -> Path:
    """``path`` as a folder, created owner-only (0700) when missing; missing parents are
    created as usual. A folder that already exists keeps its mode (it may be shared on
    purpose, e.g. systemd's StateDirectory=)."""
    if not path.is_dir():
        path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
        path.chmod(PRIVATE_DIR_MODE)  # mkdir's mode is cut by the umask; this is exact
    return path


def open_private(
    path: Path,
    mode: Literal["w", "a", "x"] = "w",
    *,
    encoding: str = "utf-8",
    newline: str | None = None,
) -> TextIOWrapper:
    """Open ``path`` for writing text (``mode`` "w", "a" or "x") as an owner-only (0600)
    file, whatever the umask; a file that was there is made owner-only too."""
    descriptor = os.open(path, _OPEN_FLAGS[mode] | os.O_CLOEXEC, PRIVATE_FILE_MODE)
    try:
        _make_private(descriptor)
        return os.fdopen(descriptor, mode, encoding=encoding, newline=newline)
    except BaseException:
        os.close(descriptor)
        raise


def copy_private(source: Path, target: Path) -> None:
    """Copy ``source``'s bytes to ``target``, an owner-only (0600) file."""
    write_private_bytes(target, source.read_bytes())


def write_private_bytes(target: Path, data: bytes, mode: Literal["w", "x"] = "w") -> None:
    """Write ``data`` to ``target``, an owner-only (0600) file ("x": only a new file)."""
    descriptor = os.open(target, _OPEN_FLAGS[mode] | os.O_CLOEXEC, PRIVATE_FILE_MODE)
    with os.fdopen(descriptor, "wb") as out:
        _make_private(descriptor)
        out.write(data)


def private_file(path: Path) -> None:
    """Create ``path`` empty and owner-only when missing, or make it owner-only when it is
    ours; for files another program fills (SQLite's database file). Errors are left to that
    program to report.

    An existing file is never opened, only stat'ed and chmod'ed by name: closing any
    descriptor of a file drops every POSIX lock this process holds on it, and SQLite's
    locks are POSIX locks. Opening the database (or its -shm file) here while another
    connection of this process has it open would drop that connection's locks; another
    process closing its last connection then thinks it is alone, checkpoints and deletes
    the -wal and -shm files under the open connection, and what that connection writes
    next goes into a deleted file: lost (tests/db/test_sqlite_locks.py)."""
    try:
        descriptor = os.open(
            path, os.O_RDONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, PRIVATE_FILE_MODE
        )
    except FileExistsError:
        _make_path_private(path)
        return
    except OSError:
        return
    os.close(descriptor)  # new and empty: nobody holds a lock on it yet


def _make_path_private(path: Path) -> None:
    """``_make_private`` by name, without opening the file (see ``private_file``)."""
    try:
        status = os.stat(path)
    except OSError:
        return
    if status.st_mode & 0o077 and status.st_uid == os.geteuid():
        with contextlib.suppress(OSError):
            os.chmod(path, status.st_mode & 0o700)


def _make_private(descriptor: int) -> None:
    """Take the group's and others' permissions away (never adds any: a read-only file
    stays read-only)."""
    status = os.fstat(descriptor)
    if status.st_mode & 0o077 and status.st_uid == os.geteuid():
        # on a read-only mount it fails: nothing we can do, and nothing new was created
        with contextlib.suppress(OSError):
            os.fchmod(descriptor, status.st_mode & 0o700)


def data_dir() -> Path:
    """The directory for the database and other state; created owner-only if missing.

    systemd sets ``$STATE_DIRECTORY`` (``StateDirectory=`` in the unit), possibly as a
    colon-separated list; the first entry wins.
    """
    state = os.environ.get("STATE_DIRECTORY")
    if state:  # systemd made it, with the unit's StateDirectoryMode=
        return private_dir(Path(state.split(":")[0]))
    path = private_dir(user_data_path(APP_NAME))
    mode = path.stat().st_mode
    if mode & 0o077:  # made by an older version: ours alone, so made private
        path.chmod(mode & 0o700)
    return path


def config_dir() -> Path:
    """The directory holding kiosk.toml and card-rules.toml (not created)."""
    configuration = os.environ.get("CONFIGURATION_DIRECTORY")
    if configuration:
        return Path(configuration.split(":")[0])
    return user_config_path(APP_NAME)


#: The settings file's name in the configuration directory.
CONFIG_FILE_NAME = "kiosk.toml"
#: The card rules file's name in the configuration directory.
RULES_FILE_NAME = "card-rules.toml"


def default_config_path() -> Path:
    """The settings file the kiosk reads when none is named (it may not exist)."""
    return config_dir() / CONFIG_FILE_NAME


def default_rules_path() -> Path:
    """The card rules file the kiosk uses when none is named (it may not exist)."""
    return config_dir() / RULES_FILE_NAME


def default_database_url() -> str:
    """A SQLite file in the data directory."""
    return f"sqlite:///{data_dir() / 'kiosk.sqlite3'}"
