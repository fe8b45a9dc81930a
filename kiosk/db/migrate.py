"""Schema migrations (Alembic), run in place so kiosks in the field upgrade themselves.

Opening a database that is already at the newest revision (every start but the first after
an update) costs one SELECT: the newest revision is read from the migration files' text, and
Alembic (with Mako and Pygments, a third of a second) is imported only to migrate.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import text
from sqlalchemy.engine import Connection, Engine

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
_REVISION = re.compile(r"^revision(?:\s*:[^=\n]*)?\s*=\s*[\"']([^\"'\n]+)[\"']\s*$", re.M)
_DOWN_REVISION = re.compile(
    r"^down_revision(?:\s*:[^=\n]*)?\s*=\s*(?:None|[\"']([^\"'\n]+)[\"'])\s*$", re.M
)


def include_object(dialect: str) -> Callable[..., bool]:
    """Alembic's ``include_object`` hook for comparing the models with a database of
    ``dialect``: a constraint or index the models make on the other engine only
    (``info["only_on"]``, kiosk.db.models) is left out."""

    def include(item: Any, _name: Any, _type: Any, reflected: bool, _compare_to: Any) -> bool:
        only_on = None if reflected else getattr(item, "info", {}).get("only_on")
        return only_on in (None, dialect)

    return include


def alembic_config() -> Config:
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the database schema up to ``revision`` (the newest by default)."""
    if revision == "head" and _is_at(engine, newest_revision_in_files()):
        return
    from alembic import command

    _migrate(engine, lambda config: command.upgrade(config, revision))


def downgrade(engine: Engine, revision: str) -> None:
    """Take the database schema back to ``revision`` (tests; an older kiosk's schema)."""
    from alembic import command

    _migrate(engine, lambda config: command.downgrade(config, revision))


def _migrate(engine: Engine, step: Callable[[Config], None]) -> None:
    """Run Alembic's ``step`` in one transaction, foreign keys checked before it commits."""
    config = alembic_config()
    with engine.connect() as connection, _foreign_keys_unenforced(connection), connection.begin():
        config.attributes["connection"] = connection
        step(config)
        _check_foreign_keys(connection)


@contextmanager
def _foreign_keys_unenforced(connection: Connection) -> Iterator[None]:
    """SQLite: foreign keys unenforced while migrations run, so that a migration may rebuild
    a table other tables point at (dropping the old one would fail, or delete its children).
    SQLite switches this only outside a transaction, so it is set on the driver's connection
    before the migrations' transaction begins; ``_check_foreign_keys`` checks them all before
    it commits. Other databases: nothing to do."""
    if connection.dialect.name != "sqlite":
        yield
        return
    driver = connection.connection.driver_connection
    assert driver is not None
    driver.execute("PRAGMA foreign_keys=OFF")
    try:
        yield
    finally:
        driver.execute("PRAGMA foreign_keys=ON")


def _check_foreign_keys(connection: Connection) -> None:
    """SQLite: fail the migration (it rolls back) if any row points at a row that is not
    there."""
    if connection.dialect.name != "sqlite":
        return
    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").all()
    if broken:
        raise RuntimeError(f"the schema migration broke foreign keys: {broken[:5]}")


@cache
def newest_revision_in_files() -> str | None:
    """The head revision, read from the text of the migration files (one ``revision = "…"``
    and one ``down_revision = …`` line each); None unless they form one plain chain, when
    only Alembic can say."""
    files = sorted((MIGRATIONS_DIR / "versions").glob("*.py"))
    revisions: set[str] = set()
    parents: set[str] = set()
    for path in files:
        source = path.read_text(encoding="utf-8")
        found, down = _REVISION.findall(source), _DOWN_REVISION.findall(source)
        if len(found) != 1 or len(down) != 1:
            return None
        revisions.add(found[0])
        if down[0]:
            parents.add(down[0])
    heads = revisions - parents
    if len(revisions) != len(files) or len(heads) != 1 or not parents <= revisions:
        return None
    return heads.pop()


def _is_at(engine: Engine, head: str | None) -> bool:
    """True when the database is known to be at ``head``; any doubt (no version table, a
    role that may not read it, an error) says False, and Alembic decides."""
    if head is None:
        return False
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version")).all()
    except Exception:  # noqa: BLE001 (the full path below reports whatever is wrong)
        return False
    return [tuple(row) for row in rows] == [(head,)]


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def head_revision() -> str | None:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(alembic_config()).get_current_head()
