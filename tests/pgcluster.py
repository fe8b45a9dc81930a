"""A throwaway PostgreSQL server for tests and benchmarks that stop and start it.

The shared server on port 5432 is everybody's: never stop it. This module makes a cluster of
its own instead: ``initdb`` into a temporary folder with the distribution's binaries, started
with ``pg_ctl`` on a free port of 127.0.0.1 (no Unix socket in a shared place), trust
authentication for local TCP only, removed afterwards.

    with ThrowawayCluster() as cluster:          # or the ``pg_cluster`` pytest fixture
        url = cluster.url("kiosk")               # a database created on first use
        cluster.stop()                           # pg_ctl stop -m fast
        cluster.start()                          # the same data, the same port

PostgreSQL refuses to run as root: when the process is root, the folder is given to the
``postgres`` user and every binary runs through ``runuser -u postgres --``.
``missing_reason()`` says in one sentence why no cluster can be made here (callers skip).
"""

from __future__ import annotations

import contextlib
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path
from types import TracebackType

from sqlalchemy import text

from kiosk.db.engine import make_engine

#: Where Debian and Ubuntu put the server binaries; newest first.
BIN_GLOB = "/usr/lib/postgresql/*/bin"
SUPERUSER = "postgres"


def find_bin_dir() -> Path | None:
    """The newest PostgreSQL server binaries folder with initdb and pg_ctl, or None."""
    override = os.environ.get("KIOSK_PG_BIN")
    candidates = [Path(override)] if override else []
    found = sorted(Path("/").glob(BIN_GLOB.lstrip("/")), key=_major, reverse=True)
    for folder in [*candidates, *found]:
        if (folder / "initdb").is_file() and (folder / "pg_ctl").is_file():
            return folder
    return None


def _major(folder: Path) -> int:
    try:
        return int(folder.parent.name)
    except ValueError:
        return 0


def missing_reason() -> str | None:
    """Why a throwaway cluster cannot be made here (None: it can)."""
    if find_bin_dir() is None:
        return (
            f"no PostgreSQL server binaries (initdb, pg_ctl) in {BIN_GLOB} or $KIOSK_PG_BIN: "
            "install postgresql to run the tests that stop and start a server"
        )
    if os.geteuid() == 0:
        if shutil.which("runuser") is None:
            return "running as root without runuser: PostgreSQL cannot be started as root"
        try:
            pwd.getpwnam(SUPERUSER)
        except KeyError:
            return "running as root and there is no 'postgres' user to start PostgreSQL as"
    return None


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ThrowawayCluster:
    """One PostgreSQL server of our own (see the module docstring)."""

    def __init__(self, *, fsync: bool = False, max_connections: int = 200) -> None:
        reason = missing_reason()
        if reason is not None:
            raise RuntimeError(reason)
        self.bin_dir = find_bin_dir()
        self.fsync = fsync
        self.max_connections = max_connections
        self.port = free_port()
        self.root = Path(tempfile.mkdtemp(prefix="kiosk-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "server.log"
        self._as_postgres = os.geteuid() == 0
        self._databases: set[str] = set()
        self.running = False

    # ------------------------------------------------------------------ commands

    def _run(self, name: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        assert self.bin_dir is not None
        command = [str(self.bin_dir / name), *args]
        if self._as_postgres:
            command = ["runuser", "-u", SUPERUSER, "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if check and result.returncode != 0:
            raise RuntimeError(
                f"{name} failed ({result.returncode}): {result.stderr.strip() or result.stdout}"
                f"\n{self.server_log()}"
            )
        return result

    def server_log(self) -> str:
        with contextlib.suppress(OSError):
            return self.log.read_text(errors="replace")[-3000:]
        return ""

    def init(self) -> ThrowawayCluster:
        if self._as_postgres:
            user = pwd.getpwnam(SUPERUSER)
            os.chown(self.root, user.pw_uid, user.pw_gid)
        self.root.chmod(0o700)
        self._run(
            "initdb", "-D", str(self.data), "-U", SUPERUSER, "-A", "trust", "-E", "UTF8",
            "--no-instructions",
        )  # fmt: skip
        return self

    def start(self) -> None:
        """Start the server (again) on its port; returns when it accepts connections."""
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 "
            f"-c unix_socket_directories={self.root} -c fsync={'on' if self.fsync else 'off'} "
            f"-c max_connections={self.max_connections} -c shared_buffers=32MB"
        )
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options, "-w",
                  "-t", "60", "start")  # fmt: skip
        self.running = True

    def stop(self, mode: str = "fast") -> None:
        """``pg_ctl stop -m fast`` (or ``immediate``): connections are ended, the server goes."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "-t", "60", "stop")
        self.running = False

    def restart(self, mode: str = "fast") -> None:
        self.stop(mode)
        self.start()

    # ------------------------------------------------------------------ databases

    def superuser_url(self, database: str = "postgres") -> str:
        return f"postgresql://{SUPERUSER}@127.0.0.1:{self.port}/{database}"

    def url(self, database: str = "kiosk", *, user: str = SUPERUSER, password: str = "") -> str:
        """A URL to ``database`` (created empty on first use) as ``user``."""
        if database not in self._databases:
            self.create_database(database)
        secret = f":{password}" if password else ""
        return f"postgresql://{user}{secret}@127.0.0.1:{self.port}/{database}"

    def create_database(self, database: str, owner: str = SUPERUSER) -> None:
        self.execute(f'CREATE DATABASE "{database}" OWNER "{owner}"')
        self._databases.add(database)

    def drop_database(self, database: str) -> None:
        self.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        self._databases.discard(database)

    def execute(self, *statements: str, database: str = "postgres") -> None:
        """Run statements as the superuser, each in autocommit (CREATE DATABASE needs it)."""
        engine = make_engine(self.superuser_url(database))
        try:
            with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
                for statement in statements:
                    connection.execute(text(statement))
        finally:
            engine.dispose()

    # ------------------------------------------------------------------ lifetime

    def destroy(self) -> None:
        if self.running:
            with contextlib.suppress(RuntimeError, subprocess.TimeoutExpired):
                self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)

    def __enter__(self) -> ThrowawayCluster:
        try:
            self.init()
            self.start()
        except BaseException:
            self.destroy()
            raise
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.destroy()


def cluster_fixture() -> Iterator[ThrowawayCluster]:
    """The body of a pytest fixture: a throwaway cluster, or the test skipped with the reason."""
    import pytest

    reason = missing_reason()
    if reason is not None:
        pytest.skip(reason)
    with ThrowawayCluster() as cluster:
        yield cluster
