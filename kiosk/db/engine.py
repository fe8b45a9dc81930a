"""The one engine factory: URL -> SQLAlchemy engine, with SQLite pragmas for durability."""

from __future__ import annotations

from functools import partial
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from kiosk.db.url import DB_ENV_VAR as DB_ENV_VAR
from kiosk.db.url import resolve_database_url as resolve_database_url
from kiosk.errors import UsageError
from kiosk.paths import private_file

SQLITE_BUSY_TIMEOUT_MS = 10_000
# SQLite errors after which a connection is closed rather than reused: it may have opened the
# file read-only, or lost it (permissions, a remount), and would stay that way.
SQLITE_REOPEN_ERRORS = ("SQLITE_READONLY", "SQLITE_IOERR", "SQLITE_CANTOPEN")
# PostgreSQL: an unreachable server or a held lock fails a swipe within seconds, never hangs it.
PG_CONNECT_TIMEOUT_S = 5
PG_LOCK_TIMEOUT_MS = 5_000
PG_TCP_USER_TIMEOUT_MS = 10_000
#: Fair mode (``bound_server_waits``): the longest a kiosk waits for one answer of the shared
#: server before it drops the connection.
PG_ANSWER_LIMIT_S = 10.0


def _set_sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    finally:
        cursor.close()


def make_engine(url: str) -> Engine:
    """Create an engine for ``url``; SQLite gets WAL, synchronous=FULL, FKs and a busy timeout."""
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise UsageError(
            f"The database URL {url!r} is not valid; use e.g. sqlite:////path/kiosk.sqlite3 "
            "or postgresql+psycopg://user:password@host/dbname."
        ) from exc
    if parsed.get_backend_name() == "sqlite":
        engine = create_engine(
            parsed,
            connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )
        database = parsed.database or ""
        if database and database != ":memory:" and not database.startswith("file:"):
            event.listen(engine, "do_connect", partial(_private_sqlite_files, Path(database)))
        event.listen(engine, "connect", _set_sqlite_pragmas)
        # pysqlite's own transaction handling defers BEGIN; emit it ourselves so that a
        # transaction really starts when SQLAlchemy begins one (needed for atomic imports).
        event.listen(engine, "connect", _disable_pysqlite_autobegin)
        event.listen(engine, "begin", _emit_begin)
        event.listen(engine, "handle_error", _reopen_after_file_trouble)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        parsed = parsed.set(drivername="postgresql+psycopg")
    try:
        return create_engine(
            parsed, pool_pre_ping=True, connect_args=_postgres_connect_args(parsed)
        )
    except NoSuchModuleError:
        raise UsageError(
            f"The database URL {_shown(parsed)} names {parsed.drivername!r}, which is not a "
            "database SQLAlchemy knows; use sqlite:///… or postgresql://…."
        ) from None
    except ImportError as exc:
        if parsed.get_backend_name() == "postgresql":
            raise UsageError(
                f"The database URL {_shown(parsed)} needs the PostgreSQL driver "
                f"{exc.name or 'psycopg'!r}, which is not installed; install it with "
                "`pip install -e '.[postgres]'` in the swipe-kiosk folder."
            ) from None
        raise UsageError(
            f"The database URL {_shown(parsed)} needs the Python module {exc.name!r}, which is "
            "not installed; install it, or use sqlite:///… or postgresql://…."
        ) from None


def _shown(url: Any) -> str:
    return str(url.render_as_string(hide_password=True))


def _private_sqlite_files(database: Path, *_connect_args: Any) -> None:
    """Before SQLite opens ``database``: create it owner-only if missing (SQLite gives its
    -wal and -shm files the database file's mode) and make older files owner-only."""
    private_file(database)
    for companion in ("-wal", "-shm"):
        path = database.with_name(database.name + companion)
        if path.exists():
            private_file(path)


def _disable_pysqlite_autobegin(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def _emit_begin(connection: Any) -> None:
    # Execution option sqlite_begin_immediate (the roster import's write): take the write
    # lock at BEGIN, waiting the busy timeout for it, instead of at the first write.
    immediate = connection.get_execution_options().get("sqlite_begin_immediate", False)
    connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _reopen_after_file_trouble(context: Any) -> None:
    """After read-only, I/O or cannot-open trouble, every connection is closed and the next
    use opens a new one. Reused, a connection opened while the file was read-only would stay
    read-only after staff fixed it; and all of a process's connections to one file share one
    view of its -shm file, so the idle ones in the pool must go too, not only this one."""
    name = getattr(context.original_exception, "sqlite_errorname", "")
    if name.startswith(SQLITE_REOPEN_ERRORS):
        context.is_disconnect = True  # SQLAlchemy invalidates this connection
        if context.engine is not None:
            context.engine.dispose()  # ...and this closes the pool's idle ones


def _postgres_connect_args(url: URL) -> dict[str, Any]:
    """libpq settings that bound every wait on the server (values in the URL win): connect
    timeout, TCP keepalives and user timeout (a vanished server or network), and a lock
    timeout (another session holding a lock the check-in needs)."""
    defaults: dict[str, Any] = {
        "connect_timeout": PG_CONNECT_TIMEOUT_S,
        "keepalives": 1,
        "keepalives_idle": 5,
        "keepalives_interval": 2,
        "keepalives_count": 3,
        "tcp_user_timeout": PG_TCP_USER_TIMEOUT_MS,
    }
    args = {key: value for key, value in defaults.items() if key not in url.query}
    options = url.query.get("options", "")
    options = " ".join(options) if isinstance(options, tuple) else options
    if "lock_timeout" not in options:
        args["options"] = f"{options} -c lock_timeout={PG_LOCK_TIMEOUT_MS}".strip()
    return args


def bound_server_waits(engine: Engine, seconds: float = PG_ANSWER_LIMIT_S) -> None:
    """Give up on any answer of a PostgreSQL server that takes longer than ``seconds``:
    the connection is closed and the call raises ``OperationalError`` (a disconnect, so the
    pool drops it). For a kiosk's shared database. A server that froze (SIGSTOP, a hung
    host) or a network path that swallows packets while something on the way still
    acknowledges them leaves TCP up: keepalives are answered, ``tcp_user_timeout`` never
    fires, and a frozen server runs no ``statement_timeout``. Without this a statement, a
    fetch or the pool's pre-ping waits forever and holds its thread. Connections the engine
    holds already are closed first; a SQLite engine is left as it is."""
    if engine.dialect.name != "postgresql":
        return
    event.listen(engine, "do_connect", partial(_connect_bounded, _bounded_class(seconds)))
    engine.dispose()


def _connect_bounded(connection_class: Any, _dialect: Any, _record: Any, cargs: Any,
                     cparams: Any) -> Any:  # fmt: skip
    return connection_class.connect(*cargs, **cparams)


def _bounded_class(seconds: float) -> Any:
    """A psycopg connection class whose every wait on the server ends within ``seconds``
    (connecting has its own ``connect_timeout``)."""
    import psycopg
    from psycopg import errors

    class BoundedConnection(psycopg.Connection[Any]):
        def wait(self, gen: Any, interval: float = 0.1, timeout: float | None = None) -> Any:
            try:
                return super().wait(gen, interval, seconds if timeout is None else timeout)
            except errors._WaitTimeout:  # psycopg's own, raised when the timeout expires
                self.close()  # mid-protocol: unusable; closed, SQLAlchemy discards it
                raise psycopg.OperationalError(
                    f"no answer from the database server within {seconds:g} s"
                ) from None

    return BoundedConnection
