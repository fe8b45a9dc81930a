"""Database trouble, with real parts: the student is told to see a staff member, nothing
acknowledged is lost, and the kiosk recovers by itself once the cause goes away.

Causes, each made for real:

- **locked**: another sqlite3 connection holds ``BEGIN EXCLUSIVE`` longer than the busy
  timeout (shortened to 0.3 s here so the test does not wait the kiosk's 10 s);
- **disk full**: the database lives on a 2 MiB tmpfs this test mounts (root only), filled
  with a ballast file until writes fail with SQLITE_FULL; then the ballast goes;
- **read-only**: the kiosk runs as user ``nobody`` (root ignores file modes) and starts while
  its database file is read-only (e.g. left root-owned by a command run as root); staff then
  give it back. A file made read-only while the kiosk runs does not stop it: its open file
  stays writable, so the trouble only shows when the kiosk (re)starts. And a filesystem the
  kernel forces read-only (ext4 ``errors=remount-ro`` on a loop-mounted image): answered,
  nothing acknowledged lost, back after a repair and a restart;
- **PostgreSQL locked** (KIOSK_TEST_PG_URL): another session holds ``LOCK TABLE check_in IN
  EXCLUSIVE MODE`` past the kiosk's lock timeout (shortened to 0.3 s here, 5 s in the kiosk);
- **PostgreSQL unreachable**: the kiosk talks to the server through
  ``tests.netproxy.NetProxy``, which the test cuts (connections reset, new ones refused) or
  blackholes (bytes swallowed: a frozen server) and then restores. Each PostgreSQL test uses
  its own schema, so tests running at the same time on the same server are not disturbed.

Run with ``-s`` to see how long each answer and each recovery took (figures, not asserted).
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import pwd
import shutil
import sqlite3
import subprocess
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlmodel import Session, col, select

import kiosk.db.engine
import kiosk.desk
from drivers.base import Swipe
from drivers.replay import QueueReader
from kiosk.checkin import CheckInNotSaved, CheckInService
from kiosk.checkin.outcome import NOT_SAVED
from kiosk.db.engine import make_engine
from kiosk.db.models import CheckIn
from kiosk.db.session import open_database
from kiosk.demo import prepare_demo
from kiosk.tui.app import KioskApp, make_app
from kiosk.tui.setup import KioskSetup
from tests.conftest import PG_URL_ENV
from tests.netproxy import NetProxy
from tests.tui.conftest import (
    ALEX_CARD,
    MARIA_CARD,
    screen_text,
    setup_for_event,
    showing,
    type_text,
    wait_until,
)

SEE_STAFF = "please see a staff member"
MARIA_EMAIL = "maria.garcia@example.edu"
BUSY_TIMEOUT_MS = 300  # the kiosk's SQLite busy timeout and PostgreSQL lock timeout, shortened
TMPFS_SIZE = "2M"


@dataclass
class Trouble:
    """A cause of database trouble: ``begin`` makes it real, ``end`` takes it away."""

    name: str
    begin: Callable[[], None]
    end: Callable[[], None]


@dataclass
class TroubledKiosk:
    setup: KioskSetup  # the kiosk's setup (its engine goes through the trouble)
    trouble: Trouble
    direct_url: str  # the same database, reached without the trouble (to check what is kept)


# --- causes ------------------------------------------------------------------------------


class LockHolder:
    """Another connection holding SQLite's write lock (``BEGIN EXCLUSIVE``)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.connection: sqlite3.Connection | None = None

    def begin(self) -> None:
        self.connection = sqlite3.connect(self.path, isolation_level=None, timeout=5)
        self.connection.execute("BEGIN EXCLUSIVE")

    def end(self) -> None:
        if self.connection is not None:
            self.connection.execute("ROLLBACK")
            self.connection.close()
            self.connection = None


class PgLockHolder:
    """Another PostgreSQL session holding a lock that keeps writers off ``check_in``."""

    def __init__(self, url: str) -> None:
        self.engine = make_engine(url)
        self.connection: Connection | None = None

    def begin(self) -> None:
        self.connection = self.engine.connect()
        self.connection.execute(text("LOCK TABLE check_in IN EXCLUSIVE MODE"))

    def end(self) -> None:
        if self.connection is not None:
            self.connection.rollback()
            self.connection.close()
            self.connection = None
        self.engine.dispose()


class Ballast:
    """A file that fills the filesystem holding the database."""

    def __init__(self, database: Path) -> None:
        self.database = database
        self.path = database.parent / "ballast"

    def begin(self) -> None:
        # Empty the WAL first: SQLite reuses a checkpointed WAL's space, so a write could
        # still fit on a full disk (and would then really be saved).
        wal = Path(f"{self.database}-wal")
        for _ in range(50):
            with contextlib.closing(sqlite3.connect(self.database, timeout=5)) as connection:
                connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            if not wal.exists() or wal.stat().st_size == 0:
                break
            time.sleep(0.05)
        else:
            raise AssertionError("the WAL could not be emptied before filling the disk")
        with self.path.open("wb", buffering=0) as ballast:
            for size in (1 << 16, 1 << 12, 1 << 9):
                try:
                    while ballast.write(b"\0" * size):
                        pass
                except OSError as exc:
                    assert exc.errno == errno.ENOSPC, exc
        assert shutil.disk_usage(self.path.parent).free < 4096

    def end(self) -> None:
        self.path.unlink()


def _mount_tmpfs(directory: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("mounting a small tmpfs to fill needs root")
    directory.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={TMPFS_SIZE},mode=0700", "tmpfs", str(directory)],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.strip()}")


def _umount(directory: Path) -> None:
    """Unmount ``directory``; lazily if a connection a garbage cycle still holds keeps it busy."""
    gc.collect()
    if subprocess.run(["umount", str(directory)], capture_output=True, check=False).returncode:
        subprocess.run(["umount", "-l", str(directory)], capture_output=True, check=False)


@contextlib.contextmanager
def _pg_schema() -> Iterator[str]:
    """A URL to a fresh schema of the test server (dropped afterwards)."""
    url = os.environ.get(PG_URL_ENV)
    if not url:
        pytest.skip(f"{PG_URL_ENV} is not set: no PostgreSQL to test")
    schema = f"dbtrouble_{uuid.uuid4().hex[:12]}"
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        yield (
            make_url(url)
            .update_query_dict({"options": f"-csearch_path={schema}"})
            .render_as_string(hide_password=False)
        )
    finally:
        with admin.begin() as connection:
            connection.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def _kiosk(demo: KioskSetup) -> KioskSetup:
    return replace(demo, readers=[QueueReader("left")], demo=None, min_result_seconds=0.0)


# A blackholed server takes the query and never answers: only the kiosk's answer deadline
# (kiosk.desk.ANSWER_DEADLINE_S) bounds that wait, so it is tested on the screen only.
SERVICE_TROUBLES = ["locked", "disk-full", "pg-locked", "pg-cut"]
SCREEN_TROUBLES = ["locked", "disk-full", "pg-locked", "pg-cut", "pg-blackhole"]
ANSWER_DEADLINE_S = 3.0


@pytest.fixture
def troubled(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[TroubledKiosk]:
    """A demo kiosk (sample roster, event, rules) on a database that will get into trouble."""
    kind: str = request.param
    monkeypatch.setattr(kiosk.db.engine, "SQLITE_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS)
    monkeypatch.setattr(kiosk.db.engine, "PG_LOCK_TIMEOUT_MS", BUSY_TIMEOUT_MS)
    monkeypatch.setattr(kiosk.desk, "ANSWER_DEADLINE_S", ANSWER_DEADLINE_S)
    if kind == "locked":
        setup = _kiosk(prepare_demo(tmp_path, idle_seconds=60))
        holder = LockHolder(tmp_path / "demo.sqlite3")
        yield TroubledKiosk(
            setup, Trouble(kind, holder.begin, holder.end), str(setup.desk.engine.url)
        )
        holder.end()
        setup.desk.engine.dispose()
    elif kind == "disk-full":
        mounted = tmp_path / "tmpfs"
        _mount_tmpfs(mounted)
        try:
            setup = _kiosk(prepare_demo(mounted, idle_seconds=60))
            ballast = Ballast(mounted / "demo.sqlite3")
            yield TroubledKiosk(
                setup, Trouble(kind, ballast.begin, ballast.end), str(setup.desk.engine.url)
            )
            setup.desk.engine.dispose()
        finally:
            _umount(mounted)
    else:
        with _pg_schema() as direct_url:
            direct = make_url(direct_url)
            with NetProxy(direct.host or "localhost", direct.port or 5432) as proxy:
                proxied = direct.set(host="127.0.0.1", port=proxy.port)
                setup = _kiosk(
                    prepare_demo(
                        tmp_path,
                        idle_seconds=60,
                        database_url=proxied.render_as_string(hide_password=False),
                    )
                )
                if kind == "pg-locked":
                    pg_holder = PgLockHolder(direct_url)
                    trouble = Trouble(kind, pg_holder.begin, pg_holder.end)
                else:
                    cause = proxy.cut if kind == "pg-cut" else proxy.blackhole
                    trouble = Trouble(kind, cause, proxy.restore)
                yield TroubledKiosk(setup, trouble, direct_url)
                proxy.restore()
                setup.desk.engine.dispose()


def _live_check_ins(url: str) -> list[tuple[int, int | None]]:
    """(id, student_id) of every live check-in, read on a new connection."""
    engine = make_engine(url)
    try:
        with Session(engine) as session:
            rows = session.exec(
                select(CheckIn.id, CheckIn.student_id)
                .where(col(CheckIn.undone_at).is_(None))
                .order_by(col(CheckIn.id))
            ).all()
        return [(int(row_id), student_id) for row_id, student_id in rows if row_id is not None]
    finally:
        engine.dispose()


def _student_id(engine: Engine, username: str) -> int:
    from kiosk.db.models import Student

    with Session(engine) as session:
        found = session.exec(select(Student.id).where(Student.username == username)).one()
    assert found is not None
    return found


def _figure(label: str, seconds: float) -> None:
    print(f"\n[database trouble] {label}: {seconds:.2f} s")


# --- the service -------------------------------------------------------------------------


@pytest.mark.parametrize("troubled", SERVICE_TROUBLES, indirect=True)
def test_the_service_records_nothing_in_trouble_and_recovers(troubled: TroubledKiosk) -> None:
    setup, trouble = troubled.setup, troubled.trouble
    assert setup.desk.event.id is not None
    service = CheckInService(setup.desk.engine, setup.desk.event.id, setup.desk.rules)
    alex = service.handle_swipe(Swipe(text=ALEX_CARD, reader="left"))
    assert alex.kind == "checked_in" and alex.check_in_id is not None
    maria_id = _student_id(setup.desk.engine, "stu10002")

    trouble.begin()
    try:
        started = time.monotonic()
        assert service.handle_swipe(Swipe(text=MARIA_CARD, reader="left")) == NOT_SAVED
        _figure(f"{trouble.name}: service answered 'not saved' after", time.monotonic() - started)
        assert service.check_in_by_lookup(MARIA_EMAIL) == NOT_SAVED
        assert service.register_walk_in("Sam Walker", "sam@example.org", None) == NOT_SAVED
        with pytest.raises(CheckInNotSaved):  # staff's undo: an exception (one sentence)
            service.undo(alex.check_in_id, "staff")
    finally:
        trouble.end()

    started = time.monotonic()
    maria = service.handle_swipe(Swipe(text=MARIA_CARD, reader="left"))
    _figure(f"{trouble.name}: service checked in again after", time.monotonic() - started)
    assert maria.kind == "checked_in"
    assert alex.check_in_id is not None and maria.check_in_id is not None
    assert [row_id for row_id, _ in _live_check_ins(troubled.direct_url)] == [
        alex.check_in_id,
        maria.check_in_id,
    ]
    assert dict(_live_check_ins(troubled.direct_url))[maria.check_in_id] == maria_id


# --- the screen --------------------------------------------------------------------------


def _squashed(app: KioskApp) -> str:
    return " ".join(screen_text(app).split())


async def _see_staff_answer(app: KioskApp, pilot: object, label: str, act: Callable) -> None:
    """Do ``act`` and wait until the student screen tells the student to see staff."""
    app.student_screen.show_idle()
    await act()
    started = time.monotonic()  # after the swipe, or after Enter in the lookup form
    await wait_until(pilot, lambda: showing(app, "not_saved"))  # type: ignore[arg-type]
    _figure(f"{label}: 'see a staff member' shown after", time.monotonic() - started)
    shown = _squashed(app)
    assert SEE_STAFF in shown.lower()
    assert "checked in" not in app.student_screen.current.message.lower()  # type: ignore[union-attr]


@pytest.mark.parametrize("troubled", SCREEN_TROUBLES, indirect=True)
async def test_the_student_is_told_to_see_staff_and_the_kiosk_recovers(
    troubled: TroubledKiosk,
) -> None:
    setup, trouble = troubled.setup, troubled.trouble
    app = make_app(setup)
    async with app.run_test(size=(100, 30)) as pilot:
        reader = app.readers[0]
        assert isinstance(reader, QueueReader)
        reader.push(ALEX_CARD)
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        alex = app.student_screen.current
        assert alex is not None and alex.check_in_id is not None

        trouble.begin()
        try:

            async def swipe_maria() -> None:
                reader.push(MARIA_CARD)

            async def look_maria_up() -> None:
                await pilot.press("f2")
                await type_text(pilot, MARIA_EMAIL)
                await pilot.press("enter")

            await _see_staff_answer(app, pilot, f"{trouble.name}: swipe", swipe_maria)
            await _see_staff_answer(app, pilot, f"{trouble.name}: lookup", look_maria_up)
            await pilot.pause(0.5)  # the count refresh runs in trouble too
            assert app.is_running and app.return_code is None
        finally:
            trouble.end()

        started = time.monotonic()
        app.student_screen.show_idle()
        reader.push(MARIA_CARD)
        # A call the deadline gave up on goes on in its thread and may record Maria's
        # check-in once the network is back: then her swipe is "already" (never twice).
        kinds = ("checked_in", "already") if trouble.name == "pg-blackhole" else ("checked_in",)
        await wait_until(pilot, lambda: any(showing(app, kind) for kind in kinds))
        _figure(
            f"{trouble.name}: checked in again after the cause went", time.monotonic() - started
        )
        maria = app.student_screen.current
        assert maria is not None and maria.check_in_id is not None
        await wait_until(pilot, lambda: "2 checked in so far" in _squashed(app))
    assert [row_id for row_id, _ in _live_check_ins(troubled.direct_url)] == [
        alex.check_in_id,
        maria.check_in_id,
    ]


# --- read-only -----------------------------------------------------------------------------


@contextlib.contextmanager
def _acting_as(user: pwd.struct_passwd) -> Iterator[None]:
    """This process acts as ``user`` (effective ids; root's are taken back afterwards).
    Python's own files may be unreadable for ``user``: import everything needed before."""
    os.setegid(user.pw_gid)
    os.seteuid(user.pw_uid)
    try:
        yield
    finally:
        os.seteuid(0)
        os.setegid(0)


def _hand_over(folder: Path, user: pwd.struct_passwd) -> None:
    for path in [folder, *folder.iterdir()]:
        os.chown(path, user.pw_uid, user.pw_gid)


def _give_back(folder: Path) -> None:
    """Staff make the database's files writable for the kiosk again. All of them: SQLite
    gives the -wal and -shm files it creates the database file's mode, read-only here."""
    for path in folder.glob("demo.sqlite3*"):
        path.chmod(0o600)


@dataclass
class ReadOnlyCase:
    folder: Path  # outside pytest's tmp folders, which only root may enter
    demo: KioskSetup
    user: pwd.struct_passwd  # the unprivileged user the kiosk runs as

    @property
    def database(self) -> Path:
        return self.folder / "demo.sqlite3"

    @property
    def url(self) -> str:
        return f"sqlite:///{self.database}"


@pytest.fixture
def read_only_case() -> Iterator[ReadOnlyCase]:
    """A demo kiosk's folder, and the user ``nobody`` to run the kiosk as."""
    if os.geteuid() != 0:
        pytest.skip("acting as an unprivileged user needs root (root itself ignores file modes)")
    try:
        user = pwd.getpwnam("nobody")
    except KeyError:
        pytest.skip("there is no user 'nobody' here")
    folder = Path(tempfile.mkdtemp(prefix="kiosk-readonly-"))
    folder.chmod(0o755)
    try:
        demo = prepare_demo(folder, idle_seconds=60)
        demo.desk.engine.dispose()
        yield ReadOnlyCase(folder, _kiosk(demo), user)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


async def test_a_kiosk_started_on_a_read_only_database_recovers_when_it_is_writable_again(
    read_only_case: ReadOnlyCase,
) -> None:
    case = read_only_case
    # A first run checks Alex in (acknowledged), then the kiosk stops. (It runs as root:
    # that also imports everything the second run needs.)
    first = replace(
        setup_for_event(case.demo, engine=open_database(case.url)), readers=[QueueReader("left")]
    )
    app = make_app(first)
    async with app.run_test(size=(100, 30)) as pilot:
        app.readers[0].push(ALEX_CARD)  # type: ignore[attr-defined]
        await wait_until(pilot, lambda: showing(app, "checked_in"))
        alex = app.student_screen.current
    first.desk.engine.dispose()
    assert alex is not None and alex.check_in_id is not None
    _hand_over(case.folder, case.user)

    with _acting_as(case.user):
        case.database.chmod(0o444)  # e.g. root ran a command that left the file root-owned
        second = replace(
            setup_for_event(case.demo, engine=open_database(case.url)),
            readers=[QueueReader("left")],
        )
        app = make_app(second)
        try:
            async with app.run_test(size=(100, 30)) as pilot:
                reader = app.readers[0]
                assert isinstance(reader, QueueReader)

                async def swipe_maria() -> None:
                    reader.push(MARIA_CARD)

                await _see_staff_answer(app, pilot, "read-only: swipe", swipe_maria)
                await pilot.pause(0.5)
                assert app.is_running and app.return_code is None

                _give_back(case.folder)
                started = time.monotonic()
                app.student_screen.show_idle()
                reader.push(MARIA_CARD)
                await wait_until(pilot, lambda: showing(app, "checked_in"))
                _figure("read-only: checked in again after", time.monotonic() - started)
                maria = app.student_screen.current
                assert maria is not None
        finally:
            second.desk.engine.dispose()
    assert [row_id for row_id, _ in _live_check_ins(case.url)] == [
        alex.check_in_id,
        maria.check_in_id,
    ]


def test_the_service_recovers_once_a_read_only_database_is_writable_again(
    read_only_case: ReadOnlyCase,
) -> None:
    case = read_only_case
    event_id = case.demo.desk.event.id
    assert event_id is not None
    engine = open_database(case.url)
    alex = CheckInService(engine, event_id, case.demo.desk.rules).handle_swipe(
        Swipe(text=ALEX_CARD, reader="left")
    )
    assert alex.kind == "checked_in"
    engine.dispose()  # the kiosk stops
    _hand_over(case.folder, case.user)
    with _acting_as(case.user):
        case.database.chmod(0o444)
        engine = open_database(case.url)  # ...and starts again on a read-only database
        try:
            service = CheckInService(engine, event_id, case.demo.desk.rules)
            assert service.handle_swipe(Swipe(text=MARIA_CARD, reader="left")) == NOT_SAVED
            assert service.check_in_by_lookup(MARIA_EMAIL) == NOT_SAVED
            _give_back(case.folder)
            maria = service.handle_swipe(Swipe(text=MARIA_CARD, reader="left"))
            assert maria.kind == "checked_in"
        finally:
            engine.dispose()
    assert [row_id for row_id, _ in _live_check_ins(case.url)] == [
        alex.check_in_id,
        maria.check_in_id,
    ]


# --- a filesystem the kernel forces read-only ------------------------------------------------


def _run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, capture_output=True, text=True, check=False)


@pytest.fixture
def ext4_disk(tmp_path: Path) -> Iterator[tuple[Path, Callable[[], None], Callable[[], None]]]:
    """A small ext4 filesystem (a loop-mounted image, ``errors=remount-ro``), a way to make
    the kernel force it read-only as after disk errors, and the repair: unmount, e2fsck,
    mount again (what staff would do; the kiosk must be stopped for it)."""
    if os.geteuid() != 0 or shutil.which("mkfs.ext4") is None or shutil.which("e2fsck") is None:
        pytest.skip("needs root, mkfs.ext4 and e2fsck to loop-mount an ext4 image")
    image, mounted = tmp_path / "disk.img", tmp_path / "disk"
    mounted.mkdir()
    with image.open("wb") as file:
        file.truncate(16 << 20)
    if _run("mkfs.ext4", "-q", "-F", str(image)).returncode != 0:
        pytest.skip("mkfs.ext4 failed here")

    def mount() -> None:
        done = _run("mount", "-o", "loop,errors=remount-ro", str(image), str(mounted))
        if done.returncode != 0:
            pytest.skip(f"cannot loop-mount an ext4 image here: {done.stderr.strip()}")

    def break_it() -> None:
        device = Path(_run("findmnt", "-no", "SOURCE", str(mounted)).stdout.strip()).name
        trigger = Path("/sys/fs/ext4") / device / "trigger_fs_error"
        if not trigger.exists():
            pytest.skip("this kernel has no ext4 trigger_fs_error")
        trigger.write_text("database trouble test\n")

    def repair() -> None:
        assert _run("umount", str(mounted)).returncode == 0
        assert _run("e2fsck", "-f", "-y", str(image)).returncode in (0, 1)  # 1: errors fixed
        mount()

    mount()
    try:
        yield mounted, break_it, repair
    finally:
        _umount(mounted)


def test_a_filesystem_forced_read_only_is_see_staff_and_keeps_what_was_acknowledged(
    ext4_disk: tuple[Path, Callable[[], None], Callable[[], None]],
) -> None:
    folder, break_it, repair = ext4_disk
    demo = prepare_demo(folder, idle_seconds=60)
    assert demo.desk.event.id is not None
    url = str(demo.desk.engine.url)
    service = CheckInService(demo.desk.engine, demo.desk.event.id, demo.desk.rules)
    alex = service.handle_swipe(Swipe(text=ALEX_CARD, reader="left"))
    assert alex.kind == "checked_in"

    break_it()
    try:
        assert service.handle_swipe(Swipe(text=MARIA_CARD, reader="left")) == NOT_SAVED
        assert service.check_in_by_lookup(MARIA_EMAIL) == NOT_SAVED
    finally:
        demo.desk.engine.dispose()  # the kiosk is stopped for the repair: it needs an unmount
        gc.collect()  # (a connection a garbage cycle still holds would keep the disk busy)

    repair()
    engine = open_database(url)  # ...and started again
    try:
        service = CheckInService(engine, demo.desk.event.id, demo.desk.rules)
        maria = service.handle_swipe(Swipe(text=MARIA_CARD, reader="left"))
        assert maria.kind == "checked_in"
    finally:
        engine.dispose()
    assert [row_id for row_id, _ in _live_check_ins(url)] == [
        alex.check_in_id,
        maria.check_in_id,
    ]


# --- the engine's PostgreSQL settings ----------------------------------------------------------


def test_postgres_sessions_get_a_lock_timeout_and_values_in_the_url_win() -> None:
    with _pg_schema() as url:
        schema_option = str(make_url(url).query["options"])  # -csearch_path=dbtrouble_…
        for options, expected in (
            (schema_option, "5s"),
            (f"{schema_option} -c lock_timeout=1500", "1500ms"),
        ):
            engine = make_engine(
                make_url(url).update_query_dict({"options": options}).render_as_string(False)
            )
            try:
                with engine.connect() as connection:
                    assert connection.execute(text("SHOW lock_timeout")).scalar() == expected
                    shown = connection.execute(text("SHOW search_path")).scalar()
                    assert shown == schema_option.removeprefix("-csearch_path=")  # kept too
            finally:
                engine.dispose()
