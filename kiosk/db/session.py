"""Opening the kiosk's database: engine + migrations, with errors a user can act on.

A server that refuses or cannot be reached, and a database role that lacks a right (a fair's
kiosk role, docs/multi-kiosk.md), each become one sentence (``UserError``) that says what to
do, never a traceback: the latter on every statement of the engine, not only while opening.
"""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from kiosk.db.engine import make_engine
from kiosk.db.migrate import upgrade
from kiosk.db.url import resolve_database_url
from kiosk.errors import UserError

#: SQLSTATE 42501 (insufficient_privilege): the role may not do what the statement asks.
INSUFFICIENT_PRIVILEGE = "42501"
ROLES_DOC = "docs/multi-kiosk.md"
_DENIED = re.compile(r"(?:permission denied for|must be owner of) (\w+) \"?([\w.]+)\"?")


class PermissionMissing(UserError):
    """The database role may not do this; the sentence names the GRANT or who may."""


def open_database(url: str | None = None, migrate: bool = True) -> Engine:
    """The engine for ``url`` (or ``$KIOSK_DB`` / the default), schema brought up to date."""
    resolved = resolve_database_url(url)
    engine = make_engine(resolved)
    if engine.dialect.name == "postgresql":
        event.listen(engine, "handle_error", _permission_sentence)
    if migrate:
        try:
            upgrade(engine)
        except OperationalError as exc:
            engine.dispose()
            raise UserError(
                f"Cannot open the database {engine.url.render_as_string(hide_password=True)}: "
                f"{exc.orig}. Check the --db URL or KIOSK_DB, that the server is running and "
                "that the kiosk may write there."
            ) from exc
        except PermissionMissing:
            engine.dispose()
            raise
    return engine


def _permission_sentence(context: Any) -> None:
    """SQLAlchemy's error hook: a permission error becomes ``PermissionMissing`` (one
    sentence naming the missing GRANT, or the owner's URL for the owner's jobs)."""
    original = context.original_exception
    if getattr(original, "sqlstate", None) != INSUFFICIENT_PRIVILEGE:
        return
    user = context.engine.url.username if context.engine is not None else None
    raise PermissionMissing(
        permission_sentence(str(original), context.statement or "", user or "this kiosk's role")
    ) from None


def permission_sentence(message: str, statement: str, user: str) -> str:
    """What to do about the server's ``permission denied`` ``message`` for ``statement``."""
    found = _DENIED.search(message)
    kind, name = found.groups() if found else ("object", "?")
    verb = (statement.split(None, 1) or ["USE"])[0].upper()
    if kind == "schema" or verb in ("CREATE", "ALTER", "DROP"):
        return (
            f"The database user {user} may not change the database's schema ({kind} {name}): "
            "it is older than this kiosk, and only its owner may upgrade it — run `kiosk db "
            f"upgrade` with the owner's database URL, then the kiosk role's GRANT block in "
            f"{ROLES_DOC} again."
        )
    if kind == "sequence":
        grant = f"GRANT USAGE ON SEQUENCE {name} TO {user}"
    elif verb in ("SELECT", "WITH"):
        grant = f"GRANT SELECT ON {name} TO {user}"
    else:
        grant = f"GRANT {verb} ON {name} TO {user}"
    if verb in ("SELECT", "WITH") or kind == "sequence":
        return (
            f"The database user {user} may not read {name} (permission denied): as the "
            f"database owner, run the kiosk role's GRANT block in {ROLES_DOC} ({grant}), then "
            "try again."
        )
    return (
        f"The database user {user} may not {verb.lower()} {kind} {name} (permission denied): "
        "roster imports, events and migrations are the owner's job — run this with the "
        f"owner's database URL, or, if kiosks must do it, {grant} as the owner ({ROLES_DOC})."
    )
